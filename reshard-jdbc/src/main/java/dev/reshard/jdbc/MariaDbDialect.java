package dev.reshard.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * MariaDB (and MySQL for everything but change capture): backtick-quoted names (Reshard does not
 * assume {@code ANSI_QUOTES}), {@code INSERT ... ON DUPLICATE KEY UPDATE} for both upsert and
 * insert-if-absent, sizes from {@code information_schema.tables}, counters from {@code
 * information_schema.table_statistics} when the server runs with {@code userstat=ON}.
 */
final class MariaDbDialect implements Dialect {
    static final MariaDbDialect INSTANCE = new MariaDbDialect();

    private MariaDbDialect() {}

    @Override
    public Engine engine() {
        return Engine.MARIADB;
    }

    @Override
    public String quote(String name) {
        return '`' + Identifier.requireValid("name", name).replace("`", "``") + '`';
    }

    @Override
    public String upsert(TableSpec table) {
        if (table.nonKeyColumns().isEmpty()) {
            return insertIfAbsent(table);
        }
        StringBuilder sql = new StringBuilder(insert(table)).append(" ON DUPLICATE KEY UPDATE ");
        String separator = "";
        for (String column : table.nonKeyColumns()) {
            sql.append(separator)
                    .append(quote(column))
                    .append(" = VALUES(")
                    .append(quote(column))
                    .append(")");
            separator = ", ";
        }
        return sql.toString();
    }

    /** {@code ON DUPLICATE KEY UPDATE pk = pk}: a no-op on conflict, unlike INSERT IGNORE it hides no errors. */
    @Override
    public String insertIfAbsent(TableSpec table) {
        String key = quote(table.primaryKey().get(0));
        return insert(table) + " ON DUPLICATE KEY UPDATE " + key + " = " + key;
    }

    private String insert(TableSpec table) {
        return "INSERT INTO " + quote(table.table()) + " (" + columnList(table.columns()) + ") VALUES ("
                + "?, ".repeat(table.columns().size() - 1) + "?)";
    }

    @Override
    public Optional<TableMetadata> describe(Connection connection, Identifier table) throws SQLException {
        return CatalogReader.describe(connection, engine(), table);
    }

    @Override
    public TableStats stats(Connection connection, TableSpec table) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT COALESCE(data_length, 0) + COALESCE(index_length, 0), COALESCE(table_rows, 0)"
                        + " FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
            bindName(statement, connection, table);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("table " + table.table() + " does not exist", "42S02");
                }
                return new TableStats(rows.getLong(1), rows.getLong(2));
            }
        }
    }

    @Override
    public Optional<TableLoad> load(Connection connection, TableSpec table) throws SQLException {
        try (PreparedStatement statement =
                connection.prepareStatement("SELECT rows_changed, rows_read FROM information_schema.table_statistics"
                        + " WHERE table_schema = ? AND table_name = ?")) {
            bindName(statement, connection, table);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(new TableLoad(rows.getLong(1), rows.getLong(2))) : Optional.empty();
            }
        }
    }

    private void bindName(PreparedStatement statement, Connection connection, TableSpec table) throws SQLException {
        statement.setString(1, table.table().schema().orElse(CatalogReader.currentSchema(connection, engine())));
        statement.setString(2, table.table().name());
    }
}
