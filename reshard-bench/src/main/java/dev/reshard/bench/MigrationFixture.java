package dev.reshard.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.RoutingState;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.migration.engine.Pair;
import dev.reshard.router.Router;
import dev.reshard.router.ShardedTable;
import dev.reshard.testkit.EmbeddedPostgresServer;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestDatabases;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * What the migration drivers share: two durable embedded PostgreSQL servers (one per shard, separate
 * WALs on the same disk), and on them pairs of fresh databases with the {@code users} fixture, a
 * catalog holding the two maps, routers and engine pools.
 *
 * <p>The maps: v1 puts all 1024 virtual shards on shard_0; v2 moves every fourth virtual shard (256
 * of 1024) to shard_1, so about a quarter of the rows move. The table is {@code users(id bigint
 * primary key, balance bigint, note text)} with a 170-character note, ~215 bytes per row on disk.
 */
final class MigrationFixture implements AutoCloseable {
    static final ShardId OLD = ShardId.of("shard_0");
    static final ShardId NEW = ShardId.of("shard_1");
    static final ShardMap V1 = ShardMap.initial(VirtualShardMap.roundRobin(1024, List.of(OLD)));
    static final ShardMap V2 = ShardMaps.moveVirtualShards(V1, quarter());
    static final Pair PAIR = new Pair(OLD, NEW);
    /** Durable settings (unlike the test servers) plus room for the fixture in memory and in the WAL. */
    static final Map<String, String> SERVER_CONFIG = Map.of(
            "fsync", "on",
            "synchronous_commit", "on",
            "full_page_writes", "on",
            "shared_buffers", "1GB",
            "max_wal_size", "8GB",
            "checkpoint_timeout", "30min");

    private static final AtomicInteger CATALOGS = new AtomicInteger();

    final EmbeddedPostgresServer server0;
    final EmbeddedPostgresServer server1;

    private MigrationFixture(EmbeddedPostgresServer server0, EmbeddedPostgresServer server1) {
        this.server0 = server0;
        this.server1 = server1;
    }

    static MigrationFixture start() {
        EmbeddedPostgresServer a = TestDatabases.startPostgresServer(SERVER_CONFIG);
        try {
            return new MigrationFixture(a, TestDatabases.startPostgresServer(SERVER_CONFIG));
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    private static Map<Integer, ShardId> quarter() {
        Map<Integer, ShardId> moves = new LinkedHashMap<>();
        for (int v = 0; v < 1024; v += 4) {
            moves.put(v, NEW);
        }
        return moves;
    }

    /** Whether a users row with this id moves from shard_0 to shard_1. */
    static Predicate<Object> moves() {
        return PAIR.moves(V1, V2);
    }

    /** A fresh database on each server, with its own router pools and engine pools. */
    Shards newShards(int routerPoolSize) {
        return new Shards(server0.newDatabase(routerPoolSize), server1.newDatabase(routerPoolSize));
    }

    @Override
    public void close() {
        try {
            server1.close();
        } finally {
            server0.close();
        }
    }

    /** One database per shard: router pools (the testkit's) and engine pools (HikariCP, 6 each). */
    static final class Shards implements AutoCloseable {
        final TestDatabase oldDb;
        final TestDatabase newDb;
        final HikariDataSource oldEngine;
        final HikariDataSource newEngine;
        private Catalog catalog;

        Shards(TestDatabase oldDb, TestDatabase newDb) {
            this.oldDb = oldDb;
            this.newDb = newDb;
            this.oldEngine = pool(oldDb, "engine-shard_0");
            this.newEngine = pool(newDb, "engine-shard_1");
        }

        private static HikariDataSource pool(TestDatabase db, String name) {
            HikariConfig config = new HikariConfig();
            config.setPoolName(name);
            config.setJdbcUrl(db.jdbcUrl());
            config.setUsername(db.user());
            config.setPassword(db.password());
            config.setMaximumPoolSize(6);
            config.setMinimumIdle(0);
            return new HikariDataSource(config);
        }

        Map<ShardId, DataSource> routerPools() {
            Map<ShardId, DataSource> out = new LinkedHashMap<>();
            out.put(OLD, oldDb.dataSource());
            out.put(NEW, newDb.dataSource());
            return out;
        }

        Map<ShardId, DataSource> enginePools() {
            Map<ShardId, DataSource> out = new LinkedHashMap<>();
            out.put(OLD, oldEngine);
            out.put(NEW, newEngine);
            return out;
        }

        /** Creates {@code users} on both shards and fills shard_0 with ids 1..rows; returns the seconds it took. */
        double createUsers(long rows) throws SQLException {
            long start = System.nanoTime();
            for (DataSource ds : List.of(oldEngine, newEngine)) {
                execute(ds, "CREATE TABLE users (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL, note TEXT)");
            }
            for (long from = 1; from <= rows; from += 1_000_000) {
                long to = Math.min(rows, from + 999_999);
                execute(
                        oldEngine,
                        "INSERT INTO users SELECT g, g % 100000, left(repeat(md5(g::text), 6), 170)"
                                + " FROM generate_series(" + from + ", " + to + ") g");
            }
            execute(oldEngine, "VACUUM (ANALYZE) users");
            return (System.nanoTime() - start) / 1e9;
        }

        /** The ids in 1..rows that move, in order. */
        static long[] movingIds(long rows) {
            return movingIds(rows, moves());
        }

        /** The ids in 1..rows that {@code moves} selects, in order. */
        static long[] movingIds(long rows, Predicate<Object> moves) {
            long[] out = new long[(int) Math.min(Integer.MAX_VALUE - 8, rows / 3 + 1024)];
            int n = 0;
            for (long id = 1; id <= rows; id++) {
                if (moves.test(id)) {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, out.length * 2);
                    }
                    out[n++] = id;
                }
            }
            return Arrays.copyOf(out, n);
        }

        /** Writes {@code ids} into a one-column table on shard_0 (for the anchors that cannot hash). */
        void storeIds(String table, long[] ids) throws SQLException {
            execute(oldEngine, "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY)");
            try (Connection c = oldEngine.getConnection();
                    PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " SELECT unnest(?)")) {
                for (int i = 0; i < ids.length; i += 50_000) {
                    Long[] part = new Long[Math.min(50_000, ids.length - i)];
                    for (int k = 0; k < part.length; k++) {
                        part[k] = ids[i + k];
                    }
                    Array array = c.createArrayOf("bigint", part);
                    ps.setArray(1, array);
                    ps.executeUpdate();
                    array.free();
                }
            }
            execute(oldEngine, "VACUUM (ANALYZE) " + table);
        }

        TableSpec spec(Connection c, String table, String shardKey) throws SQLException {
            return Dialect.of(c).tableSpec(c, table, shardKey);
        }

        /** A catalog (in-memory H2) holding v1 and v2, routers following v1. */
        Catalog catalog() {
            if (catalog == null) {
                JdbcDataSource ds = new JdbcDataSource();
                ds.setURL("jdbc:h2:mem:benchcatalog" + CATALOGS.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
                catalog = Catalogs.open(ds, Clock.systemUTC());
                catalog.publish(V1, 0, null);
                // Routers follow the routing state; publish it before v2, or they would follow v2.
                catalog.publishRouting(RoutingState.stable(1, V1.version()));
                catalog.publish(V2, V1.version(), null);
            }
            return catalog;
        }

        Router router(String id, List<ShardedTable> tables) {
            Router.Builder b = Router.builder(catalog())
                    .id(id)
                    .shards(routerPools())
                    .pollInterval(Duration.ofMillis(50))
                    .leaseTtl(Duration.ofSeconds(5));
            tables.forEach(b::table);
            return b.build();
        }

        /** CHECKPOINT on both servers, so that no step pays for the dirty pages of the one before. */
        void checkpoint() throws SQLException {
            execute(oldEngine, "CHECKPOINT");
            execute(newEngine, "CHECKPOINT");
        }

        static void execute(DataSource ds, String sql) throws SQLException {
            try (Connection c = ds.getConnection();
                    Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }

        static long count(DataSource ds, String sql) throws SQLException {
            try (Connection c = ds.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        static String serverVersion(DataSource ds) throws SQLException {
            try (Connection c = ds.getConnection()) {
                return c.getMetaData().getDatabaseProductVersion();
            }
        }

        @Override
        public void close() {
            if (catalog != null) {
                catalog.close();
            }
            oldEngine.close();
            newEngine.close();
            newDb.close();
            oldDb.close();
        }
    }

    // ---------------------------------------------------------------- reporting helpers

    /** JVM, cores, heap and load average: the header every driver prints. */
    static String machine() {
        Runtime rt = Runtime.getRuntime();
        return String.format(
                Locale.ROOT,
                "java %s (%s), %d cores, max heap %d MiB, load average %s",
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                rt.availableProcessors(),
                rt.maxMemory() >> 20,
                loadAverage());
    }

    /** The 1/5/15-minute load averages from /proc/loadavg (or the JVM's 1-minute figure). */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return String.format(
                    Locale.ROOT,
                    "%.2f",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** Other JVMs running right now (Maven, surefire, the CLI demo...), described briefly. */
    static Set<String> otherJvms() {
        Set<String> out = new TreeSet<>();
        long self = ProcessHandle.current().pid();
        ProcessHandle.allProcesses().filter(p -> p.pid() != self).forEach(p -> {
            String cmd = p.info().commandLine().orElse("");
            if (p.info().command().orElse("").endsWith("java")) {
                out.add(describe(cmd));
            }
        });
        return out;
    }

    private static String describe(String cmd) {
        if (cmd.contains("surefire")) {
            return "surefire";
        }
        if (cmd.contains("plexus-classworlds")) {
            return "maven";
        }
        int jar = cmd.indexOf("-jar ");
        if (jar >= 0) {
            String rest = cmd.substring(jar + 5).trim();
            String[] words = rest.split("\\s+");
            String name = words[0].substring(words[0].lastIndexOf('/') + 1);
            return words.length > 1 ? name + " " + words[1] : name;
        }
        return "java";
    }

    /**
     * Samples every 2 s which other JVMs run, so that each measured step can say whether it shared
     * the two cores (the machine is shared with other engineers' builds).
     */
    static final class Neighbours implements AutoCloseable {
        private final Set<String> seen = ConcurrentHashMap.newKeySet();
        private final Thread thread;
        private volatile boolean stop;

        Neighbours() {
            thread = new Thread(
                    () -> {
                        while (!stop) {
                            seen.addAll(otherJvms());
                            try {
                                Thread.sleep(2000);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "neighbours");
            thread.setDaemon(true);
            thread.start();
        }

        /** What ran since the last call (sampled now too), e.g. "alone" or "maven, surefire". */
        String take() {
            seen.addAll(otherJvms());
            Set<String> out = new TreeSet<>(seen);
            seen.clear();
            return out.isEmpty() ? "alone" : "with " + String.join(", ", out);
        }

        @Override
        public void close() {
            stop = true;
            thread.interrupt();
        }
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** {@code --name=value} options, with defaults. */
    static final class Options {
        private final Map<String, String> values = new LinkedHashMap<>();

        Options(String[] args) {
            for (String a : args) {
                if (!a.startsWith("--") || !a.contains("=")) {
                    throw new IllegalArgumentException("option " + a + " is not --name=value");
                }
                int eq = a.indexOf('=');
                values.put(a.substring(2, eq), a.substring(eq + 1));
            }
        }

        long longValue(String name, long defaultValue) {
            String v = values.remove(name);
            return v == null ? defaultValue : Long.parseLong(v.replace("_", ""));
        }

        int intValue(String name, int defaultValue) {
            return (int) longValue(name, defaultValue);
        }

        double doubleValue(String name, double defaultValue) {
            String v = values.remove(name);
            return v == null ? defaultValue : Double.parseDouble(v);
        }

        String string(String name, String defaultValue) {
            String v = values.remove(name);
            return v == null ? defaultValue : v;
        }

        boolean flag(String name, boolean defaultValue) {
            String v = values.remove(name);
            return v == null ? defaultValue : Boolean.parseBoolean(v);
        }

        /** Refuses options nobody read (a typo would otherwise silently keep the default). */
        void requireAllUsed() {
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + values.keySet());
            }
        }
    }
}
