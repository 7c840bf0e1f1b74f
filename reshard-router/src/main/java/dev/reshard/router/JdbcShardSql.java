package dev.reshard.router;

import dev.reshard.core.ReshardException;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import dev.reshard.jdbc.capture.ChangeEntry;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ShardSql} over one engine's {@link Dialect} and {@link ChangeCapture}. Row images are maps
 * keyed by lower-case column name, so the same image binds on any shard of the table. Table specs
 * are read from the shard's own metadata once and cached.
 */
final class JdbcShardSql implements ShardSql {
    private final Engine engine;
    private final Dialect dialect;
    private final ChangeCapture capture;
    private final Map<String, TableSpec> specs = new ConcurrentHashMap<>();
    /** True once the shard's fence table was seen: it is never dropped. */
    private volatile boolean fenceTable;
    /** The view epoch at which the fence table was last found absent. */
    private volatile long noFenceTableAt = -1;

    private JdbcShardSql(Engine engine) {
        this.engine = engine;
        this.dialect = Dialect.of(engine);
        this.capture = ChangeCapture.of(engine);
    }

    @Override
    public void tagSession(Connection c, String routerId, Duration idleInTransactionTimeout) throws SQLException {
        if (engine == Engine.MARIADB) {
            // No application name to find the session by; the server ends an idle transaction
            // itself (and the connection with it). It counts whole seconds.
            long seconds = Math.max(1, (idleInTransactionTimeout.toMillis() + 999) / 1000);
            try (Statement st = c.createStatement()) {
                st.execute("SET SESSION idle_transaction_timeout = " + seconds);
            }
            return;
        }
        if (engine != Engine.POSTGRESQL) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.set_config('application_name', ?, false),"
                + " pg_catalog.set_config('idle_in_transaction_session_timeout', ?, false)")) {
            ps.setString(1, RouterSessions.applicationName(routerId));
            ps.setString(2, Long.toString(idleInTransactionTimeout.toMillis()));
            ps.executeQuery().close();
        }
    }

    @Override
    public long fenceEpoch(Connection c, ShardedTable table, long viewEpoch) throws SQLException {
        if (!fenceTable) {
            if (noFenceTableAt == viewEpoch) {
                return -1;
            }
            if (!fenceTableExists(c)) {
                noFenceTableAt = viewEpoch;
                return -1;
            }
            fenceTable = true;
        }
        TableSpec spec = spec(c, table);
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM reshard_fence WHERE table_name = ?")) {
            ps.setString(1, spec.table().name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private static boolean fenceTableExists(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        String schema = c.getSchema();
        for (String name : List.of("reshard_fence", "RESHARD_FENCE")) {
            try (ResultSet rs = md.getTables(c.getCatalog(), schema, name, null)) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    static ShardSql forConnection(Connection c) throws SQLException {
        return new JdbcShardSql(Engine.detect(c));
    }

    @Override
    public void setEpoch(Connection c, long epoch) throws SQLException {
        capture.setEpoch(c, epoch);
    }

    @Override
    public List<Change> changesOfCurrentTransaction(Connection c) throws SQLException {
        List<Change> out = new ArrayList<>();
        for (ChangeEntry e : capture.changesOfCurrentTransaction(c)) {
            out.add(new Change(e.table(), e.primaryKey(), e.op().name().charAt(0)));
        }
        return out;
    }

    private TableSpec spec(Connection c, ShardedTable table) throws SQLException {
        TableSpec spec = specs.get(table.name());
        if (spec == null) {
            spec = dialect.tableSpec(c, table.name(), table.shardKey());
            List<String> configured = table.primaryKey().stream()
                    .map(s -> s.toLowerCase(Locale.ROOT))
                    .toList();
            List<String> actual = spec.primaryKey().stream()
                    .map(s -> s.toLowerCase(Locale.ROOT))
                    .toList();
            if (!configured.equals(actual)) {
                throw new ReshardException("table " + table.name() + ": configured primary key " + table.primaryKey()
                        + " differs from the shard's " + spec.primaryKey() + "; fix the table declaration");
            }
            specs.put(table.name(), spec);
        }
        return spec;
    }

    @Override
    public Map<String, Object> lockRow(Connection c, ShardedTable table, List<Object> primaryKey) throws SQLException {
        return row(c, table, primaryKey, true);
    }

    @Override
    public Map<String, Object> readRow(Connection c, ShardedTable table, List<Object> primaryKey) throws SQLException {
        return row(c, table, primaryKey, false);
    }

    private Map<String, Object> row(Connection c, ShardedTable table, List<Object> primaryKey, boolean lock)
            throws SQLException {
        TableSpec spec = spec(c, table);
        String sql = lock ? dialect.selectForUpdate(spec, 1) : dialect.selectByKeys(spec, 1);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < primaryKey.size(); i++) {
                ps.setObject(i + 1, primaryKey.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < spec.columns().size(); i++) {
                    row.put(spec.columns().get(i).toLowerCase(Locale.ROOT), rs.getObject(i + 1));
                }
                return row;
            }
        }
    }

    @Override
    public void upsert(Connection c, ShardedTable table, Map<String, Object> row) throws SQLException {
        TableSpec spec = spec(c, table);
        try (PreparedStatement ps = c.prepareStatement(dialect.upsert(spec))) {
            for (int i = 0; i < spec.columns().size(); i++) {
                ps.setObject(i + 1, row.get(spec.columns().get(i).toLowerCase(Locale.ROOT)));
            }
            ps.executeUpdate();
        }
    }

    @Override
    public void delete(Connection c, ShardedTable table, List<Object> primaryKey) throws SQLException {
        TableSpec spec = spec(c, table);
        try (PreparedStatement ps = c.prepareStatement(dialect.deleteByKey(spec))) {
            for (int i = 0; i < primaryKey.size(); i++) {
                ps.setObject(i + 1, primaryKey.get(i));
            }
            ps.executeUpdate();
        }
    }

    @Override
    public boolean isShardKeyChange(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s
                    && "23514".equals(s.getSQLState())
                    && s.getMessage() != null
                    && s.getMessage().contains("shard key of a row cannot change")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isFenceRejection(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s
                    && "40001".equals(s.getSQLState())
                    && s.getMessage() != null
                    && s.getMessage().contains("reshard fence")) {
                return true;
            }
            // A deadlock victim (PostgreSQL 40P01, MariaDB 1213 / 40001): the database rolled the
            // transaction back, nothing was written, and retrying is the documented answer. During
            // a migration sync-from-source locks rows on both sides and InnoDB's gap locks make
            // such cycles with a mirror's insert possible.
            if (t instanceof SQLException s && ("40P01".equals(s.getSQLState()) || s.getErrorCode() == 1213)) {
                return true;
            }
            // A lock wait that timed out (H2 50200, after its 2 s default; MariaDB 1205): the router
            // rolls the transaction back, so nothing of it was written; retry like a deadlock.
            if (t instanceof SQLException s && (s.getErrorCode() == 50200 || s.getErrorCode() == 1205)) {
                return true;
            }
            // H2 only: a capture trigger created or dropped while the statement ran fails the
            // statement with a ConcurrentModificationException from H2's trigger list. Nothing was
            // written; refresh-and-retry, what a fence rejection gets, is the right answer.
            if (t instanceof SQLException s
                    && "HY000".equals(s.getSQLState())
                    && s.getMessage() != null
                    && s.getMessage().contains("ConcurrentModificationException")) {
                return true;
            }
            // H2 only, the same race: a trigger being created is visible to a concurrent statement
            // before its class is loaded, and firing it fails (error 90044, "Error executing trigger",
            // an NPE on its triggerCallback). The statement failed as a whole; nothing was written.
            if (t instanceof SQLException s
                    && s.getErrorCode() == 90044
                    && s.getMessage() != null
                    && s.getMessage().contains("triggerCallback")) {
                return true;
            }
            // H2 only: the same race while the trigger is initialized (error 90043, an NPE on its
            // database); the statement failed as a whole.
            if (t instanceof SQLException s
                    && s.getErrorCode() == 90043
                    && s.getMessage() != null
                    && s.getMessage().contains("NullPointerException")) {
                return true;
            }
        }
        return false;
    }
}
