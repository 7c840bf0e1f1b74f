package dev.reshard.bench;

import dev.reshard.core.ShardId;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Seeded keys and layouts shared by the benchmarks, the reports and their test, so that every run
 * measures the same data. Every layout uses shards named {@code shard_0 .. shard_<n-1>}.
 */
final class Fixtures {
    /** Keys cycled by every lookup benchmark: 64 Ki, a power of two so the index wraps with a mask. */
    static final int KEY_COUNT = 1 << 16;

    static final int TENANT_COUNT = 1_000_000;
    static final int POINTS_PER_SHARD = 256;
    /** Physical shards behind the virtual-shard, directory and range layouts. */
    static final int SHARDS = 8;

    private static final long KEY_SEED = 0x5EED_0001L;
    private static final long UUID_SEED = 0x5EED_0002L;
    private static final long TENANT_SEED = 0x5EED_0003L;

    private Fixtures() {}

    /** {@link #KEY_COUNT} uniformly random longs. */
    static long[] longKeys() {
        return new SplittableRandom(KEY_SEED).longs(KEY_COUNT).toArray();
    }

    /** {@link #KEY_COUNT} random UUIDs in their 36-character text form. */
    static String[] uuidKeys() {
        SplittableRandom random = new SplittableRandom(UUID_SEED);
        String[] keys = new String[KEY_COUNT];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new UUID(random.nextLong(), random.nextLong()).toString();
        }
        return keys;
    }

    /** {@link #TENANT_COUNT} tenant ids; see {@link #tenants(boolean, int)}. */
    static long[] tenants(boolean includeKeys) {
        return tenants(includeKeys, TENANT_COUNT);
    }

    /**
     * {@code count} tenant ids. With {@code includeKeys} the first {@link #KEY_COUNT} are {@link
     * #longKeys()}, so every benchmark key is listed; without, none of them is (the rest are drawn
     * from another seed; a collision with a key has probability ~4e-9 and the test checks it).
     */
    static long[] tenants(boolean includeKeys, int count) {
        if (includeKeys && count < KEY_COUNT) {
            throw new IllegalArgumentException("tenants: " + count + " cannot list all " + KEY_COUNT
                    + " benchmark keys; use at least " + KEY_COUNT);
        }
        long[] tenants = new long[count];
        int from = 0;
        if (includeKeys) {
            long[] keys = longKeys();
            System.arraycopy(keys, 0, tenants, 0, keys.length);
            from = keys.length;
        }
        SplittableRandom random = new SplittableRandom(TENANT_SEED);
        for (int i = from; i < tenants.length; i++) {
            tenants[i] = random.nextLong();
        }
        return tenants;
    }

    static List<ShardId> shards(int count) {
        List<ShardId> shards = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            shards.add(ShardId.of("shard_" + i));
        }
        return List.copyOf(shards);
    }

    static ConsistentHashRing ring(int shards, ConsistentHashRing.Placement placement) {
        ConsistentHashRing.Builder builder =
                ConsistentHashRing.builder().vnodes(POINTS_PER_SHARD).placement(placement);
        shards(shards).forEach(builder::shard);
        return builder.build();
    }

    /** Tenant {@code i} is listed on shard {@code i mod SHARDS}; unlisted tenants go by jump hash. */
    static Directory directory(long[] tenants) {
        List<ShardId> shards = shards(SHARDS);
        Directory.Builder builder = Directory.builder(Directory.Placement.HASH, shards);
        for (int i = 0; i < tenants.length; i++) {
            builder.tenant(tenants[i], shards.get(i % SHARDS));
        }
        return builder.build();
    }

    /**
     * {@code count} equal ranges covering every long, the first from {@link Long#MIN_VALUE}, the
     * last open; range {@code i} is on shard {@code i mod SHARDS}.
     */
    static RangeMap evenRanges(int count) {
        List<ShardId> shards = shards(SHARDS);
        long width = Long.divideUnsigned(-1L, count);
        List<RangeMap.Range> ranges = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long start = Long.MIN_VALUE + i * width;
            ShardId shard = shards.get(i % SHARDS);
            ranges.add(
                    i == count - 1
                            ? RangeMap.Range.open(start, shard)
                            : RangeMap.Range.of(start, start + width, shard));
        }
        return RangeMap.of(ranges);
    }
}
