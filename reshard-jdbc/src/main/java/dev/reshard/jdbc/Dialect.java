package dev.reshard.jdbc;

import dev.reshard.core.InvalidInputException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Everything Reshard says in SQL to one engine: quoting, row statements for a {@link TableSpec},
 * table metadata and size statistics. One final implementation per {@link Engine}.
 *
 * <p>Names: every name is quoted, and names from configuration are first checked by {@link
 * Identifier}. Values are always bind parameters; the statements below document their order.
 *
 * <p>Statement texts are pure functions of the spec: cache them per table, not per call.
 */
public interface Dialect {

    /** The dialect for {@code engine}. */
    static Dialect of(Engine engine) {
        return switch (engine) {
            case POSTGRESQL -> PostgresDialect.INSTANCE;
            case MARIADB -> MariaDbDialect.INSTANCE;
            case H2 -> H2Dialect.INSTANCE;
        };
    }

    /** The dialect for the engine behind {@code connection}. */
    static Dialect of(Connection connection) throws SQLException {
        return of(Engine.detect(connection));
    }

    Engine engine();

    /**
     * One name, quoted for this engine. The name must be a valid {@link Identifier} part.
     *
     * @throws InvalidInputException when it is not
     */
    String quote(String name);

    /** A possibly schema-qualified name, each part quoted. */
    default String quote(Identifier name) {
        return name.schema()
                .map(schema -> quote(schema) + "." + quote(name.name()))
                .orElseGet(() -> quote(name.name()));
    }

    /**
     * Inserts a row, or replaces the non-key columns of the row with the same primary key. Binds
     * {@link TableSpec#columns()} in order. On MariaDB a conflict on any unique key (not only the
     * primary key) also turns into the update.
     */
    String upsert(TableSpec table);

    /**
     * Inserts a row unless one with the same primary key exists (then changes nothing). Binds
     * {@link TableSpec#columns()} in order. Never {@code INSERT IGNORE}: that also hides errors and
     * coerces bad values on MariaDB.
     */
    String insertIfAbsent(TableSpec table);

    /** Deletes the row with a primary key. Binds {@link TableSpec#primaryKey()} in order. */
    default String deleteByKey(TableSpec table) {
        return "DELETE FROM " + quote(table.table()) + " WHERE " + keyPredicate(table);
    }

    /**
     * Selects every column of the rows with {@code keys} primary keys, in primary-key order, without
     * locking them (for rows the caller's transaction already holds). Binds as {@link
     * #selectForUpdate}.
     */
    default String selectByKeys(TableSpec table, int keys) {
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be at least 1, was " + keys);
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        sql.append(columnList(table.columns())).append(" FROM ").append(quote(table.table()));
        sql.append(" WHERE ");
        if (table.primaryKey().size() == 1) {
            sql.append(quote(table.primaryKey().get(0))).append(" IN (");
            sql.append("?, ".repeat(keys - 1)).append("?)");
        } else {
            String one = "(" + keyPredicate(table) + ")";
            for (int i = 0; i < keys; i++) {
                sql.append(i == 0 ? "" : " OR ").append(one);
            }
        }
        sql.append(" ORDER BY ").append(columnList(table.primaryKey()));
        return sql.toString();
    }

    /**
     * Selects every column of the rows with {@code keys} primary keys and locks them ({@code FOR
     * UPDATE}), in primary-key order so that concurrent callers lock in one order. Binds {@link
     * TableSpec#primaryKey()} in order, once per key. Rows that do not exist are simply not
     * returned.
     */
    default String selectForUpdate(TableSpec table, int keys) {
        return selectByKeys(table, keys) + " FOR UPDATE";
    }

    /**
     * The table as the catalog describes it, or empty when there is no such table. The name is
     * matched exactly first, then in upper and lower case (H2 stores unquoted names in upper case,
     * PostgreSQL in lower case); an unqualified name is looked up in the connection's current
     * schema (MariaDB: database).
     */
    Optional<TableMetadata> describe(Connection connection, Identifier table) throws SQLException;

    /**
     * The {@link TableSpec} of a configured table, with names in the catalog's case.
     *
     * @param table the configured name, e.g. {@code users} or {@code app.users}
     * @param shardKey the configured shard-key column
     * @throws InvalidInputException when a name is not valid, the table does not exist, has no
     *     primary key, or lacks the shard-key column
     */
    default TableSpec tableSpec(Connection connection, String table, String shardKey) throws SQLException {
        Identifier name = Identifier.parse("tables[" + table + "].name", table);
        Optional<TableMetadata> metadata = describe(connection, name);
        if (metadata.isEmpty()) {
            String schema = name.schema().orElse(CatalogReader.currentSchema(connection, engine()));
            throw InvalidInputException.of(
                    "tables[" + table + "].name",
                    table,
                    "does not exist in schema " + schema,
                    "create the table first, or qualify it with its schema");
        }
        return TableSpec.of(metadata.get(), shardKey);
    }

    /** Size on disk and estimated row count, from the catalog; cheap (no scan) except on H2. */
    TableStats stats(Connection connection, TableSpec table) throws SQLException;

    /** The engine's cumulative per-table counters, or empty where the engine keeps none. */
    Optional<TableLoad> load(Connection connection, TableSpec table) throws SQLException;

    /** {@code "a", "b"}: the names quoted and comma-separated. */
    default String columnList(java.util.List<String> columns) {
        StringBuilder list = new StringBuilder();
        for (String column : columns) {
            if (list.length() > 0) {
                list.append(", ");
            }
            list.append(quote(column));
        }
        return list.toString();
    }

    /** {@code "a" = ? AND "b" = ?} over the primary key. */
    default String keyPredicate(TableSpec table) {
        StringBuilder predicate = new StringBuilder();
        for (String column : table.primaryKey()) {
            if (predicate.length() > 0) {
                predicate.append(" AND ");
            }
            predicate.append(quote(column)).append(" = ?");
        }
        return predicate.toString();
    }
}
