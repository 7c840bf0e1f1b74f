package dev.reshard.core.strategy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.hash.KeyHash;
import dev.reshard.core.hash.KeyHashes;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * A directory of tenants: each listed tenant key lives on the shard the directory names; a tenant
 * that is not listed is placed by a {@link Placement} rule.
 *
 * <p>Use it for multi-tenant data where tenants differ wildly in size and an operator wants to move
 * one big tenant on its own. Do not use it for millions of small, uniform keys: the directory must
 * be held by every router, and a hash strategy needs no state per key.
 *
 * <p>Long tenant ids are held in a primitive table (about 20 bytes a tenant); string and UUID
 * tenant ids in a hash map.
 *
 * <p>Moving listed tenants moves only those tenants. Adding or removing a shard, though, also
 * changes where the placement rule puts tenants the directory does not list, so the move set of
 * such a change is decided per key ({@link dev.reshard.core.map.MoveSet#perKey()}); list every
 * tenant that has data before changing the shard list.
 */
public final class Directory implements Strategy {

    /** Where a tenant that is not in the directory goes. */
    public enum Placement {
        /**
         * Jump consistent hash of the key's hash over the shard list: stateless, and appending a
         * shard re-places only 1/(n+1) of the unlisted tenants.
         */
        HASH,
        /**
         * The shard with the fewest listed tenants (the first such in list order). The answer
         * changes as tenants are added, so a new tenant must be registered (listed) before its
         * first write; the router does that.
         */
        LEAST_LOADED;

        public static Placement parse(String field, String text) {
            String t = text == null ? "" : text.trim().replace('-', '_');
            for (Placement p : values()) {
                if (p.name().equalsIgnoreCase(t)) {
                    return p;
                }
            }
            throw InvalidInputException.of(
                    field, text, "is not a directory placement rule", "use hash or least-loaded");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final KeyHash hash;
    private final ShardList shards;
    private final Placement placement;
    private final LongShardTable longTenants;
    private final Map<Object, Integer> otherTenants; // String or UUID -> shard index
    private final int[] tenantCounts;
    private final int leastLoaded;

    private Directory(
            KeyHash hash,
            ShardList shards,
            Placement placement,
            LongShardTable longTenants,
            Map<Object, Integer> otherTenants) {
        this.hash = hash;
        this.shards = shards;
        this.placement = placement;
        this.longTenants = longTenants;
        this.otherTenants = otherTenants;
        this.tenantCounts = new int[shards.size()];
        longTenants.forEach((k, s) -> tenantCounts[s]++);
        otherTenants.values().forEach(s -> tenantCounts[s]++);
        int least = 0;
        for (int s = 1; s < tenantCounts.length; s++) {
            if (tenantCounts[s] < tenantCounts[least]) {
                least = s;
            }
        }
        this.leastLoaded = least;
    }

    public static Builder builder(Placement placement, java.util.List<ShardId> shards) {
        return new Builder(placement, shards);
    }

    // ---------------------------------------------------------------- lookups (hot path)

    @Override
    public ShardId shardFor(long key) {
        int s = longTenants.get(key);
        return s >= 0 ? shards.ids[s] : unlisted(hash.hash(key));
    }

    @Override
    public ShardId shardFor(String key) {
        Integer s = otherTenants.get(key);
        return s != null ? shards.ids[s] : unlisted(hash.hash(key));
    }

    @Override
    public ShardId shardFor(UUID key) {
        Integer s = otherTenants.get(key);
        return s != null ? shards.ids[s] : unlisted(hash.hash(key));
    }

    private ShardId unlisted(long h) {
        return shards.ids[placement == Placement.HASH ? JumpHash.bucket(h, shards.size()) : leastLoaded];
    }

    /** The shard the directory lists for {@code tenant}, if it lists one. */
    public Optional<ShardId> listedShard(Key tenant) {
        int s = indexOf(tenant);
        return s < 0 ? Optional.empty() : Optional.of(shards.ids[s]);
    }

    private int indexOf(Key tenant) {
        if (tenant instanceof Key.LongKey k) {
            return longTenants.get(k.value());
        }
        Integer s = otherTenants.get(raw(tenant));
        return s == null ? -1 : s;
    }

    private static Object raw(Key key) {
        return key instanceof Key.StringKey k ? k.value() : ((Key.UuidKey) key).value();
    }

    // ---------------------------------------------------------------- changes

    /** Lists (or re-lists) {@code tenant} on {@code shard}. */
    public Directory withTenant(Key tenant, ShardId shard) {
        return withTenants(Map.of(tenant, shard));
    }

    /**
     * Moves listed tenants. Refuses a tenant that is not listed and a move to the shard a tenant is
     * already on; use {@link #withTenants} to list new tenants.
     */
    public Directory withTenantsMoved(Map<Key, ShardId> moves) {
        for (Map.Entry<Key, ShardId> e : moves.entrySet()) {
            String field = "tenants[" + e.getKey() + "]";
            int from = indexOf(e.getKey());
            InvalidInputException.require(
                    from >= 0,
                    field,
                    e.getKey().toString(),
                    "is not in the directory",
                    "list the tenant first, or check the tenant id");
            int to = shards.require(field + ".to", e.getValue());
            InvalidInputException.require(
                    from != to,
                    field + ".to",
                    e.getValue().value(),
                    "is the shard tenant " + e.getKey() + " is already on",
                    "move it to a different shard, or leave it out of the plan");
        }
        return withTenants(moves);
    }

    /** Lists each tenant of {@code assignments} on its shard (new or moved). */
    public Directory withTenants(Map<Key, ShardId> assignments) {
        LongShardTable longs = longTenants.copy();
        Map<Object, Integer> others = new HashMap<>(otherTenants);
        for (Map.Entry<Key, ShardId> e : assignments.entrySet()) {
            Key tenant = Objects.requireNonNull(e.getKey(), "tenant");
            int s = shards.require("tenants[" + tenant + "]", e.getValue());
            if (tenant instanceof Key.LongKey k) {
                longs.put(k.value(), s);
            } else {
                others.put(raw(tenant), s);
            }
        }
        return new Directory(hash, shards, placement, longs, others);
    }

    /** This directory plus an empty shard (it receives unlisted tenants per the placement rule). */
    public Directory withShard(ShardId shard) {
        return new Directory(hash, shards.with("directory.add.shard", shard), placement, longTenants, otherTenants);
    }

    /** This directory without {@code shard}, which must hold no listed tenant. */
    public Directory withoutShard(ShardId shard) {
        int gone = shards.require("directory.remove.shard", shard);
        InvalidInputException.require(
                tenantCounts[gone] == 0,
                "directory.remove.shard",
                shard.value(),
                "still holds " + tenantCounts[gone] + " listed tenants",
                "move its tenants to other shards first");
        InvalidInputException.require(
                shards.size() > 1,
                "directory.remove.shard",
                shard.value(),
                "is the last shard",
                "a directory needs at least one shard");
        int[] remap = new int[shards.size()];
        for (int s = 0; s < remap.length; s++) {
            remap[s] = s > gone ? s - 1 : s;
        }
        LongShardTable longs = longTenants.copy();
        longs.remap(remap);
        Map<Object, Integer> others = new HashMap<>();
        otherTenants.forEach((k, s) -> others.put(k, remap[s]));
        return new Directory(hash, shards.without("directory.remove.shard", shard), placement, longs, others);
    }

    // ---------------------------------------------------------------- inspection

    /**
     * True when every tenant that neither directory lists is placed on the same shard by both: the
     * same rule and hash, and the same shard list (HASH) or the same least-loaded shard.
     */
    public boolean placesUnlistedLike(Directory other) {
        if (placement != other.placement || !hash.name().equals(other.hash.name())) {
            return false;
        }
        return placement == Placement.HASH
                ? shards.list.equals(other.shards.list)
                : shards.ids[leastLoaded].equals(other.shards.ids[other.leastLoaded]);
    }

    public Placement placement() {
        return placement;
    }

    public KeyHash hash() {
        return hash;
    }

    /** Number of listed tenants. */
    public int tenantCount() {
        return longTenants.size() + otherTenants.size();
    }

    /** Listed tenants per shard, in {@link #shards()} order. */
    public int[] tenantCounts() {
        return tenantCounts.clone();
    }

    /** Visits every listed tenant with its shard. */
    public void forEachTenant(BiConsumer<Key, ShardId> visitor) {
        longTenants.forEach((k, s) -> visitor.accept(Key.of(k), shards.ids[s]));
        otherTenants.forEach(
                (k, s) -> visitor.accept(k instanceof String str ? Key.of(str) : Key.of((UUID) k), shards.ids[s]));
    }

    @Override
    public StrategyKind kind() {
        return StrategyKind.DIRECTORY;
    }

    @Override
    public java.util.List<ShardId> shards() {
        return shards.list;
    }

    @Override
    public String describe() {
        return String.format(
                Locale.ROOT,
                "directory(%d tenants, %d shards, unlisted tenants by %s, hash %s)",
                tenantCount(),
                shards.size(),
                placement,
                hash.name());
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Collects the initial listing of a directory. */
    public static final class Builder {
        private final Placement placement;
        private final ShardList shards;
        private KeyHash hash = KeyHashes.defaultHash();
        private final LongShardTable longs = new LongShardTable(16);
        private final Map<Object, Integer> others = new HashMap<>();

        private Builder(Placement placement, java.util.List<ShardId> shards) {
            this.placement = Objects.requireNonNull(placement, "placement");
            this.shards = ShardList.of("directory.shards", shards);
            InvalidInputException.require(
                    this.shards.size() > 0,
                    "directory.shards",
                    "[]",
                    "is empty",
                    "a directory needs at least one shard");
        }

        public Builder hash(KeyHash hash) {
            this.hash = Objects.requireNonNull(hash, "hash");
            return this;
        }

        public Builder tenant(long tenant, ShardId shard) {
            longs.put(tenant, shards.require("tenants[" + tenant + "]", shard));
            return this;
        }

        public Builder tenant(Key tenant, ShardId shard) {
            int s = shards.require("tenants[" + tenant + "]", shard);
            if (tenant instanceof Key.LongKey k) {
                longs.put(k.value(), s);
            } else {
                others.put(raw(tenant), s);
            }
            return this;
        }

        public Directory build() {
            return new Directory(hash, shards, placement, longs.copy(), new HashMap<>(others));
        }
    }
}
