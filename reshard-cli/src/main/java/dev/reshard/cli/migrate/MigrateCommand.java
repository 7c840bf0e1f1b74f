package dev.reshard.cli.migrate;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code reshard migrate}: runs and inspects online migrations recorded in the catalog, configured
 * by one YAML file ({@link ConfigReader}). The shard maps are published beforehand ({@code reshard
 * map}, or the application's {@code Catalog.publish}); a migration moves the rows from one published version to
 * another.
 */
@Command(
        name = "migrate",
        description = {
            "Run and inspect online migrations between published shard map versions.",
            "The configuration (--config, default reshard.yaml) names the catalog, the shards, the tables"
                    + " that move and the engine's options; it is checked before anything is written."
        },
        subcommands = {StartCommand.class, StatusCommand.class, ResumeCommand.class, RollbackCommand.class})
public final class MigrateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing subcommand; use one of " + spec.subcommands().keySet()
                        + ", e.g. reshard migrate start --id m1 --from 1 --to 2");
    }
}
