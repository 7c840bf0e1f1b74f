package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.Directory;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.util.List;
import java.util.Map;

/**
 * MariaDB moves a table's AUTO_INCREMENT past every explicit id inserted into it, so moving rows
 * from a shard whose ids come from a higher range (DemoSchema: shard i from i * 10^12) into one
 * with a lower range would make the lower shard generate the higher shard's ids. Pre-flight
 * refuses that move on MariaDB, naming the table, the shards, the values and the fix; it lets a
 * move from a lower range into a higher one through, and the same two-way move on H2 and
 * PostgreSQL (their identities do not move on explicit inserts).
 */
class AutoIncrementRangesIT {
    private static final int USERS = 300;

    @EachEngine
    void refusesAMoveIntoALowerIdRangeOnMariaDb(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 2)) {
            Directory.Builder b = Directory.builder(Directory.Placement.HASH, c.shards(2));
            for (long t = 0; t < USERS; t += 3) {
                b.tenant(t, c.shard((int) (t % 2)));
            }
            ShardMap from = c.publish(ShardMap.initial(b.build()));
            c.load(from, USERS, 1);
            MigrationEngine e = c.engine(EngineCluster.fastOptions()).build();

            // Lower range into higher: shard_0 -> shard_1 only. Never a problem.
            ShardMap up = c.publish(ShardMaps.moveTenants(from, Map.of(Key.of(0), c.shard(1), Key.of(6), c.shard(1))));
            assertThat(e.preflight(new MigrationRequest("up", from.version(), up.version(), EngineCluster.TABLES)))
                    .isEmpty();

            // Both ways: shard_1's orders (ids from 10^12) would land on shard_0.
            ShardMap both = c.publish(ShardMap.of(
                    up.version() + 1,
                    ShardMaps.moveTenants(from, Map.of(Key.of(0), c.shard(1), Key.of(3), c.shard(0)))
                            .strategy()));
            MigrationRequest request =
                    new MigrationRequest("both", from.version(), both.version(), EngineCluster.TABLES);
            List<InvalidInputException> reasons = e.preflight(request);
            if (engine != TestEngine.MARIADB) {
                assertThat(reasons).isEmpty();
                return;
            }
            assertThat(reasons).hasSize(1);
            InvalidInputException reason = reasons.get(0);
            System.out.println("refused: " + reason.getMessage());
            assertThat(reason.field()).isEqualTo("tables[orders].id");
            assertThat(reason.getMessage())
                    .contains("AUTO_INCREMENT")
                    .contains("shard_1")
                    .contains("shard_0")
                    .contains("auto_increment_increment")
                    .contains("auto_increment_offset")
                    .contains("application");
            assertThatThrownBy(() -> e.start(request))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("tables[orders].id");
            assertThat(c.catalog.migrations()).isEmpty();
        }
    }
}
