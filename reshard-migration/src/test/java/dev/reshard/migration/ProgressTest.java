package dev.reshard.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.migration.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void fractionAndEta_areWeightedByRows() {
        Progress p = new Progress(
                "m1",
                Phase.BACKFILL,
                Map.of(
                        "users",
                        new Progress.TableProgress(500, 1_000, false),
                        "orders",
                        new Progress.TableProgress(1_000, 3_000, false)),
                250,
                12,
                T0);
        assertThat(p.fraction()).isEqualTo(1_500.0 / 4_000);
        assertThat(p.eta()).contains(Duration.ofSeconds(10));
    }

    @Test
    void rateBetweenCheckpoints_andDoneTables() {
        Progress a = new Progress(
                "m1", Phase.BACKFILL, Map.of("users", new Progress.TableProgress(100, 1_000, false)), 0, 0, T0);
        Progress b = new Progress(
                "m1",
                Phase.BACKFILL,
                Map.of("users", new Progress.TableProgress(600, 1_000, false)),
                0,
                0,
                T0.plusSeconds(2));
        assertThat(Progress.rate(a, b)).isEqualTo(250.0);
        assertThat(b.eta()).as("no rate known yet").isEmpty();
        Progress done = new Progress(
                "m1", Phase.VERIFY, Map.of("users", new Progress.TableProgress(990, 1_000, true)), 0, 0, T0);
        assertThat(done.fraction()).isEqualTo(1.0);
        assertThat(done.eta()).contains(Duration.ZERO);
    }
}
