package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.Key;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.router.Router;
import dev.reshard.router.ShardedTable;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 16, item 1: a router frozen (its refresh paused) past its lease while a migration runs to
 * DONE must not serve a read from the map it had: its first read after it resumes returns the
 * acknowledged row, which the migration moved and cleanup deleted from the old shard.
 */
class FrozenRouterReadIT {

    private static Long balance(Router r, long user) {
        return r.read("users", user, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM users WHERE id = ?")) {
                ps.setLong(1, user);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : null;
                }
            }
        });
    }

    private static void setBalance(Router r, long user, long balance) {
        r.write("users", user, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE users SET balance = ? WHERE id = ?")) {
                ps.setLong(1, balance);
                ps.setLong(2, user);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            return null;
        });
    }

    @EachEngine
    void frozenRouter_resumedAfterTheMigrationFinished_readsTheMovedRows(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 500, 1);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
            List<Long> moved = new ArrayList<>();
            for (long user = 0; user < 500 && moved.size() < 20; user++) {
                if (!from.shardFor(Key.of(user)).equals(to.shardFor(Key.of(user)))) {
                    moved.add(user);
                }
            }
            Router frozen = Router.builder(c.catalog)
                    .id("frozen")
                    .shards(c.routerPools)
                    .table(ShardedTable.of("users", "id", "id"))
                    .table(ShardedTable.of("orders", "user_id", "id"))
                    .pollInterval(Duration.ofMillis(200))
                    .leaseTtl(Duration.ofMillis(600))
                    .build();
            Router healthy = c.router("healthy");
            try (frozen) {
                for (long user : moved) {
                    setBalance(frozen, user, 1);
                }
                frozen.pauseRefresh(true);
                long frozenAt = frozen.appliedEpoch();
                assertThat(c.engine(EngineCluster.fastOptions())
                                .owner("e1")
                                .build()
                                .start(new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES))
                                .phase())
                        .isEqualTo(Phase.DONE);
                for (long user : moved) {
                    setBalance(healthy, user, 2); // acknowledged, on the new shard only
                }
                assertThat(frozen.appliedEpoch()).isEqualTo(frozenAt);
                frozen.pauseRefresh(false);
                for (long user : moved) {
                    assertThat(balance(frozen, user))
                            .as("the frozen router's read of moved key %s", user)
                            .isEqualTo(2L);
                }
            }
        }
    }
}
