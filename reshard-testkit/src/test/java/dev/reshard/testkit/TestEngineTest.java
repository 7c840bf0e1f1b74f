package dev.reshard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TestEngineTest {

    @AfterEach
    void clearSelection() {
        System.clearProperty(TestEngine.SELECTION_PROPERTY);
    }

    @Test
    void selected_defaultsToAllEngines() {
        assertThat(TestEngine.selected()).containsExactly(TestEngine.values());
    }

    @Test
    void selected_narrowsToTheListedEngines() {
        System.setProperty(TestEngine.SELECTION_PROPERTY, " h2, PostgreSQL ");
        assertThat(TestEngine.selected()).containsExactly(TestEngine.H2, TestEngine.POSTGRESQL);
    }

    @Test
    void selected_refusesAnUnknownEngine() {
        System.setProperty(TestEngine.SELECTION_PROPERTY, "h2,oracle");
        assertThatThrownBy(TestEngine::selected)
                .hasMessage("reshard.test.engines: \"oracle\" is not an engine; use a comma-separated list of h2,"
                        + " postgresql, mariadb");
    }
}
