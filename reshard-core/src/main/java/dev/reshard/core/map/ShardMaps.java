package dev.reshard.core.map;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet.HashArc;
import dev.reshard.core.map.MoveSet.KeyRange;
import dev.reshard.core.map.MoveSet.Move;
import dev.reshard.core.map.MoveSet.Tenant;
import dev.reshard.core.map.MoveSet.VirtualShard;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.Strategy;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.core.strategy.VirtualShardPlanner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure functions over shard maps: {@link #diff} and the builders for the guide's four operations
 * (add a ring shard, move virtual shards, move tenants, split a range). Each builder validates its
 * input, returns the next map version and writes nothing.
 */
public final class ShardMaps {
    private ShardMaps() {}

    // ---------------------------------------------------------------- the guide's operations

    /** Strategy 1: add a shard to a consistent-hash ring. */
    public static ShardMap addRingShard(ShardMap map, ShardId shard, double weight) {
        return map.next(as(map, ConsistentHashRing.class, "add a ring shard").withShard(shard, weight));
    }

    /** Removes a shard from a consistent-hash ring; only its keys move. */
    public static ShardMap removeRingShard(ShardMap map, ShardId shard) {
        return map.next(as(map, ConsistentHashRing.class, "remove a ring shard").withoutShard(shard));
    }

    /** Strategy 2: reassign the given virtual shards. */
    public static ShardMap moveVirtualShards(ShardMap map, Map<Integer, ShardId> moves) {
        VirtualShardMap v = as(map, VirtualShardMap.class, "move virtual shards");
        VirtualShardMap widened = v;
        for (ShardId target : new java.util.LinkedHashSet<>(moves.values())) {
            if (target != null && !widened.shards().contains(target)) {
                widened = widened.withShard(target);
            }
        }
        return map.next(widened.withMoves(moves));
    }

    /**
     * Strategy 2, planned: spread the virtual shards evenly over {@code targetShards} (adding new
     * shards, draining left-out ones) with the fewest moves.
     */
    public static ShardMap balanceVirtualShards(ShardMap map, List<ShardId> targetShards) {
        return map.next(
                VirtualShardPlanner.balance(as(map, VirtualShardMap.class, "balance virtual shards"), targetShards));
    }

    /** Strategy 3: move listed tenants of a directory (new target shards are added). */
    public static ShardMap moveTenants(ShardMap map, Map<Key, ShardId> moves) {
        Directory d = as(map, Directory.class, "move tenants");
        for (ShardId target : new java.util.LinkedHashSet<>(moves.values())) {
            if (target != null && !d.shards().contains(target)) {
                d = d.withShard(target);
            }
        }
        return map.next(d.withTenantsMoved(moves));
    }

    /** Strategy 4: split the range holding {@code at}; {@code [at, end)} goes to {@code upperOwner}. */
    public static ShardMap splitRange(ShardMap map, long at, ShardId upperOwner) {
        return map.next(as(map, RangeMap.class, "split a range").split(at, upperOwner));
    }

    /** Merges the two ranges that meet at {@code boundary} onto {@code owner}. */
    public static ShardMap mergeRanges(ShardMap map, long boundary, ShardId owner) {
        return map.next(as(map, RangeMap.class, "merge ranges").merge(boundary, owner));
    }

    private static <T extends Strategy> T as(ShardMap map, Class<T> type, String operation) {
        if (!type.isInstance(map.strategy())) {
            throw InvalidInputException.of(
                    "operation",
                    operation,
                    "does not apply to a " + map.strategy().kind() + " map (" + map + ")",
                    "use an operation of the " + map.strategy().kind() + " strategy, or convert the map first");
        }
        return type.cast(map.strategy());
    }

    // ---------------------------------------------------------------- diff

    /**
     * The move set from {@code from} to {@code to}. Refuses a {@code to} whose version is not
     * above {@code from}'s.
     */
    public static MoveSet diff(ShardMap from, ShardMap to) {
        InvalidInputException.require(
                to.version() > from.version(),
                "to.version",
                to.version(),
                "is not above the source map's version " + from.version(),
                "diff a map against a later version of it");
        Strategy a = from.strategy();
        Strategy b = to.strategy();
        if (a instanceof ConsistentHashRing ra && b instanceof ConsistentHashRing rb) {
            if (ra.hash().name().equals(rb.hash().name())) {
                return new MoveSet(from, to, ringMoves(ra, rb), null);
            }
            return perKey(
                    from,
                    to,
                    "the rings hash keys differently (" + ra.hash().name() + " vs "
                            + rb.hash().name() + ")");
        }
        if (a instanceof VirtualShardMap va && b instanceof VirtualShardMap vb) {
            if (va.virtualShardCount() == vb.virtualShardCount()
                    && va.hash().name().equals(vb.hash().name())) {
                List<Move> moves = new ArrayList<>();
                for (int v = 0; v < va.virtualShardCount(); v++) {
                    if (!va.ownerOf(v).equals(vb.ownerOf(v))) {
                        moves.add(new Move(new VirtualShard(v), va.ownerOf(v), vb.ownerOf(v)));
                    }
                }
                return new MoveSet(from, to, moves, null);
            }
            return perKey(
                    from,
                    to,
                    "the virtual shard count or hash differs (V=" + va.virtualShardCount() + " "
                            + va.hash().name() + " vs V=" + vb.virtualShardCount() + " "
                            + vb.hash().name() + ")");
        }
        if (a instanceof Directory da && b instanceof Directory db) {
            List<Move> moves = tenantMoves(da, db);
            return new MoveSet(
                    from,
                    to,
                    moves,
                    da.placesUnlistedLike(db) ? null : "tenants that neither directory lists are placed differently");
        }
        if (a instanceof RangeMap ga && b instanceof RangeMap gb) {
            return new MoveSet(from, to, rangeMoves(ga, gb), null);
        }
        return perKey(from, to, "strategy conversion " + a.kind() + " -> " + b.kind());
    }

    private static MoveSet perKey(ShardMap from, ShardMap to, String reason) {
        return new MoveSet(from, to, List.of(), reason);
    }

    private static List<Move> ringMoves(ConsistentHashRing a, ConsistentHashRing b) {
        long[] ta = a.tokens();
        long[] tb = b.tokens();
        long[] all = new long[ta.length + tb.length];
        System.arraycopy(ta, 0, all, 0, ta.length);
        System.arraycopy(tb, 0, all, ta.length, tb.length);
        // Unsigned sort: flip, sort signed, flip back.
        for (int i = 0; i < all.length; i++) {
            all[i] ^= Long.MIN_VALUE;
        }
        Arrays.sort(all);
        int n = 0;
        for (int i = 0; i < all.length; i++) {
            if (n == 0 || all[n - 1] != all[i]) {
                all[n++] = all[i];
            }
        }
        for (int i = 0; i < n; i++) {
            all[i] ^= Long.MIN_VALUE;
        }
        // Every elementary arc (all[i-1], all[i]] has one owner in each ring: that of its end point.
        List<Move> moves = new ArrayList<>();
        long openStart = 0;
        ShardId openFrom = null;
        ShardId openTo = null;
        long openEnd = 0;
        for (int i = 0; i < n; i++) {
            long end = all[i];
            long start = all[i == 0 ? n - 1 : i - 1];
            ShardId f = a.shardForHash(end);
            ShardId t = b.shardForHash(end);
            if (f.equals(t)) {
                if (openFrom != null) {
                    moves.add(new Move(new HashArc(openStart, openEnd), openFrom, openTo));
                    openFrom = null;
                }
                continue;
            }
            if (openFrom != null && openFrom.equals(f) && openTo.equals(t) && openEnd == start) {
                openEnd = end;
            } else {
                if (openFrom != null) {
                    moves.add(new Move(new HashArc(openStart, openEnd), openFrom, openTo));
                }
                openStart = start;
                openEnd = end;
                openFrom = f;
                openTo = t;
            }
        }
        if (openFrom != null) {
            moves.add(new Move(new HashArc(openStart, openEnd), openFrom, openTo));
        }
        // The first arc wraps from the last point; merge it with a matching last arc.
        if (moves.size() > 1) {
            Move first = moves.get(0);
            Move last = moves.get(moves.size() - 1);
            HashArc fa = (HashArc) first.unit();
            HashArc la = (HashArc) last.unit();
            if (la.endInclusive() == fa.startExclusive()
                    && first.from().equals(last.from())
                    && first.to().equals(last.to())) {
                moves.set(0, new Move(new HashArc(la.startExclusive(), fa.endInclusive()), first.from(), first.to()));
                moves.remove(moves.size() - 1);
            }
        }
        return moves;
    }

    private static List<Move> tenantMoves(Directory a, Directory b) {
        Map<Key, ShardId> listed = new LinkedHashMap<>();
        a.forEachTenant(listed::put);
        Set<Key> seen = new HashSet<>(listed.keySet());
        b.forEachTenant((k, s) -> {
            if (seen.add(k)) {
                listed.put(k, a.shardFor(k));
            }
        });
        List<Move> moves = new ArrayList<>();
        listed.forEach((k, fromShard) -> {
            ShardId toShard = b.shardFor(k);
            if (!fromShard.equals(toShard)) {
                moves.add(new Move(new Tenant(k), fromShard, toShard));
            }
        });
        return moves;
    }

    private static List<Move> rangeMoves(RangeMap a, RangeMap b) {
        TreeSet<Long> bounds = new TreeSet<>();
        a.ranges().forEach(r -> bounds.add(r.start()));
        b.ranges().forEach(r -> bounds.add(r.start()));
        long lowest = Math.max(a.ranges().get(0).start(), b.ranges().get(0).start());
        List<Long> points = new ArrayList<>(bounds.tailSet(lowest, true));
        List<Move> moves = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            long start = points.get(i);
            OptionalLong end = i + 1 < points.size() ? OptionalLong.of(points.get(i + 1)) : OptionalLong.empty();
            ShardId f = a.shardFor(start);
            ShardId t = b.shardFor(start);
            if (f.equals(t)) {
                continue;
            }
            Move last = moves.isEmpty() ? null : moves.get(moves.size() - 1);
            if (last != null
                    && last.from().equals(f)
                    && last.to().equals(t)
                    && ((KeyRange) last.unit()).end().equals(OptionalLong.of(start))) {
                moves.set(moves.size() - 1, new Move(new KeyRange(((KeyRange) last.unit()).start(), end), f, t));
            } else {
                moves.add(new Move(new KeyRange(start, end), f, t));
            }
        }
        return moves;
    }
}
