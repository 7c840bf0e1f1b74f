package dev.reshard.cli.migrate;

import dev.reshard.catalog.SecretRef;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.migration.engine.MigratedTable;
import dev.reshard.migration.engine.MigrationOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code reshard migrate} configuration, as read and validated by {@link ConfigReader}: where
 * the catalog is, the shards (registered in the catalog when it does not know them), the sharded
 * tables that move, the engine's options, and warnings for the operator (e.g. a password file
 * every user may read). Immutable; every value in it was checked.
 */
record MigrateConfig(
        Path file,
        Catalog catalog,
        List<ShardConfig> shards,
        List<MigratedTable> tables,
        MigrationOptions options,
        List<String> warnings) {

    MigrateConfig {
        shards = List.copyOf(shards);
        tables = List.copyOf(tables);
        warnings = List.copyOf(warnings);
    }

    /** Where the catalog lives. */
    sealed interface Catalog permits Embedded, Jdbc {}

    /** The embedded H2 catalog in {@code dir} (the file {@code reshard-catalog.mv.db}). */
    record Embedded(Path dir) implements Catalog {
        Path file() {
            return dir.resolve("reshard-catalog.mv.db");
        }
    }

    /** A catalog in a database reached over JDBC (PostgreSQL in production). */
    record Jdbc(String url, String user, SecretRef password) implements Catalog {}
}
