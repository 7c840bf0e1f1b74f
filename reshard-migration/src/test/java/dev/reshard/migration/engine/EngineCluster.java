package dev.reshard.migration.engine;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.router.Router;
import dev.reshard.router.ShardedTable;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import dev.reshard.workload.DemoSchema;
import dev.reshard.workload.IntegrityCheck;
import dev.reshard.workload.IntegrityReport;
import dev.reshard.workload.Ledger;
import dev.reshard.workload.Writers;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Real shards of one engine with the demo schema, a catalog, routers (on their own pools) and
 * engines (on pools of their own, as in production).
 */
final class EngineCluster implements AutoCloseable {
    static final List<MigratedTable> TABLES =
            List.of(new MigratedTable("users", "id"), new MigratedTable("orders", "user_id"));
    private static final AtomicInteger CATALOGS = new AtomicInteger();

    final TestEngine engine;
    final Map<ShardId, TestDatabase> databases = new LinkedHashMap<>();
    final Map<ShardId, DataSource> routerPools = new LinkedHashMap<>();
    final Map<ShardId, DataSource> enginePools = new LinkedHashMap<>();
    final Catalog catalog;
    final Ledger ledger = new Ledger();
    private final List<AutoCloseable> closing = new ArrayList<>();

    EngineCluster(TestEngine engine, int shards) throws SQLException {
        this(engine, shards, null);
    }

    /** With {@code catalogDir}, the catalog is an H2 file another process can open too. */
    EngineCluster(TestEngine engine, int shards, java.nio.file.Path catalogDir) throws SQLException {
        this.engine = engine;
        if (catalogDir == null) {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL("jdbc:h2:mem:enginecatalog" + CATALOGS.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            this.catalog = Catalogs.open(ds, Clock.systemUTC());
        } else {
            this.catalog = Catalogs.embedded(catalogDir);
        }
        for (int i = 0; i < shards; i++) {
            addShard(i);
        }
    }

    ShardId addShard(int index) throws SQLException {
        ShardId id = ShardId.of("shard_" + index);
        TestDatabase db = engine.newDatabase();
        closing.add(db);
        databases.put(id, db);
        routerPools.put(id, db.dataSource());
        enginePools.put(id, pool(db, 6));
        try (Connection c = db.dataSource().getConnection()) {
            DemoSchema.create(c, index);
        }
        return id;
    }

    private DataSource pool(TestDatabase db, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        HikariDataSource pool = new HikariDataSource(config);
        closing.add(0, pool);
        return pool;
    }

    ShardId shard(int i) {
        return ShardId.of("shard_" + i);
    }

    List<ShardId> shards(int n) {
        List<ShardId> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(shard(i));
        }
        return out;
    }

    /** Publishes {@code map} as the next version; returns it. */
    ShardMap publish(ShardMap map) {
        catalog.publish(map, catalog.currentVersion(), "test");
        if (catalog.currentRouting().isEmpty()) {
            // Routers follow the routing state; without one they would follow the newest map.
            catalog.publishRouting(dev.reshard.catalog.RoutingState.stable(1, map.version()));
        }
        return map;
    }

    void load(ShardMap map, int users, int ordersPerUser) throws SQLException {
        Writers.load(routerPools, map, ledger, users, ordersPerUser, 42);
    }

    /** The most common move of these tests: 64 virtual shards on two shards, rebalanced onto three. */
    record Move(ShardMap from, ShardMap to) {
        MigrationRequest request(String id) {
            return new MigrationRequest(id, from.version(), to.version(), TABLES);
        }
    }

    /** Publishes {@link Move}'s two maps (needs three shards) with {@code users} users loaded on the first. */
    Move twoToThree(int users) throws SQLException {
        ShardMap from = publish(ShardMap.initial(VirtualShardMap.roundRobin(64, shards(2))));
        load(from, users, 1);
        return new Move(from, publish(ShardMaps.balanceVirtualShards(from, shards(3))));
    }

    Router router(String id) {
        return router(id, databases.keySet());
    }

    /** A router with fixed DataSources for {@code shards} only (as an application built with them). */
    Router router(String id, Collection<ShardId> shards) {
        // Each router gets pools of its own: a router remembers the epoch it set on each pooled
        // connection, so two routers sharing a pool could write with each other's epoch.
        Map<ShardId, DataSource> own = new LinkedHashMap<>();
        for (ShardId shard : shards) {
            own.put(shard, pool(databases.get(shard), 4));
        }
        Router r = Router.builder(catalog)
                .id(id)
                .shards(own)
                .table(ShardedTable.of("users", "id", "id"))
                .table(ShardedTable.of("orders", "user_id", "id"))
                .pollInterval(Duration.ofMillis(50))
                .leaseTtl(Duration.ofSeconds(5))
                .build();
        closing.add(0, r);
        return r;
    }

    MigrationEngine.Builder engine(MigrationOptions options) {
        return MigrationEngine.builder(catalog)
                .shards(enginePools)
                .options(options)
                .allowNonDurableShards(true);
    }

    static MigrationOptions fastOptions() {
        return MigrationOptions.builder()
                .batchRows(500)
                .copyPageRows(500)
                .verifyChunkRows(500)
                .cleanupBatchRows(500)
                .catchUpWindow(Duration.ofSeconds(2))
                .cutoverBudget(Duration.ofSeconds(2))
                .leaseTtl(Duration.ofSeconds(3))
                .barrierTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Waits until each of {@code writers} has acknowledged a few more writes than now. */
    static void awaitMoreWrites(Writers... writers) {
        long[] seen = new long[writers.length];
        for (int i = 0; i < writers.length; i++) {
            seen[i] = writers[i].writes();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (int i = 0; i < writers.length; i++) {
                if (writers[i].writes() < seen[i] + 20) {
                    return false;
                }
            }
            return true;
        });
    }

    IntegrityReport integrity(ShardMap expected) throws SQLException {
        return IntegrityCheck.check(routerPools, expected, ledger);
    }

    @Override
    public void close() {
        for (AutoCloseable c : closing) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        catalog.close();
    }
}
