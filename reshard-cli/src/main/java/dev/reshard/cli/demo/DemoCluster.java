package dev.reshard.cli.demo;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.RoutingState;
import dev.reshard.catalog.SecretRef;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.migration.engine.MigratedTable;
import dev.reshard.router.Router;
import dev.reshard.router.ShardPools;
import dev.reshard.router.ShardedTable;
import dev.reshard.workload.DemoSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Everything the demo runs on, embedded in one directory: H2 file databases as shards, the embedded
 * catalog, and a pool per user of the shards - the engine, and each of the two routers (the engine
 * tags its sessions with an epoch of its own, and a router tracks the epoch it set on each of its
 * connections, so none of them may share a pool).
 */
final class DemoCluster implements AutoCloseable {
    static final List<MigratedTable> TABLES =
            List.of(new MigratedTable(DemoSchema.USERS, "id"), new MigratedTable(DemoSchema.ORDERS, "user_id"));
    /** Configured capacity of each demo shard: ample, so the pre-flight capacity check passes. */
    private static final long CAPACITY = 1L << 40;

    final Path dir;
    final Catalog catalog;
    final List<ShardId> shards;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private ShardPools engineShards;

    private DemoCluster(Path dir, Catalog catalog, List<ShardId> shards) {
        this.dir = dir;
        this.catalog = catalog;
        this.shards = List.copyOf(shards);
    }

    /** Creates {@code count} shards ({@code shard_0} ...) with the demo schema, and the catalog. */
    static DemoCluster create(Path dir, int count) throws SQLException {
        List<ShardId> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(ShardId.of("shard_" + i));
        }
        DemoCluster cluster = new DemoCluster(dir, Catalogs.embedded(dir), ids);
        try {
            for (ShardId id : ids) {
                String url = "jdbc:h2:file:" + dir.resolve(id.value()).toAbsolutePath() + ";AUTO_SERVER=FALSE";
                cluster.catalog.addShard(new ShardConfig(id, url, "sa", SecretRef.NONE, CAPACITY));
            }
            cluster.engineShards = cluster.pools(6);
            for (int i = 0; i < count; i++) {
                try (Connection c = cluster.engineShards().get(ids.get(i)).getConnection()) {
                    DemoSchema.create(c, i);
                }
            }
        } catch (SQLException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The engine's connections (also used to load the rows and to check them at the end). */
    Map<ShardId, DataSource> engineShards() {
        return new LinkedHashMap<>(engineShards.dataSources());
    }

    /**
     * Publishes the first map and pins routing to it, then the target map. Routers follow the
     * routing state, and with none published they would follow the newest map, so the pin comes
     * before the target.
     */
    void publish(DemoMaps maps) {
        ShardMap from = maps.from();
        catalog.publish(from, 0, "reshard demo: initial layout");
        catalog.publishRouting(RoutingState.stable(1, from.version()));
        catalog.publish(maps.to(), from.version(), "reshard demo: " + maps.operation());
    }

    /** A router on a pool of its own, polling the catalog every 100 ms. */
    Router router(String id, int poolSize) {
        ShardPools pools = pools(poolSize);
        Router router = Router.builder(catalog)
                .id(id)
                .shards(pools.dataSources())
                .table(ShardedTable.of(DemoSchema.USERS, "id", "id"))
                .table(ShardedTable.of(DemoSchema.ORDERS, "user_id", "id"))
                .pollInterval(Duration.ofMillis(100))
                .build();
        closing.add(0, router);
        return router;
    }

    private ShardPools pools(int size) {
        ShardPools pools = ShardPools.open(catalog, size);
        closing.add(pools);
        return pools;
    }

    @Override
    public void close() {
        for (AutoCloseable c : closing) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort at exit: the directory goes away with everything in it
            }
        }
        closing.clear();
        catalog.close();
    }
}
