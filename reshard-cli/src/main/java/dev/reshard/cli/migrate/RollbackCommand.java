package dev.reshard.cli.migrate;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reshard migrate rollback ID}: returns a migration to its old layout. */
@Command(
        name = "rollback",
        description = {
            "Roll a migration back to the old map, from any phase before CLEANUP (the point of no return):"
                    + " after cutover the new shards' changes are replayed to the old ones first.",
            "A migration in CLEANUP or DONE is refused; move the keys back with a new migration instead."
        })
final class RollbackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "the migration to roll back")
    String id;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        return Drive.run(spec, config, "migration " + id + ": rolling back", (engine, cfg) -> engine.rollback(id));
    }
}
