package dev.reshard.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.faults.check.CheckReport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small batch of fault runs, two per engine, every one freezing a client JVM with SIGSTOP past
 * its 2 s lease and then SIGCONT (issue 16's proof), with the orchestrator SIGKILLed and resumed
 * or rolled back, and a client SIGKILLed, as the seeds choose (seeds 37-38 on H2: client killed,
 * orchestrator killed and resumed; seeds 23-24 on PostgreSQL: orchestrator killed and rolled back,
 * then client killed and orchestrator killed and resumed). Each run must end in DONE or
 * ROLLED_BACK within its bound, and the independent checker must count nothing lost, duplicated,
 * misplaced, unexpected, out of order, no stale read and no leftover.
 */
class FaultRunIT {

    private static FaultRun.Config config(String engine, long seed, Path dir) {
        return new FaultRun.Config(List.of(engine), 2, seed, 2000, 2, 4, 2000, 90, true, dir, false);
    }

    private static void assertClean(List<FaultRun.Result> results) {
        assertThat(results).hasSize(2);
        for (FaultRun.Result r : results) {
            String what = r.engine() + " seed " + r.seed() + ": " + r.faults() + " " + r.problem();
            assertThat(r.stuck()).as("stuck: %s", what).isFalse();
            assertThat(r.phase()).as(what).isIn("DONE", "ROLLED_BACK");
            assertThat(r.problem()).as(what).isEmpty();
            assertThat(r.hungClients()).as(what).isZero();
            assertThat(r.faults()).as("every run freezes a client").contains("SIGSTOP c0");
            CheckReport report = r.report();
            assertThat(report).as(what).isNotNull();
            assertThat(report.staleReads)
                    .as("stale reads, %s %s", what, report.samples)
                    .isZero();
            assertThat(report.lost).as("lost, %s %s", what, report.samples).isZero();
            assertThat(report.duplicated)
                    .as("duplicated, %s %s", what, report.samples)
                    .isZero();
            assertThat(report.misplaced)
                    .as("misplaced, %s %s", what, report.samples)
                    .isZero();
            assertThat(report.unexpected)
                    .as("unexpected, %s %s", what, report.samples)
                    .isZero();
            assertThat(report.mustBeZero())
                    .as("%s %s", what, report.samples)
                    .allSatisfy((k, v) -> assertThat(v).as(k).isZero());
            assertThat(report.acknowledged).as(what).isPositive();
            assertThat(report.readsOk).as(what).isPositive();
            assertThat(report.movingShare())
                    .as("share of ops on moving keys, %s", what)
                    .isGreaterThanOrEqualTo(0.3);
        }
    }

    @Test
    void h2(@TempDir Path dir) throws Exception {
        assertClean(FaultRun.batch(config("h2", 37, dir), System.out));
    }

    @Test
    void postgresql(@TempDir Path dir) throws Exception {
        assertClean(FaultRun.batch(config("postgresql", 23, dir), System.out));
    }
}
