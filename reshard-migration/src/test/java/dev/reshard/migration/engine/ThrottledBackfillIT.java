package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.time.Duration;

/**
 * The throttle's latency guardrail is wired to a real probe: with a guardrail no read can meet
 * (1 ns), every page's probe trips it, so the rate is halved after every batch and each pause ends
 * after its bound; the copy still finishes (the floor rate), the probe's borrowed connections do
 * not starve the copy's pool, and the moved data is intact. (That the probe sees a live workload's
 * latency is a benchmark's question: docs/BENCHMARKS.md, WorkloadImpact.)
 */
class ThrottledBackfillIT {

    @EachEngine
    void aGuardrailNoProbeCanMeet_slowsEveryBatch_andTheCopyStillFinishesIntact(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 400, 1);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));

            MigrationStatus done = c.engine(EngineCluster.fastOptions().toBuilder()
                            .batchRows(50)
                            .copyPageRows(50)
                            .maxRowsPerSecond(1_000_000)
                            .latencyGuardrail(Duration.ofNanos(1))
                            .parallelism(2)
                            .build())
                    .build()
                    .start(new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES));

            assertThat(done.phase()).isEqualTo(Phase.DONE);
            MigrationReport.Backfill backfill = done.report().backfill;
            assertThat(backfill.rowsCopied).isPositive();
            assertThat(backfill.throttleSlowdowns)
                    .as("every batch of the %s copied rows tripped the guardrail", backfill.rowsCopied)
                    .isGreaterThanOrEqualTo(backfill.rowsCopied / 50);
            assertThat(c.integrity(to).intact()).isTrue();
        }
    }
}
