package dev.reshard.core.rebalance;

import dev.reshard.core.ShardId;

/**
 * One trigger on one shard: whether it fires, the measured value against the threshold (in the
 * trigger's unit: a share of capacity, a multiple of the average rate, days, a share of the
 * average size), and the reason in words. A trigger that could not be measured says why, and
 * neither fires nor clears.
 */
public record Verdict(Trigger trigger, ShardId shard, Status status, double value, double threshold, String reason) {
    public enum Status {
        FIRES,
        CLEAR,
        NOT_MEASURED
    }

    public boolean fires() {
        return status == Status.FIRES;
    }
}
