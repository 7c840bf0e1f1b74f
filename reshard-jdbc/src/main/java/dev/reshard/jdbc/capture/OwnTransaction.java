package dev.reshard.jdbc.capture;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs work in a transaction of its own when the connection is in auto-commit mode (and commits
 * it), or inside the caller's open transaction otherwise (and leaves the commit to the caller).
 */
final class OwnTransaction {
    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    private OwnTransaction() {}

    static <T> T run(Connection connection, Work<T> work) throws SQLException {
        if (!connection.getAutoCommit()) {
            return work.run();
        }
        connection.setAutoCommit(false);
        try {
            T result = work.run();
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }
}
