package dev.reshard.cli.migrate;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config} option every {@code reshard migrate} subcommand takes. */
final class ConfigOption {
    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            defaultValue = "reshard.yaml",
            description = "the YAML configuration: catalog, shards, tables, options (default: ${DEFAULT-VALUE})")
    Path file;

    MigrateConfig read() {
        return ConfigReader.read(file);
    }

    /** {@link #read()}, with the config's warnings (e.g. a password file every user may read) on stderr. */
    MigrateConfig read(picocli.CommandLine.Model.CommandSpec spec) {
        MigrateConfig cfg = read();
        cfg.warnings().forEach(w -> spec.commandLine().getErr().println("reshard: warning: " + w));
        return cfg;
    }
}
