package dev.reshard.router;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The application's work for one routed request, run on a connection to the right shard inside a
 * transaction the router opens and commits. Do not commit, roll back or change auto-commit on the
 * connection; throw to roll back. The work may run twice when a shard's fence rejects it (the
 * router refreshes its map and retries once), so it must not have effects outside the database.
 */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
