package dev.reshard.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.cli.CliRun;
import dev.reshard.cli.ReshardCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code reshard demo} end to end, small: every strategy migrates under writers and the end state,
 * read from every shard, matches the writers' ledger.
 */
class DemoCommandIT {

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "ring", "directory", "range"})
    void demo_eachStrategy_endsDoneAndIntact(String strategy) {
        CliRun run = CliRun.of("demo", "--strategy", strategy, "--users", "2000");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("reshard demo: " + strategy + " strategy")
                .contains("DONE")
                .contains("lost 0,", "resurrected 0,", "duplicated 0,", "misplaced 0,", "unknown 0")
                .contains("0 stale reads")
                .contains("OK: migration DONE");
        assertThat(run.outLines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(100));
    }

    @Test
    void demo_json_isOneObjectWithTheIntegrityCheck() throws IOException {
        JsonNode result = CliRun.json("demo", "--users", "3000", "--orders-per-user", "2", "--keep");
        Path dir = Path.of(result.at("/setup/directory").asText());
        try {
            assertThat(result.get("ok").asBoolean()).isTrue();
            assertThat(result.at("/loaded/rows").asLong()).isEqualTo(9000);
            assertThat(result.at("/migration/phase").asText()).isEqualTo("DONE");
            assertThat(result.at("/migration/report/verification/clean").asBoolean())
                    .isTrue();
            assertThat(result.at("/migration/phaseMillis").has("BACKFILL")).isTrue();
            assertThat(result.at("/integrity/intact").asBoolean()).isTrue();
            assertThat(result.at("/integrity/lost").asLong()).isZero();
            assertThat(result.at("/integrity/acknowledged").asLong()).isGreaterThanOrEqualTo(9000);
            assertThat(result.at("/writers/ops").asLong()).isPositive();
            assertThat(dir.resolve("shard_2.mv.db")).exists();
            assertThat(dir.resolve("backup")).isDirectory();
        } finally {
            deleteTree(dir);
        }
    }

    @Test
    void demo_withoutWriters_stillMigrates() {
        CliRun run = CliRun.of("demo", "--users", "500", "--writers", "0");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("lost 0,").contains("0 ops");
    }

    @Test
    void demo_tooFewUsers_isBadInput() {
        CliRun run = CliRun.of("demo", "--users", "5");

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err()).startsWith("reshard: --users: 5 is not between 100");
    }

    @Test
    void demo_unknownStrategy_namesTheFour() {
        CliRun run = CliRun.of("demo", "--strategy", "modulo");

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err()).contains("modulo").contains("[ring, virtual, directory, range]");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
