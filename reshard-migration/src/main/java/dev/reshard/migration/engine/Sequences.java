package dev.reshard.migration.engine;

import dev.reshard.core.ShardId;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves each new shard's generated-key counters (PostgreSQL sequences and identities, MariaDB
 * AUTO_INCREMENT, H2 identities) past the largest value on its old shards, so that the first row
 * it generates after cutover cannot take the key of a row that moved there (DESIGN.md §4,
 * "auto-generated keys"). Runs inside the cutover freeze; idempotent; never moves a counter back.
 *
 * <p>Shards that generate ids from disjoint ranges (shard i from i * 10^12, say) must keep them:
 * moving shard 0's counter past shard 1's rows would make it generate shard 1's future ids. So a
 * counter moves only when the old shards' largest id is at or above it and less than {@link
 * #SAME_RANGE} ahead of it (one id space shared or overlapping); ids further ahead belong to
 * another shard's range and are left alone.
 */
final class Sequences {
    /** Ids this far (2^32) or further ahead of a counter are taken to be another shard's range. */
    static final long SAME_RANGE = 1L << 32;

    private Sequences() {}

    /** Returns one line per counter moved, e.g. {@code shard_1 orders.id -> 100231}. */
    static List<String> movePast(ShardAccess shards, List<Pair> pairs) throws SQLException {
        Map<ShardId, Set<ShardId>> sourcesOf = new LinkedHashMap<>();
        pairs.forEach(p -> sourcesOf
                .computeIfAbsent(p.target(), k -> new LinkedHashSet<>())
                .add(p.source()));
        List<String> moved = new ArrayList<>();
        for (Map.Entry<ShardId, Set<ShardId>> e : sourcesOf.entrySet()) {
            ShardId target = e.getKey();
            Connection t = shards.open(target);
            try {
                Dialect dialect = shards.dialect(target, t);
                for (MigratedTable table : shards.tables()) {
                    TableSpec spec = shards.spec(target, t, table);
                    for (String column : generated(t, spec)) {
                        long sourceMax = 0;
                        for (ShardId source : e.getValue()) {
                            Connection s = shards.open(source);
                            try {
                                sourceMax = Math.max(
                                        sourceMax,
                                        max(s, shards.dialect(source, s), shards.spec(source, s, table), column));
                            } finally {
                                shards.release(source, s);
                            }
                        }
                        long next = current(t, dialect, spec, column);
                        if (sourceMax >= next && sourceMax - next < SAME_RANGE) {
                            restart(t, dialect, spec, column, sourceMax + 1);
                            moved.add(target + " " + spec.table() + "." + column + " -> " + (sourceMax + 1));
                        }
                    }
                }
            } finally {
                shards.release(target, t);
            }
        }
        return moved;
    }

    private static List<String> generated(Connection c, TableSpec spec) throws SQLException {
        List<String> out = new ArrayList<>();
        DatabaseMetaData md = c.getMetaData();
        String schema = spec.table().schema().orElse(null);
        for (String name : List.of(spec.table().name())) {
            try (ResultSet rs = md.getColumns(c.getCatalog(), schema == null ? c.getSchema() : schema, name, null)) {
                while (rs.next()) {
                    if ("YES".equalsIgnoreCase(rs.getString("IS_AUTOINCREMENT"))) {
                        out.add(rs.getString("COLUMN_NAME"));
                    }
                }
            }
        }
        return out;
    }

    private static long max(Connection c, Dialect dialect, TableSpec spec, String column) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT MAX(" + dialect.quote(column) + ") FROM " + dialect.quote(spec.table()))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The next value the counter would generate (an estimate from the catalog where exact is not offered). */
    private static long current(Connection c, Dialect dialect, TableSpec spec, String column) throws SQLException {
        String table = dialect.quote(spec.table());
        switch (dialect.engine()) {
            case POSTGRESQL -> {
                String sequence = sequenceOf(c, table, column);
                if (sequence == null) {
                    return Long.MAX_VALUE;
                }
                try (Statement st = c.createStatement();
                        ResultSet v = st.executeQuery(
                                "SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM " + sequence)) {
                    v.next();
                    return v.getLong(1);
                }
            }
            case MARIADB -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT AUTO_INCREMENT FROM information_schema.TABLES"
                        + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
                    ps.setString(1, spec.table().name());
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getLong(1) : Long.MAX_VALUE;
                    }
                }
            }
            default -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT IDENTITY_BASE FROM INFORMATION_SCHEMA.COLUMNS"
                        + " WHERE TABLE_SCHEMA = COALESCE(?, SCHEMA()) AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
                    ps.setString(1, spec.table().schema().orElse(null));
                    ps.setString(2, spec.table().name());
                    ps.setString(3, column);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getLong(1) : Long.MAX_VALUE;
                    }
                }
            }
        }
    }

    /** The sequence behind a PostgreSQL serial or identity column, or null. */
    private static String sequenceOf(Connection c, String quotedTable, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
            ps.setString(1, quotedTable);
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static void restart(Connection c, Dialect dialect, TableSpec spec, String column, long next)
            throws SQLException {
        String table = dialect.quote(spec.table());
        switch (dialect.engine()) {
            case POSTGRESQL -> {
                String sequence = sequenceOf(c, table, column);
                if (sequence == null) {
                    return;
                }
                try (PreparedStatement set = c.prepareStatement(
                        "SELECT setval(?::regclass, GREATEST(?, (SELECT last_value FROM " + sequence + ")), true)")) {
                    set.setString(1, sequence);
                    set.setLong(2, next - 1);
                    set.executeQuery().close();
                }
            }
            case MARIADB -> {
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE " + table + " AUTO_INCREMENT = " + next);
                }
            }
            case H2 -> {
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE " + table + " ALTER COLUMN " + dialect.quote(column) + " RESTART WITH "
                            + next);
                }
            }
        }
    }
}
