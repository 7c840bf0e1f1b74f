package dev.reshard.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.cli.CliRun;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DirectoryPlanTest {

    @Test
    void moveLargest_movesExactlyTheKeysOfTheLargestTenants() {
        JsonNode plan = CliRun.json(
                "plan",
                "directory",
                "--shards",
                "4",
                "--tenants",
                "10000",
                "--move-tenants",
                "5",
                "--to",
                "shard_4",
                "--keys",
                "100000");

        TenantKeys keys = TenantKeys.draw(10000, 1.0, KeyType.LONG, 100000, 42);
        List<Integer> largest = IntStream.range(0, 10000)
                .boxed()
                .sorted(Comparator.comparingLong((Integer t) -> keys.rows(t))
                        .reversed()
                        .thenComparing(t -> t))
                .limit(5)
                .toList();
        long rows = largest.stream().mapToLong(keys::rows).sum();
        List<String> moved = new ArrayList<>();
        plan.at("/units/listed").forEach(m -> moved.add(m.asText().replaceAll("tenant (\\d+):.*", "$1")));

        assertThat(moved)
                .containsExactlyInAnyOrderElementsOf(
                        largest.stream().map(String::valueOf).toList());
        assertThat(plan.at("/totals/movedOut").asLong()).isEqualTo(rows);
        assertThat(plan.get("ratio").asDouble()).isEqualTo(1.0);
        assertThat(plan.at("/units/kind").asText()).isEqualTo("tenants");
        int tenants = 0;
        for (JsonNode row : plan.get("shards")) {
            boolean target = row.get("shard").asText().equals("shard_4");
            assertThat(row.get("movedIn").asLong()).isEqualTo(target ? rows : 0);
            tenants += row.get("unitsAfter").asInt();
            if (target) {
                assertThat(row.get("unitsAfter").asInt()).isEqualTo(5);
            }
        }
        assertThat(tenants).isEqualTo(10000);
    }

    @Test
    void moveListed_movesOnlyThoseTenants() {
        JsonNode plan = CliRun.json(
                "plan",
                "directory",
                "--shards",
                "4",
                "--tenant",
                "17",
                "--tenant",
                "42",
                "--to",
                "shard_3",
                "--keys",
                "100000");

        assertThat(plan.at("/units/listed").toString())
                .contains("tenant 17: shard_1 -> shard_3")
                .contains("tenant 42: shard_2 -> shard_3");
        assertThat(plan.get("ratio").asDouble()).isEqualTo(1.0);
        assertThat(plan.get("movedFraction").asDouble())
                .isEqualTo(plan.get("optimalFraction").asDouble());
    }

    @Test
    void moveLargestOfOneShard_choosesOnlyItsTenants() {
        JsonNode plan = CliRun.json(
                "plan",
                "directory",
                "--shard-ids",
                "a,b,c",
                "--listing",
                "hash",
                "--key-type",
                "string",
                "--move-tenants",
                "3",
                "--from",
                "b",
                "--to",
                "d",
                "--keys",
                "50000");

        assertThat(plan.at("/units/count").asInt()).isEqualTo(3);
        for (JsonNode flow : plan.at("/units/flows")) {
            assertThat(flow.get("from").asText()).isEqualTo("b");
            assertThat(flow.get("to").asText()).isEqualTo("d");
        }
        assertThat(plan.get("ratio").asDouble()).isEqualTo(1.0);
    }
}
