package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.migration.Phase;
import dev.reshard.testkit.TestEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash matrix (invariant 5): the engine stops dead at every phase boundary and mid-batch
 * while writers run; a second orchestrator cannot take the migration while the first one's lease
 * holds, then resumes it from the catalog after the lease lapses; the end state holds every
 * acknowledged write, nothing resurrected, one home per row.
 */
class CrashIT {
    private static final List<String> POINTS = List.of(
            "dual_write.recorded",
            "dual_write.published",
            "backfill.batch",
            "verify.enter",
            "read_new.recorded",
            "read_new.published",
            "cutover.frozen",
            "cutover.published",
            "cleanup.recorded",
            "cleanup.batch",
            "done.published");

    static Stream<Arguments> points() {
        List<Arguments> out = new ArrayList<>();
        for (TestEngine engine : TestEngine.selected()) {
            if (engine == TestEngine.MARIADB) {
                continue; // the crash matrix runs on H2 and PostgreSQL
            }
            POINTS.forEach(p -> out.add(Arguments.of(engine, p)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: crash at {1}, resume")
    @MethodSource("points")
    void resumesAfterACrash(TestEngine engine, String point) throws Exception {
        try (LiveMigration m = new LiveMigration(engine)) {
            CrashPoints crash = SimulatedCrash.at(point, point.endsWith(".batch") ? 2 : 1);
            assertThatThrownBy(() -> m.engine("first", crash, EngineCluster.fastOptions())
                            .start(m.request))
                    .isInstanceOf(SimulatedCrash.class);
            MigrationStatus status = m.engine("second").resume("m1");
            assertThat(status.phase()).isEqualTo(Phase.DONE);
            m.finish(m.to, false);
            assertThatThrownBy(() -> m.engine("third").resume("m1"))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("already DONE");
        }
    }
}
