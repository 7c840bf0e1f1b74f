package dev.reshard.jdbc.capture;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.TableSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * MariaDB (10.3.4 or newer) change capture: three SQL triggers per table and a system-versioned
 * changelog.
 *
 * <pre>
 * Design notes
 * ------------
 * The transaction id. MariaDB has no function that returns the current transaction's id.
 *  - information_schema.innodb_trx has it, but is served from a cache that InnoDB refreshes only
 *    when nobody has read it for 100 ms. Measured here (10.11): in a transaction started right after
 *    another one, "SELECT trx_id FROM information_schema.innodb_trx WHERE trx_mysql_thread_id =
 *    CONNECTION_ID()" returned the previous transaction's id; with a trigger reading it on every
 *    write the cache would never refresh. Silently wrong ids: rejected. It also needs PROCESS.
 *  - performance_schema is off by default in MariaDB; user variables and temporary tables cannot
 *    tell one transaction from the next (no statement runs at commit).
 *  - Chosen: reshard_changelog is a transaction-precise system-versioned table. Its tx_id column is
 *    "BIGINT UNSIGNED GENERATED ALWAYS AS ROW START": InnoDB itself writes the inserting
 *    transaction's id into every changelog row. No privilege, no cache, no client tagging.
 *  - currentTransactionId() must find that id inside the open transaction. Each changelog row also
 *    records CONNECTION_ID() (conn_id, indexed with id), so the session's newest visible changelog
 *    row is found with one index look-up. A session sees its own uncommitted rows and other
 *    sessions' committed ones only, and InnoDB lists every committed versioning transaction in
 *    mysql.transaction_registry; so that row belongs to the open transaction exactly when the
 *    registry does not list its tx_id yet. This stays right after ROLLBACK TO SAVEPOINT (the newest
 *    surviving row is still the transaction's) and after a rolled-back transaction (its rows are
 *    gone). Connection ids are reused only across server restarts, and rows from before a restart
 *    are committed. Rejected on the way: copying tx_id into a session variable in the trigger, a
 *    second statement per row that measured +35-45 us per write.
 *  - changesOfCurrentTransaction() is one statement: "tx_id = (that query)". The scalar subquery
 *    is uncorrelated, so MariaDB evaluates it once and reads the entries by the tx_id index, already
 *    in id order; no row (nothing logged yet) makes it NULL, which matches nothing. One statement
 *    reads one read view, at least as consistent as the two calls (under READ COMMITTED each takes
 *    its own). It keeps the registry check, so it needs the same SELECT on
 *    mysql.transaction_registry. Measured here (10.11, localhost, one entry per transaction):
 *    ~290 us against ~445 us for the two calls. Rejected: joining the derived table to the
 *    changelog, ~415 us, no gain, because sorting rows with a TEXT column takes an on-disk
 *    temporary table. MariaDB spends ~0.15 ms optimising each of these statements, so a statement
 *    saved is worth more than its network round trip.
 *  - Costs: one extra row in mysql.transaction_registry per committing transaction that captured
 *    a change (InnoDB never prunes it; ~100 B each), trim() must also DELETE HISTORY (privilege
 *    DELETE HISTORY), and the router's account needs SELECT on mysql.transaction_registry. The
 *    per-write cost is in docs/BENCHMARKS.md.
 * Trigger. AFTER INSERT / UPDATE / DELETE FOR EACH ROW, run with the definer's rights. The UPDATE
 * trigger first refuses a change of the shard key: NOT (BINARY OLD.k <=> BINARY NEW.k), compared as
 * bytes because under the usual case-insensitive, PAD SPACE collations 'eu' <=> 'EU ' holds while
 * the router hashes the exact value; it SIGNALs SQLSTATE 23514 with ShardKeyGuard's message, values
 * cut so that the text fits v_message. Then every trigger reads the table's fence row with LOCK IN
 * SHARE MODE: a locking read sees the latest committed fence even under REPEATABLE READ, and the
 * shared record lock, held until the writer commits, makes raiseFence (SELECT ... FOR UPDATE) wait
 * for writes in flight. It compares the session variable @reshard_epoch (set once per connection
 * by setEpoch), SIGNALs SQLSTATE 40001 with the fence message, then inserts the changelog row(s).
 * JSON_ARRAY builds the key text.
 * MySQL has no system versioning: capture is MariaDB-only for now.
 * </pre>
 */
final class MariaDbChangeCapture implements ChangeCapture {
    static final MariaDbChangeCapture INSTANCE = new MariaDbChangeCapture();

    private static final Dialect SQL = Dialect.of(Engine.MARIADB);
    private static final String[] SUFFIXES = {"_i", "_u", "_d"};

    /** The session's newest visible changelog row, as derived table "newest" (see the design notes). */
    private static final String NEWEST = "(SELECT tx_id FROM " + CaptureNames.CHANGELOG
            + " WHERE conn_id = CONNECTION_ID() ORDER BY id DESC LIMIT 1) newest";
    /** True when "newest" belongs to the open transaction: no committed transaction has its id. */
    private static final String UNCOMMITTED =
            "NOT EXISTS (SELECT 1 FROM mysql.transaction_registry r WHERE r.transaction_id = newest.tx_id)";

    private MariaDbChangeCapture() {}

    @Override
    public Engine engine() {
        return Engine.MARIADB;
    }

    @Override
    public void install(Connection connection, TableSpec table) throws SQLException {
        String schema = schemaOf(connection, table);
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + qualified(schema, CaptureNames.CHANGELOG) + " ("
                    + "id BIGINT NOT NULL AUTO_INCREMENT,"
                    + " table_name VARCHAR(128) NOT NULL,"
                    + " pk TEXT NOT NULL,"
                    + " op CHAR(1) NOT NULL,"
                    + " conn_id BIGINT UNSIGNED NOT NULL,"
                    + " tx_id BIGINT UNSIGNED GENERATED ALWAYS AS ROW START,"
                    + " tx_end BIGINT UNSIGNED GENERATED ALWAYS AS ROW END INVISIBLE,"
                    + " created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
                    + " PERIOD FOR SYSTEM_TIME (tx_id, tx_end),"
                    + " PRIMARY KEY (id),"
                    + " KEY reshard_changelog_tx (tx_id),"
                    + " KEY reshard_changelog_conn (conn_id, id)"
                    + ") ENGINE=InnoDB WITH SYSTEM VERSIONING");
            statement.execute("CREATE TABLE IF NOT EXISTS " + qualified(schema, CaptureNames.FENCE) + " ("
                    + "table_name VARCHAR(128) NOT NULL PRIMARY KEY,"
                    + " epoch BIGINT NOT NULL,"
                    + " allow_untagged BOOLEAN NOT NULL"
                    + ") ENGINE=InnoDB");
        }
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO "
                + qualified(schema, CaptureNames.FENCE) + " (table_name, epoch, allow_untagged) VALUES (?, 0, TRUE)"
                + " ON DUPLICATE KEY UPDATE table_name = table_name")) {
            statement.setString(1, table.table().name());
            statement.executeUpdate();
        }
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute(trigger(schema, table, "INSERT", "", insertBody(schema, table)));
            statement.execute(trigger(schema, table, "UPDATE", shardKeyGuard(table), updateBody(schema, table)));
            statement.execute(trigger(schema, table, "DELETE", "", deleteBody(schema, table)));
        }
    }

    private String trigger(String schema, TableSpec table, String event, String guard, String logging) {
        String suffix = SUFFIXES["INSERT".equals(event) ? 0 : "UPDATE".equals(event) ? 1 : 2];
        String name = table.table().name();
        String literal = CaptureNames.literal(name);
        return "CREATE OR REPLACE TRIGGER " + qualified(schema, CaptureNames.trigger(name, suffix)) + " AFTER " + event
                + " ON " + qualified(schema, name) + " FOR EACH ROW\n"
                + "BEGIN\n"
                + "  DECLARE v_fence BIGINT DEFAULT NULL;\n"
                + "  DECLARE v_untagged BOOLEAN DEFAULT TRUE;\n"
                + "  DECLARE v_message VARCHAR(512);\n"
                + guard
                + "  SELECT epoch, allow_untagged INTO v_fence, v_untagged FROM "
                + qualified(schema, CaptureNames.FENCE)
                + " WHERE table_name = " + literal + " LOCK IN SHARE MODE;\n"
                + "  IF v_fence IS NOT NULL THEN\n"
                + "    IF @reshard_epoch IS NULL THEN\n"
                + "      IF NOT v_untagged THEN\n"
                + "        SET v_message = CONCAT('reshard fence: write without a map epoch refused on table " + name
                + " (fence ', v_fence, " + CaptureNames.literal(Fence.UNTAGGED_TAIL) + ");\n"
                + "        SIGNAL SQLSTATE '" + Fence.SQLSTATE + "' SET MESSAGE_TEXT = v_message;\n"
                + "      END IF;\n"
                + "    ELSEIF @reshard_epoch < v_fence THEN\n"
                + "      SET v_message = CONCAT('reshard fence: map epoch ', @reshard_epoch, ' is older than the fence ',"
                + " v_fence, ' on table " + name + "; refresh the shard map and retry');\n"
                + "      SIGNAL SQLSTATE '" + Fence.SQLSTATE + "' SET MESSAGE_TEXT = v_message;\n"
                + "    END IF;\n"
                + "  END IF;\n"
                + logging
                + "END";
    }

    private String insertBody(String schema, TableSpec table) {
        return "  " + insert(schema) + "(" + CaptureNames.literal(table.table().name()) + ", " + keyJson("NEW", table)
                + ", 'I', CONNECTION_ID());\n";
    }

    private String deleteBody(String schema, TableSpec table) {
        return "  " + insert(schema) + "(" + CaptureNames.literal(table.table().name()) + ", " + keyJson("OLD", table)
                + ", 'D', CONNECTION_ID());\n";
    }

    /**
     * Refuses a change of the shard key. BINARY compares the stored bytes: under a case-insensitive
     * or PAD SPACE collation 'eu' <=> 'EU ' is true, but the router hashes the exact value.
     */
    private static String shardKeyGuard(TableSpec table) {
        String key = SQL.quote(table.shardKey());
        return "  IF NOT (BINARY OLD." + key + " <=> BINARY NEW." + key + ") THEN\n"
                + "    SET v_message = CONCAT("
                + CaptureNames.literal(ShardKeyGuard.head(table.table().name(), table.shardKey())) + ", "
                + shown("OLD." + key) + ", '" + ShardKeyGuard.ARROW + "', " + shown("NEW." + key) + ", "
                + CaptureNames.literal(ShardKeyGuard.TAIL) + ");\n"
                + "    SIGNAL SQLSTATE '" + ShardKeyGuard.SQLSTATE + "' SET MESSAGE_TEXT = v_message;\n"
                + "  END IF;\n";
    }

    /** SQL for a value's text as {@link ShardKeyGuard} shows it. */
    private static String shown(String value) {
        return "IF(" + value + " IS NULL, 'NULL', IF(CHAR_LENGTH(" + value + ") > " + ShardKeyGuard.SHOWN
                + ", CONCAT(LEFT(" + value + ", " + ShardKeyGuard.SHOWN + "), '...'), " + value + "))";
    }

    private String updateBody(String schema, TableSpec table) {
        String literal = CaptureNames.literal(table.table().name());
        StringBuilder same = new StringBuilder();
        for (String column : table.primaryKey()) {
            same.append(same.length() == 0 ? "" : " AND ")
                    .append("OLD.")
                    .append(SQL.quote(column))
                    .append(" <=> NEW.")
                    .append(SQL.quote(column));
        }
        return "  IF " + same + " THEN\n"
                + "    " + insert(schema) + "(" + literal + ", " + keyJson("NEW", table) + ", 'U', CONNECTION_ID());\n"
                + "  ELSE\n"
                + "    " + insert(schema) + "(" + literal + ", " + keyJson("OLD", table) + ", 'D', CONNECTION_ID()), ("
                + literal + ", " + keyJson("NEW", table) + ", 'I', CONNECTION_ID());\n"
                + "  END IF;\n";
    }

    private static String insert(String schema) {
        return "INSERT INTO " + qualified(schema, CaptureNames.CHANGELOG) + " (table_name, pk, op, conn_id) VALUES ";
    }

    private static String keyJson(String row, TableSpec table) {
        StringBuilder columns = new StringBuilder("JSON_ARRAY(");
        for (int i = 0; i < table.primaryKey().size(); i++) {
            columns.append(i == 0 ? "" : ", ")
                    .append(row)
                    .append('.')
                    .append(SQL.quote(table.primaryKey().get(i)));
        }
        return columns.append(')').toString();
    }

    @Override
    public void remove(Connection connection, TableSpec table) throws SQLException {
        String schema = schemaOf(connection, table);
        try (Statement statement = connection.createStatement()) {
            for (String suffix : SUFFIXES) {
                statement.execute("DROP TRIGGER IF EXISTS "
                        + qualified(schema, CaptureNames.trigger(table.table().name(), suffix)));
            }
        }
        if (exists(connection, schema, CaptureNames.FENCE)) {
            try (PreparedStatement statement = connection.prepareStatement(
                    "DELETE FROM " + qualified(schema, CaptureNames.FENCE) + " WHERE table_name = ?")) {
                statement.setString(1, table.table().name());
                statement.executeUpdate();
            }
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        }
    }

    @Override
    public boolean isInstalled(Connection connection, TableSpec table) throws SQLException {
        try (PreparedStatement statement =
                connection.prepareStatement("SELECT COUNT(*) FROM information_schema.triggers"
                        + " WHERE trigger_schema = ? AND event_object_table = ? AND trigger_name IN (?, ?, ?)")) {
            statement.setString(1, schemaOf(connection, table));
            statement.setString(2, table.table().name());
            for (int i = 0; i < SUFFIXES.length; i++) {
                statement.setString(3 + i, CaptureNames.trigger(table.table().name(), SUFFIXES[i]));
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1) == SUFFIXES.length;
            }
        }
    }

    @Override
    public void setEpoch(Connection connection, long epoch) throws SQLException {
        Fence.requireEpoch(epoch);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET @reshard_epoch = " + epoch);
        }
    }

    @Override
    public void clearEpoch(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET @reshard_epoch = NULL");
        }
    }

    @Override
    public void raiseFence(Connection connection, TableSpec table, long epoch, boolean allowUntagged)
            throws SQLException {
        Fence.requireEpoch(epoch);
        String fence = qualified(schemaOf(connection, table), CaptureNames.FENCE);
        String name = table.table().name();
        FenceWait.retry(
                name,
                epoch,
                FENCE_ATTEMPTS,
                FENCE_LOCK_WAIT_S * 1000L,
                () -> OwnTransaction.run(connection, () -> {
                    FenceRow.write(connection, fence, name, epoch, allowUntagged, " WAIT " + FENCE_LOCK_WAIT_S);
                    return null;
                }),
                () -> openTransactions(connection));
    }

    /** How long one attempt of raiseFence waits for the fence row's lock (MariaDB counts whole seconds). */
    static final int FENCE_LOCK_WAIT_S = 1;
    /** Attempts of raiseFence before it gives up, naming the open transactions. */
    static final int FENCE_ATTEMPTS = 10;

    /**
     * The other sessions with an open InnoDB transaction, oldest first, for an error message
     * (InnoDB does not say who holds a record lock nobody waits for; without the PROCESS privilege
     * only the caller's own sessions show).
     */
    private static String openTransactions(Connection connection) {
        String sql = "SELECT p.ID, p.USER, p.HOST, p.COMMAND, TIMESTAMPDIFF(SECOND, t.trx_started, NOW())"
                + " FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p"
                + " ON p.ID = t.trx_mysql_thread_id WHERE t.trx_mysql_thread_id <> CONNECTION_ID()"
                + " ORDER BY t.trx_started LIMIT 20";
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add("connection " + rs.getLong(1) + " (" + rs.getString(2) + "@" + rs.getString(3) + ", "
                        + rs.getString(4) + ", in its transaction for " + rs.getLong(5) + " s; KILL "
                        + rs.getLong(1) + " ends it)");
            }
            return out.isEmpty() ? "no other open transaction any more" : String.join(", ", out);
        } catch (SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    @Override
    public OptionalLong currentTransactionId(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT newest.tx_id FROM " + NEWEST + " WHERE " + UNCOMMITTED)) {
            return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
        }
    }

    /** currentTransactionId's query as a scalar subquery: one statement, one read view. */
    @Override
    public List<ChangeEntry> changesOfCurrentTransaction(Connection connection) throws SQLException {
        return Changelog.ofCurrentTransaction(
                connection, "(SELECT newest.tx_id FROM " + NEWEST + " WHERE " + UNCOMMITTED + ")");
    }

    @Override
    public List<ChangeEntry> changesOf(Connection connection, long transactionId) throws SQLException {
        return Changelog.ofTransaction(connection, transactionId);
    }

    @Override
    public List<ChangeEntry> changesAfter(Connection connection, long lastId, int limit) throws SQLException {
        return Changelog.after(connection, lastId, limit);
    }

    /** Deletes the entries, then the history rows that system versioning keeps of them. */
    @Override
    public int trim(Connection connection, long upToId) throws SQLException {
        return OwnTransaction.run(connection, () -> {
            int trimmed = Changelog.trim(connection, upToId);
            try (Statement statement = connection.createStatement()) {
                statement.execute("DELETE HISTORY FROM " + CaptureNames.CHANGELOG);
            }
            return trimmed;
        });
    }

    private static boolean exists(Connection connection, String schema, String table) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
            statement.setString(1, schema);
            statement.setString(2, table);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1) > 0;
            }
        }
    }

    private static String schemaOf(Connection connection, TableSpec table) throws SQLException {
        return table.table().schema().isPresent() ? table.table().schema().get() : connection.getCatalog();
    }

    private static String qualified(String schema, String name) {
        return SQL.quote(schema) + "." + SQL.quote(name);
    }
}
