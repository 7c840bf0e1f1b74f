package dev.reshard.core.map;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.strategy.VirtualShardMap;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * What moves between two shard maps. The rule is {@link #moves(Key)}: a key moves iff the two maps
 * route it to different shards; it holds for every strategy and every pair of maps, including maps
 * of different strategies. {@link #moves()} lists the same thing as units an operator can read:
 * hash arcs, virtual shards, tenants or key ranges, each with its source and target shard.
 *
 * <p>When the maps do not share units (a strategy conversion, a different hash or virtual-shard
 * count, or a directory whose rule for unlisted tenants now places them elsewhere) some keys can
 * only be decided one by one; {@link #perKey()} then says why, and the engine filters rows with
 * {@link #moves(Key)}.
 */
public final class MoveSet {

    /** A unit of movement. */
    public sealed interface Unit {}

    /** The hash arc {@code (startExclusive, endInclusive]}, unsigned positions, wrapping. */
    public record HashArc(long startExclusive, long endInclusive) implements Unit {
        /** The fraction of the hash space the arc covers. */
        public double fraction() {
            long units = endInclusive - startExclusive;
            return units == 0 ? 1.0 : (units >>> 11) * 0x1p-53;
        }

        @Override
        public String toString() {
            return "arc(" + Long.toUnsignedString(startExclusive) + ", " + Long.toUnsignedString(endInclusive) + "]";
        }
    }

    /** One virtual shard, by id. */
    public record VirtualShard(int id) implements Unit {
        @Override
        public String toString() {
            return "vshard " + id;
        }
    }

    /** One tenant of a directory. */
    public record Tenant(Key key) implements Unit {
        @Override
        public String toString() {
            return "tenant " + key;
        }
    }

    /** The long keys {@code [start, end)}; no end means unbounded. */
    public record KeyRange(long start, OptionalLong end) implements Unit {
        @Override
        public String toString() {
            return "[" + start + ", " + (end.isPresent() ? end.getAsLong() : "+inf") + ")";
        }
    }

    /** A unit that moves from one shard to another. */
    public record Move(Unit unit, ShardId from, ShardId to) {
        public Move {
            Objects.requireNonNull(unit, "unit");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }

        @Override
        public String toString() {
            return unit + ": " + from + " -> " + to;
        }
    }

    private final ShardMap from;
    private final ShardMap to;
    private final List<Move> moves;
    private final String perKeyReason;

    MoveSet(ShardMap from, ShardMap to, List<Move> moves, String perKeyReason) {
        this.from = from;
        this.to = to;
        this.moves = List.copyOf(moves);
        this.perKeyReason = perKeyReason;
    }

    public ShardMap from() {
        return from;
    }

    public ShardMap to() {
        return to;
    }

    /** The units that move, with source and target. */
    public List<Move> moves() {
        return moves;
    }

    /** True when some keys can only be decided one by one by {@link #moves(Key)}. */
    public boolean perKey() {
        return perKeyReason != null;
    }

    /** Why keys must be decided one by one, or empty. */
    public String perKeyReason() {
        return perKeyReason == null ? "" : perKeyReason;
    }

    public boolean isEmpty() {
        return moves.isEmpty() && perKeyReason == null;
    }

    public boolean moves(long key) {
        return !from.shardFor(key).equals(to.shardFor(key));
    }

    public boolean moves(String key) {
        return !from.shardFor(key).equals(to.shardFor(key));
    }

    public boolean moves(UUID key) {
        return !from.shardFor(key).equals(to.shardFor(key));
    }

    public boolean moves(Key key) {
        return !from.shardFor(key).equals(to.shardFor(key));
    }

    /**
     * The fraction of the hash space that moves, when the units are hash arcs or virtual shards of
     * one hash; empty for tenants, ranges and per-key move sets.
     */
    public OptionalDouble hashFraction() {
        if (perKey()) {
            return OptionalDouble.empty();
        }
        double sum = 0;
        for (Move m : moves) {
            if (m.unit() instanceof HashArc a) {
                sum += a.fraction();
            } else if (m.unit() instanceof VirtualShard && from.strategy() instanceof VirtualShardMap v) {
                sum += 1.0 / v.virtualShardCount();
            } else {
                return OptionalDouble.empty();
            }
        }
        return OptionalDouble.of(sum);
    }

    @Override
    public String toString() {
        return "MoveSet(" + from + " -> " + to + ", " + moves.size() + " units"
                + (perKey() ? ", per key: " + perKeyReason : "") + ")";
    }
}
