package dev.reshard.cli.plan;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.RangeMap.Range;
import java.util.List;
import java.util.OptionalLong;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code reshard plan range}: the guide's strategy 4, split a hot range (or merge two). */
@Command(
        name = "range",
        sortOptions = false,
        description = {
            "Ranges of long keys (the guide's strategy 4): split a range, or merge two.",
            "Keys are uniform over --key-range.",
            "Optimum: the keys of the split-off range; for --merge-at, those of the smaller range"
                    + " (none when both ranges are on one shard)."
        })
final class RangePlan implements StrategyPlan {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--ranges",
            paramLabel = "START:END:SHARD",
            required = true,
            split = ",",
            converter = Converters.RangeSpec.class,
            description = "the ranges [START, END) in order; END empty for the last, open range,"
                    + " e.g. 0:1000000:shard_0,1000000::shard_1")
    List<Range> ranges;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Operation operation;

    @Option(
            names = "--to",
            paramLabel = "SHARD",
            converter = Converters.Shard.class,
            description = "--split-at: the shard that takes [AT, end) (added if new); --merge-at: the owner"
                    + " of the merged range (default: the lower range's shard)")
    ShardId to;

    @Option(
            names = "--key-range",
            paramLabel = "LO:HI",
            converter = Converters.KeySpan.class,
            description = "synthetic keys are uniform over [LO, HI) (default: from the first start to the last"
                    + " start plus the mean range width, widened to keep AT mid-range in the open range)")
    RangeKeys.Span keyRange;

    @Mixin
    PlanOptions options;

    static final class Operation {
        @Option(
                names = "--split-at",
                paramLabel = "AT",
                required = true,
                description = "split the range holding AT into [start, AT) and [AT, end)")
        Long splitAt;

        @Option(
                names = "--merge-at",
                paramLabel = "B",
                required = true,
                description = "merge the two ranges that meet at B")
        Long mergeAt;
    }

    @Override
    public Scenario scenario() {
        InvalidInputException.require(
                options.keyType == KeyType.LONG,
                "--key-type",
                options.keyType.toString(),
                "does not apply to the range strategy, which routes 64-bit integer keys",
                "leave --key-type out, or use --key-type long");
        RangeMap map = RangeMap.of(ranges);
        ShardMap before = ShardMap.initial(map);
        long point = operation.splitAt != null ? operation.splitAt : operation.mergeAt;
        RangeKeys.Span span = keyRange != null ? keyRange : defaultSpan(map.ranges(), point);
        long first = map.ranges().get(0).start();
        InvalidInputException.require(
                span.lo() >= first,
                "--key-range",
                span.toString(),
                "starts below the first range, which starts at " + first + ", so some keys would have no shard",
                "start the key range at " + first + " or above");
        RangeKeys keys = new RangeKeys(span, options.keys, options.seed);
        return operation.splitAt != null ? split(before, map, keys) : merge(before, map, keys);
    }

    private Scenario split(ShardMap before, RangeMap map, RangeKeys keys) {
        long at = operation.splitAt;
        if (to == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Missing required option: '--to=SHARD', the shard that takes [" + at + ", end) after --split-at");
        }
        InvalidInputException.require(
                keys.span().contains(at),
                "--split-at",
                at,
                "is outside the synthetic keys " + keys.span() + ", so the split would move none of them",
                "split inside " + keys.span() + ", or widen --key-range");
        Range holder =
                map.ranges().stream().filter(r -> r.contains(at)).findFirst().orElseThrow();
        InvalidInputException.require(
                !holder.shard().equals(to),
                "--to",
                to.value(),
                "already owns " + holder + ", so the split would move nothing",
                "name the shard that takes the upper part, e.g. " + ShardSelection.unused(map.shards()));
        ShardMap after = ShardMaps.splitRange(before, at, to);
        OptionalLong end = holder.end();
        String upper = new MoveSet.KeyRange(at, end).toString();
        return new Scenario(
                "split " + holder + " at " + at + ": " + upper + " -> " + to,
                before,
                after,
                keys,
                Optimum.of((double) keys.countIn(at, end) / keys.count(), "the keys of the split-off range " + upper));
    }

    private Scenario merge(ShardMap before, RangeMap map, RangeKeys keys) {
        long boundary = operation.mergeAt;
        List<Range> all = map.ranges();
        int upper = -1;
        for (int i = 1; i < all.size(); i++) {
            if (all.get(i).start() == boundary) {
                upper = i;
            }
        }
        ShardId owner = to != null ? to : all.get(Math.max(0, upper - 1)).shard();
        ShardMap after = ShardMaps.mergeRanges(before, boundary, owner);
        // mergeRanges refuses a boundary that no two ranges share, so upper >= 1 from here on.
        Range lo = all.get(upper - 1);
        Range hi = all.get(upper);
        Optimum optimum;
        if (lo.shard().equals(hi.shard())) {
            optimum = Optimum.of(0, "both ranges are on " + lo.shard() + ", so merging them needs no move");
        } else {
            long inLo = keys.countIn(lo.start(), lo.end());
            long inHi = keys.countIn(hi.start(), hi.end());
            Range smaller = inLo <= inHi ? lo : hi;
            optimum = Optimum.of(
                    (double) Math.min(inLo, inHi) / keys.count(),
                    "the keys of the smaller range, " + smaller + ", moved onto the other's shard");
        }
        return new Scenario("merge " + lo + " and " + hi + " onto " + owner, before, after, keys, optimum);
    }

    /**
     * From the first start to the last start plus the mean width of the closed ranges (1,000,000 if
     * there are none); when {@code point} lies in the open range, wide enough that it sits mid-way.
     */
    static RangeKeys.Span defaultSpan(List<Range> ranges, long point) {
        Range last = ranges.get(ranges.size() - 1);
        long lo = ranges.get(0).start();
        long closed = ranges.size() - 1;
        long width = closed == 0 ? 1_000_000 : Math.max(1, (last.start() - lo) / closed);
        long hi = saturatedAdd(last.start(), width);
        if (point > last.start()) {
            hi = Math.max(hi, saturatedAdd(point, point - last.start()));
        }
        return new RangeKeys.Span(lo, hi);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public OptionNames optionNames() {
        return OptionNames.of(
                "ranges.*|range\\.shards.*", "--ranges",
                "split\\.at", "--split-at",
                "split\\.shard|merge\\.shard", "--to",
                "merge\\.at", "--merge-at");
    }

    @Override
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public PlanOptions options() {
        return options;
    }
}
