package dev.reshard.jdbc;

import dev.reshard.core.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A sharded table as Reshard reads and writes it: its name, shard-key column, primary-key columns
 * (in key order) and every column (in the database's ordinal order). All names are valid {@link
 * Identifier}s in the case the database stores them; build one from the catalog with {@link
 * Dialect#tableSpec} so the names match what is there.
 *
 * <p>Statements from {@link Dialect} bind values in the orders given here: {@link #columns()} for
 * writes of whole rows, {@link #primaryKey()} for keys.
 */
public record TableSpec(Identifier table, String shardKey, List<String> primaryKey, List<String> columns) {
    public TableSpec {
        Objects.requireNonNull(table, "table");
        primaryKey = List.copyOf(primaryKey);
        columns = List.copyOf(columns);
        Identifier.requireValid("tables[" + table + "].shardKey", shardKey);
        Set<String> seen = new HashSet<>();
        for (String column : columns) {
            Identifier.requireValid("tables[" + table + "].columns", column);
            InvalidInputException.require(
                    seen.add(column),
                    "tables[" + table + "].columns",
                    column,
                    "is listed twice",
                    "list each column once");
        }
        InvalidInputException.require(
                !primaryKey.isEmpty(),
                "tables[" + table + "].primaryKey",
                table.toString(),
                "has no primary key",
                "give the table a primary key; Reshard moves, locks and verifies rows by primary key");
        for (String column : primaryKey) {
            InvalidInputException.require(
                    seen.contains(column),
                    "tables[" + table + "].primaryKey",
                    column,
                    "is not a column of the table",
                    "use columns of " + table + ": " + String.join(", ", columns));
        }
        InvalidInputException.require(
                seen.contains(shardKey),
                "tables[" + table + "].shardKey",
                shardKey,
                "is not a column of the table",
                "use a column of " + table + ": " + String.join(", ", columns));
    }

    /**
     * The spec for {@code metadata} with shard key {@code shardKey} (matched to the catalog's case).
     *
     * @throws InvalidInputException when the shard key is not a column or the table has no primary
     *     key
     */
    public static TableSpec of(TableMetadata metadata, String shardKey) {
        String field = "tables[" + metadata.table() + "].shardKey";
        Identifier.requireValid(field, shardKey);
        String column = metadata.column(shardKey)
                .orElseThrow(() -> InvalidInputException.of(
                        field,
                        shardKey,
                        "is not a column of " + metadata.table(),
                        "use one of " + String.join(", ", metadata.columnNames())))
                .name();
        return new TableSpec(metadata.table(), column, metadata.primaryKey(), metadata.columnNames());
    }

    /** The columns that are not part of the primary key, in column order. */
    public List<String> nonKeyColumns() {
        return columns.stream().filter(column -> !primaryKey.contains(column)).toList();
    }
}
