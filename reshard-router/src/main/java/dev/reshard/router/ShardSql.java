package dev.reshard.router;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * What the router says to one shard beyond the application's own SQL: the session epoch, the
 * capture changelog of the current transaction, and row images for mirroring. Implemented over the
 * shard's dialect and change capture.
 */
interface ShardSql {

    /** One changed row logged by the capture triggers: table, primary-key values, op (I/U/D). */
    record Change(String table, List<Object> primaryKey, char op) {}

    /** Tags the session with the router's routing epoch (checked by the shard's fence). */
    void setEpoch(Connection c, long epoch) throws SQLException;

    /**
     * Names the session after the router and bounds how long it may sit idle inside a transaction
     * (PostgreSQL: application_name and idle_in_transaction_session_timeout; MariaDB:
     * idle_transaction_timeout, in whole seconds; a no-op on H2).
     * Once per physical connection, in auto-commit mode.
     */
    void tagSession(Connection c, String routerId, java.time.Duration idleInTransactionTimeout) throws SQLException;

    /**
     * The fence epoch of {@code table} on this shard as the open transaction sees it, or -1 when the
     * shard has no fence for it. {@code viewEpoch} lets an implementation remember, for that epoch,
     * that the shard has no fence table at all.
     */
    long fenceEpoch(Connection c, ShardedTable table, long viewEpoch) throws SQLException;

    /** The rows the open transaction changed, in changelog order (one round trip where possible). */
    List<Change> changesOfCurrentTransaction(Connection c) throws SQLException;

    /** The current image of one row (column -> value), or null when it does not exist; locks it. */
    Map<String, Object> lockRow(Connection c, ShardedTable table, List<Object> primaryKey) throws SQLException;

    /**
     * The current image of one row as the open transaction sees it, without locking it (a row the
     * transaction changed is already locked by it), or null when it does not exist.
     */
    Map<String, Object> readRow(Connection c, ShardedTable table, List<Object> primaryKey) throws SQLException;

    /** Inserts or replaces a row image. */
    void upsert(Connection c, ShardedTable table, Map<String, Object> row) throws SQLException;

    /** Deletes by primary key. */
    void delete(Connection c, ShardedTable table, List<Object> primaryKey) throws SQLException;

    /** True when {@code e} is the capture trigger refusing a change of a row's shard key. */
    boolean isShardKeyChange(SQLException e);

    /** True when {@code e} is the shard's fence refusing an older epoch. */
    boolean isFenceRejection(SQLException e);

    static ShardSql forConnection(Connection c) throws SQLException {
        return JdbcShardSql.forConnection(c);
    }
}
