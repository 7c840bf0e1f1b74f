package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MigrationOptionsTest {

    @Test
    void refusesNonsenseNamingTheOption() {
        assertThatThrownBy(() -> MigrationOptions.builder().batchRows(0).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("batchRows");
        assertThatThrownBy(() ->
                        MigrationOptions.builder().cutoverBudget(Duration.ZERO).build())
                .hasMessageContaining("cutoverBudget");
        assertThatThrownBy(
                        () -> MigrationOptions.builder().capacityThreshold(1.5).build())
                .hasMessageContaining("capacityThreshold");
        assertThatThrownBy(() -> MigrationOptions.builder().maxRowsPerSecond(-1).build())
                .hasMessageContaining("maxRowsPerSecond");
    }

    @Test
    void toBuilderKeepsEveryValue() {
        MigrationOptions o = MigrationOptions.builder()
                .batchRows(7)
                .gracePeriod(Duration.ofMinutes(3))
                .build();
        assertThat(o.toBuilder().build()).isEqualTo(o);
    }

    @Test
    void cursorsRoundTripWithTheirTypes() {
        UUID u = UUID.randomUUID();
        List<Object> key = List.of(42L, "eu'\"x", u, new java.math.BigDecimal("12345678901234567890.5"));
        assertThat(CursorCodec.decode(CursorCodec.encode(key))).isEqualTo(key);
        assertThat(CursorCodec.decode(CursorCodec.encode(List.of(7)))).containsExactly(7L);
    }
}
