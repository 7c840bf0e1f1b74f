package dev.reshard.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.migration.Phase;
import dev.reshard.migration.Progress;
import dev.reshard.migration.engine.MigratedTable;
import dev.reshard.migration.engine.MigrationReport;
import dev.reshard.migration.engine.MigrationStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusViewTest {

    @Test
    void detail_showsTheThrottlesWork_andCleanupProgressDuringCleanup() {
        MigrationReport r = new MigrationReport();
        r.tables.add(new MigratedTable("users", "id"));
        r.backfill.startedAt = "2026-11-25T00:00:00Z";
        r.backfill.finishedAt = "2026-11-25T00:00:10Z";
        r.backfill.rowsCopied = 1_000;
        r.backfill.throttleSlowdowns = 7;
        r.backfill.throttlePausedMillis = 320;
        r.cleanup = new MigrationReport.Cleanup();
        r.cleanup.startedAt = "2026-11-25T00:01:00Z";
        r.cleanup.rowsDeleted = 250;
        Progress p = new Progress(
                "m1",
                Phase.CLEANUP,
                Map.of("users", new Progress.TableProgress(1_000, 1_000, true)),
                0,
                0,
                Instant.parse("2026-11-25T00:01:05Z"));
        MigrationStatus s = new MigrationStatus("m1", Phase.CLEANUP, 1, 2, p, r, Optional.empty(), Optional.empty());

        String text = String.join(" ", StatusView.detail(s, false)).replaceAll("\\s+", " "); // lines wrap

        assertThat(text).contains("throttle slowed 7 times, paused 320 ms (latency guardrail)");
        assertThat(text).contains("; cleanup 25% deleted");
    }
}
