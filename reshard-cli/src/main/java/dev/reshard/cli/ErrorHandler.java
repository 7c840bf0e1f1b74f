package dev.reshard.cli;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.RoutingException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns failures into one line on stderr and an exit code: bad input (usage errors, values the core
 * refuses) exits 2 without a stack trace, anything else is an internal error and exits 1 with one.
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
        if (ex instanceof InvalidInputException || ex instanceof UsageException || ex instanceof RoutingException) {
            return report(err, "reshard: " + ex.getMessage(), ReshardCommand.BAD_INPUT);
        }
        err.println("reshard: internal error, please report it: " + ex);
        ex.printStackTrace(err);
        err.flush();
        return ReshardCommand.INTERNAL_ERROR;
    }

    private static int report(PrintWriter err, String line, int exitCode) {
        err.println(line);
        err.flush();
        return exitCode;
    }
}
