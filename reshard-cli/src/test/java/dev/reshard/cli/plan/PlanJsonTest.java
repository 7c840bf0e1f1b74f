package dev.reshard.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.cli.CliRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlanJsonTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "plan ring --shards 4 --add shard_4",
                "plan virtual --shards 4 --add shard_4",
                "plan directory --shards 4 --move-tenants 5 --to shard_4",
                "plan range --ranges 0:1000000:shard_0,1000000::shard_1 --split-at 1500000 --to shard_2"
            })
    void json_hasEveryField(String command) {
        JsonNode plan = CliRun.json((command + " --keys 20000").split(" "));

        assertThat(plan.get("strategy").asText()).isEqualTo(command.split(" ")[1]);
        assertThat(plan.get("operation").asText()).isNotBlank();
        assertThat(plan.at("/keys/count").asLong()).isEqualTo(20000);
        assertThat(plan.at("/before/version").asLong()).isEqualTo(1);
        assertThat(plan.at("/after/version").asLong()).isEqualTo(2);
        assertThat(plan.get("shards").size()).isGreaterThanOrEqualTo(2);
        for (JsonNode row : plan.get("shards")) {
            assertThat(row.fieldNames())
                    .toIterable()
                    .contains("shard", "keysBefore", "keysAfter", "movedOut", "movedIn", "unitsBefore", "unitsAfter");
        }
        assertThat(plan.at("/totals/keysBefore").asLong()).isEqualTo(20000);
        assertThat(plan.at("/totals/keysAfter").asLong()).isEqualTo(20000);
        assertThat(plan.get("movedFraction").asDouble()).isBetween(0.0, 1.0);
        assertThat(plan.get("optimalFraction").asDouble()).isBetween(0.0, 1.0);
        assertThat(plan.get("optimalBasis").asText()).isNotBlank();
        assertThat(plan.get("ratio").isNumber()).isTrue();
        assertThat(plan.at("/units/count").asInt()).isPositive();
        assertThat(plan.at("/units/summary").asText()).contains(" move");
        assertThat(plan.at("/units/flows").isArray()).isTrue();
    }
}
