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
 * Rollback from every phase before CLEANUP, under writes: the old layout ends up with every
 * acknowledged write, nothing resurrected, one home per row (checked against the writers' ledger
 * and the old map). From CUTOVER it replays the new shards' changelog back to the old ones.
 */
class RollbackIT {

    static Stream<Arguments> phases() {
        List<Arguments> out = new ArrayList<>();
        for (TestEngine engine : TestEngine.selected()) {
            if (engine == TestEngine.MARIADB) {
                continue; // rollback is engine-neutral code; H2 and PostgreSQL cover it here
            }
            for (Phase stopIn :
                    List.of(Phase.DUAL_WRITE, Phase.BACKFILL, Phase.VERIFY, Phase.READ_NEW, Phase.CUTOVER)) {
                out.add(Arguments.of(engine, stopIn));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: roll back from {1}")
    @MethodSource("phases")
    void rollsBackUnderWrites(TestEngine engine, Phase stopIn) throws Exception {
        try (LiveMigration m = new LiveMigration(engine)) {
            Phase next = stopIn.forwardNext().orElseThrow();
            MigrationOptions stop =
                    EngineCluster.fastOptions().toBuilder().stopBefore(next).build();
            MigrationStatus stopped = m.engine("first", CrashPoints.NONE, stop).start(m.request);
            assertThat(stopped.phase()).isEqualTo(stopIn);
            m.awaitMoreWrites(); // writers keep going in that phase (after CUTOVER: on the new shards)
            MigrationStatus rolled = m.engine("second").rollback("m1");
            assertThat(rolled.phase()).isEqualTo(Phase.ROLLED_BACK);
            assertThat(rolled.report().rollback.from).isEqualTo(stopIn.name());
            if (stopIn == Phase.CUTOVER) {
                assertThat(rolled.report().rollback.oldHoldsEveryKey).isTrue();
            }
            m.finish(m.from, false);
            assertThatThrownBy(() -> m.engine("third").rollback("m1"))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("already rolled back");
        }
    }
}
