package dev.reshard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.migration.engine.MigrationRefusedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReshardCommandTest {

    @Test
    void version_printsTheProjectVersion() {
        CliRun run = CliRun.of("--version");

        assertThat(run.exit()).isZero();
        assertThat(run.outLines().get(0)).matches("reshard \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void help_listsTheCommands() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("Usage: reshard").contains("demo", "migrate", "plan");
    }

    @Test
    void planHelp_listsTheFourStrategies() {
        CliRun run = CliRun.of("plan", "--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("ring", "virtual", "directory", "range");
    }

    @Test
    void noCommand_isBadInput() {
        CliRun run = CliRun.of();

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err()).startsWith("reshard: missing command").contains("plan");
    }

    @Test
    void unknownCommand_isBadInputWithoutStackTrace() {
        CliRun run = CliRun.of("rebalance");

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err()).startsWith("reshard: ").contains("rebalance");
    }

    @Test
    void internalError_exits1WithItsStackTrace() {
        var cmd = ReshardCommand.commandLine();
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));

        int exit = new ErrorHandler().handleExecutionException(new IllegalStateException("boom"), cmd, null);

        assertThat(exit).isEqualTo(ReshardCommand.INTERNAL_ERROR);
        assertThat(err.toString())
                .startsWith("reshard: internal error")
                .contains("boom")
                .contains("\tat ");
    }

    @Test
    void refusedMigration_exits2_withEachReasonOnItsOwnLine() {
        String err = handle(new MigrationRefusedException(
                "migration m1",
                List.of(
                        InvalidInputException.of("to", 7, "is not a published map version", "use 1..2"),
                        InvalidInputException.of("shards[shard_2]", "shard_2", "is not reachable", "start it"))));

        assertThat(err.lines())
                .containsExactly(
                        "exit 2",
                        "reshard: migration m1 refused (2 reasons):",
                        "  - to: 7 is not a published map version; use 1..2",
                        "  - shards[shard_2]: \"shard_2\" is not reachable; start it");
    }

    @Test
    void stoppedMigration_exits1_withItsMessageAndNoStackTrace() {
        String err = handle(new ReshardException("cutover of m1 did not fit its budget of 1000 ms in 3 attempts"));

        assertThat(err.lines())
                .containsExactly("exit 1", "reshard: cutover of m1 did not fit its budget of 1000 ms in 3 attempts");
    }

    private static String handle(Exception e) {
        var cmd = ReshardCommand.commandLine();
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        int exit = new ErrorHandler().handleExecutionException(e, cmd, null);
        return "exit " + exit + System.lineSeparator() + err;
    }
}
