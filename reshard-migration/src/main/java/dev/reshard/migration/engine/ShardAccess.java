package dev.reshard.migration.engine;

import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The engine's connections to the shards, and what it knows of each: its dialect, its change
 * capture and its description of every migrating table.
 *
 * <p>Every connection the engine opens carries the highest map epoch ({@link #ENGINE_EPOCH}): the
 * engine is the authority that raises fences, so its own catch-up, repair, cleanup and rollback
 * writes pass any fence, whether or not untagged writers are allowed. The tag is cleared before a
 * connection goes back to its pool, so that a pool shared with a router never hands the router a
 * connection that would pass a fence it must not.
 */
final class ShardAccess {
    /** The epoch the engine's own sessions carry: above every fence. */
    static final long ENGINE_EPOCH = Long.MAX_VALUE / 2;

    private final Map<ShardId, DataSource> dataSources;
    private final Map<ShardId, Dialect> dialects = new ConcurrentHashMap<>();
    private final Map<ShardId, Map<String, TableSpec>> specs = new ConcurrentHashMap<>();
    private final List<MigratedTable> tables;

    ShardAccess(Map<ShardId, DataSource> dataSources, List<MigratedTable> tables) {
        this.dataSources = Map.copyOf(dataSources);
        this.tables = List.copyOf(tables);
    }

    List<MigratedTable> tables() {
        return tables;
    }

    boolean has(ShardId shard) {
        return dataSources.containsKey(shard);
    }

    DataSource dataSource(ShardId shard) {
        DataSource ds = dataSources.get(shard);
        if (ds == null) {
            throw new ReshardException("no connection settings for shard " + shard
                    + "; give the engine a DataSource for every shard of both maps");
        }
        return ds;
    }

    /** A connection to {@code shard} tagged with the engine's epoch; close it with {@link #release}. */
    Connection open(ShardId shard) throws SQLException {
        Connection c = dataSource(shard).getConnection();
        try {
            c.setAutoCommit(true);
            capture(shard, c).setEpoch(c, ENGINE_EPOCH);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Clears the engine's epoch tag and closes (returns to its pool) a connection from {@link #open}. */
    void release(ShardId shard, Connection c) {
        if (c == null) {
            return;
        }
        try {
            if (!c.isClosed()) {
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
                capture(shard, c).clearEpoch(c);
            }
        } catch (SQLException ignored) {
            // a broken connection: the pool discards it
        } finally {
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing more to do
            }
        }
    }

    Dialect dialect(ShardId shard, Connection c) throws SQLException {
        Dialect d = dialects.get(shard);
        if (d == null) {
            d = Dialect.of(c);
            dialects.put(shard, d);
        }
        return d;
    }

    Dialect dialect(ShardId shard) throws SQLException {
        Dialect d = dialects.get(shard);
        if (d != null) {
            return d;
        }
        try (Connection c = dataSource(shard).getConnection()) {
            return dialect(shard, c);
        }
    }

    ChangeCapture capture(ShardId shard, Connection c) throws SQLException {
        return ChangeCapture.of(dialect(shard, c).engine());
    }

    /** Every migrating table as {@code shard} describes it, by lower-case configured name. */
    Map<String, TableSpec> specs(ShardId shard, Connection c) throws SQLException {
        Map<String, TableSpec> known = specs.get(shard);
        if (known != null) {
            return known;
        }
        Map<String, TableSpec> out = new LinkedHashMap<>();
        Dialect dialect = dialect(shard, c);
        for (MigratedTable t : tables) {
            out.put(t.key(), dialect.tableSpec(c, t.name(), t.shardKey()));
        }
        specs.put(shard, Map.copyOf(out));
        return out;
    }

    TableSpec spec(ShardId shard, Connection c, MigratedTable table) throws SQLException {
        return specs(shard, c).get(table.key());
    }

    /** Runs {@code work} on a tagged connection to {@code shard}. */
    <T> T with(ShardId shard, ShardWork<T> work) throws SQLException {
        Connection c = open(shard);
        try {
            return work.run(c);
        } finally {
            release(shard, c);
        }
    }

    /** Work on one shard connection. */
    @FunctionalInterface
    interface ShardWork<T> {
        T run(Connection c) throws SQLException;
    }
}
