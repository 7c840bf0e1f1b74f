package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/**
 * Bad input is refused with reasons that name the field, the value and the fix, and nothing is
 * written: no migration record, no routing change, no capture trigger.
 */
class BadInputIT {

    @EachEngine
    void refusesAndWritesNothing(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 200, 1);
            long epoch = c.catalog.currentRouting().orElseThrow().epoch();
            MigrationEngine e = c.engine(EngineCluster.fastOptions()).build();

            // A target map naming a shard nobody configured.
            ShardMap unknown = c.publish(
                    ShardMaps.balanceVirtualShards(from, List.of(c.shard(0), c.shard(1), ShardId.of("shard_9"))));
            assertThatThrownBy(() -> e.start(
                            new MigrationRequest("bad1", from.version(), unknown.version(), EngineCluster.TABLES)))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("shards[shard_9]")
                    .hasMessageContaining("no connection settings");

            // A target missing a column.
            try (Connection conn = c.routerPools.get(c.shard(2)).getConnection();
                    Statement s = conn.createStatement()) {
                s.execute("ALTER TABLE users DROP COLUMN note");
            }
            ShardMap to = c.publish(ShardMap.of(
                    unknown.version() + 1,
                    ShardMaps.balanceVirtualShards(from, c.shards(3)).strategy()));
            assertThatThrownBy(() ->
                            e.start(new MigrationRequest("bad2", from.version(), to.version(), EngineCluster.TABLES)))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("tables[users]")
                    .hasMessageContaining("shard_2");

            // A table that is not there, a map version that is not, nothing that moves.
            assertThatThrownBy(() -> e.start(
                            new MigrationRequest("bad3", from.version(), 99, List.of(new MigratedTable("nope", "id")))))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("to: 99 is not a published map version")
                    .hasMessageContaining("is not a published map version");
            assertThatThrownBy(() ->
                            e.start(new MigrationRequest("bad 4", from.version(), to.version(), EngineCluster.TABLES)))
                    .hasMessageContaining("migration.id");

            for (String id : List.of("bad1", "bad2", "bad3", "bad 4")) {
                assertThat(c.catalog.migration(id.replace(' ', '_'))).isEmpty();
            }
            assertThat(c.catalog.migrations()).isEmpty();
            assertThat(c.catalog.currentRouting().orElseThrow().epoch()).isEqualTo(epoch);
            try (Connection conn = c.routerPools.get(c.shard(0)).getConnection()) {
                TableSpec users = dev.reshard.jdbc.Dialect.of(conn).tableSpec(conn, "users", "id");
                assertThat(ChangeCapture.of(conn).isInstalled(conn, users)).isFalse();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void twoShardIdsOnOneDatabase_areRefused_andNothingIsWritten() throws Exception {
        try (EngineCluster c = new EngineCluster(TestEngine.H2, 3)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 200, 1);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
            java.util.Map<ShardId, javax.sql.DataSource> pools = new java.util.LinkedHashMap<>(c.enginePools);
            pools.put(c.shard(2), c.enginePools.get(c.shard(0)));
            MigrationEngine e = MigrationEngine.builder(c.catalog)
                    .shards(pools)
                    .options(EngineCluster.fastOptions())
                    .allowNonDurableShards(true)
                    .build();

            assertThatThrownBy(() ->
                            e.start(new MigrationRequest("same", from.version(), to.version(), EngineCluster.TABLES)))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("shards[shard_2]")
                    .hasMessageContaining("is the same database as shard_0");
            assertThat(c.catalog.migrations()).isEmpty();
        }
    }

    @org.junit.jupiter.api.Test
    void inMemoryShards_areRefusedUnlessAllowed_andNothingIsWritten() throws Exception {
        try (EngineCluster c = new EngineCluster(TestEngine.H2, 3)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 200, 1);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
            MigrationEngine e = MigrationEngine.builder(c.catalog)
                    .shards(c.enginePools)
                    .options(EngineCluster.fastOptions())
                    .build();

            assertThatThrownBy(() ->
                            e.start(new MigrationRequest("mem", from.version(), to.version(), EngineCluster.TABLES)))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("shards[shard_2]")
                    .hasMessageContaining("is an in-memory database")
                    .hasMessageContaining("give shard_2 a durable database");
            assertThat(c.catalog.migrations()).isEmpty();
            try (Connection conn = c.routerPools.get(c.shard(0)).getConnection()) {
                TableSpec users = dev.reshard.jdbc.Dialect.of(conn).tableSpec(conn, "users", "id");
                assertThat(ChangeCapture.of(conn).isInstalled(conn, users)).isFalse();
            }
        }
    }

    @EachEngine
    void refusesOverlapsAndRollbackAfterCleanup(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 200, 1);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
            MigrationOptions stop = EngineCluster.fastOptions().toBuilder()
                    .stopBefore(Phase.BACKFILL)
                    .build();
            c.engine(stop)
                    .build()
                    .start(new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES));

            // A second migration while m1 is in flight.
            assertThatThrownBy(() -> c.engine(EngineCluster.fastOptions())
                            .build()
                            .start(new MigrationRequest("m2", from.version(), to.version(), EngineCluster.TABLES)))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("overlaps migration m1");
            assertThat(c.catalog.migration("m2")).isEmpty();

            // Finish m1; then rolling it back, or resuming it, is refused.
            assertThat(c.engine(EngineCluster.fastOptions())
                            .build()
                            .resume("m1")
                            .phase())
                    .isEqualTo(Phase.DONE);
            assertThatThrownBy(
                            () -> c.engine(EngineCluster.fastOptions()).build().rollback("m1"))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("past the point of no return")
                    .hasMessageContaining("new migration");
            assertThatThrownBy(
                            () -> c.engine(EngineCluster.fastOptions()).build().resume("m1"))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("already DONE");
            assertThatThrownBy(
                            () -> c.engine(EngineCluster.fastOptions()).build().resume("nope"))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("does not exist");
            assertThat(c.catalog.migration("m1").orElseThrow().phase()).isEqualTo(Phase.DONE);
        }
    }
}
