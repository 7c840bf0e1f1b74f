package dev.reshard.jdbc.capture;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.TestTables;
import dev.reshard.testkit.EmbeddedPostgresServer;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestDatabases;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures what change capture costs a writer: single-row {@code UPDATE accounts SET balance =
 * balance + 1 WHERE id = ?} on one connection, without and with capture installed (fence row
 * present, session epoch set), in auto-commit mode and in transactions of 100 updates. Prints, never
 * asserts; not part of the test run. Run with the test classpath:
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat cp.txt) dev.reshard.jdbc.capture.TriggerCost [updates] [rounds]
 * </pre>
 *
 * Engines come from {@code -Dreshard.test.engines} (default all). PostgreSQL runs twice: on the
 * testkit's server ({@code fsync=off}, {@code synchronous_commit=off}) and on a server with the
 * durable defaults ("PG durable"). MariaDB is the machine's server as configured.
 */
public final class TriggerCost {
    private static final int ROWS = 10_000;

    private TriggerCost() {}

    public static void main(String[] args) throws Exception {
        int updates = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf(
                Locale.ROOT,
                "single-row UPDATE, %,d per run, %d rounds (without, with capture, alternating), %d-row table, us per update%n",
                updates,
                rounds,
                ROWS);
        for (TestEngine engine : TestEngine.selected()) {
            try (TestDatabase db = engine.newDatabase();
                    Connection c = db.unpooledConnection()) {
                measure(engine.name(), c, updates, rounds);
            }
            if (engine == TestEngine.POSTGRESQL) {
                try (EmbeddedPostgresServer server = TestDatabases.startPostgresServer(
                                Map.of("fsync", "on", "synchronous_commit", "on", "full_page_writes", "on"));
                        TestDatabase db = server.newDatabase();
                        Connection c = db.unpooledConnection()) {
                    measure("PG durable", c, updates, rounds);
                }
            }
        }
        System.exit(0);
    }

    private static void measure(String engine, Connection c, int updates, int rounds) throws SQLException {
        TestTables.createAccounts(c, "accounts");
        try (PreparedStatement insert =
                c.prepareStatement("INSERT INTO accounts VALUES (?, 1, 'someone@example.com', 0)")) {
            c.setAutoCommit(false);
            for (int id = 1; id <= ROWS; id++) {
                insert.setLong(1, id);
                insert.addBatch();
                if (id % 1000 == 0) {
                    insert.executeBatch();
                }
            }
            c.commit();
            c.setAutoCommit(true);
        }
        TableSpec accounts = Dialect.of(c).tableSpec(c, "accounts", "tenant_id");
        ChangeCapture capture = ChangeCapture.of(c);
        capture.setEpoch(c, 1);
        for (int batch : new int[] {1, 100}) {
            List<Double> plain = new ArrayList<>();
            List<Double> captured = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                capture.remove(c, accounts);
                run(c, updates / 10, batch, round);
                plain.add(run(c, updates, batch, round));
                capture.install(c, accounts);
                capture.raiseFence(c, accounts, 1, true);
                run(c, updates / 10, batch, round);
                captured.add(run(c, updates, batch, round));
                capture.trim(c, Long.MAX_VALUE);
            }
            double without = median(plain);
            double with = median(captured);
            double bestWithout = Collections.min(plain);
            double bestWith = Collections.min(captured);
            System.out.printf(
                    Locale.ROOT,
                    "%-10s %-15s median %6.1f -> %6.1f us (+%5.1f us, +%3.0f %%)  best %6.1f -> %6.1f us (+%5.1f us)"
                            + "  runs %s | %s%n",
                    engine,
                    batch == 1 ? "autocommit" : batch + " per commit",
                    without,
                    with,
                    with - without,
                    100 * (with - without) / without,
                    bestWithout,
                    bestWith,
                    bestWith - bestWithout,
                    format(plain),
                    format(captured));
        }
        capture.remove(c, accounts);
    }

    /** Mean microseconds per update. */
    private static double run(Connection c, int updates, int perCommit, int seed) throws SQLException {
        SplittableRandom random = new SplittableRandom(seed);
        c.setAutoCommit(perCommit == 1);
        try (PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + 1 WHERE id = ?")) {
            long start = System.nanoTime();
            for (int i = 1; i <= updates; i++) {
                update.setLong(1, 1 + random.nextInt(ROWS));
                update.executeUpdate();
                if (perCommit > 1 && i % perCommit == 0) {
                    c.commit();
                }
            }
            if (perCommit > 1) {
                c.commit();
            }
            long elapsed = System.nanoTime() - start;
            return elapsed / 1000.0 / updates;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String format(List<Double> values) {
        List<String> texts = new ArrayList<>();
        for (double value : values) {
            texts.add(String.format(Locale.ROOT, "%.1f", value));
        }
        return String.join("/", texts);
    }
}
