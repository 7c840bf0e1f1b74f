package dev.reshard.core.strategy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.RoutingException;
import dev.reshard.core.ShardId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Contiguous, non-overlapping ranges of long keys, {@code [start, end)}, each owned by a shard;
 * the last range is open ({@code [start, +inf)}). A key below the first start is not routable.
 *
 * <p>Use it when keys are ordered and range scans matter (time-ordered ids, account numbers) and
 * an operator splits a hot range by hand. Do not use it for keys that arrive in order (new ids all
 * land on the last range, which becomes the hotspot the guide's Strategy 4 then has to split), nor
 * for string or UUID keys, which it refuses.
 */
public final class RangeMap implements Strategy {

    /** One range. {@code end} is empty for the last, open range. */
    public record Range(long start, OptionalLong end, ShardId shard) {
        public Range {
            Objects.requireNonNull(end, "end");
            Objects.requireNonNull(shard, "shard");
        }

        public static Range of(long start, long end, ShardId shard) {
            return new Range(start, OptionalLong.of(end), shard);
        }

        public static Range open(long start, ShardId shard) {
            return new Range(start, OptionalLong.empty(), shard);
        }

        public boolean contains(long key) {
            return key >= start && (end.isEmpty() || key < end.getAsLong());
        }

        @Override
        public String toString() {
            return "[" + start + ", " + (end.isPresent() ? end.getAsLong() : "+inf") + ") -> " + shard;
        }
    }

    private final ShardList shards;
    private final long[] starts; // ascending
    private final short[] owners;

    private RangeMap(ShardList shards, long[] starts, short[] owners) {
        this.shards = shards;
        this.starts = starts;
        this.owners = owners;
    }

    /**
     * Validates and builds a range map. {@code shards} lists every shard of the map (a shard may
     * own no range); it defaults to the owners of the ranges in order of first appearance.
     */
    public static RangeMap of(List<Range> ranges, List<ShardId> shards) {
        InvalidInputException.require(
                ranges != null && !ranges.isEmpty(),
                "ranges",
                "[]",
                "is empty",
                "give at least one range, e.g. [0, +inf) -> shard_0");
        ShardList list = ShardList.of("range.shards", shards);
        long[] starts = new long[ranges.size()];
        short[] owners = new short[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            Range r = ranges.get(i);
            String field = "ranges[" + i + "]";
            boolean last = i == ranges.size() - 1;
            if (!last) {
                InvalidInputException.require(
                        r.end().isPresent(),
                        field + ".end",
                        "+inf",
                        "is open but is not the last range",
                        "only the last range may be open; give this one an end");
                long end = r.end().getAsLong();
                InvalidInputException.require(
                        end > r.start(),
                        field + ".end",
                        end,
                        "is not above its start " + r.start(),
                        "a range [start, end) needs end > start");
                long next = ranges.get(i + 1).start();
                if (next != end) {
                    throw InvalidInputException.of(
                            "ranges[" + (i + 1) + "].start",
                            next,
                            next > end ? "leaves a gap [" + end + ", " + next + ") after " + r : "overlaps " + r,
                            "start each range where the previous one ends (" + end + ")");
                }
            } else {
                InvalidInputException.require(
                        r.end().isEmpty(),
                        field + ".end",
                        r.end().isPresent() ? r.end().getAsLong() : 0,
                        "closes the last range, so keys above it would have no shard",
                        "leave the last range open (no end)");
            }
            starts[i] = r.start();
            owners[i] = (short) list.require(field + ".shard", r.shard());
        }
        return new RangeMap(list, starts, owners);
    }

    /** Builds a range map whose shards are the owners of {@code ranges}, in order. */
    public static RangeMap of(List<Range> ranges) {
        List<ShardId> owners = new ArrayList<>(new LinkedHashSet<>(
                ranges == null ? List.of() : ranges.stream().map(Range::shard).toList()));
        return of(ranges, owners);
    }

    // ---------------------------------------------------------------- lookups (hot path)

    /** Index of the range holding {@code key}, or -1 below the first range. */
    private int rangeIndex(long key) {
        int lo = 0;
        int hi = starts.length - 1;
        if (key < starts[0]) {
            return -1;
        }
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= key) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public ShardId shardFor(long key) {
        int i = rangeIndex(key);
        if (i < 0) {
            throw new RoutingException("key " + key + " is below the first range, which starts at " + starts[0]
                    + "; extend the first range down or route such keys elsewhere");
        }
        return shards.ids[owners[i]];
    }

    @Override
    public ShardId shardFor(String key) {
        throw new RoutingException("the range strategy routes 64-bit integer keys; got the string key \"" + key
                + "\". Use a long shard-key column, or a hash strategy for text keys");
    }

    @Override
    public ShardId shardFor(UUID key) {
        throw new RoutingException("the range strategy routes 64-bit integer keys; got the UUID key " + key
                + ". Use a long shard-key column, or a hash strategy for UUID keys");
    }

    @Override
    public List<ShardId> shardsFor(long startInclusive, long endExclusive) {
        InvalidInputException.require(
                endExclusive > startInclusive,
                "range end",
                endExclusive,
                "is not above the range start " + startInclusive,
                "ask for [start, end) with end > start");
        int first = Math.max(0, rangeIndex(startInclusive));
        int last = rangeIndex(endExclusive - 1);
        LinkedHashSet<ShardId> out = new LinkedHashSet<>();
        for (int i = first; i <= last; i++) {
            out.add(shards.ids[owners[i]]);
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- changes

    /**
     * Splits the range holding {@code at} into {@code [start, at)}, kept by its shard, and {@code
     * [at, end)}, given to {@code upperOwner} (added to the map if new).
     */
    public RangeMap split(long at, ShardId upperOwner) {
        int i = rangeIndex(at);
        if (i < 0) {
            throw InvalidInputException.of(
                    "split.at",
                    at,
                    "is below the first range, which starts at " + starts[0],
                    "split inside an existing range");
        }
        Range r = ranges().get(i);
        InvalidInputException.require(
                at != starts[i],
                "split.at",
                at,
                "is the start of range " + r + ", so it would leave an empty range",
                "choose a split point strictly inside the range, e.g. its middle");
        InvalidInputException.require(
                !shards.ids[owners[i]].equals(upperOwner),
                "split.shard",
                upperOwner.value(),
                "already owns " + r + ", so the split would move nothing",
                "name the shard that takes [" + at + ", ...), e.g. a new shard");
        ShardList list = shards.contains(upperOwner) ? shards : shards.with("split.shard", upperOwner);
        long[] s = new long[starts.length + 1];
        short[] o = new short[owners.length + 1];
        System.arraycopy(starts, 0, s, 0, i + 1);
        System.arraycopy(owners, 0, o, 0, i + 1);
        s[i + 1] = at;
        o[i + 1] = (short) list.indexOf(upperOwner);
        System.arraycopy(starts, i + 1, s, i + 2, starts.length - i - 1);
        System.arraycopy(owners, i + 1, o, i + 2, owners.length - i - 1);
        return new RangeMap(list, s, o);
    }

    /**
     * Merges the range that ends at {@code boundary} with the one that starts there; the merged
     * range is owned by {@code owner}, which must be one of the shards of the map.
     */
    public RangeMap merge(long boundary, ShardId owner) {
        int i = Arrays.binarySearch(starts, boundary);
        if (i <= 0) {
            throw InvalidInputException.of(
                    "merge.at",
                    boundary,
                    "is not a boundary between two ranges",
                    "use the start of any range but the first: "
                            + Arrays.toString(Arrays.copyOfRange(starts, 1, starts.length)));
        }
        int to = shards.require("merge.shard", owner);
        long[] s = new long[starts.length - 1];
        short[] o = new short[owners.length - 1];
        System.arraycopy(starts, 0, s, 0, i);
        System.arraycopy(owners, 0, o, 0, i);
        System.arraycopy(starts, i + 1, s, i, starts.length - i - 1);
        System.arraycopy(owners, i + 1, o, i, owners.length - i - 1);
        o[i - 1] = (short) to;
        return new RangeMap(shards, s, o);
    }

    /** This map with range {@code index} given to {@code shard} (added to the map if new). */
    public RangeMap withOwner(int index, ShardId shard) {
        InvalidInputException.require(
                index >= 0 && index < starts.length,
                "range",
                index,
                "is not a range index",
                "use 0 to " + (starts.length - 1));
        InvalidInputException.require(
                !shards.ids[owners[index]].equals(shard),
                "ranges[" + index + "].shard",
                shard.value(),
                "already owns range " + ranges().get(index),
                "move it to a different shard");
        ShardList list = shards.contains(shard) ? shards : shards.with("range.shard", shard);
        short[] o = owners.clone();
        o[index] = (short) list.indexOf(shard);
        return new RangeMap(list, starts, o);
    }

    // ---------------------------------------------------------------- inspection

    public List<Range> ranges() {
        List<Range> out = new ArrayList<>(starts.length);
        for (int i = 0; i < starts.length; i++) {
            out.add(new Range(
                    starts[i],
                    i + 1 < starts.length ? OptionalLong.of(starts[i + 1]) : OptionalLong.empty(),
                    shards.ids[owners[i]]));
        }
        return out;
    }

    public int rangeCount() {
        return starts.length;
    }

    @Override
    public StrategyKind kind() {
        return StrategyKind.RANGE;
    }

    @Override
    public List<ShardId> shards() {
        return shards.list;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "range(%d ranges, %d shards)", starts.length, shards.size());
    }

    @Override
    public String toString() {
        return describe();
    }
}
