package dev.reshard.jdbc.capture;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.WeakHashMap;
import org.h2.api.Trigger;
import org.h2.jdbc.JdbcConnection;

/**
 * The H2 capture trigger that {@link ChangeCapture#install} attaches to a table; H2 instantiates
 * it by class name. Not for direct use.
 *
 * <pre>
 * Design notes
 * ------------
 * Per changed row, inside the writing transaction, one read of the table's reshard_fence row
 * (epoch, allow_untagged, the session variable @reshard_epoch and shard_key), then:
 *   1. on UPDATE, the shard-key guard: when the old and new values of the column named by
 *      shard_key differ (Objects.deepEquals), SQLIntegrityConstraintViolationException with SQLSTATE
 *      23514 and ShardKeyGuard's message. A Java trigger cannot be given parameters, so install()
 *      records the TableSpec's shard key in the fence row (H2 only) and re-install updates it. A
 *      fence row with no shard_key (written before the guard existed, not re-installed) means no
 *      guard; a shard_key that is not a column of the table fails the update (42S22);
 *   2. the fence: SQLException with SQLSTATE 40001 on refusal;
 *   3. insert the changelog row(s) with CAST(TRANSACTION_ID() AS BIGINT) as tx_id. A primary-key
 *      change logs DELETE of the old key and INSERT of the new one.
 * Without a fence row (never in a normal install) there is no guard and no fence, only logging.
 * H2 hands fire() a new Connection object on every call, so statements cannot be prepared "on the
 * connection". They are prepared once per session (the object the connections wrap) and cached in
 * a weak map: a session that closes is collected with its statements. A session runs one statement
 * at a time, so a session's cached statements are never used concurrently.
 * </pre>
 */
public final class H2CaptureTrigger implements Trigger {
    private final Map<Object, Statements> sessions = Collections.synchronizedMap(new WeakHashMap<>());
    private String table;
    private int[] keyIndexes;
    private Map<String, Integer> columnPositions;
    private String fenceSql;
    private String insertSql;

    /** H2 creates triggers through this constructor. */
    public H2CaptureTrigger() {}

    @Override
    public void init(
            Connection connection, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        this.table = tableName;
        this.keyIndexes = keyIndexes(connection.getMetaData(), schemaName, tableName);
        String schema = '"' + schemaName.replace("\"", "\"\"") + '"';
        this.columnPositions = columnPositions(connection.getMetaData(), schemaName, tableName);
        this.fenceSql = "SELECT epoch, allow_untagged, @reshard_epoch, shard_key FROM " + schema + "."
                + CaptureNames.FENCE + " WHERE table_name = ?";
        this.insertSql = "INSERT INTO " + schema + "." + CaptureNames.CHANGELOG
                + " (table_name, pk, op, tx_id) VALUES (?, ?, ?, CAST(TRANSACTION_ID() AS BIGINT))";
    }

    /** Column name (as the catalog stores it) to its index in the trigger's row arrays. */
    private static Map<String, Integer> columnPositions(DatabaseMetaData metaData, String schema, String table)
            throws SQLException {
        Map<String, Integer> positions = new HashMap<>();
        try (ResultSet columns = metaData.getColumns(null, schema, table, null)) {
            while (columns.next()) {
                if (table.equals(columns.getString("TABLE_NAME"))) {
                    positions.put(columns.getString("COLUMN_NAME"), columns.getInt("ORDINAL_POSITION") - 1);
                }
            }
        }
        return positions;
    }

    private static int[] keyIndexes(DatabaseMetaData metaData, String schema, String table) throws SQLException {
        Map<String, Integer> positions = columnPositions(metaData, schema, table);
        TreeMap<Short, Integer> key = new TreeMap<>();
        try (ResultSet primaryKey = metaData.getPrimaryKeys(null, schema, table)) {
            while (primaryKey.next()) {
                key.put(primaryKey.getShort("KEY_SEQ"), positions.get(primaryKey.getString("COLUMN_NAME")));
            }
        }
        if (key.isEmpty()) {
            throw new SQLException("reshard capture: table " + schema + "." + table + " has no primary key", "42000");
        }
        return key.values().stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
        Statements statements = statements(connection);
        check(statements.fence, oldRow, newRow);
        if (oldRow == null) {
            log(statements.insert, newRow, ChangeOp.INSERT);
        } else if (newRow == null) {
            log(statements.insert, oldRow, ChangeOp.DELETE);
        } else if (sameKey(oldRow, newRow)) {
            log(statements.insert, newRow, ChangeOp.UPDATE);
        } else {
            log(statements.insert, oldRow, ChangeOp.DELETE);
            log(statements.insert, newRow, ChangeOp.INSERT);
        }
    }

    private Statements statements(Connection connection) throws SQLException {
        Object session = connection instanceof JdbcConnection jdbc ? jdbc.getSession() : connection;
        Statements statements = sessions.get(session);
        if (statements == null) {
            statements = new Statements(connection.prepareStatement(fenceSql), connection.prepareStatement(insertSql));
            statements.fence.setString(1, table);
            sessions.put(session, statements);
        }
        return statements;
    }

    /** The shard-key guard (on UPDATE), then the fence; both read the table's fence row. */
    private void check(PreparedStatement fence, Object[] oldRow, Object[] newRow) throws SQLException {
        try (ResultSet row = fence.executeQuery()) {
            if (!row.next()) {
                return;
            }
            if (oldRow != null && newRow != null) {
                checkShardKey(row.getString(4), oldRow, newRow);
            }
            long fenceEpoch = row.getLong(1);
            boolean allowUntagged = row.getBoolean(2);
            long sessionEpoch = row.getLong(3);
            if (row.wasNull()) {
                if (!allowUntagged) {
                    throw new SQLException(Fence.untagged(fenceEpoch, table), Fence.SQLSTATE);
                }
            } else if (sessionEpoch < fenceEpoch) {
                throw new SQLException(Fence.olderEpoch(sessionEpoch, fenceEpoch, table), Fence.SQLSTATE);
            }
        }
    }

    /** {@code shardKey} is null for a fence row written by an install that predates the guard. */
    private void checkShardKey(String shardKey, Object[] oldRow, Object[] newRow) throws SQLException {
        if (shardKey == null) {
            return;
        }
        Integer at = columnPositions.get(shardKey);
        if (at == null) {
            throw new SQLException(
                    "reshard capture: shard-key column " + shardKey + " recorded in " + CaptureNames.FENCE
                            + " is not a column of table " + table + "; re-install the capture with the table's spec",
                    "42S22");
        }
        if (!Objects.deepEquals(oldRow[at], newRow[at])) {
            throw new SQLIntegrityConstraintViolationException(
                    ShardKeyGuard.message(table, shardKey, oldRow[at], newRow[at]), ShardKeyGuard.SQLSTATE);
        }
    }

    private void log(PreparedStatement insert, Object[] row, ChangeOp op) throws SQLException {
        List<Object> key = new ArrayList<>(keyIndexes.length);
        for (int index : keyIndexes) {
            key.add(row[index]);
        }
        insert.setString(1, table);
        insert.setString(2, KeyJson.encode(key));
        insert.setString(3, String.valueOf(op.code()));
        insert.executeUpdate();
    }

    private boolean sameKey(Object[] oldRow, Object[] newRow) {
        for (int index : keyIndexes) {
            if (!Objects.deepEquals(oldRow[index], newRow[index])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        sessions.clear();
    }

    @Override
    public void remove() {
        sessions.clear();
    }

    private record Statements(PreparedStatement fence, PreparedStatement insert) {}
}
