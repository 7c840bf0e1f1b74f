package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reshard.catalog.Barrier;
import dev.reshard.catalog.SecretRef;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.router.Router;
import dev.reshard.router.ShardPools;
import dev.reshard.router.ShardedTable;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import dev.reshard.workload.Writers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: routers started on a two-shard catalog learn a third shard from the catalog. It is
 * registered and a migration to a map that names it runs to DONE while both routers write, with
 * no writer error, a clean integrity check, and no router restarted.
 */
class AddShardIT {
    @TempDir
    Path secrets;

    private void register(EngineCluster c, ShardId shard) throws Exception {
        TestDatabase db = c.databases.get(shard);
        SecretRef password = SecretRef.NONE;
        if (db.password() != null && !db.password().isEmpty()) {
            Path file = secrets.resolve(shard.value() + ".password");
            Files.writeString(file, db.password());
            password = SecretRef.parse("password", "file:" + file);
        }
        c.catalog.addShard(new ShardConfig(shard, db.jdbcUrl(), db.user(), password, 1L << 40));
    }

    private static Router router(EngineCluster c, String id) {
        return Router.builder(c.catalog)
                .id(id)
                .connector(ShardPools.connector(4))
                .table(ShardedTable.of("users", "id", "id"))
                .table(ShardedTable.of("orders", "user_id", "id"))
                .pollInterval(Duration.ofMillis(50))
                .leaseTtl(Duration.ofSeconds(5))
                .build();
    }

    @EachEngine
    void aShardRegisteredWhileRoutersRun_isLearned_andAMigrationOntoItLosesNothing(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 2)) {
            register(c, c.shard(0));
            register(c, c.shard(1));
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 1000, 1);
            try (Router a = router(c, "app-a");
                    Router b = router(c, "app-b");
                    Writers wa = new Writers(a, c.ledger, 2000, 300).start(0, 2, 4);
                    Writers wb = new Writers(b, c.ledger, 2000, 300).start(2, 2, 4)) {
                EngineCluster.awaitMoreWrites(wa, wb);
                assertThat(a.pools().opened()).isEqualTo(2);

                ShardId added = c.addShard(2);
                register(c, added);
                ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
                // what the engine's barrier checks before DUAL_WRITE: every live router reaches shard_2
                new Barrier(c.catalog, Clock.systemUTC(), Duration.ofMillis(20))
                        .awaitReachable(to.version(), to.shards(), Duration.ofSeconds(30));
                assertThat(a.pools().opened()).isEqualTo(3);
                assertThat(b.pools().opened()).isEqualTo(3);

                assertThat(c.engine(EngineCluster.fastOptions())
                                .owner("e1")
                                .build()
                                .start(new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES))
                                .phase())
                        .isEqualTo(Phase.DONE);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> a.routing().mapVersion() == to.version()
                                && b.routing().mapVersion() == to.version());
                EngineCluster.awaitMoreWrites(wa, wb);
                for (Writers w : List.of(wa, wb)) {
                    w.stop();
                    assertThat(w.errors())
                            .as("writer errors: %s", w.errorSamples())
                            .isZero();
                    assertThat(w.staleReads()).isZero();
                }
                assertThat(a.pools().source()).isEqualTo("catalog");
            }
            var report = c.integrity(c.catalog.map(c.catalog.currentVersion()));
            assertThat(report.intact()).as(report.toString()).isTrue();
        }
    }

    @EachEngine
    void aRouterWithFixedDataSourcesWithoutTheNewShard_makesPreflightRefuse_namingIt(TestEngine engine)
            throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 2)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 200, 1);
            Router blind = c.router("blind"); // DataSources for shard_0 and shard_1 only
            c.addShard(2);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
            MigrationEngine e =
                    c.engine(EngineCluster.fastOptions()).owner("e1").build();
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            e.start(new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES)))
                    .hasMessageContaining("router blind@")
                    .hasMessageContaining("shard shard_2: no connection settings");
            assertThat(c.catalog.migration("m1"))
                    .as("nothing written by the refusal")
                    .isEmpty();
            assertThat(blind.appliedEpoch())
                    .isEqualTo(c.catalog.currentRouting().orElseThrow().epoch());
        }
    }

    @EachEngine
    void aRouterWithoutTheNewShardThatStartsMidMigration_stopsItBeforeReadNew_namingIt(TestEngine engine)
            throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            EngineCluster.Move move = c.twoToThree(200);
            MigrationOptions options = EngineCluster.fastOptions().toBuilder()
                    .barrierTimeout(Duration.ofSeconds(2))
                    .build();
            assertThat(c.engine(options.toBuilder().stopBefore(Phase.READ_NEW).build())
                            .owner("e1")
                            .build()
                            .start(move.request("m1"))
                            .phase())
                    .isEqualTo(Phase.VERIFY);
            long epoch = c.catalog.currentRouting().orElseThrow().epoch();
            try (Router late = c.router("late", c.shards(2))) {
                org.assertj.core.api.Assertions.assertThatThrownBy(
                                () -> c.engine(options).owner("e2").build().resume("m1"))
                        .hasMessageContaining("router late@")
                        .hasMessageContaining("shard shard_2: no connection settings");
                assertThat(late.appliedEpoch())
                        .as("the late router still serves")
                        .isEqualTo(epoch);
                assertThat(c.catalog.migration("m1").orElseThrow().phase())
                        .as("the record did not move")
                        .isEqualTo(Phase.VERIFY);
                assertThat(c.catalog.currentRouting().orElseThrow().epoch())
                        .as("nothing published")
                        .isEqualTo(epoch);
            }
            // That instance stopped (its registration ends with it): the migration goes on.
            assertThat(c.engine(options).owner("e3").build().resume("m1").phase())
                    .isEqualTo(Phase.DONE);
            var report = c.integrity(move.to());
            assertThat(report.intact()).as(report.toString()).isTrue();
        }
    }
}
