package dev.reshard.core.rebalance;

import dev.reshard.core.InvalidInputException;
import java.time.Instant;
import java.util.Objects;

/**
 * One measurement of a shard: its size on disk, its rows, and a counter of operations it has
 * served since its server started ({@code -1} when the database keeps none), taken at {@code at}.
 */
public record Sample(Instant at, long sizeBytes, long rows, long operations) {
    public Sample {
        Objects.requireNonNull(at, "at");
        InvalidInputException.require(
                sizeBytes >= 0,
                "stats.sizeBytes",
                sizeBytes,
                "is negative",
                "collect the statistics again; a negative size comes from a broken statistics view");
        InvalidInputException.require(
                rows >= -1, "stats.rows", rows, "is negative", "collect the statistics again (-1 means not measured)");
        InvalidInputException.require(
                operations >= -1,
                "stats.operations",
                operations,
                "is negative",
                "collect the statistics again (-1 means not measured)");
    }
}
