package dev.reshard.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.cli.CliRun;
import org.junit.jupiter.api.Test;

class VirtualPlanTest {

    @Test
    void add_planner_leavesEveryShardWith204Or205VirtualShards() {
        JsonNode plan = CliRun.json(
                "plan", "virtual", "--shards", "4", "--vshards", "1024", "--add", "shard_4", "--keys", "100000");

        int total = 0;
        for (JsonNode row : plan.get("shards")) {
            assertThat(row.get("unitsAfter").asInt()).as(row.toString()).isIn(204, 205);
            total += row.get("unitsAfter").asInt();
            if (!row.get("shard").asText().equals("shard_4")) {
                assertThat(row.get("unitsBefore").asInt()).isEqualTo(256);
                assertThat(row.get("movedIn").asLong()).isZero();
            }
        }
        assertThat(total).isEqualTo(1024);
        assertThat(plan.at("/units/count").asInt()).isEqualTo(204);
        assertThat(plan.at("/units/hashFraction").asDouble()).isEqualTo(204.0 / 1024);
        assertThat(plan.get("optimalFraction").asDouble()).isEqualTo(0.2);
        assertThat(plan.get("ratio").asDouble()).isBetween(0.95, 1.05);
    }

    @Test
    void remove_planner_drainsTheShardEvenly() {
        JsonNode plan = CliRun.json("plan", "virtual", "--shards", "4", "--remove", "shard_3", "--keys", "100000");

        assertThat(plan.get("ratio").asDouble()).isEqualTo(1.0);
        for (JsonNode row : plan.get("shards")) {
            int expected = row.get("shard").asText().equals("shard_3") ? 0 : 341;
            assertThat(row.get("unitsAfter").asInt()).as(row.toString()).isBetween(expected, expected == 0 ? 0 : 342);
        }
    }

    @Test
    void move_guideBlock_movesTheBlockFromEveryShard() {
        JsonNode plan =
                CliRun.json("plan", "virtual", "--shards", "4", "--move", "800-999:shard_4", "--keys", "100000");

        assertThat(plan.at("/units/count").asInt()).isEqualTo(200);
        assertThat(plan.get("optimalFraction").asDouble()).isEqualTo(0.2);
        for (JsonNode row : plan.get("shards")) {
            int expected = row.get("shard").asText().equals("shard_4") ? 200 : 206;
            assertThat(row.get("unitsAfter").asInt()).as(row.toString()).isEqualTo(expected);
        }
    }

    @Test
    void move_fromOneShard_leavesTheShardsUneven() {
        JsonNode plan = CliRun.json(
                "plan",
                "virtual",
                "--shards",
                "4",
                "--move",
                "800-999:shard_4",
                "--from",
                "shard_0",
                "--keys",
                "100000");

        assertThat(plan.at("/units/count").asInt()).isEqualTo(50);
        assertThat(plan.get("ratio").asDouble()).isLessThan(0.3);
        assertThat(plan.get("largestOverMeanAfter").asDouble()).isGreaterThan(1.2);
        for (JsonNode flow : plan.at("/units/flows")) {
            assertThat(flow.get("from").asText()).isEqualTo("shard_0");
        }
    }

    @Test
    void table_isAlignedAndFitsEightyColumns() {
        CliRun run = CliRun.of("plan", "virtual", "--shards", "4", "--add", "shard_4");

        assertThat(run.exit()).isZero();
        assertThat(run.outLines())
                .allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
        assertThat(run.out())
                .contains("shard_4          0")
                .contains("total    1,000,000  1,000,000")
                .contains("optimum:  20.00% (1/5, the new shard's even share)")
                .contains("204 virtual shards move: shard_0 -> shard_4 (51)");
        int header = run.outLines()
                .indexOf(run.outLines().stream()
                        .filter(l -> l.startsWith("shard "))
                        .findFirst()
                        .orElseThrow());
        int width = run.outLines().get(header).length();
        for (int i = header + 1; i < header + 9; i++) {
            assertThat(run.outLines().get(i)).hasSize(width);
        }
    }

    @Test
    void plan_isDeterministicForASeed() {
        String[] args = {"plan", "virtual", "--shards", "4", "--add", "shard_4", "--keys", "20000", "--seed", "7"};

        assertThat(CliRun.of(args).out()).isEqualTo(CliRun.of(args).out());
        assertThat(CliRun.of(args).out())
                .isNotEqualTo(CliRun.of("plan", "virtual", "--shards", "4", "--add", "shard_4", "--keys", "20000")
                        .out());
    }
}
