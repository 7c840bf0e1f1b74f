package dev.reshard.cli.plan;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import picocli.CommandLine.Option;

/** The shards of the map before the operation: {@code --shards N} or {@code --shard-ids a,b,c}. */
final class ShardSelection {

    @Option(
            names = "--shards",
            paramLabel = "N",
            required = true,
            description = "N shards named shard_0 .. shard_{N-1}")
    Integer count;

    @Option(
            names = "--shard-ids",
            paramLabel = "ID",
            split = ",",
            required = true,
            converter = Converters.Shard.class,
            description = "the shards by name, e.g. a,b,c")
    List<ShardId> ids;

    /** The option the operator used, for messages. */
    String option() {
        return ids != null ? "--shard-ids" : "--shards";
    }

    List<ShardId> shards() {
        if (ids != null) {
            Set<ShardId> seen = new HashSet<>();
            for (ShardId id : ids) {
                InvalidInputException.require(
                        seen.add(id), "--shard-ids", id.value(), "is listed twice", "give each shard a distinct id");
            }
            return List.copyOf(ids);
        }
        InvalidInputException.require(
                count >= 1, "--shards", count, "must be at least 1", "start from one shard or more, e.g. --shards 4");
        return IntStream.range(0, count).mapToObj(i -> ShardId.of("shard_" + i)).toList();
    }

    /** A shard id the list does not hold yet, for "e.g." hints. */
    static ShardId unused(List<ShardId> shards) {
        for (int i = shards.size(); ; i++) {
            ShardId id = ShardId.of("shard_" + i);
            if (!shards.contains(id)) {
                return id;
            }
        }
    }

    static List<ShardId> plus(List<ShardId> shards, ShardId shard) {
        List<ShardId> more = new ArrayList<>(shards);
        more.add(shard);
        return List.copyOf(more);
    }
}
