package dev.reshard.router;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.ShardId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HikariCP pool per shard, built from the catalog's shard settings. Passwords are resolved from
 * their secret references when the pools open and are never logged (Hikari's own config dump masks
 * them). Close to close every pool.
 *
 * <p>Prefer {@link #connector(int)}: a router given it opens and closes pools as the catalog's maps
 * name shards, so a shard added later needs no restart. {@link #open} opens pools for the shards
 * the catalog holds now, and a router given them never reaches a shard registered afterwards.
 */
public final class ShardPools implements AutoCloseable {
    private final Map<ShardId, HikariDataSource> pools;

    private ShardPools(Map<ShardId, HikariDataSource> pools) {
        this.pools = pools;
    }

    /** Opens a pool of at most {@code maxPoolSize} connections for every shard in the catalog. */
    public static ShardPools open(Catalog catalog, int maxPoolSize) {
        Map<ShardId, HikariDataSource> pools = new LinkedHashMap<>();
        try {
            for (ShardConfig shard : catalog.shards()) {
                pools.put(shard.id(), pool(shard, maxPoolSize, null));
            }
        } catch (RuntimeException e) {
            pools.values().forEach(HikariDataSource::close);
            throw e;
        }
        return new ShardPools(pools);
    }

    /**
     * A {@link ShardConnector} that opens one pool of at most {@code maxPoolSize} connections per
     * shard; the router closes each when no map names its shard any more.
     */
    public static ShardConnector connector(int maxPoolSize) {
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be at least 1, was " + maxPoolSize);
        }
        return (shard, routerId) -> pool(shard, maxPoolSize, routerId);
    }

    static HikariDataSource pool(ShardConfig shard, int maxPoolSize, String routerId) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("reshard-" + (routerId == null ? "" : routerId + "-") + shard.id());
        config.setJdbcUrl(shard.jdbcUrl());
        config.setUsername(shard.username());
        config.setPassword(shard.password().resolve());
        config.setMaximumPoolSize(maxPoolSize);
        config.setMinimumIdle(Math.min(2, maxPoolSize));
        config.setConnectionTimeout(5_000);
        config.setInitializationFailTimeout(-1); // a shard that is down must not stop the process from starting
        return new HikariDataSource(config);
    }

    public Map<ShardId, HikariDataSource> dataSources() {
        return pools;
    }

    @Override
    public void close() {
        pools.values().forEach(HikariDataSource::close);
    }
}
