package dev.reshard.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.cli.CliRun;
import dev.reshard.cli.ReshardCommand;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlanBadInputTest {
    private static final String RANGES = "0:1000000:shard_0,1000000:2000000:shard_1,2000000::shard_2";

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "plan foo --shards 4                                      | STRATEGY | \"foo\" is not a strategy",
                "plan                                                     | strategy | use one of [ring, virtual",
                "plan ring --shards 4 --add shard_3                       | --add: | \"shard_3\" is already a shard",
                "plan virtual --shards 4 --add shard_0                    | --add: | \"shard_0\" is already a shard",
                "plan ring --shards 4 --remove shard_9                    | --remove: | \"shard_9\" is not a shard",
                "plan virtual --shards 4 --remove shard_9                 | --remove: | \"shard_9\" is not a shard",
                "plan virtual --shards 4 --vshards 2 --add shard_4        | --vshards: | 2 is fewer than the 4",
                "plan virtual --shards 4 --vshards 4 --add shard_4        | --vshards: | 4 is fewer than the 5",
                "plan range --ranges 0:1000000:shard_0,500000::shard_1 --split-at 100 --to s | --ranges: | 500000 overlaps",
                "plan range --ranges " + RANGES
                        + " --split-at 9000000 --to shard_3 --key-range 0:3000000 | --split-at: | outside",
                "plan range --ranges " + RANGES
                        + " --split-at 5 --to shard_3 --key-range -10:300 | --key-range: | starts below the first range",
                "plan range --ranges " + RANGES
                        + " --split-at 1000000 --to shard_3 | --split-at: | is the start of range",
                "plan range --ranges " + RANGES + " --split-at 1500000 --to shard_1 | --to: | already owns",
                "plan range --ranges " + RANGES + " --merge-at 5 | --merge-at: | not a boundary",
                "plan virtual --shards 4 --move 5:shard_1                 | --move: | already owns virtual shard 5",
                "plan directory --shards 4 --tenant 1 --to shard_1        | --to: | already on",
                "plan ring --shards 4 --add shard_4 --weight 0            | --weight: | must be greater than 0",
                "plan ring --shards 4 --add shard_4 --weight -2           | --weight: | must be greater than 0",
                "plan ring --shards 4 --add shard_4 --keys 0              | --keys: | must be greater than 0",
                "plan ring --shards 4 --add shard_4 --keys -1             | --keys: | must be greater than 0",
                "plan ring --shards 4 --add 4x                            | '--add' | not a valid shard id",
                "plan ring --shards 32767 --add shard_x                   | --shards: | makes a ring of 8388608 points",
                "plan directory --tenants 10000000 --shards 4 --move-tenants 10000000 --to shard_1 | --move-tenants: | is more than a plan moves (100000)",
                "plan ring --shards 4 --add shard_4 --remove shard_1      | --add=SHARD, --remove=SHARD | mutually exclusive",
                "plan ring --shards 0 --add shard_4                       | --shards: | must be at least 1",
                "plan virtual --shards 4 --key-type text --add shard_4    | '--key-type' | use one of [long, string, uuid]",
                "plan range --ranges " + RANGES
                        + " --split-at 1500000 --to s --key-type uuid | --key-type: | does not apply",
                "plan directory --shards 4 --tenant 10000 --to shard_4    | --tenant: | is not a tenant",
            })
    void badInput_exits2WithOneLineNamingTheOption(String command, String option, String problem) {
        CliRun run = CliRun.of(command.trim().split("\\s+"));

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err()).startsWith("reshard: ").contains(option.trim()).contains(problem.trim());
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
