package dev.reshard.jdbc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One table as the database catalog describes it: name with its schema, columns in ordinal order,
 * and primary-key columns in key order (empty when the table has no primary key).
 */
public record TableMetadata(Identifier table, List<Column> columns, List<String> primaryKey) {
    public TableMetadata {
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    /** The column named {@code name}, matched exactly first, then ignoring case. */
    public Optional<Column> column(String name) {
        for (Column column : columns) {
            if (column.name().equals(name)) {
                return Optional.of(column);
            }
        }
        return columns.stream()
                .filter(column -> column.name().equalsIgnoreCase(name))
                .findFirst();
    }

    /** The column names in ordinal order. */
    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }
}
