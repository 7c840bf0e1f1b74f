package dev.reshard.migration.engine;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One source shard and one target shard of a migration, and the rule that says which rows go from
 * the one to the other: a row moves from {@code source} to {@code target} when the old map places
 * its shard key on the source and the new map on the target (DESIGN.md §1: the one rule for every
 * strategy).
 */
public record Pair(ShardId source, ShardId target) {

    /** The pairs of a migration from {@code from} to {@code to}, in a stable order. */
    public static List<Pair> of(ShardMap from, ShardMap to) {
        MoveSet moves = ShardMaps.diff(from, to);
        Set<Pair> pairs = new LinkedHashSet<>();
        if (moves.perKey()) {
            for (ShardId s : from.shards()) {
                for (ShardId t : to.shards()) {
                    if (!s.equals(t)) {
                        pairs.add(new Pair(s, t));
                    }
                }
            }
        }
        for (MoveSet.Move m : moves.moves()) {
            pairs.add(new Pair(m.from(), m.to()));
        }
        return new ArrayList<>(pairs);
    }

    /** Whether a row with this shard-key column value moves from this pair's source to its target. */
    public Predicate<Object> moves(ShardMap from, ShardMap to) {
        return value -> {
            if (value == null) {
                return false;
            }
            Key key = Key.ofJdbc(value);
            return from.shardFor(key).equals(source) && to.shardFor(key).equals(target);
        };
    }

    /** Whether a row with this shard-key value lives on this pair's source under the old map. */
    public Predicate<Object> belongsToSource(ShardMap from) {
        return value -> value != null && from.shardFor(Key.ofJdbc(value)).equals(source);
    }

    @Override
    public String toString() {
        return source + "->" + target;
    }
}
