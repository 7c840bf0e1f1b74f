package dev.reshard.core.rebalance;

import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.strategy.Strategy;
import dev.reshard.core.strategy.StrategyKind;
import java.util.List;

/**
 * What {@link Planner#plan} decided: the target map, the units that move, every shard before and
 * after, what there is to copy, and why, in words. A plan that cannot clear the triggers says so
 * ({@link Status#IMPOSSIBLE}) with the reason and moves nothing.
 */
public record Plan(
        Status status,
        StrategyKind strategy,
        Strategy target,
        List<ShardId> added,
        List<ShardId> drained,
        List<Move> moves,
        List<ShardState> before,
        List<ShardState> after,
        long bytesToCopy,
        long rowsToCopy,
        boolean provenMinimal,
        List<String> explanation) {

    public Plan {
        added = List.copyOf(added);
        drained = List.copyOf(drained);
        moves = List.copyOf(moves);
        before = List.copyOf(before);
        after = List.copyOf(after);
        explanation = List.copyOf(explanation);
    }

    public enum Status {
        /** No trigger fires and no what-if was asked: the target is the current map. */
        NOTHING_TO_DO,
        /** The moves (and added or drained shards) clear every trigger the planner can measure. */
        PLANNED,
        /** The strategy's units are not placed by this planner; only the shards to add are planned. */
        SHARDS_ONLY,
        /** No placement clears the triggers; the explanation says why. Nothing moves. */
        IMPOSSIBLE
    }

    /** One unit that changes shard, with what copying it costs and why it moves. */
    public record Move(
            MoveSet.Unit unit, ShardId from, ShardId to, long bytes, long rows, double load, String reason) {}

    /**
     * One shard: the bytes, rows and load of the units on it, its capacity, the share of capacity
     * used now and at the growth horizon, and the triggers that fire on it.
     */
    public record ShardState(
            ShardId shard,
            long bytes,
            long rows,
            double load,
            long capacityBytes,
            double capacityShare,
            double projectedShare,
            List<Trigger> fires) {
        public ShardState {
            fires = List.copyOf(fires);
        }
    }

    /** The explanation as one text, a line each. */
    public String explain() {
        return String.join(System.lineSeparator(), explanation);
    }
}
