package dev.reshard.cli;

import dev.reshard.cli.migrate.ConfigException;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.core.RoutingException;
import dev.reshard.migration.engine.MigrationRefusedException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns failures into lines on stderr and an exit code, without a stack trace unless it is a bug:
 *
 * <ul>
 *   <li>bad input (usage errors, values the core refuses, a refused config or migration) exits 2;
 *       a refusal with several reasons prints each on its own line;
 *   <li>a {@link ReshardException} (a migration that stopped: verification not clean, cutover over
 *       budget, a database error) exits 1 with its message;
 *   <li>anything else is an internal error and exits 1 with its stack trace.
 * </ul>
 */
final class ErrorHandler implements IParameterExceptionHandler, IExecutionExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String message = ex.getMessage().startsWith("Error: ") ? ex.getMessage().substring(7) : ex.getMessage();
        StringBuilder line = new StringBuilder("reshard: ").append(message);
        if (ex instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                line.append(" (did you mean ")
                        .append(String.join(" or ", suggestions))
                        .append("?)");
            }
        }
        line.append("; see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help'");
        return report(cmd.getErr(), line.toString(), ReshardCommand.BAD_INPUT);
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        if (ex instanceof MigrationRefusedException refused) {
            return reasons(err, refused.getMessage(), refused.reasons());
        }
        if (ex instanceof ConfigException refused) {
            return reasons(err, refused.getMessage(), refused.reasons());
        }
        if (ex instanceof InvalidInputException || ex instanceof UsageException || ex instanceof RoutingException) {
            return report(err, "reshard: " + ex.getMessage(), ReshardCommand.BAD_INPUT);
        }
        if (ex instanceof ReshardException) {
            return report(err, "reshard: " + ex.getMessage(), ReshardCommand.INTERNAL_ERROR);
        }
        err.println("reshard: internal error, please report it: " + ex);
        ex.printStackTrace(err);
        err.flush();
        return ReshardCommand.INTERNAL_ERROR;
    }

    /** The message's first line ({@code ... refused (2 reasons):}), then one line per reason. */
    private static int reasons(PrintWriter err, String message, List<InvalidInputException> reasons) {
        int newline = message.indexOf('\n');
        err.println("reshard: " + (newline < 0 ? message : message.substring(0, newline)));
        for (InvalidInputException reason : reasons) {
            err.println("  - " + reason.getMessage());
        }
        err.flush();
        return ReshardCommand.BAD_INPUT;
    }

    private static int report(PrintWriter err, String line, int exitCode) {
        err.println(line);
        err.flush();
        return exitCode;
    }
}
