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
}
