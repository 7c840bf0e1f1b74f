package dev.reshard.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RingPlanTest {

    @ParameterizedTest
    @ValueSource(strings = {"long", "string", "uuid"})
    void add_balancedRing_movesItsShareAndOnlyIntoTheNewShard(String keyType) {
        JsonNode plan = CliRun.json(
                "plan",
                "ring",
                "--shards",
                "4",
                "--vnodes",
                "256",
                "--placement",
                "balanced",
                "--add",
                "shard_4",
                "--keys",
                "100000",
                "--key-type",
                keyType);

        assertThat(plan.get("optimalFraction").asDouble()).isEqualTo(0.2);
        assertThat(plan.get("ratio").asDouble()).isBetween(0.95, 1.05);
        assertThat(plan.at("/units/hashFraction").asDouble()).isCloseTo(0.2, within(0.005));
        for (JsonNode row : plan.get("shards")) {
            if (row.get("shard").asText().equals("shard_4")) {
                assertThat(row.get("movedIn").asLong())
                        .isEqualTo(plan.at("/totals/movedOut").asLong());
                assertThat(row.get("movedOut").asLong()).isZero();
            } else {
                assertThat(row.get("movedIn").asLong()).as(row.toString()).isZero();
            }
        }
        for (JsonNode flow : plan.at("/units/flows")) {
            assertThat(flow.get("to").asText()).isEqualTo("shard_4");
        }
    }

    @Test
    void add_weighted_optimumIsTheWeightedShare() {
        JsonNode plan =
                CliRun.json("plan", "ring", "--shards", "4", "--add", "shard_4", "--weight", "2", "--keys", "100000");

        assertThat(plan.get("optimalFraction").asDouble()).isCloseTo(2.0 / 6, within(1e-12));
        assertThat(plan.get("ratio").asDouble()).isBetween(0.95, 1.05);
        assertThat(plan.get("operation").asText()).isEqualTo("add shard_4 with weight 2");
    }

    @Test
    void remove_movesExactlyTheRemovedShardsKeys() {
        JsonNode plan = CliRun.json("plan", "ring", "--shards", "4", "--remove", "shard_2", "--keys", "100000");

        assertThat(plan.get("ratio").asDouble()).isEqualTo(1.0);
        for (JsonNode row : plan.get("shards")) {
            boolean removed = row.get("shard").asText().equals("shard_2");
            assertThat(row.get("movedOut").asLong() > 0).as(row.toString()).isEqualTo(removed);
            if (removed) {
                assertThat(row.get("keysAfter").asLong()).isZero();
                assertThat(row.get("unitsAfter").asInt()).isZero();
            }
        }
    }

    @Test
    void add_randomPlacement_movesOnlyIntoTheNewShard() {
        JsonNode plan = CliRun.json(
                "plan", "ring", "--shards", "8", "--placement", "random", "--add", "shard_8", "--keys", "100000");

        assertThat(plan.get("after").get("map").asText()).contains("random placement");
        for (JsonNode flow : plan.at("/units/flows")) {
            assertThat(flow.get("to").asText()).isEqualTo("shard_8");
        }
    }
}
