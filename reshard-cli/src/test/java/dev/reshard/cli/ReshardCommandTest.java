package dev.reshard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ReshardCommandTest {

    @Test
    void version_printsTheProjectVersion() {
        CliRun run = CliRun.of("--version");

        assertThat(run.exit()).isZero();
        assertThat(run.outLines().get(0)).matches("reshard \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void help_listsThePlanCommand() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("Usage: reshard").contains("plan");
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
}
