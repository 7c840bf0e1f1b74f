package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.router.Router;
import dev.reshard.router.ShardedTable;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import dev.reshard.workload.Writers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A router whose map refresh is paused across READ_NEW and CUTOVER (a stalled or partitioned
 * process whose own clock says its lease still holds) keeps writing with its old map. The shards'
 * fences refuse those writes; the router refreshes and retries; no write is lost.
 */
class PausedRouterIT {

    @EachEngine
    void pausedRouterLosesNoWrite(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 1000, 1);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
            AtomicReference<Instant> frozen = new AtomicReference<>();
            Clock clock = new Clock() {
                @Override
                public java.time.ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    Instant f = frozen.get();
                    return f != null ? f : Instant.now();
                }
            };
            Router paused = Router.builder(c.catalog)
                    .id("paused")
                    .shards(c.routerPools)
                    .table(ShardedTable.of("users", "id", "id"))
                    .table(ShardedTable.of("orders", "user_id", "id"))
                    .pollInterval(Duration.ofMillis(50))
                    .leaseTtl(Duration.ofSeconds(2))
                    .clock(clock)
                    .build();
            Router healthy = c.router("healthy");
            MigrationOptions stopBeforeReadNew = EngineCluster.fastOptions().toBuilder()
                    .stopBefore(Phase.READ_NEW)
                    .build();
            try (paused;
                    Writers w1 = new Writers(paused, c.ledger, 2000, 300).start(0, 2, 3);
                    Writers w2 = new Writers(healthy, c.ledger, 2000, 300).start(2, 1, 3)) {
                assertThat(c.engine(stopBeforeReadNew)
                                .owner("e1")
                                .build()
                                .start(new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES))
                                .phase())
                        .isEqualTo(Phase.VERIFY);
                long epochBefore = paused.appliedEpoch();
                // Stall the router: no polling, and its clock stops, so its lease never lapses.
                paused.pauseRefresh(true);
                frozen.set(Instant.now());
                MigrationOptions stopBeforeCleanup = EngineCluster.fastOptions().toBuilder()
                        .stopBefore(Phase.CLEANUP)
                        .build();
                assertThat(c.engine(stopBeforeCleanup)
                                .owner("e2")
                                .build()
                                .resume("m1")
                                .phase())
                        .isEqualTo(Phase.CUTOVER);
                // It only gets the new epochs because the fences send its writers back to the catalog.
                EngineCluster.awaitMoreWrites(w1);
                assertThat(paused.appliedEpoch()).isGreaterThan(epochBefore);
                paused.pauseRefresh(false);
                frozen.set(null);
                assertThat(c.engine(EngineCluster.fastOptions())
                                .owner("e3")
                                .build()
                                .resume("m1")
                                .phase())
                        .isEqualTo(Phase.DONE);
                EngineCluster.awaitMoreWrites(w1, w2);
                for (Writers w : java.util.List.of(w1, w2)) {
                    w.stop();
                    assertThat(w.errors())
                            .as("writer errors: %s", w.errorSamples())
                            .isZero();
                    assertThat(w.staleReads()).isZero();
                }
            }
            var report = c.integrity(to);
            assertThat(report.intact()).as(report.toString()).isTrue();
        }
    }
}
