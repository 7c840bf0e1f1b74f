package dev.reshard.jdbc.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Raises a table's fence row in the caller's transaction: locks it ({@code FOR UPDATE}, which on
 * MariaDB also waits for the shared locks of captured writes in flight), refuses to lower it, then
 * updates or inserts it. Same SQL on every engine.
 */
final class FenceRow {
    private FenceRow() {}

    static void write(Connection connection, String fenceTable, String table, long epoch, boolean allowUntagged)
            throws SQLException {
        write(connection, fenceTable, table, epoch, allowUntagged, "");
    }

    /** {@code lockWait} follows {@code FOR UPDATE}: MariaDB's {@code " WAIT n"} bounds the lock wait. */
    static void write(
            Connection connection, String fenceTable, String table, long epoch, boolean allowUntagged, String lockWait)
            throws SQLException {
        boolean exists;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT epoch FROM " + fenceTable + " WHERE table_name = ? FOR UPDATE" + lockWait)) {
            select.setString(1, table);
            try (ResultSet rows = select.executeQuery()) {
                exists = rows.next();
                if (exists && rows.getLong(1) > epoch) {
                    throw Fence.wouldLower(table, rows.getLong(1), epoch);
                }
            }
        }
        String sql = exists
                ? "UPDATE " + fenceTable + " SET epoch = ?, allow_untagged = ? WHERE table_name = ?"
                : "INSERT INTO " + fenceTable + " (epoch, allow_untagged, table_name) VALUES (?, ?, ?)";
        try (PreparedStatement write = connection.prepareStatement(sql)) {
            write.setLong(1, epoch);
            write.setBoolean(2, allowUntagged);
            write.setString(3, table);
            write.executeUpdate();
        }
    }
}
