package dev.reshard.core.strategy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.hash.KeyHash;
import dev.reshard.core.hash.KeyHashes;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * {@code V} virtual shards mapped onto physical shards: {@code vshard(key) = floor(hash(key) * V /
 * 2^64)} (the hash read as unsigned), then a table lookup.
 *
 * <p>The default choice for hash sharding: a lookup is one multiply and one array read, balance is
 * exact to one virtual shard, and a rebalance moves whole virtual shards that can be named, copied
 * and verified one at a time. Do not use it when {@code V} would have to grow later: {@code V} is
 * fixed for the life of the data (changing it is a full re-shard), so choose it at 16-100x the
 * largest shard count you expect (1024 or 16384).
 */
public final class VirtualShardMap implements Strategy {

    /** Upper bound on {@code V}: 16M entries, 32 MB of table. */
    public static final int MAX_VIRTUAL_SHARDS = 1 << 24;

    private final KeyHash hash;
    private final ShardList shards;
    private final short[] owner;

    private VirtualShardMap(KeyHash hash, ShardList shards, short[] owner) {
        this.hash = hash;
        this.shards = shards;
        this.owner = owner;
    }

    /** {@code virtualShards} assigned round-robin ({@code v mod n}) over {@code shards}. */
    public static VirtualShardMap roundRobin(int virtualShards, List<ShardId> shards) {
        return roundRobin(KeyHashes.defaultHash(), virtualShards, shards);
    }

    public static VirtualShardMap roundRobin(KeyHash hash, int virtualShards, List<ShardId> shards) {
        ShardList list = ShardList.of("virtual.shards", shards);
        requireCount(virtualShards, list.size());
        short[] owner = new short[virtualShards];
        for (int v = 0; v < virtualShards; v++) {
            owner[v] = (short) (v % list.size());
        }
        return new VirtualShardMap(Objects.requireNonNull(hash, "hash"), list, owner);
    }

    /**
     * An explicit assignment: {@code assignment.get(v)} owns virtual shard {@code v}. Every shard in
     * {@code shards} is kept even if it owns nothing.
     */
    public static VirtualShardMap of(KeyHash hash, List<ShardId> shards, List<ShardId> assignment) {
        ShardList list = ShardList.of("virtual.shards", shards);
        requireCount(assignment.size(), list.size());
        short[] owner = new short[assignment.size()];
        for (int v = 0; v < owner.length; v++) {
            owner[v] = (short) list.require("virtual.assignment[" + v + "]", assignment.get(v));
        }
        return new VirtualShardMap(Objects.requireNonNull(hash, "hash"), list, owner);
    }

    private static void requireCount(int virtualShards, int shardCount) {
        InvalidInputException.require(
                shardCount > 0, "virtual.shards", "[]", "is empty", "list at least one physical shard");
        InvalidInputException.require(
                virtualShards >= shardCount && virtualShards <= MAX_VIRTUAL_SHARDS,
                "virtual.count",
                virtualShards,
                virtualShards < shardCount
                        ? "is fewer than the " + shardCount + " physical shards, so some would own nothing"
                        : "is more than " + MAX_VIRTUAL_SHARDS,
                "use a power of two between the shard count and " + MAX_VIRTUAL_SHARDS
                        + ", 16-100x the largest shard count you expect, e.g. 1024 or 16384");
    }

    // ---------------------------------------------------------------- lookups (hot path)

    /** The virtual shard of hash {@code h}: {@code floor(h * V / 2^64)}, {@code h} unsigned. */
    public int virtualShardOfHash(long h) {
        long v = owner.length;
        return (int) (Math.multiplyHigh(h, v) + ((h >> 63) & v));
    }

    public int virtualShardOf(long key) {
        return virtualShardOfHash(hash.hash(key));
    }

    public int virtualShardOf(String key) {
        return virtualShardOfHash(hash.hash(key));
    }

    public int virtualShardOf(UUID key) {
        return virtualShardOfHash(hash.hash(key));
    }

    @Override
    public ShardId shardFor(long key) {
        return shards.ids[owner[virtualShardOf(key)]];
    }

    @Override
    public ShardId shardFor(String key) {
        return shards.ids[owner[virtualShardOf(key)]];
    }

    @Override
    public ShardId shardFor(UUID key) {
        return shards.ids[owner[virtualShardOf(key)]];
    }

    /** The physical shard that owns virtual shard {@code vshard}. */
    public ShardId ownerOf(int vshard) {
        InvalidInputException.require(
                vshard >= 0 && vshard < owner.length,
                "virtual shard",
                vshard,
                "is out of range",
                "use 0 to " + (owner.length - 1));
        return shards.ids[owner[vshard]];
    }

    // ---------------------------------------------------------------- changes

    /** This map plus a shard that owns no virtual shard yet; follow with a plan that fills it. */
    public VirtualShardMap withShard(ShardId shard) {
        return new VirtualShardMap(hash, shards.with("virtual.add.shard", shard), owner);
    }

    /**
     * This map with the given virtual shards reassigned. Refuses a move of a virtual shard to the
     * shard that already owns it, and a target that is not a shard of the map.
     */
    public VirtualShardMap withMoves(Map<Integer, ShardId> moves) {
        short[] next = owner.clone();
        for (Map.Entry<Integer, ShardId> e : moves.entrySet()) {
            int v = e.getKey();
            String field = "moves[" + v + "]";
            InvalidInputException.require(
                    v >= 0 && v < owner.length,
                    field,
                    v,
                    "is not a virtual shard",
                    "use a virtual shard id from 0 to " + (owner.length - 1));
            int to = shards.require(field, e.getValue());
            InvalidInputException.require(
                    to != owner[v],
                    field,
                    e.getValue().value(),
                    "already owns virtual shard " + v,
                    "move it to a different shard, or leave it out of the plan");
            next[v] = (short) to;
        }
        return new VirtualShardMap(hash, shards, next);
    }

    /** This map without {@code shard}, which must own no virtual shard (move them first). */
    public VirtualShardMap withoutShard(ShardId shard) {
        int gone = shards.require("virtual.remove.shard", shard);
        int owned = counts()[gone];
        InvalidInputException.require(
                owned == 0,
                "virtual.remove.shard",
                shard.value(),
                "still owns " + owned + " virtual shards",
                "plan their moves first (VirtualShardPlanner.balance with the shard left out)");
        short[] next = new short[owner.length];
        for (int v = 0; v < owner.length; v++) {
            next[v] = (short) (owner[v] > gone ? owner[v] - 1 : owner[v]);
        }
        return new VirtualShardMap(hash, shards.without("virtual.remove.shard", shard), next);
    }

    // ---------------------------------------------------------------- inspection

    public int virtualShardCount() {
        return owner.length;
    }

    public KeyHash hash() {
        return hash;
    }

    /** Number of virtual shards each shard owns, in {@link #shards()} order. */
    public int[] counts() {
        int[] c = new int[shards.size()];
        for (short o : owner) {
            c[o]++;
        }
        return c;
    }

    /** The owner of every virtual shard, by index (a copy, for persisting the map). */
    public List<ShardId> assignment() {
        return Arrays.stream(toInts()).mapToObj(o -> shards.ids[o]).toList();
    }

    int[] toInts() {
        int[] out = new int[owner.length];
        for (int v = 0; v < owner.length; v++) {
            out[v] = owner[v];
        }
        return out;
    }

    int indexOf(ShardId id) {
        return shards.indexOf(id);
    }

    @Override
    public StrategyKind kind() {
        return StrategyKind.VIRTUAL;
    }

    @Override
    public List<ShardId> shards() {
        return shards.list;
    }

    @Override
    public String describe() {
        return String.format(
                Locale.ROOT, "virtual(V=%d, %d shards, hash %s)", owner.length, shards.size(), hash.name());
    }

    @Override
    public String toString() {
        return describe();
    }
}
