package dev.reshard.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * H2 2.x: double-quoted names, {@code MERGE INTO ... KEY} for upsert and {@code MERGE ... WHEN NOT
 * MATCHED} for insert-if-absent. Sizes come from {@code DISK_SPACE_USED} (or, where it reports
 * nothing, the row count times {@link #ASSUMED_ROW_BYTES}) and a row count; H2 keeps no per-table
 * load counters.
 */
final class H2Dialect implements Dialect {
    static final H2Dialect INSTANCE = new H2Dialect();

    /**
     * Bytes per row assumed when H2 reports no disk space (in-memory databases, small tables): the
     * ~200 B/row measured for a typical users table with its primary key on PostgreSQL.
     */
    static final long ASSUMED_ROW_BYTES = 200;

    private H2Dialect() {}

    @Override
    public Engine engine() {
        return Engine.H2;
    }

    @Override
    public String quote(String name) {
        return '"' + Identifier.requireValid("name", name).replace("\"", "\"\"") + '"';
    }

    @Override
    public String upsert(TableSpec table) {
        return "MERGE INTO " + quote(table.table()) + " (" + columnList(table.columns()) + ") KEY ("
                + columnList(table.primaryKey()) + ") VALUES ("
                + "?, ".repeat(table.columns().size() - 1) + "?)";
    }

    @Override
    public String insertIfAbsent(TableSpec table) {
        StringBuilder sql =
                new StringBuilder("MERGE INTO ").append(quote(table.table())).append(" t USING (VALUES (");
        sql.append("?, ".repeat(table.columns().size() - 1)).append("?)) s (").append(columnList(table.columns()));
        sql.append(") ON ");
        String separator = "";
        for (String column : table.primaryKey()) {
            sql.append(separator)
                    .append("t.")
                    .append(quote(column))
                    .append(" = s.")
                    .append(quote(column));
            separator = " AND ";
        }
        sql.append(" WHEN NOT MATCHED THEN INSERT (")
                .append(columnList(table.columns()))
                .append(") VALUES (");
        separator = "";
        for (String column : table.columns()) {
            sql.append(separator).append("s.").append(quote(column));
            separator = ", ";
        }
        return sql.append(")").toString();
    }

    @Override
    public Optional<TableMetadata> describe(Connection connection, Identifier table) throws SQLException {
        return CatalogReader.describe(connection, engine(), table);
    }

    @Override
    public TableStats stats(Connection connection, TableSpec table) throws SQLException {
        long rows;
        try (PreparedStatement statement =
                connection.prepareStatement("SELECT COUNT(*) FROM " + quote(table.table()))) {
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                rows = result.getLong(1);
            }
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT DISK_SPACE_USED(?)")) {
            statement.setString(1, quote(table.table()));
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                long bytes = result.getLong(1);
                return new TableStats(bytes > 0 ? bytes : rows * ASSUMED_ROW_BYTES, rows);
            }
        }
    }

    @Override
    public Optional<TableLoad> load(Connection connection, TableSpec table) {
        return Optional.empty();
    }
}
