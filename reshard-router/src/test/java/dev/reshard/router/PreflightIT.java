package dev.reshard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.ReshardException;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

class PreflightIT extends ClusterTest {

    @EachEngine
    void aShardMissingAColumn_stopsTheRouterFromStarting_namingShardTableAndColumn(TestEngine engine) throws Exception {
        Cluster cluster = Cluster.of(engine, resources);
        resources.add(cluster);
        try (Connection c = cluster.newShard.getConnection();
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE users DROP COLUMN note");
        }
        assertThatThrownBy(() -> cluster.router("r1"))
                .isInstanceOf(ReshardException.class)
                .hasMessageContaining("the shards' schemas do not match")
                .hasMessageContaining("shard_1")
                .satisfies(e -> assertThat(e.getMessage().toLowerCase(java.util.Locale.ROOT))
                        .contains("table users has no column note"));
    }

    @EachEngine
    void aWronglyDeclaredPrimaryKey_isRefused(TestEngine engine) throws Exception {
        Cluster cluster = Cluster.of(engine, resources);
        resources.add(cluster);
        assertThatThrownBy(() -> Router.builder(cluster.catalog)
                        .shard(Cluster.OLD, cluster.oldShard)
                        .shard(Cluster.NEW, cluster.newShard)
                        .table(ShardedTable.of("orders", "user_id", "user_id"))
                        .build())
                .isInstanceOf(ReshardException.class)
                .hasMessageContaining("the primary key is [id] but the router declares [user_id]");
        assertThat(cluster.catalog.routers()).isEmpty();
    }

    @EachEngine
    void aCatalogWithAMapButNoRoutingEpoch_routesByTheNewestMap(TestEngine engine) throws Exception {
        dev.reshard.testkit.TestDatabase shard = engine.newDatabase();
        resources.add(shard);
        try (Connection c = shard.connection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)");
        }
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL("jdbc:h2:mem:noepoch" + engine + ";DB_CLOSE_DELAY=-1");
        dev.reshard.catalog.Catalog catalog = dev.reshard.catalog.Catalogs.open(ds, java.time.Clock.systemUTC());
        resources.add(catalog);
        catalog.publish(
                dev.reshard.core.map.ShardMap.initial(
                        dev.reshard.core.strategy.VirtualShardMap.roundRobin(64, List.of(Cluster.OLD))),
                0,
                null);
        try (Router router = Router.builder(catalog)
                .shard(Cluster.OLD, shard.dataSource())
                .table(ShardedTable.of("users", "id", "id"))
                .build()) {
            router.write("users", 7L, c -> c.createStatement().executeUpdate("INSERT INTO users VALUES (7, 1)"));
            assertThat(router.appliedEpoch()).isZero();
            assertThat(Cluster.balance(shard.dataSource(), 7)).isEqualTo(1L);
        }
    }
}
