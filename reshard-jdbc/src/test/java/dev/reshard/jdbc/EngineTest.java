package dev.reshard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class EngineTest {

    @Test
    void fromJdbcUrl_recognisesTheThreeEngines() {
        assertThat(Engine.fromJdbcUrl("jdbc:postgresql://db:5432/app")).isEqualTo(Engine.POSTGRESQL);
        assertThat(Engine.fromJdbcUrl("jdbc:mariadb://db/app")).isEqualTo(Engine.MARIADB);
        assertThat(Engine.fromJdbcUrl("JDBC:MySQL://db/app")).isEqualTo(Engine.MARIADB);
        assertThat(Engine.fromJdbcUrl("jdbc:h2:mem:x;DB_CLOSE_DELAY=-1")).isEqualTo(Engine.H2);
    }

    @Test
    void fromJdbcUrl_refusesOtherUrls_withoutEchoingCredentials() {
        assertThatThrownBy(() -> Engine.fromJdbcUrl("jdbc:oracle:thin:@db?password=secret"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("jdbc url: \"jdbc:oracle:thin:@db...\" is not a PostgreSQL, MariaDB/MySQL or H2 URL; use"
                        + " jdbc:postgresql://host/db, jdbc:mariadb://host/db or jdbc:h2:...")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> Engine.fromJdbcUrl(null)).isInstanceOf(InvalidInputException.class);
    }
}
