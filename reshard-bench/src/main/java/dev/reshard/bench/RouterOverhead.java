package dev.reshard.bench;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.RoutingState;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.core.strategy.VirtualShardPlanner;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.capture.ChangeCapture;
import dev.reshard.router.Router;
import dev.reshard.router.ShardedTable;
import dev.reshard.testkit.EmbeddedPostgresServer;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * End-to-end cost of the router on PostgreSQL, against plain JDBC on the same pool in the same run.
 *
 * <p>Two embedded PostgreSQL servers started for the run with durable settings ({@code fsync},
 * {@code synchronous_commit} and {@code full_page_writes} on, unlike the test servers), one per
 * shard (shard_0, shard_1; separate WALs, the same disk), a table {@code users}
 * (id bigint pk, balance bigint, note text) with 20,000 rows on shard_0, one client thread, one
 * transaction per operation. Plain and routed blocks alternate (block size 2,000) so that drift
 * (WAL, checkpoints, the other core) hits both alike. Reported: mean and percentiles per op and the
 * ratio routed / plain.
 *
 * <ol>
 *   <li>Stable phase: a single-row UPDATE and a single-row SELECT, router vs plain.
 *   <li>Capture installed (a migration in DUAL_WRITE) for a key that does not move: the trigger's
 *       cost plus the router reading the transaction's changelog.
 *   <li>DUAL_WRITE for a key that moves: primary update + mirror to shard_1, vs one plain update.
 * </ol>
 *
 * Usage: {@code java -cp reshard-bench/target/benchmarks.jar dev.reshard.bench.RouterOverhead
 * [blocks]}.
 */
public final class RouterOverhead {
    private static final int ROWS = 20_000;
    private static final int BLOCK = 2_000;

    private RouterOverhead() {}

    private interface Op {
        void run(long id) throws SQLException;
    }

    public static void main(String[] args) throws Exception {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Map<String, String> durable = Map.of("fsync", "on", "synchronous_commit", "on", "full_page_writes", "on");
        try (EmbeddedPostgresServer server0 = TestDatabases.startPostgresServer(durable);
                EmbeddedPostgresServer server1 = TestDatabases.startPostgresServer(durable);
                TestDatabase s0 = server0.newDatabase(2);
                TestDatabase s1 = server1.newDatabase(2)) {
            DataSource old = s0.dataSource();
            createTable(old, true);
            createTable(s1.dataSource(), false);
            JdbcDataSource cds = new JdbcDataSource();
            cds.setURL("jdbc:h2:mem:benchcatalog;DB_CLOSE_DELAY=-1");
            ShardId a = ShardId.of("shard_0");
            ShardId b = ShardId.of("shard_1");
            try (Catalog catalog = Catalogs.open(cds, Clock.systemUTC())) {
                ShardMap v1 = ShardMap.initial(VirtualShardMap.roundRobin(1024, List.of(a)));
                ShardMap v2 = v1.next(VirtualShardPlanner.balance((VirtualShardMap) v1.strategy(), List.of(a, b)));
                catalog.publish(v1, 0, null);
                catalog.publish(v2, 1, null);
                catalog.publishRouting(RoutingState.stable(1, 1));
                long[] staying = keys(v2, a, 4096);
                long[] moving = keys(v2, b, 4096);
                try (Router router = Router.builder(catalog)
                        .id("bench")
                        .shard(a, old)
                        .shard(b, s1.dataSource())
                        .table(ShardedTable.of("users", "id", "id"))
                        .build()) {
                    Op plainUpdate = id -> plainUpdate(old, id);
                    Op routedUpdate = id -> router.write("users", id, c -> update(c, id));
                    Op plainRead = id -> plainRead(old, id);
                    Op routedRead = id -> router.read("users", id, c -> read(c, id));
                    System.out.println("## Router overhead on PostgreSQL (embedded " + version(old) + ", fsync on), "
                            + blocks + " x " + BLOCK + " ops per side, one thread\n");
                    header();
                    compare("stable: single-row UPDATE", plainUpdate, routedUpdate, staying, blocks);
                    compare("stable: single-row SELECT", plainRead, routedRead, staying, blocks);

                    try (Connection c = old.getConnection()) {
                        ChangeCapture.of(c).install(c, Dialect.of(c).tableSpec(c, "users", "id"));
                    }
                    catalog.publishRouting(RoutingState.migrating(2, 1, 2, "bench", Phase.DUAL_WRITE));
                    router.refresh();
                    // backfill the moving keys so that mirrors update existing rows, as in a real migration
                    copyMoving(old, s1.dataSource(), moving);
                    compare("DUAL_WRITE, key stays (capture on)", plainUpdate, routedUpdate, staying, blocks);
                    compare("DUAL_WRITE, key moves (mirrored)", plainUpdate, routedUpdate, moving, blocks);
                }
            }
        }
    }

    private static long[] keys(ShardMap map, ShardId shard, int n) {
        long[] out = new long[n];
        int k = 0;
        for (long id = 1; id <= ROWS && k < n; id++) {
            if (map.shardFor(id).equals(shard)) {
                out[k++] = id;
            }
        }
        return Arrays.copyOf(out, k);
    }

    private static void createTable(DataSource ds, boolean fill) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL, note TEXT)");
            if (fill) {
                s.execute("INSERT INTO users SELECT g, 0, repeat('x', 100) FROM generate_series(1, " + ROWS + ") g");
                s.execute("VACUUM ANALYZE users");
            }
        }
    }

    private static void copyMoving(DataSource from, DataSource to, long[] ids) throws SQLException {
        try (Connection f = from.getConnection();
                Connection t = to.getConnection();
                PreparedStatement read = f.prepareStatement("SELECT id, balance, note FROM users WHERE id = ?");
                PreparedStatement write =
                        t.prepareStatement("INSERT INTO users VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (long id : ids) {
                read.setLong(1, id);
                try (ResultSet rs = read.executeQuery()) {
                    rs.next();
                    write.setLong(1, rs.getLong(1));
                    write.setLong(2, rs.getLong(2));
                    write.setString(3, rs.getString(3));
                    write.executeUpdate();
                }
            }
        }
    }

    private static String version(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return c.getMetaData().getDatabaseProductVersion();
        }
    }

    private static int update(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE users SET balance = balance + 1 WHERE id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate();
        }
    }

    private static long read(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM users WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void plainUpdate(DataSource ds, long id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            update(c, id);
            c.commit();
        }
    }

    private static void plainRead(DataSource ds, long id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            read(c, id);
            c.commit();
        }
    }

    private static void header() {
        System.out.println(
                "| operation | plain mean µs | routed mean µs | plain p50 / p99 µs | routed p50 / p99 µs | routed ÷ plain (mean) | routed ÷ plain (p50) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    }

    private static void compare(String name, Op plain, Op routed, long[] ids, int blocks) throws SQLException {
        SplittableRandom random = new SplittableRandom(42);
        // warm-up, both sides
        run(plain, ids, random, BLOCK);
        run(routed, ids, random, BLOCK);
        List<long[]> p = new ArrayList<>();
        List<long[]> r = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            p.add(run(plain, ids, random, BLOCK));
            r.add(run(routed, ids, random, BLOCK));
        }
        long[] pa = flatten(p);
        long[] ra = flatten(r);
        double pm = mean(pa);
        double rm = mean(ra);
        System.out.printf(
                Locale.ROOT,
                "| %s | %.1f | %.1f | %.1f / %.1f | %.1f / %.1f | %.3f | %.3f |%n",
                name,
                pm / 1e3,
                rm / 1e3,
                pct(pa, 50) / 1e3,
                pct(pa, 99) / 1e3,
                pct(ra, 50) / 1e3,
                pct(ra, 99) / 1e3,
                rm / pm,
                pct(ra, 50) / pct(pa, 50));
    }

    private static long[] run(Op op, long[] ids, SplittableRandom random, int n) throws SQLException {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long id = ids[random.nextInt(ids.length)];
            long start = System.nanoTime();
            op.run(id);
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    private static long[] flatten(List<long[]> parts) {
        return parts.stream().flatMapToLong(Arrays::stream).toArray();
    }

    private static double mean(long[] a) {
        return Arrays.stream(a).average().orElse(0);
    }

    private static double pct(long[] a, int p) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }
}
