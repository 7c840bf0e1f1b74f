package dev.reshard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reshard.catalog.Barrier;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.RouterRegistration;
import dev.reshard.catalog.RoutingState;
import dev.reshard.catalog.SecretRef;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.strategy.VirtualShardMap;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** A router with a connector opens pools as maps name shards, reports them, and closes unnamed ones. */
class ShardSourcesIT {
    private static final AtomicInteger DBS = new AtomicInteger();
    private static final ShardId S0 = ShardId.of("shard_0");
    private static final ShardId S1 = ShardId.of("shard_1");

    private static String shardUrl(int n, ShardId shard) throws Exception {
        String url = "jdbc:h2:mem:sources" + n + "_" + shard.value() + ";DB_CLOSE_DELAY=-1";
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        ds.setUser("sa");
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)");
        }
        return url;
    }

    @Test
    void poolsFollowTheMaps_areReported_andClosedOnceNoMapNamesTheirShard() throws Exception {
        int n = DBS.incrementAndGet();
        JdbcDataSource catalogDb = new JdbcDataSource();
        catalogDb.setURL("jdbc:h2:mem:sourcescatalog" + n + ";DB_CLOSE_DELAY=-1");
        try (Catalog catalog = Catalogs.open(catalogDb, Clock.systemUTC())) {
            catalog.addShard(new ShardConfig(S0, shardUrl(n, S0), "sa", SecretRef.NONE, 1L << 30));
            catalog.addShard(new ShardConfig(S1, shardUrl(n, S1), "sa", SecretRef.NONE, 1L << 30));
            ShardMap two = ShardMap.initial(VirtualShardMap.roundRobin(8, List.of(S0, S1)));
            catalog.publish(two, 0, "two shards");
            catalog.publishRouting(RoutingState.stable(1, 1));
            AtomicInteger opened = new AtomicInteger();
            ShardConnector connector = (shard, routerId) -> {
                opened.incrementAndGet();
                return ShardPools.connector(2).open(shard, routerId);
            };
            try (Router router = Router.builder(catalog)
                    .id("r1")
                    .connector(connector)
                    .table(ShardedTable.of("users", "id", "id"))
                    .pollInterval(Duration.ofMillis(20))
                    .leaseTtl(Duration.ofSeconds(5))
                    .build()) {
                assertThat(router.pools()).isEqualTo(new Router.PoolCounts("catalog", 2, 0));
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    RouterRegistration r = catalog.routers().get(0);
                    assertThat(r.shards()).isPresent();
                    assertThat(r.shards().get().source()).isEqualTo(RouterRegistration.Source.CATALOG);
                    assertThat(r.reach(S0).orElseThrow().ok()).isTrue();
                    assertThat(r.reach(S1).orElseThrow().ok()).isTrue();
                });

                ShardMap one = two.next(VirtualShardMap.roundRobin(8, List.of(S0)));
                catalog.publish(one, 1, "one shard");
                catalog.publishRouting(RoutingState.stable(2, 2));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> router.pools().closed() == 1);
                assertThat(router.pools()).isEqualTo(new Router.PoolCounts("catalog", 2, 1));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> catalog.routers().get(0).reach(S1).isEmpty());
                assertThat(opened).hasValue(2);
            }
        }
    }

    @Test
    void fixedDataSources_areReportedAsSuch_andAShardTheyLackAsWithoutSettings() throws Exception {
        int n = DBS.incrementAndGet();
        JdbcDataSource catalogDb = new JdbcDataSource();
        catalogDb.setURL("jdbc:h2:mem:sourcescatalog" + n + ";DB_CLOSE_DELAY=-1");
        try (Catalog catalog = Catalogs.open(catalogDb, Clock.systemUTC())) {
            JdbcDataSource s0 = new JdbcDataSource();
            s0.setURL(shardUrl(n, S0));
            s0.setUser("sa");
            catalog.publish(ShardMap.initial(VirtualShardMap.roundRobin(8, List.of(S0))), 0, "one");
            catalog.publishRouting(RoutingState.stable(1, 1));
            try (Router router = Router.builder(catalog)
                    .id("r1")
                    .shard(S0, (DataSource) s0)
                    .table(ShardedTable.of("users", "id", "id"))
                    .pollInterval(Duration.ofMillis(20))
                    .leaseTtl(Duration.ofSeconds(5))
                    .build()) {
                shardUrl(n, S1);
                catalog.publish(catalog.map(1).next(VirtualShardMap.roundRobin(8, List.of(S0, S1))), 1, "two");
                Barrier barrier = new Barrier(catalog, Clock.systemUTC(), Duration.ofMillis(20));
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(barrier.unreachable(2, List.of(S0, S1)))
                                .singleElement()
                                .asString()
                                .startsWith("router r1@")
                                .contains("shard shard_1: no connection settings")
                                .contains("fixed DataSources"));
                assertThat(router.pools()).isEqualTo(new Router.PoolCounts("fixed", 0, 0));
            }
        }
    }
}
