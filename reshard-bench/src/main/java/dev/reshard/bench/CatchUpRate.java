package dev.reshard.bench;

import dev.reshard.bench.MigrationFixture.Options;
import dev.reshard.bench.MigrationFixture.Shards;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import dev.reshard.jdbc.copy.PgBinaryCopy;
import dev.reshard.migration.CatchUp;
import dev.reshard.migration.SyncFromSource;
import dev.reshard.migration.Verifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * How fast catch-up applies a changelog, against the rate the source wrote it (docs/BENCHMARKS.md,
 * "Migration engine (issue 4)").
 *
 * <p>Fixture: {@code users} with {@code --rows} rows on shard_0, the moving quarter already copied
 * to shard_1, change capture installed on shard_0 (as in DUAL_WRITE). Per round:
 *
 * <ol>
 *   <li>burst: {@code --threads} writers, each on its own connection, run single-row autocommit
 *       {@code UPDATE users SET balance = balance + 1} on random keys as fast as they can for
 *       {@code --seconds}: the source write rate (each write logs one changelog entry);
 *   <li>catch-up alone: {@link CatchUp#replay} (the public one-source, one-target replay the
 *       engine's CatchUpRunner is built on: sync-from-source in 200-key transactions) over the
 *       burst's entries, {@code --limit} entries per pass, until nothing is left: entries/s;
 *   <li>catch-up while writing: the same burst again with catch-up replaying concurrently (each
 *       pass after the last id it read); the time it needs after the writers stop says whether it
 *       kept up. Then one untimed sweep over the phase's entries picks up entries whose transaction
 *       committed after a later id was read (the engine's CatchUpRunner re-reads a window instead).
 * </ol>
 *
 * After each round the copy is verified ({@link Verifier}, not timed).
 *
 * <p>Usage: {@code java -cp reshard-bench/target/benchmarks.jar dev.reshard.bench.CatchUpRate
 * [--rows=200000] [--rounds=3] [--threads=2] [--seconds=10] [--limit=2000]}.
 */
public final class CatchUpRate {
    private CatchUpRate() {}

    private record Replay(long entries, long upserted, long deleted, long unchanged, double seconds) {
        double rate() {
            return entries / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = new Options(args);
        long rows = o.longValue("rows", 200_000);
        int rounds = o.intValue("rounds", 3);
        int threads = o.intValue("threads", 2);
        int seconds = o.intValue("seconds", 10);
        int limit = o.intValue("limit", 2000);
        o.requireAllUsed();
        System.out.println("# CatchUpRate: rows=" + rows + " rounds=" + rounds + " writers=" + threads + " for "
                + seconds + " s, " + limit + " entries per pass");
        System.out.println("machine: " + MigrationFixture.machine() + ", other JVMs: " + MigrationFixture.otherJvms());
        Predicate<Object> moves = MigrationFixture.moves();
        List<double[]> summary = new ArrayList<>();
        try (MigrationFixture fixture = MigrationFixture.start();
                Shards s = fixture.newShards(threads + 1);
                MigrationFixture.Neighbours neighbours = new MigrationFixture.Neighbours()) {
            s.createUsers(rows);
            TableSpec spec;
            TableSpec targetSpec;
            try (Connection src = s.oldEngine.getConnection();
                    Connection dst = s.newEngine.getConnection()) {
                spec = s.spec(src, "users", "id");
                targetSpec = s.spec(dst, "users", "id");
                copyMoving(src, dst, spec, targetSpec, moves);
                ChangeCapture.of(src).install(src, spec);
            }
            Map<String, TableSpec[]> tables = Map.of("users", new TableSpec[] {spec, targetSpec});
            for (int round = 1; round <= rounds; round++) {
                System.out.println("\n## round " + round + " (load average " + MigrationFixture.loadAverage()
                        + ", other JVMs " + MigrationFixture.otherJvms() + ")");
                s.checkpoint();
                neighbours.take();
                long head = head(s);
                double writeRate = burst(s, rows, threads, seconds, null);
                System.out.printf(Locale.ROOT, "burst: %.0f writes/s (%d entries logged)%n", writeRate, head(s) - head);
                s.checkpoint();
                Replay alone = drain(s, tables, head, limit, moves, null);
                System.out.printf(
                        Locale.ROOT,
                        "catch-up alone: %d entries in %.2f s = %.0f entries/s (%d upserted, %d deleted, %d unchanged);"
                                + " %.2f x the write rate%n",
                        alone.entries,
                        alone.seconds,
                        alone.rate(),
                        alone.upserted,
                        alone.deleted,
                        alone.unchanged,
                        alone.rate() / writeRate);
                System.out.println("burst and catch-up alone ran " + neighbours.take());
                verify(s, spec, targetSpec, moves);

                s.checkpoint();
                neighbours.take();
                long head2 = head(s);
                AtomicBoolean writing = new AtomicBoolean(true);
                Replay[] concurrent = new Replay[1];
                Thread replayer = new Thread(
                        () -> {
                            try {
                                concurrent[0] = drain(s, tables, head2, limit, moves, writing);
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "catch-up");
                replayer.start();
                double writeRate2 = burst(s, rows, threads, seconds, () -> writing.set(false));
                replayer.join();
                Replay c = concurrent[0];
                System.out.println("catch-up while writing ran " + neighbours.take());
                // Changelog ids follow insertion, not commit order: following lastId can step over an
                // entry whose transaction committed late (CatchUp's notes). The engine re-reads a
                // window (ChangelogCursor); here one sweep over the phase's entries does it, untimed.
                Replay sweep = drain(s, tables, head2, limit, moves, null);
                System.out.printf(
                        Locale.ROOT,
                        "sweep from the phase's start: %d entries re-read, %d rows upserted that following lastId had"
                                + " missed%n",
                        sweep.entries,
                        sweep.upserted);
                System.out.printf(
                        Locale.ROOT,
                        "while writing: %.0f writes/s; catch-up applied %d entries in %.2f s = %.0f entries/s"
                                + " (%.2f x the write rate), ending %.2f s after the writers stopped%n",
                        writeRate2,
                        c.entries,
                        c.seconds,
                        c.rate(),
                        c.rate() / writeRate2,
                        c.seconds - seconds);
                verify(s, spec, targetSpec, moves);
                summary.add(new double[] {
                    writeRate, alone.rate(), alone.rate() / writeRate, writeRate2, c.rate(), c.seconds - seconds
                });
            }
        }
        System.out.println("\n## Summary\n");
        System.out.println("| round | burst writes/s | catch-up alone entries/s | ratio | writes/s while catching up"
                + " | catch-up entries/s while writing | catch-up finished after the writers (s) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < summary.size(); i++) {
            double[] r = summary.get(i);
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |%n",
                    i + 1,
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5]);
        }
        System.out.printf(
                Locale.ROOT,
                "%nmedian catch-up ÷ write rate: %.2f (target >= 3)%n",
                MigrationFixture.median(summary.stream().mapToDouble(r -> r[2]).toArray()));
    }

    private static void copyMoving(Connection src, Connection dst, TableSpec s, TableSpec t, Predicate<Object> moves)
            throws SQLException {
        PgBinaryCopy copy = new PgBinaryCopy();
        Optional<List<Object>> cursor = Optional.empty();
        while (true) {
            PgBinaryCopy.CopyBatch b = copy.copyBatch(src, dst, s, t, cursor, 10_000, moves);
            cursor = b.cursor();
            if (b.done()) {
                return;
            }
        }
    }

    private static long head(Shards s) throws SQLException {
        return Shards.count(s.oldEngine, "SELECT coalesce(max(id), 0) FROM reshard_changelog");
    }

    /** Writers at full speed for {@code seconds}; returns writes per second. Runs {@code atEnd} when they stop. */
    private static double burst(Shards s, long rows, int threads, int seconds, Runnable atEnd) throws Exception {
        LongAdder writes = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> list = new ArrayList<>();
        Exception[] failure = new Exception[1];
        for (int t = 0; t < threads; t++) {
            SplittableRandom random = new SplittableRandom(97L * t + 1);
            Thread thread = new Thread(
                    () -> {
                        try (Connection c = s.oldDb.dataSource().getConnection();
                                PreparedStatement ps =
                                        c.prepareStatement("UPDATE users SET balance = balance + 1 WHERE id = ?")) {
                            while (!stop.get()) {
                                ps.setLong(1, 1 + random.nextLong(rows));
                                ps.executeUpdate();
                                writes.increment();
                            }
                        } catch (SQLException e) {
                            failure[0] = e;
                        }
                    },
                    "writer-" + t);
            list.add(thread);
        }
        long start = System.nanoTime();
        list.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : list) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (atEnd != null) {
            atEnd.run();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return writes.sum() / elapsed;
    }

    /**
     * Replays from {@code after} until a pass finds nothing (and, with {@code writing}, not before
     * the writers stopped).
     */
    private static Replay drain(
            Shards s,
            Map<String, TableSpec[]> tables,
            long after,
            int limit,
            Predicate<Object> moves,
            AtomicBoolean writing)
            throws SQLException {
        try (Connection src = s.oldEngine.getConnection();
                Connection dst = s.newEngine.getConnection()) {
            CatchUp catchUp = new CatchUp(ChangeCapture.of(src), new SyncFromSource(Dialect.of(src), Dialect.of(dst)));
            long entries = 0;
            long upserted = 0;
            long deleted = 0;
            long unchanged = 0;
            long start = System.nanoTime();
            while (true) {
                boolean stillWriting = writing != null && writing.get();
                CatchUp.Pass p = catchUp.replay(src, dst, tables, after, limit, moves);
                after = p.lastId();
                entries += p.entries();
                upserted += p.outcome().upserted();
                deleted += p.outcome().deleted();
                unchanged += p.outcome().unchanged();
                if (p.entries() == 0 && !stillWriting) {
                    return new Replay(entries, upserted, deleted, unchanged, (System.nanoTime() - start) / 1e9);
                }
            }
        }
    }

    private static void verify(Shards s, TableSpec spec, TableSpec targetSpec, Predicate<Object> moves)
            throws SQLException {
        try (Connection src = s.oldEngine.getConnection();
                Connection dst = s.newEngine.getConnection()) {
            Verifier.Report r =
                    new Verifier(Dialect.of(src), Dialect.of(dst)).compare(src, dst, spec, targetSpec, 2000, moves);
            if (!r.clean()) {
                throw new IllegalStateException("after catch-up the copy differs: "
                        + r.mismatchedKeys().size() + " keys, e.g. "
                        + r.mismatchedKeys()
                                .subList(0, Math.min(5, r.mismatchedKeys().size())));
            }
        }
    }
}
