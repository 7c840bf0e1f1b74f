package dev.reshard.cli.migrate;

import dev.reshard.migration.engine.MigrationRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reshard migrate start}: checks, records and runs a migration between two published maps. */
@Command(
        name = "start",
        sortOptions = false,
        description = {
            "Start a migration from the map routers use now (--from) to a published target map (--to), and"
                    + " run it to the end (or to --stop-before).",
            "Pre-flight refuses it, writing nothing, when a map version is not published, a shard is unknown"
                    + " or unreachable, the tables differ between shards, or a target would exceed its capacity.",
            "Stopping it (Ctrl-C, kill) is safe: `reshard migrate resume ID` continues from its checkpoints."
        })
final class StartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--id",
            required = true,
            paramLabel = "ID",
            description = "the migration's id: letters, digits, '_', '-', '.'")
    String id;

    @Option(names = "--from", required = true, paramLabel = "VERSION", description = "the map version routers use now")
    long from;

    @Option(names = "--to", required = true, paramLabel = "VERSION", description = "the published target map version")
    long to;

    @Mixin
    ConfigOption config;

    @Mixin
    StopBeforeOption stop;

    @Override
    public Integer call() {
        return Drive.run(
                spec,
                config,
                stop,
                "migration " + id + ": v" + from + " -> v" + to,
                (engine, cfg) -> engine.start(new MigrationRequest(id, from, to, cfg.tables())));
    }
}
