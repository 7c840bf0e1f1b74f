package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.migration.Phase;
import dev.reshard.testkit.TestEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash matrix (invariant 5), over every {@link CrashPoint}: the engine stops dead at the
 * point while writers run; a second orchestrator cannot take the migration while the first one's
 * lease holds, then resumes it from the catalog after the lease lapses (a rollback point: resumes
 * the rollback); the end state holds every acknowledged write, nothing resurrected, one home per
 * row. A point no run reaches fails {@link #everyPointIsReached}, so the matrix cannot silently
 * skip one.
 */
class CrashIT {

    static Stream<Arguments> points(CrashPoint.Run kind) {
        List<Arguments> out = new ArrayList<>();
        for (TestEngine engine : TestEngine.selected()) {
            if (engine == TestEngine.MARIADB) {
                continue; // the crash matrix runs on H2 and PostgreSQL
            }
            Arrays.stream(CrashPoint.values())
                    .filter(p -> p.run() == kind)
                    .forEach(p -> out.add(Arguments.of(engine, p)));
        }
        return out.stream();
    }

    static Stream<Arguments> forwardPoints() {
        return points(CrashPoint.Run.FORWARD);
    }

    static Stream<Arguments> rollbackPoints() {
        return points(CrashPoint.Run.ROLLBACK);
    }

    static Stream<Arguments> plannedPoints() {
        return forwardPoints().filter(a -> a.get()[1].toString().startsWith("PLANNED_"));
    }

    @ParameterizedTest(name = "{0}: crash at {1}, resume")
    @MethodSource("forwardPoints")
    void resumesAfterACrash(TestEngine engine, CrashPoint point) throws Exception {
        try (LiveMigration m = new LiveMigration(engine)) {
            CrashPoints crash = SimulatedCrash.at(point, SimulatedCrash.nthFor(point));
            assertThatThrownBy(() -> m.engine("first", crash, EngineCluster.fastOptions())
                            .start(m.request))
                    .isInstanceOf(SimulatedCrash.class);
            MigrationStatus status = m.engine("second").resume("m1");
            assertThat(status.phase()).isEqualTo(Phase.DONE);
            m.finish(m.to, false);
            m.assertNoCaptureLeft();
            assertThatThrownBy(() -> m.engine("third").resume("m1"))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("already DONE");
        }
    }

    /** Killed in PLANNED, the migration can also be rolled back, leaving no capture behind. */
    @ParameterizedTest(name = "{0}: crash at {1}, roll back")
    @MethodSource("plannedPoints")
    void rollsBackAfterACrashInPlanned(TestEngine engine, CrashPoint point) throws Exception {
        try (LiveMigration m = new LiveMigration(engine)) {
            assertThatThrownBy(() -> m.engine("first", SimulatedCrash.at(point, 1), EngineCluster.fastOptions())
                            .start(m.request))
                    .isInstanceOf(SimulatedCrash.class);
            MigrationStatus status = m.engine("second").rollback("m1");
            assertThat(status.phase()).isEqualTo(Phase.ROLLED_BACK);
            m.finish(m.from, false);
            m.assertNoCaptureLeft();
        }
    }

    /** A rollback after cutover killed at each of its points is finished by a second rollback. */
    @ParameterizedTest(name = "{0}: roll back from CUTOVER, crash at {1}, resume the rollback")
    @MethodSource("rollbackPoints")
    void resumesAnInterruptedRollback(TestEngine engine, CrashPoint point) throws Exception {
        try (LiveMigration m = new LiveMigration(engine)) {
            MigrationOptions stop = EngineCluster.fastOptions().toBuilder()
                    .stopBefore(Phase.CLEANUP)
                    .build();
            assertThat(m.engine("first", CrashPoints.NONE, stop)
                            .start(m.request)
                            .phase())
                    .isEqualTo(Phase.CUTOVER);
            m.awaitMoreWrites();
            CrashPoints crash = SimulatedCrash.at(point, SimulatedCrash.nthFor(point));
            assertThatThrownBy(() -> m.engine("second", crash, EngineCluster.fastOptions())
                            .rollback("m1"))
                    .isInstanceOf(SimulatedCrash.class);
            MigrationStatus status = m.engine("third").rollback("m1");
            assertThat(status.phase()).isEqualTo(Phase.ROLLED_BACK);
            m.finish(m.from, false);
            m.assertNoCaptureLeft();
        }
    }

    /** Every point of the enum is reached by the run the matrix crashes in (H2). */
    @Test
    void everyPointIsReached() throws Exception {
        Set<CrashPoint> reached = EnumSet.noneOf(CrashPoint.class);
        try (LiveMigration m = new LiveMigration(TestEngine.H2)) {
            SimulatedCrash.Recorder forward = new SimulatedCrash.Recorder();
            assertThat(m.engine("first", forward, EngineCluster.fastOptions())
                            .start(m.request)
                            .phase())
                    .isEqualTo(Phase.DONE);
            reached.addAll(forward.reached);
        }
        try (LiveMigration m = new LiveMigration(TestEngine.H2)) {
            MigrationOptions stop = EngineCluster.fastOptions().toBuilder()
                    .stopBefore(Phase.CLEANUP)
                    .build();
            m.engine("first", CrashPoints.NONE, stop).start(m.request);
            m.awaitMoreWrites();
            SimulatedCrash.Recorder rollback = new SimulatedCrash.Recorder();
            assertThat(m.engine("second", rollback, EngineCluster.fastOptions())
                            .rollback("m1")
                            .phase())
                    .isEqualTo(Phase.ROLLED_BACK);
            reached.addAll(rollback.reached);
        }
        try (LiveMigration m = new LiveMigration(TestEngine.H2)) {
            MigrationOptions stop = EngineCluster.fastOptions().toBuilder()
                    .stopBefore(Phase.DUAL_WRITE)
                    .build();
            m.engine("first", CrashPoints.NONE, stop).start(m.request);
            // a rollback from PLANNED is the one path to ROLLED_BACK without ROLLING_BACK
            SimulatedCrash.Recorder planned = new SimulatedCrash.Recorder();
            m.engine("second", planned, EngineCluster.fastOptions()).rollback("m1");
            reached.addAll(planned.reached);
        }
        assertThat(EnumSet.complementOf(EnumSet.copyOf(reached)))
                .as("crash points no run reached")
                .isEmpty();
    }
}
