package dev.reshard.core.rebalance;

import java.util.Locale;

/** The guide's four reasons to rebalance. */
public enum Trigger {
    /** A shard uses more than a share of its disk capacity. */
    STORAGE,
    /** A shard serves more than a multiple of the average shard's operation rate. */
    LOAD,
    /** At the measured growth, a shard reaches the storage threshold within a horizon. */
    GROWTH,
    /** A shard's size is further from the average shard's than a share of that average. */
    DISTRIBUTION;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
