package dev.reshard.cli.migrate;

import dev.reshard.jdbc.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/*
 * Design notes
 *
 * What a statistics round reads on a shard, per engine, without scanning a table unless asked
 * (--exact): the database's size as its server accounts it (what fills the disk), the sharded
 * tables' row counts from the server's own estimates, and counters of operations on those tables
 * that the server keeps since it started (the load trigger takes a rate between two rounds).
 *
 * - PostgreSQL: pg_database_size; pg_stat_user_tables.n_live_tup (kept by the statistics
 *   collector, no ANALYZE needed); scans (seq_scan + idx_scan) as reads and n_tup_ins + n_tup_upd
 *   + n_tup_del as writes.
 * - MariaDB: information_schema.TABLES data_length + index_length of the schema, TABLE_ROWS (InnoDB's
 *   estimate); counters from performance_schema.table_io_waits_summary_by_table when the server runs
 *   with performance_schema, else none (-1).
 * - H2: the database file's size (info.FILE_SIZE) and ROW_COUNT_ESTIMATE; no counters (-1).
 *
 * Tables are matched by name case-insensitively in the server's catalog, and an exact count
 * quotes the name the server reports, so no configured text reaches SQL unquoted.
 */
/** One statistics round's reading of one shard. */
record ShardMeasurement(long sizeBytes, long rows, long reads, long writes, boolean exact, List<String> tablesMissing) {

    static ShardMeasurement of(Connection c, List<String> tables, boolean exact) throws SQLException {
        Engine engine = Engine.detect(c);
        return switch (engine) {
            case POSTGRESQL -> postgres(c, tables, exact);
            case MARIADB -> mariadb(c, tables, exact);
            case H2 -> h2(c, tables, exact);
            default -> throw new SQLException("statistics are not read from " + engine + " shards");
        };
    }

    private static ShardMeasurement postgres(Connection c, List<String> tables, boolean exact) throws SQLException {
        long size = single(c, "SELECT pg_catalog.pg_database_size(pg_catalog.current_database())");
        long rows = 0;
        long reads = 0;
        long writes = 0;
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT schemaname, relname, n_live_tup,"
                + " COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0), n_tup_ins + n_tup_upd + n_tup_del"
                + " FROM pg_catalog.pg_stat_user_tables WHERE pg_catalog.lower(relname) = pg_catalog.lower(?)"
                + " AND schemaname = ANY (pg_catalog.current_schemas(false))")) {
            for (String t : tables) {
                ps.setString(1, t);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        found.add(t);
                        rows += exact
                                ? count(c, quote(rs.getString(1), '"') + "." + quote(rs.getString(2), '"'))
                                : rs.getLong(3);
                        reads += rs.getLong(4);
                        writes += rs.getLong(5);
                    }
                }
            }
        }
        return new ShardMeasurement(size, rows, reads, writes, exact, missing(tables, found));
    }

    private static ShardMeasurement mariadb(Connection c, List<String> tables, boolean exact) throws SQLException {
        long size = single(
                c,
                "SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.TABLES"
                        + " WHERE table_schema = DATABASE()");
        long rows = 0;
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name, COALESCE(table_rows, 0)"
                + " FROM information_schema.TABLES WHERE table_schema = DATABASE() AND LOWER(table_name) = LOWER(?)")) {
            for (String t : tables) {
                ps.setString(1, t);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        found.add(t);
                        rows += exact ? count(c, quote(rs.getString(1), '`')) : rs.getLong(2);
                    }
                }
            }
        }
        long reads = -1;
        long writes = -1;
        if (single(c, "SELECT @@performance_schema") == 1) {
            reads = 0;
            writes = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(count_read), 0),"
                    + " COALESCE(SUM(count_write), 0) FROM performance_schema.table_io_waits_summary_by_table"
                    + " WHERE object_schema = DATABASE() AND LOWER(object_name) = LOWER(?)")) {
                for (String t : found) {
                    ps.setString(1, t);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        reads += rs.getLong(1);
                        writes += rs.getLong(2);
                    }
                }
            }
        }
        return new ShardMeasurement(size, rows, reads, writes, exact, missing(tables, found));
    }

    private static ShardMeasurement h2(Connection c, List<String> tables, boolean exact) throws SQLException {
        long size = single(
                c,
                "SELECT CAST(SETTING_VALUE AS BIGINT) FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_SIZE'");
        long rows = 0;
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_SCHEMA, TABLE_NAME, ROW_COUNT_ESTIMATE"
                + " FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = SCHEMA() AND UPPER(TABLE_NAME) = UPPER(?)")) {
            for (String t : tables) {
                ps.setString(1, t);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        found.add(t);
                        rows += exact
                                ? count(c, quote(rs.getString(1), '"') + "." + quote(rs.getString(2), '"'))
                                : rs.getLong(3);
                    }
                }
            }
        }
        return new ShardMeasurement(size, rows, -1, -1, exact, missing(tables, found));
    }

    private static List<String> missing(List<String> tables, List<String> found) {
        return tables.stream().filter(t -> !found.contains(t)).toList();
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no answer to " + sql);
            }
            long v = rs.getLong(1);
            if (rs.wasNull()) {
                throw new SQLException("NULL answer to " + sql);
            }
            return v;
        }
    }

    private static long count(Connection c, String quotedTable) throws SQLException {
        return single(c, "SELECT COUNT(*) FROM " + quotedTable);
    }

    /** A name as the server reported it, quoted; the quote character doubled inside. */
    static String quote(String name, char q) {
        return q + name.replace(String.valueOf(q), String.valueOf(q) + q) + q;
    }

    /** A line for the operator: size, rows, counters. */
    String describe() {
        return String.format(
                Locale.ROOT,
                "%s, %s rows (%s)%s",
                Text.bytes(sizeBytes),
                Text.count(rows),
                exact ? "counted" : "estimated",
                reads < 0
                        ? ", no operation counters"
                        : ", " + Text.count(reads + writes) + " operations since the server started");
    }
}
