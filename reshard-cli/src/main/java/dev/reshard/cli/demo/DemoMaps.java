package dev.reshard.cli.demo;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.StrategyKind;
import dev.reshard.core.strategy.VirtualShardMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's two maps for a strategy: the layout the users are loaded by ({@code from}, on the
 * existing shards) and the one that adds the new shard ({@code to}), built with the core's
 * operations as an operator would.
 *
 * @param operation what the target map changes, in words
 */
record DemoMaps(ShardMap from, ShardMap to, String operation) {
    static final int VIRTUAL_SHARDS = 1024;
    /** Listed tenants of the directory demo (the first users); the rest are placed by hash. */
    static final int LISTED_TENANTS = 1000;

    static DemoMaps of(StrategyKind kind, List<ShardId> existing, ShardId added, int users) {
        List<ShardId> all = new ArrayList<>(existing);
        all.add(added);
        int n = existing.size();
        return switch (kind) {
            case VIRTUAL -> {
                ShardMap from = ShardMap.initial(VirtualShardMap.roundRobin(VIRTUAL_SHARDS, existing));
                yield new DemoMaps(
                        from,
                        ShardMaps.balanceVirtualShards(from, all),
                        "add " + added + " to " + VIRTUAL_SHARDS + " virtual shards on " + n
                                + " shards; the planner moves the fewest virtual shards to even them out");
            }
            case RING -> {
                ShardMap from = ShardMap.initial(ConsistentHashRing.of(existing));
                yield new DemoMaps(
                        from,
                        ShardMaps.addRingShard(from, added, 1.0),
                        "add " + added + " to a consistent-hash ring of " + n
                                + " shards; it takes arcs from each of them");
            }
            case DIRECTORY -> {
                int listed = Math.min(users, LISTED_TENANTS);
                Directory.Builder b = Directory.builder(Directory.Placement.HASH, existing);
                Map<Key, ShardId> moves = new LinkedHashMap<>();
                for (long t = 0; t < listed; t++) {
                    b.tenant(t, existing.get((int) (t % n)));
                    if (t % (n + 1) == 0) {
                        moves.put(Key.of(t), added);
                    }
                }
                ShardMap from = ShardMap.initial(b.build());
                yield new DemoMaps(
                        from,
                        ShardMaps.moveTenants(from, moves),
                        "move " + moves.size() + " of the " + listed + " listed tenants (users 0.." + (listed - 1)
                                + ") to " + added + "; adding it also re-places a share of the unlisted users,"
                                + " which the directory places by hash");
            }
            case RANGE -> {
                List<RangeMap.Range> ranges = new ArrayList<>();
                long step = users / n;
                for (int i = 0; i < n; i++) {
                    ranges.add(
                            i == n - 1
                                    ? RangeMap.Range.open(i * step, existing.get(i))
                                    : RangeMap.Range.of(i * step, (i + 1) * step, existing.get(i)));
                }
                long lastStart = (n - 1) * step;
                long at = lastStart + (users - lastStart) / 2;
                ShardMap from = ShardMap.initial(RangeMap.of(ranges, existing));
                yield new DemoMaps(
                        from,
                        ShardMaps.splitRange(from, at, added),
                        String.format(
                                Locale.ROOT,
                                "split the last range [%,d, +inf) of %s at %,d; [%,d, +inf) goes to %s",
                                lastStart,
                                existing.get(n - 1),
                                at,
                                at,
                                added));
            }
        };
    }
}
