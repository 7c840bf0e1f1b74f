package dev.reshard.cli.migrate;

import dev.reshard.cli.ReshardCommand;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reshard migrate status [ID]}: migrations as the catalog records them. Reads only. */
@Command(
        name = "status",
        description = {
            "Show every migration (id, phase, map versions, progress, last error), or one in detail.",
            "Reads the catalog only; works while a migration runs elsewhere."
        })
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "one migration, in detail")
    String id;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        MigrateConfig cfg = config.read(spec);
        PrintWriter out = spec.commandLine().getOut();
        try (Orchestrator o = Orchestrator.reading(cfg)) {
            if (id != null) {
                var status = o.engine().status(id);
                if (json) {
                    out.print(StatusView.write(StatusView.json(status)));
                } else {
                    StatusView.detail(status, true).forEach(out::println);
                }
            } else {
                var all = o.engine().statuses();
                if (json) {
                    out.print(StatusView.write(StatusView.json(all)));
                } else {
                    StatusView.table(all).forEach(out::println);
                }
            }
        }
        out.flush();
        return ReshardCommand.OK;
    }
}
