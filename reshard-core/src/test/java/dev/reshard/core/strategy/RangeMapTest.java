package dev.reshard.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.RoutingException;
import dev.reshard.core.ShardId;
import dev.reshard.core.strategy.RangeMap.Range;
import dev.reshard.core.testing.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RangeMapTest {
    private static final ShardId S0 = ShardId.of("shard_0");
    private static final ShardId S1 = ShardId.of("shard_1");
    private static final ShardId S2 = ShardId.of("shard_2");
    private static final ShardId S3 = ShardId.of("shard_3");
    private static final ShardId S4 = ShardId.of("shard_4");

    /** The guide's layout before Strategy 4's split. */
    static RangeMap guide() {
        return RangeMap.of(List.of(
                Range.of(0, 1_000_000, S0),
                Range.of(1_000_000, 2_000_000, S1),
                Range.of(2_000_000, 3_000_000, S2),
                Range.open(3_000_000, S3)));
    }

    @Test
    void shardFor_findsTheRangeHoldingTheKey() {
        RangeMap m = guide();
        assertThat(m.shardFor(0L)).isEqualTo(S0);
        assertThat(m.shardFor(999_999L)).isEqualTo(S0);
        assertThat(m.shardFor(1_000_000L)).isEqualTo(S1);
        assertThat(m.shardFor(Long.MAX_VALUE)).isEqualTo(S3);
        assertThatThrownBy(() -> m.shardFor(-1L))
                .isInstanceOf(RoutingException.class)
                .hasMessageStartingWith("key -1 is below the first range, which starts at 0");
    }

    @Test
    void guidesSplit_narrowsTheHotRangeAndOpensANewOne() {
        RangeMap split = guide().split(5_000_000, S4);
        assertThat(split.ranges())
                .extracting(Range::toString)
                .containsExactly(
                        "[0, 1000000) -> shard_0",
                        "[1000000, 2000000) -> shard_1",
                        "[2000000, 3000000) -> shard_2",
                        "[3000000, 5000000) -> shard_3",
                        "[5000000, +inf) -> shard_4");
        assertThat(split.shards()).endsWith(S4);
    }

    @Test
    void randomSplitsAndMerges_keepFullCoverageWithoutOverlap() {
        long seed = Seeds.seed("splitMerge");
        SplittableRandom random = new SplittableRandom(seed);
        RangeMap m = RangeMap.of(List.of(Range.open(0, S0)));
        for (int step = 0; step < 2_000; step++) {
            List<Range> ranges = m.ranges();
            if (ranges.size() > 1 && random.nextInt(3) == 0) {
                int i = 1 + random.nextInt(ranges.size() - 1);
                ShardId owner = random.nextBoolean()
                        ? ranges.get(i).shard()
                        : ranges.get(i - 1).shard();
                m = m.merge(ranges.get(i).start(), owner);
            } else {
                long at = random.nextLong(1, 1L << 40);
                Range r =
                        ranges.stream().filter(x -> x.contains(at)).findFirst().orElseThrow();
                if (at == r.start()) {
                    continue;
                }
                ShardId upper = ShardId.of("shard_" + random.nextInt(8));
                if (!upper.equals(r.shard())) {
                    m = m.split(at, upper);
                }
            }
            // validated by RangeMap.of: contiguous, no overlap, open last range
            RangeMap rebuilt = RangeMap.of(m.ranges(), m.shards());
            assertThat(rebuilt.ranges()).as("seed %d step %d", seed, step).isEqualTo(m.ranges());
            for (int probe = 0; probe < 20; probe++) {
                long key = random.nextLong(0, Long.MAX_VALUE);
                long matches = m.ranges().stream().filter(x -> x.contains(key)).count();
                assertThat(matches).as("seed %d key %d", seed, key).isEqualTo(1);
            }
        }
    }

    @Test
    void overlappingOrGappedOrClosedRanges_areRefused() {
        assertThatThrownBy(() -> RangeMap.of(List.of(Range.of(0, 10, S0), Range.open(5, S1))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "ranges[1].start: 5 overlaps [0, 10) -> shard_0; start each range where the previous one ends (10)");
        assertThatThrownBy(() -> RangeMap.of(List.of(Range.of(0, 10, S0), Range.open(20, S1))))
                .hasMessage(
                        "ranges[1].start: 20 leaves a gap [10, 20) after [0, 10) -> shard_0; start each range where the previous one ends (10)");
        assertThatThrownBy(() -> RangeMap.of(List.of(Range.of(0, 10, S0))))
                .hasMessageStartingWith("ranges[0].end: 10 closes the last range");
        assertThatThrownBy(() -> RangeMap.of(List.of(Range.of(10, 10, S0), Range.open(10, S1))))
                .hasMessageStartingWith("ranges[0].end: 10 is not above its start 10");
        assertThatThrownBy(() -> RangeMap.of(List.of(Range.open(0, S0), Range.open(10, S1))))
                .hasMessageStartingWith("ranges[0].end: \"+inf\" is open but is not the last range");
    }

    @Test
    void splitPointOutsideOrAtTheStartOfItsRange_isRefused() {
        assertThatThrownBy(() -> guide().split(-5, S4))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("split.at: -5 is below the first range, which starts at 0; split inside an existing range");
        assertThatThrownBy(() -> guide().split(2_000_000, S4))
                .hasMessageStartingWith("split.at: 2000000 is the start of range [2000000, 3000000) -> shard_2");
    }

    @Test
    void splitToTheRangesOwnShard_isRefused() {
        assertThatThrownBy(() -> guide().split(3_500_000, S3))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "split.shard: \"shard_3\" already owns [3000000, +inf) -> shard_3, so the split would move nothing;"
                                + " name the shard that takes [3500000, ...), e.g. a new shard");
    }

    @Test
    void invalidInput_canBeRenamedToTheOperatorsField() {
        InvalidInputException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                InvalidInputException.class, () -> guide().split(-5, S4));
        assertThat(e.withField("--split-at").getMessage())
                .isEqualTo(
                        "--split-at: -5 is below the first range, which starts at 0; split inside an existing range");
        assertThat(e.detail())
                .isEqualTo("-5 is below the first range, which starts at 0; split inside an existing range");
    }

    @Test
    void mergeAtANonBoundary_isRefused() {
        assertThatThrownBy(() -> guide().merge(1_500_000, S1))
                .hasMessageStartingWith("merge.at: 1500000 is not a boundary between two ranges");
        assertThat(guide().merge(1_000_000, S0).shardFor(1_500_000L)).isEqualTo(S0);
    }

    @Test
    void rangeLookup_returnsTheShardsOverlappingTheRange() {
        RangeMap m = guide();
        assertThat(m.shardsFor(500_000, 1_500_000)).containsExactly(S0, S1);
        assertThat(m.shardsFor(2_500_000, Long.MAX_VALUE)).containsExactly(S2, S3);
        assertThat(m.shardsFor(0, 1)).containsExactly(S0);
    }

    @Test
    void textKeys_areRefusedWithTheFix() {
        assertThatThrownBy(() -> guide().shardFor("abc"))
                .isInstanceOf(RoutingException.class)
                .hasMessageContaining("routes 64-bit integer keys");
    }
}
