package dev.reshard.jdbc.capture;

import java.sql.SQLException;
import java.util.concurrent.locks.LockSupport;

/**
 * The retry loop of a fence raise that waits a bounded time for the captured writes in flight.
 *
 * <p>A raise waits for the writes in flight (their shared lock), and while it waits every new
 * writer of the table queues behind it. A session that holds the shared lock and never finishes
 * (an application instance frozen inside a transaction) would so stall every writer of the table
 * for as long as it stays frozen. So each attempt waits a short, bounded time for the lock (the
 * engine's own lock timeout), then gives up its place in the queue, lets the writers pass, and
 * tries again; after the last attempt the error (SQLSTATE 55P03, "lock not available", on every
 * engine) names the sessions that held the lock, so the engine or an operator can end them.
 */
final class FenceWait {
    /** One attempt: raise the fence, or throw; {@link #timedOut} tells a lock timeout. */
    interface Attempt {
        void run() throws SQLException;
    }

    /** The sessions that hold the lock, for the final error; must not throw. */
    interface Holders {
        String describe();
    }

    /** The SQLSTATE of the final error: PostgreSQL's lock_not_available, whatever the engine. */
    static final String LOCK_NOT_AVAILABLE = "55P03";

    private FenceWait() {}

    static void retry(String table, long epoch, int attempts, long waitMs, Attempt attempt, Holders holders)
            throws SQLException {
        for (int n = 1; ; n++) {
            try {
                attempt.run();
                return;
            } catch (SQLException e) {
                if (!timedOut(e)) {
                    throw e;
                }
                if (n >= attempts) {
                    throw new SQLException(
                            "reshard: raising the fence of table " + table + " to epoch " + epoch + " waited " + n
                                    + " times " + waitMs + " ms for the captured writes in flight, which did not"
                                    + " finish; holding or awaiting locks: " + holders.describe()
                                    + "; end those sessions (those of a router whose lease lapsed can be ended)"
                                    + " or let their transactions finish, then retry",
                            LOCK_NOT_AVAILABLE,
                            e);
                }
                LockSupport.parkNanos(Math.min(n, 10) * 20_000_000L);
            }
        }
    }

    /** A lock wait that ran out: PostgreSQL 55P03, MariaDB/MySQL error 1205. */
    static boolean timedOut(SQLException e) {
        return LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || e.getErrorCode() == 1205;
    }
}
