package dev.reshard.migration.engine;

import dev.reshard.core.InvalidInputException;
import java.util.Locale;

/**
 * A sharded table a migration moves: its name as configured (optionally schema-qualified) and its
 * shard-key column. The primary key is read from each shard. Tables that share a shard key move
 * together in one migration.
 */
public record MigratedTable(String name, String shardKey) {
    public MigratedTable {
        InvalidInputException.require(
                name != null && !name.isBlank(), "tables[].name", name, "is empty", "name a sharded table");
        InvalidInputException.require(
                shardKey != null && !shardKey.isBlank(),
                "tables[" + name + "].shardKey",
                shardKey,
                "is empty",
                "name the table's shard-key column");
    }

    /** The lower-case name the engine keys tables by (and the changelog records). */
    public String key() {
        int dot = name.lastIndexOf('.');
        return (dot < 0 ? name : name.substring(dot + 1)).toLowerCase(Locale.ROOT);
    }
}
