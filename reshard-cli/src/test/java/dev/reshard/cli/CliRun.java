package dev.reshard.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One in-process run of the {@code reshard} command line, with its exit code and output. */
public record CliRun(int exit, String out, String err) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static CliRun of(String... args) {
        var cmd = ReshardCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /** Runs {@code args} plus {@code --json} and parses the output. */
    public static JsonNode json(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--json");
        CliRun run = of(all.toArray(new String[0]));
        if (run.exit() != 0) {
            throw new AssertionError("exit " + run.exit() + ": " + run.err());
        }
        try {
            return JSON.readTree(run.out());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> outLines() {
        return out.lines().toList();
    }
}
