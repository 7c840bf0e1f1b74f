package dev.reshard.core.strategy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * Design notes
 *
 * Goal: every shard of the target list ends with floor(V/n) or ceil(V/n) virtual shards, using the
 * fewest moves. With q = floor(V/n) and r = V mod n, exactly r shards must hold q+1. A shard that
 * holds c virtual shards against a target t must give away at least max(0, c - t), and every move
 * removes one virtual shard from one donor, so moves >= sum max(0, c_s - t_s). That sum is smallest
 * when the r larger targets go to the r shards that hold the most (an exchange argument: swapping a
 * q+1 target from a larger holder to a smaller one never lowers the excess), and the plan below
 * reaches it: donors give exactly their excess and recipients receive exactly their deficit.
 * Shards being removed get target 0. The guide's "move 800-999 from shard_0" instead moves a fixed
 * block and leaves the other old shards uneven.
 *
 * Which virtual shards move: a donor gives its highest-numbered ones, and they are handed to
 * recipients in shard order. Any choice has the same count; this one is deterministic.
 */
/** Plans the fewest virtual-shard moves that leave every shard within one virtual shard of even. */
public final class VirtualShardPlanner {
    private VirtualShardPlanner() {}

    /** Balances {@code map} over its own shards (e.g. after {@link VirtualShardMap#withShard}). */
    public static VirtualShardMap balance(VirtualShardMap map) {
        return balance(map, map.shards());
    }

    /**
     * Balances {@code map} over {@code targetShards}: shards of the map that are not listed are
     * drained and removed, listed shards that are new are added. Returns the target map.
     */
    public static VirtualShardMap balance(VirtualShardMap map, List<ShardId> targetShards) {
        ShardList target = ShardList.of("target shards", targetShards);
        int v = map.virtualShardCount();
        InvalidInputException.require(
                v >= target.size(),
                "target shards",
                target.size() + " shards",
                "are more than the " + v + " virtual shards",
                "a map of " + v + " virtual shards can spread over at most " + v + " shards");
        VirtualShardMap widened = map;
        for (ShardId id : target.list) {
            if (widened.indexOf(id) < 0) {
                widened = widened.withShard(id);
            }
        }
        Map<Integer, ShardId> moves = moves(widened, target);
        VirtualShardMap moved = moves.isEmpty() ? widened : widened.withMoves(moves);
        for (ShardId id : map.shards()) {
            if (!target.contains(id)) {
                moved = moved.withoutShard(id);
            }
        }
        // Keep the caller's shard order.
        return VirtualShardMap.of(moved.hash(), target.list, moved.assignment());
    }

    /** The moves {@link #balance(VirtualShardMap, List)} makes, by virtual shard id. */
    public static Map<Integer, ShardId> plan(VirtualShardMap map, List<ShardId> targetShards) {
        VirtualShardMap after = balance(map, targetShards);
        Map<Integer, ShardId> moves = new LinkedHashMap<>();
        for (int v = 0; v < map.virtualShardCount(); v++) {
            if (!map.ownerOf(v).equals(after.ownerOf(v))) {
                moves.put(v, after.ownerOf(v));
            }
        }
        return moves;
    }

    private static Map<Integer, ShardId> moves(VirtualShardMap map, ShardList target) {
        int n = map.shards().size();
        int v = map.virtualShardCount();
        int[] count = map.counts();
        int[] want = new int[n];
        List<Integer> kept = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            if (target.contains(map.shards().get(s))) {
                kept.add(s);
            }
        }
        int q = v / kept.size();
        int r = v % kept.size();
        // The r shards holding the most get the larger target; ties go to the earlier shard.
        kept.sort((a, b) -> count[a] != count[b] ? Integer.compare(count[b], count[a]) : Integer.compare(a, b));
        for (int i = 0; i < kept.size(); i++) {
            want[kept.get(i)] = q + (i < r ? 1 : 0);
        }
        int[] owner = map.toInts();
        int[] excess = new int[n];
        for (int s = 0; s < n; s++) {
            excess[s] = Math.max(0, count[s] - want[s]);
        }
        List<Integer> freed = new ArrayList<>();
        for (int vs = v - 1; vs >= 0; vs--) {
            int s = owner[vs];
            if (excess[s] > 0) {
                excess[s]--;
                freed.add(vs);
            }
        }
        freed.sort(null);
        Map<Integer, ShardId> moves = new LinkedHashMap<>();
        int next = 0;
        for (int s = 0; s < n; s++) {
            for (int k = count[s]; k < want[s]; k++) {
                moves.put(freed.get(next++), map.shards().get(s));
            }
        }
        if (next != freed.size()) {
            throw new IllegalStateException("planner freed " + freed.size() + " virtual shards but placed " + next
                    + "; counts " + Arrays.toString(count) + " targets " + Arrays.toString(want));
        }
        return moves;
    }
}
