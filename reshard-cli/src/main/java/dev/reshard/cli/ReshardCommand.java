package dev.reshard.cli;

import dev.reshard.cli.demo.DemoCommand;
import dev.reshard.cli.migrate.CheckCommand;
import dev.reshard.cli.migrate.MapCommand;
import dev.reshard.cli.migrate.MigrateCommand;
import dev.reshard.cli.migrate.OverviewCommand;
import dev.reshard.cli.migrate.ShardsCommand;
import dev.reshard.cli.migrate.StatsCommand;
import dev.reshard.cli.plan.PlanCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code reshard} command. Subcommands are picocli commands listed in {@link Command#subcommands};
 * a new one ({@code check}, {@code serve}) is one class and one entry there.
 *
 * <p>Exit codes: 0 done; 2 bad input (a usage error, a value the core refuses as {@link
 * dev.reshard.core.InvalidInputException}, a refused config or migration), printed as {@code
 * reshard: <message>} on stderr, one line per reason; 1 a failure: a migration that stopped (its
 * message) or an internal error (with its stack trace). {@code reshard demo} also exits 1 when its
 * end state is not intact.
 */
@Command(
        name = "reshard",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionProvider.class,
        description = "Online shard rebalancing for sharded SQL databases.",
        subcommands = {
            DemoCommand.class,
            OverviewCommand.class,
            MigrateCommand.class,
            ShardsCommand.class,
            MapCommand.class,
            StatsCommand.class,
            CheckCommand.class,
            PlanCommand.class,
            HelpCommand.class
        })
public final class ReshardCommand implements Runnable {
    /** Exit code of a run that did what it was asked. */
    public static final int OK = 0;
    /** Exit code of an internal error: a bug, not the operator's input. */
    public static final int INTERNAL_ERROR = 1;
    /** Exit code of a usage error or a refused value. */
    public static final int BAD_INPUT = 2;

    @Spec
    CommandSpec spec;

    /** The command line with Reshard's error handling and exit codes, ready to {@code execute}. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new ReshardCommand());
        ErrorHandler errors = new ErrorHandler();
        cmd.setParameterExceptionHandler(errors);
        cmd.setExecutionExceptionHandler(errors);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setSubcommandsCaseInsensitive(true);
        return cmd;
    }

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing command; use one of " + spec.subcommands().keySet() + ", e.g. reshard demo");
    }
}
