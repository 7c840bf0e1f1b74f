package dev.reshard.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.cli.CliRun;
import dev.reshard.core.ShardId;
import dev.reshard.core.strategy.RangeMap.Range;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RangePlanTest {
    private static final String RANGES = "0:1000000:shard_0,1000000:2000000:shard_1,2000000::shard_2";

    @Test
    void split_movesExactlyTheSplitOffRange() {
        JsonNode plan = CliRun.json(
                "plan", "range", "--ranges", RANGES, "--split-at", "1500000", "--to", "shard_3", "--keys", "100000");

        RangeKeys keys = new RangeKeys(new RangeKeys.Span(0, 3_000_000), 100_000, 42);
        long inSplitOff = keys.countIn(1_500_000, OptionalLong.of(2_000_000));
        assertThat(plan.at("/keys/description").asText()).contains("[0, 3000000)");
        assertThat(plan.at("/totals/movedOut").asLong()).isEqualTo(inSplitOff);
        assertThat(plan.get("movedFraction").asDouble())
                .isEqualTo(plan.get("optimalFraction").asDouble());
        assertThat(plan.get("movedFraction").asDouble()).isCloseTo(1.0 / 6, within(0.01));
        assertThat(plan.at("/units/summary").asText())
                .isEqualTo("1 key range moves: [1500000, 2000000): shard_1 -> shard_3");
    }

    @Test
    void split_inTheOpenRange_widensTheDefaultKeyRange() {
        JsonNode plan = CliRun.json(
                "plan",
                "range",
                "--ranges",
                "0:1000000:shard_0,1000000::shard_1",
                "--split-at",
                "5000000",
                "--to",
                "shard_2",
                "--keys",
                "100000");

        assertThat(plan.at("/keys/description").asText()).contains("[0, 9000000)");
        assertThat(plan.get("movedFraction").asDouble()).isCloseTo(4.0 / 9, within(0.01));
        assertThat(plan.get("ratio").asDouble()).isEqualTo(1.0);
    }

    @Test
    void merge_movesTheUpperRangeOntoTheLowerRangesShard() {
        JsonNode plan = CliRun.json("plan", "range", "--ranges", RANGES, "--merge-at", "2000000", "--keys", "100000");

        assertThat(plan.at("/totals/unitsAfter").asInt()).isEqualTo(2);
        assertThat(plan.at("/units/summary").asText())
                .isEqualTo("1 key range moves: [2000000, +inf): shard_2 -> shard_1");
        assertThat(plan.get("movedFraction").asDouble()).isCloseTo(1.0 / 3, within(0.01));
    }

    @Test
    void defaultSpan_closedRanges_extendsTheOpenRangeByTheMeanWidth() {
        List<Range> ranges = List.of(
                Range.of(100, 300, ShardId.of("a")),
                Range.of(300, 500, ShardId.of("b")),
                Range.open(500, ShardId.of("c")));

        assertThat(RangePlan.defaultSpan(ranges, 200)).isEqualTo(new RangeKeys.Span(100, 700));
        assertThat(RangePlan.defaultSpan(ranges, 1000)).isEqualTo(new RangeKeys.Span(100, 1500));
        assertThat(RangePlan.defaultSpan(List.of(Range.open(0, ShardId.of("a"))), 10))
                .isEqualTo(new RangeKeys.Span(0, 1_000_000));
    }
}
