package dev.reshard.core.map;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.strategy.Strategy;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A versioned, immutable shard map: a {@link Strategy} and its shards. A change is a new map with
 * the next version, published with compare-and-set on the version; two maps with the same version
 * are never both published.
 */
public final class ShardMap {
    private final long version;
    private final Strategy strategy;

    private ShardMap(long version, Strategy strategy) {
        InvalidInputException.require(
                version >= 1, "map.version", version, "is not a map version", "versions start at 1 and only grow");
        this.version = version;
        this.strategy = Objects.requireNonNull(strategy, "strategy");
    }

    /** The first version of a map. */
    public static ShardMap initial(Strategy strategy) {
        return new ShardMap(1, strategy);
    }

    /** A map as stored: {@code version} and its strategy. */
    public static ShardMap of(long version, Strategy strategy) {
        return new ShardMap(version, strategy);
    }

    /** The next version of this map, routing with {@code strategy}. */
    public ShardMap next(Strategy strategy) {
        return new ShardMap(Math.addExact(version, 1), strategy);
    }

    public long version() {
        return version;
    }

    public Strategy strategy() {
        return strategy;
    }

    public List<ShardId> shards() {
        return strategy.shards();
    }

    public ShardId shardFor(long key) {
        return strategy.shardFor(key);
    }

    public ShardId shardFor(String key) {
        return strategy.shardFor(key);
    }

    public ShardId shardFor(UUID key) {
        return strategy.shardFor(key);
    }

    public ShardId shardFor(Key key) {
        return strategy.shardFor(key);
    }

    @Override
    public String toString() {
        return "v" + version + " " + strategy.describe();
    }
}
