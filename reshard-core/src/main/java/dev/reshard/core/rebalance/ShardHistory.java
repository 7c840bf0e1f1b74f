package dev.reshard.core.rebalance;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** A shard's configured capacity and its samples, oldest first. */
public record ShardHistory(ShardId shard, long capacityBytes, List<Sample> samples) {
    public ShardHistory {
        Objects.requireNonNull(shard, "shard");
        InvalidInputException.require(
                capacityBytes > 0,
                "shards[" + shard + "].capacity",
                capacityBytes,
                "is not a positive number of bytes",
                "set the disk the shard may use, e.g. capacity: 80GB, with `reshard shards update " + shard + "`");
        List<Sample> sorted = new ArrayList<>(samples);
        sorted.sort(Comparator.comparing(Sample::at));
        samples = List.copyOf(sorted);
    }

    /** The newest sample, if any. */
    public java.util.Optional<Sample> latest() {
        return samples.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(samples.get(samples.size() - 1));
    }
}
