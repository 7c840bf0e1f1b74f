package dev.reshard.catalog;

import dev.reshard.core.ShardId;
import java.util.Objects;

/**
 * What one router reported about one shard: whether it has connection settings for it, and
 * whether its last connection attempt succeeded. {@code problem} says why not, in words safe to
 * show (never a secret); it is empty when both hold.
 */
public record ShardReach(ShardId shard, boolean hasSettings, boolean reachable, String problem) {
    public ShardReach {
        Objects.requireNonNull(shard, "shard");
        problem = problem == null ? "" : problem;
    }

    /** True when the router has settings for the shard and last reached it. */
    public boolean ok() {
        return hasSettings && reachable;
    }
}
