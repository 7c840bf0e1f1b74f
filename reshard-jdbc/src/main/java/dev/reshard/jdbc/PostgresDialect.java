package dev.reshard.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * PostgreSQL: double-quoted names, {@code INSERT ... ON CONFLICT} on the primary key, sizes from
 * {@code pg_class}, counters from {@code pg_stat_all_tables}. Catalog functions are called
 * schema-qualified ({@code pg_catalog.}) so that a hostile {@code search_path} cannot replace them.
 */
final class PostgresDialect implements Dialect {
    static final PostgresDialect INSTANCE = new PostgresDialect();

    private PostgresDialect() {}

    @Override
    public Engine engine() {
        return Engine.POSTGRESQL;
    }

    @Override
    public String quote(String name) {
        return '"' + Identifier.requireValid("name", name).replace("\"", "\"\"") + '"';
    }

    @Override
    public String upsert(TableSpec table) {
        StringBuilder sql = new StringBuilder(insert(table)).append(" ON CONFLICT (");
        sql.append(columnList(table.primaryKey())).append(")");
        if (table.nonKeyColumns().isEmpty()) {
            return sql.append(" DO NOTHING").toString();
        }
        sql.append(" DO UPDATE SET ");
        String separator = "";
        for (String column : table.nonKeyColumns()) {
            sql.append(separator).append(quote(column)).append(" = EXCLUDED.").append(quote(column));
            separator = ", ";
        }
        return sql.toString();
    }

    @Override
    public String insertIfAbsent(TableSpec table) {
        return insert(table) + " ON CONFLICT (" + columnList(table.primaryKey()) + ") DO NOTHING";
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
                "SELECT pg_catalog.pg_total_relation_size(c.oid), c.reltuples::bigint FROM pg_catalog.pg_class c"
                        + " WHERE c.oid = pg_catalog.to_regclass(?)")) {
            statement.setString(1, quote(table.table()));
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("table " + table.table() + " does not exist", "42P01");
                }
                long bytes = rows.getLong(1);
                long estimate = rows.getLong(2);
                // reltuples is -1 until the table is first vacuumed or analyzed: count it once instead
                return new TableStats(bytes, estimate >= 0 ? estimate : count(connection, table));
            }
        }
    }

    private long count(Connection connection, TableSpec table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + quote(table.table()))) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Override
    public Optional<TableLoad> load(Connection connection, TableSpec table) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT n_tup_ins + n_tup_upd + n_tup_del,"
                + " COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0)"
                + " FROM pg_catalog.pg_stat_all_tables WHERE relid = pg_catalog.to_regclass(?)")) {
            statement.setString(1, quote(table.table()));
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(new TableLoad(rows.getLong(1), rows.getLong(2))) : Optional.empty();
            }
        }
    }
}
