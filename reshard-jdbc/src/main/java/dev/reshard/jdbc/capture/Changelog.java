package dev.reshard.jdbc.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads and trims {@code reshard_changelog} in the connection's current schema; the same SQL on every engine. */
final class Changelog {
    private static final String COLUMNS = "SELECT id, table_name, pk, op, tx_id FROM " + CaptureNames.CHANGELOG;

    private Changelog() {}

    static List<ChangeEntry> ofTransaction(Connection connection, long transactionId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(COLUMNS + " WHERE tx_id = ? ORDER BY id")) {
            statement.setLong(1, transactionId);
            return read(statement);
        }
    }

    /**
     * The entries of the transaction that {@code currentTransactionSql} names, an SQL expression
     * the engine evaluates to the open transaction's id or NULL (then no entry matches).
     */
    static List<ChangeEntry> ofCurrentTransaction(Connection connection, String currentTransactionSql)
            throws SQLException {
        try (PreparedStatement statement =
                connection.prepareStatement(COLUMNS + " WHERE tx_id = " + currentTransactionSql + " ORDER BY id")) {
            return read(statement);
        }
    }

    /** The entries {@code sql} selects: id, table_name, pk, op, tx_id, in changelog order. */
    static List<ChangeEntry> of(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            return read(statement);
        }
    }

    static List<ChangeEntry> after(Connection connection, long lastId, int limit) throws SQLException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        try (PreparedStatement statement = connection.prepareStatement(COLUMNS + " WHERE id > ? ORDER BY id LIMIT ?")) {
            statement.setLong(1, lastId);
            statement.setInt(2, limit);
            return read(statement);
        }
    }

    static int trim(Connection connection, long upToId) throws SQLException {
        try (PreparedStatement statement =
                connection.prepareStatement("DELETE FROM " + CaptureNames.CHANGELOG + " WHERE id <= ?")) {
            statement.setLong(1, upToId);
            return statement.executeUpdate();
        }
    }

    private static List<ChangeEntry> read(PreparedStatement statement) throws SQLException {
        List<ChangeEntry> entries = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                entries.add(new ChangeEntry(
                        rows.getLong(1),
                        rows.getString(2),
                        KeyJson.decode(rows.getString(3)),
                        ChangeOp.of(rows.getString(4)),
                        rows.getLong(5)));
            }
        }
        return entries;
    }
}
