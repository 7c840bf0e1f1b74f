package dev.reshard.jdbc;

import dev.reshard.core.ShardId;
import java.util.Objects;
import java.util.Optional;

/**
 * One difference the {@link SchemaCheck} found, with the shard, table and (where it is about one)
 * column it concerns, and a message that says what to fix.
 */
public record SchemaProblem(ShardId shard, String table, Optional<String> column, Kind kind, String message) {

    /** What is wrong. */
    public enum Kind {
        /** The table does not exist on the shard. */
        MISSING_TABLE,
        /** The table has no primary key on the shard. */
        NO_PRIMARY_KEY,
        /** The configured shard-key column does not exist on the shard. */
        MISSING_SHARD_KEY,
        /** A column of the reference shard is missing on this shard. */
        MISSING_COLUMN,
        /** This shard has a column the reference shard lacks. */
        EXTRA_COLUMN,
        /** A column's type differs from the reference shard's. */
        TYPE_MISMATCH,
        /** The primary-key columns differ from the reference shard's. */
        PRIMARY_KEY_MISMATCH
    }

    public SchemaProblem {
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return message;
    }
}
