package dev.reshard.cli.migrate;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reshard migrate resume ID}: continues a stopped or interrupted migration (or rollback). */
@Command(
        name = "resume",
        description = {
            "Continue a migration (or its rollback) from its last checkpoint: after a crash, a stop, an error,"
                    + " or --stop-before.",
            "Waits for the lease when another orchestrator held it and stopped renewing it."
        })
final class ResumeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "the migration to continue")
    String id;

    @Mixin
    ConfigOption config;

    @Mixin
    StopBeforeOption stop;

    @Override
    public Integer call() {
        return Drive.run(spec, config, stop, "migration " + id + ": resuming", (engine, cfg) -> engine.resume(id));
    }
}
