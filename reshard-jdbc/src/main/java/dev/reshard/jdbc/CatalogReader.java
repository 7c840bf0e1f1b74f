package dev.reshard.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads tables, columns and primary keys through {@link DatabaseMetaData}, which all three drivers
 * implement well. PostgreSQL and H2 name the namespace a schema; MariaDB names it a catalog (the
 * database).
 */
final class CatalogReader {
    private CatalogReader() {}

    /** The connection's current schema (PostgreSQL, H2) or database (MariaDB). */
    static String currentSchema(Connection connection, Engine engine) throws SQLException {
        String schema = engine == Engine.MARIADB ? connection.getCatalog() : connection.getSchema();
        if (schema == null) {
            throw new SQLException("the connection has no current " + (engine == Engine.MARIADB ? "database" : "schema")
                    + "; connect to a database or qualify the table name");
        }
        return schema;
    }

    static Optional<TableMetadata> describe(Connection connection, Engine engine, Identifier table)
            throws SQLException {
        DatabaseMetaData metaData = connection.getMetaData();
        String escape = metaData.getSearchStringEscape();
        Set<String> schemas = table.schema().isPresent()
                ? spellings(table.schema().get())
                : Set.of(currentSchema(connection, engine));
        for (String schema : schemas) {
            for (String name : spellings(table.name())) {
                if (exists(metaData, engine, schema, name, escape)) {
                    return Optional.of(read(metaData, engine, schema, name, escape));
                }
            }
        }
        return Optional.empty();
    }

    private static Set<String> spellings(String name) {
        Set<String> spellings = new LinkedHashSet<>();
        spellings.add(name);
        spellings.add(name.toUpperCase(Locale.ROOT));
        spellings.add(name.toLowerCase(Locale.ROOT));
        return spellings;
    }

    private static boolean exists(DatabaseMetaData metaData, Engine engine, String schema, String name, String escape)
            throws SQLException {
        try (ResultSet tables = metaData.getTables(
                catalog(engine, schema), schemaPattern(engine, schema, escape), pattern(name, escape), null)) {
            while (tables.next()) {
                if (name.equals(tables.getString("TABLE_NAME"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static TableMetadata read(
            DatabaseMetaData metaData, Engine engine, String schema, String name, String escape) throws SQLException {
        TreeMap<Integer, Column> columns = new TreeMap<>();
        try (ResultSet rows = metaData.getColumns(
                catalog(engine, schema), schemaPattern(engine, schema, escape), pattern(name, escape), null)) {
            while (rows.next()) {
                if (!name.equals(rows.getString("TABLE_NAME"))) {
                    continue;
                }
                columns.put(
                        rows.getInt("ORDINAL_POSITION"),
                        new Column(
                                rows.getString("COLUMN_NAME"),
                                typeOf(rows),
                                rows.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls));
            }
        }
        TreeMap<Short, String> key = new TreeMap<>();
        try (ResultSet rows =
                metaData.getPrimaryKeys(catalog(engine, schema), engine == Engine.MARIADB ? null : schema, name)) {
            while (rows.next()) {
                key.put(rows.getShort("KEY_SEQ"), rows.getString("COLUMN_NAME"));
            }
        }
        return new TableMetadata(
                Identifier.qualified(schema, name), new ArrayList<>(columns.values()), List.copyOf(key.values()));
    }

    private static String typeOf(ResultSet column) throws SQLException {
        String name = column.getString("TYPE_NAME").toLowerCase(Locale.ROOT);
        int size = column.getInt("COLUMN_SIZE");
        return switch (column.getInt("DATA_TYPE")) {
            case Types.CHAR, Types.VARCHAR, Types.NCHAR, Types.NVARCHAR, Types.BINARY, Types.VARBINARY ->
                size > 0 && size < Integer.MAX_VALUE ? name + "(" + size + ")" : name;
            case Types.DECIMAL, Types.NUMERIC -> name + "(" + size + "," + column.getInt("DECIMAL_DIGITS") + ")";
            default -> name;
        };
    }

    private static String catalog(Engine engine, String schema) {
        return engine == Engine.MARIADB ? schema : null;
    }

    private static String schemaPattern(Engine engine, String schema, String escape) {
        return engine == Engine.MARIADB ? null : pattern(schema, escape);
    }

    /** Escapes the pattern characters {@code _} and {@code %}, so a name matches only itself. */
    private static String pattern(String name, String escape) {
        if (escape == null || escape.isEmpty()) {
            return name;
        }
        return name.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
    }
}
