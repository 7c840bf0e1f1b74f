package dev.reshard.core.strategy;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import java.util.List;
import java.util.UUID;

/**
 * A pure, immutable routing function {@code key -> shard}. Implementations are thread-safe, do not
 * allocate on the point-lookup paths, and never change once built: every change yields a new
 * instance, published as a new {@link dev.reshard.core.map.ShardMap} version.
 */
public sealed interface Strategy permits ConsistentHashRing, VirtualShardMap, Directory, RangeMap {

    /** Which of the four strategies this is. */
    StrategyKind kind();

    /** The shards of this map, in a stable order. A shard may own nothing (e.g. just added). */
    List<ShardId> shards();

    /** The shard that owns a 64-bit integer key. */
    ShardId shardFor(long key);

    /** The shard that owns a text key. */
    ShardId shardFor(String key);

    /** The shard that owns a UUID key. */
    ShardId shardFor(UUID key);

    /** The shard that owns a key of any type. */
    default ShardId shardFor(Key key) {
        if (key instanceof Key.LongKey k) {
            return shardFor(k.value());
        }
        if (key instanceof Key.StringKey k) {
            return shardFor(k.value());
        }
        return shardFor(((Key.UuidKey) key).value());
    }

    /**
     * The shards that may hold long keys in {@code [startInclusive, endExclusive)}, in map order.
     * Only {@link RangeMap} narrows this; hashing strategies scatter a key range over every shard.
     */
    default List<ShardId> shardsFor(long startInclusive, long endExclusive) {
        return shards();
    }

    /** A one-line description for logs and the CLI, e.g. {@code virtual(V=1024, 4 shards)}. */
    String describe();
}
