package dev.reshard.router;

import dev.reshard.core.InvalidInputException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A sharded table as the router knows it: its name, the column holding the shard key, and the
 * primary-key columns. Tables that share a shard key move together. Names are validated here and
 * quoted by the shard's dialect; none reaches SQL as written.
 */
public record ShardedTable(String name, String shardKey, List<String> primaryKey) {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    public ShardedTable {
        requireIdentifier("tables[" + name + "].name", name);
        requireIdentifier("tables[" + name + "].shardKey", shardKey);
        InvalidInputException.require(
                primaryKey != null && !primaryKey.isEmpty(),
                "tables[" + name + "].primaryKey",
                "[]",
                "is empty",
                "name the primary-key column(s), e.g. [id]");
        for (int i = 0; i < primaryKey.size(); i++) {
            requireIdentifier("tables[" + name + "].primaryKey[" + i + "]", primaryKey.get(i));
        }
        primaryKey = List.copyOf(primaryKey);
    }

    /** The position of the shard-key column in the primary key, or -1 when it is not part of it. */
    public int shardKeyIndexInPrimaryKey() {
        for (int i = 0; i < primaryKey.size(); i++) {
            if (primaryKey.get(i).equalsIgnoreCase(shardKey)) {
                return i;
            }
        }
        return -1;
    }

    public static ShardedTable of(String name, String shardKey, String... primaryKey) {
        return new ShardedTable(name, shardKey, List.of(primaryKey));
    }

    private static void requireIdentifier(String field, String value) {
        InvalidInputException.require(
                value != null && IDENTIFIER.matcher(value).matches(),
                field,
                value,
                "is not a plain SQL identifier",
                "use letters, digits and '_', starting with a letter or '_', at most 63 characters");
    }
}
