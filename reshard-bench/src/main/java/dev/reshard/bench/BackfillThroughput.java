package dev.reshard.bench;

import dev.reshard.bench.MigrationFixture.Options;
import dev.reshard.bench.MigrationFixture.Shards;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.Identifier;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.copy.PgBinaryCopy;
import dev.reshard.migration.Backfill;
import dev.reshard.migration.Verifier;
import dev.reshard.migration.engine.MigrationOptions;
import dev.reshard.migration.engine.MovingKeys;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Backfill and verification of the migration engine on PostgreSQL, each beside its anchor from the
 * same round (docs/BENCHMARKS.md, "Migration engine (issue 4)").
 *
 * <p>Fixture ({@link MigrationFixture}): two durable embedded PostgreSQL servers, {@code users} with
 * {@code --rows} rows on shard_0, a quarter of the virtual shards moving to shard_1. The moving
 * rows are chosen by a hash the database cannot evaluate, so the anchors select them through a
 * precomputed id list ({@code bench_moving}, and {@code bench_moving_rows}, a copy of just those
 * rows). Every round, in a rotating order, with the target truncated and both servers checkpointed
 * before each step:
 *
 * <ol>
 *   <li>anchor: {@code PgBinaryCopy.pipe} of {@code SELECT ... FROM users WHERE id IN (SELECT id FROM
 *       bench_moving)} (a scan of the whole source, like the engine's, plus the moving rows);
 *   <li>anchor: {@code PgBinaryCopy.pipe} of {@code SELECT ... FROM bench_moving_rows} (only the
 *       moving rows are read: the strictest anchor);
 *   <li>the engine's copy path: {@code PgBinaryCopy.copyBatch} in a keyset loop over the whole
 *       table with the migration's predicate, unthrottled (for each {@code --batches} size); the
 *       same loop with a predicate that never holds (its read side alone, rows read); then
 *       with the target as the backfill left it: {@code Verifier.compare} (engine chunk size
 *       {@code --chunk}), a naive full-row pull-and-compare, and the in-database row-hash
 *       aggregate anchors;
 *   <li>the JDBC backfill ({@code Backfill.copyBatch}), for context.
 * </ol>
 *
 * {@code --warmup} rounds run first and are printed but not counted (JIT, caches). Each step
 * reports the heap it needed ({@link HeapWatch}) and which other JVMs ran meanwhile.
 *
 * <p>Usage: {@code java [-Xmx256m] -cp reshard-bench/target/benchmarks.jar
 * dev.reshard.bench.BackfillThroughput [--rows=1000000] [--rounds=3] [--warmup=1] [--batches=10000,2000]
 * [--chunk=2000] [--jdbc=true] [--naive=true]}.
 */
public final class BackfillThroughput {
    private static final String ANCHOR_SCAN = "anchor: pipe, users WHERE moving (database selects)";
    private static final String ANCHOR_ROWS = "anchor: pipe, moving rows only";
    private static final String READ_ONLY = "engine copy path, read side only (predicate never true)";
    private static final String VERIFY = "Verifier.compare";
    private static final String NAIVE = "naive pull-and-compare";
    private static final String HASH_MOVING = "anchor: row-hash aggregate, moving rows, both sides";
    private static final String HASH_ALL = "anchor: row-hash aggregate, all source rows + target";
    private static final String JDBC = "JDBC Backfill.copyBatch";

    private BackfillThroughput() {}

    /** One measured step of one round; {@code neighbours} says which other JVMs ran meanwhile. */
    private record Result(double seconds, long rows, HeapWatch.Peak heap, String neighbours) {}

    /** What watches every step: its heap, and the other JVMs on the machine. */
    private record Watch(HeapWatch heap, MigrationFixture.Neighbours neighbours) {}

    private interface Step {
        long run() throws SQLException;
    }

    private interface Task {
        void run() throws SQLException;
    }

    public static void main(String[] args) throws Exception {
        Options o = new Options(args);
        long rows = o.longValue("rows", 1_000_000);
        int rounds = o.intValue("rounds", 3);
        int warmup = o.intValue("warmup", 1);
        int[] batches = Arrays.stream(o.string("batches", "10000").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim()))
                .toArray();
        int chunk = o.intValue("chunk", MigrationOptions.defaults().verifyChunkRows());
        boolean jdbc = o.flag("jdbc", true);
        boolean naive = o.flag("naive", true);
        String strategy = o.string("strategy", "virtual");
        o.requireAllUsed();
        if (!strategy.equals("virtual") && !strategy.equals("range")) {
            throw new IllegalArgumentException("--strategy=" + strategy + ": use virtual (a quarter of 1024 virtual"
                    + " shards move; the rule is xxh3, which PostgreSQL cannot evaluate) or range (the top quarter of"
                    + " the ids is split off; the rule is a key range, pushed into the database)");
        }
        ShardMap v1 = MigrationFixture.V1;
        ShardMap v2 = MigrationFixture.V2;
        if (strategy.equals("range")) {
            v1 = ShardMap.initial(RangeMap.of(
                    List.of(RangeMap.Range.open(0, MigrationFixture.OLD)),
                    List.of(MigrationFixture.OLD, MigrationFixture.NEW)));
            v2 = ShardMaps.splitRange(v1, rows - rows / 4 + 1, MigrationFixture.NEW);
        }
        Predicate<Object> moves = MigrationFixture.PAIR.moves(v1, v2);
        Optional<String> condition =
                MovingKeys.condition(v1, v2, MigrationFixture.PAIR, Dialect.of(Engine.POSTGRESQL), "\"id\"");

        System.out.println("# BackfillThroughput: rows=" + rows + " rounds=" + rounds + " warmup=" + warmup
                + " batches=" + Arrays.toString(batches) + " chunk=" + chunk + " strategy=" + strategy
                + " (moving rows as SQL: " + condition.orElse("none") + ")");
        System.out.println("machine: " + MigrationFixture.machine() + ", other JVMs: " + MigrationFixture.otherJvms());
        Map<String, List<Result>> results = new LinkedHashMap<>();
        try (MigrationFixture fixture = MigrationFixture.start();
                Shards s = fixture.newShards(2);
                HeapWatch heapWatch = new HeapWatch();
                MigrationFixture.Neighbours neighbours = new MigrationFixture.Neighbours()) {
            Watch watch = new Watch(heapWatch, neighbours);
            System.out.println("PostgreSQL " + Shards.serverVersion(s.oldEngine) + ", two servers, "
                    + MigrationFixture.SERVER_CONFIG);
            double loadSeconds = s.createUsers(rows);
            long[] moving = Shards.movingIds(rows, moves);
            s.storeIds("bench_moving", moving);
            Shards.execute(
                    s.oldEngine,
                    "CREATE TABLE bench_moving_rows AS SELECT id, balance, note FROM users"
                            + " WHERE id IN (SELECT id FROM bench_moving) ORDER BY id");
            Shards.execute(s.oldEngine, "VACUUM (ANALYZE) bench_moving_rows");
            System.out.printf(
                    Locale.ROOT,
                    "fixture: %d rows (%.1f MB with index) loaded in %.1f s, %d move (%.2f %%)%n",
                    rows,
                    Shards.count(s.oldEngine, "SELECT pg_total_relation_size('users')") / 1e6,
                    loadSeconds,
                    moving.length,
                    100.0 * moving.length / rows);

            for (int round = 1 - warmup; round <= rounds; round++) {
                if (round == 1) {
                    results.clear(); // the warm-up rounds (JIT, caches) are printed, not counted
                }
                System.out.println("\n## " + (round < 1 ? "warm-up round" : "round " + round) + " (load average "
                        + MigrationFixture.loadAverage() + ", other JVMs "
                        + MigrationFixture.otherJvms() + ")");
                int turn = Math.floorMod(round - 1, 3);
                List<Task> copies = new ArrayList<>();
                copies.add(() -> measure(
                        results,
                        watch,
                        s,
                        ANCHOR_SCAN,
                        true,
                        () -> pipe(
                                s,
                                "SELECT id, balance, note FROM users WHERE "
                                        + condition.orElse("id IN (SELECT id FROM bench_moving)"))));
                copies.add(() -> measure(
                        results,
                        watch,
                        s,
                        ANCHOR_ROWS,
                        true,
                        () -> pipe(s, "SELECT id, balance, note FROM bench_moving_rows")));
                copies.add(() -> {
                    for (int batch : batches) {
                        measure(
                                results,
                                watch,
                                s,
                                engineName(batch),
                                true,
                                () -> engineCopy(s, batch, moves, condition));
                        require(Shards.count(s.newEngine, "SELECT count(*) FROM users"), moving.length, "engine copy");
                        if (batch != batches[0]) {
                            continue; // the checks run once per round, on the copy of the first batch size
                        }
                        measure(
                                results,
                                watch,
                                s,
                                READ_ONLY,
                                false,
                                () -> engineCopy(s, batch, key -> false, condition));
                        Shards.execute(s.newEngine, "VACUUM (ANALYZE) users");
                        List<Task> checks = new ArrayList<>();
                        checks.add(() -> measure(
                                results, watch, s, VERIFY, false, () -> verify(s, chunk, moves, condition, moving)));
                        if (naive) {
                            checks.add(() ->
                                    measure(results, watch, s, NAIVE, false, () -> naive(s, moves, condition, moving)));
                        }
                        checks.add(() -> measure(
                                results, watch, s, HASH_MOVING, false, () -> hashAggregate(s, true, condition)));
                        checks.add(() ->
                                measure(results, watch, s, HASH_ALL, false, () -> hashAggregate(s, false, condition)));
                        for (Task t : rotate(checks, turn)) {
                            t.run();
                        }
                    }
                });
                for (Task t : rotate(copies, turn)) {
                    t.run();
                }
                if (jdbc) {
                    measure(
                            results,
                            watch,
                            s,
                            JDBC + " (batch " + batches[0] + ")",
                            true,
                            () -> jdbcBackfill(s, batches[0], moves));
                    require(Shards.count(s.newEngine, "SELECT count(*) FROM users"), moving.length, "JDBC backfill");
                }
            }
            System.out.println("\nload average at the end " + MigrationFixture.loadAverage());
            report(results, rounds, batches);
        }
    }

    private static String engineName(int batch) {
        return "engine copy path (PgBinaryCopy.copyBatch, batch " + batch + ")";
    }

    private static <T> List<T> rotate(List<T> list, int by) {
        List<T> out = new ArrayList<>(list);
        Collections.rotate(out, -(by % Math.max(1, list.size())));
        return out;
    }

    private static void measure(
            Map<String, List<Result>> results, Watch watch, Shards s, String name, boolean truncate, Step step) {
        try {
            if (truncate) {
                Shards.execute(s.newEngine, "TRUNCATE users");
            }
            s.checkpoint();
            watch.heap().reset();
            watch.neighbours().take();
            long start = System.nanoTime();
            long rows = step.run();
            double seconds = (System.nanoTime() - start) / 1e9;
            HeapWatch.Peak peak = watch.heap().peak();
            String others = watch.neighbours().take();
            results.computeIfAbsent(name, k -> new ArrayList<>()).add(new Result(seconds, rows, peak, others));
            System.out.printf(
                    Locale.ROOT,
                    "%-62s %8.3f s %9d rows %10.0f rows/s  %s; %s%n",
                    name,
                    seconds,
                    rows,
                    rows / seconds,
                    peak,
                    others);
        } catch (SQLException e) {
            throw new IllegalStateException(name + " failed: " + e.getMessage(), e);
        }
    }

    private static void require(long actual, long expected, String what) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": " + actual + " rows on the target, expected " + expected);
        }
    }

    private static long pipe(Shards s, String select) throws SQLException {
        try (Connection src = s.oldEngine.getConnection();
                Connection dst = s.newEngine.getConnection()) {
            return PgBinaryCopy.pipe(
                    src, dst, select, Identifier.parse("table", "users"), List.of("id", "balance", "note"));
        }
    }

    /** The engine's copy path as the Copier drives it (without its catalog checkpoint per batch). */
    private static long engineCopy(Shards s, int batch, Predicate<Object> moves, Optional<String> condition)
            throws SQLException {
        try (Connection src = s.oldEngine.getConnection();
                Connection dst = s.newEngine.getConnection()) {
            TableSpec from = s.spec(src, "users", "id");
            TableSpec to = s.spec(dst, "users", "id");
            PgBinaryCopy copy = new PgBinaryCopy();
            Optional<List<Object>> cursor = Optional.empty();
            long copied = 0;
            long read = 0;
            while (true) {
                PgBinaryCopy.CopyBatch b = copy.copyBatch(src, dst, from, to, cursor, batch, moves, condition);
                copied += b.copied();
                read += b.read();
                cursor = b.cursor();
                if (b.fellBack()) {
                    throw new IllegalStateException("a batch fell back to staging on an empty target");
                }
                if (b.done()) {
                    return copied > 0 ? copied : read;
                }
            }
        }
    }

    private static long jdbcBackfill(Shards s, int batch, Predicate<Object> moves) throws SQLException {
        try (Connection src = s.oldEngine.getConnection();
                Connection dst = s.newEngine.getConnection()) {
            TableSpec from = s.spec(src, "users", "id");
            TableSpec to = s.spec(dst, "users", "id");
            Backfill backfill = new Backfill(Dialect.of(src), Dialect.of(dst));
            Optional<List<Object>> cursor = Optional.empty();
            long copied = 0;
            while (true) {
                Backfill.Batch b = backfill.copyBatch(src, dst, from, to, cursor, batch, moves);
                copied += b.copied();
                cursor = b.cursor();
                if (b.done()) {
                    return copied;
                }
            }
        }
    }

    private static long verify(Shards s, int chunk, Predicate<Object> moves, Optional<String> condition, long[] moving)
            throws SQLException {
        try (Connection src = s.oldEngine.getConnection();
                Connection dst = s.newEngine.getConnection()) {
            TableSpec from = s.spec(src, "users", "id");
            TableSpec to = s.spec(dst, "users", "id");
            Verifier.Report r =
                    new Verifier(Dialect.of(src), Dialect.of(dst)).compare(src, dst, from, to, chunk, moves, condition);
            if (!r.clean() || r.sourceRows() != moving.length || r.targetRows() != moving.length) {
                throw new IllegalStateException("verification of a complete copy is not clean: " + r);
            }
            return r.sourceRows();
        }
    }

    /** SELECT * on both sides in primary-key order, streamed, compared column by column in the JVM. */
    private static long naive(Shards s, Predicate<Object> moves, Optional<String> condition, long[] moving)
            throws SQLException {
        try (Connection src = s.oldEngine.getConnection();
                Connection dst = s.newEngine.getConnection()) {
            src.setAutoCommit(false);
            dst.setAutoCommit(false);
            long compared = 0;
            long differing = 0;
            try (Statement a = src.createStatement();
                    Statement b = dst.createStatement()) {
                a.setFetchSize(10_000);
                b.setFetchSize(10_000);
                // Where the moving rows have a SQL form, the naive compare uses it too (it is fair).
                String select = "SELECT * FROM users"
                        + condition.map(c -> " WHERE " + c).orElse("") + " ORDER BY id";
                try (ResultSet ra = a.executeQuery(select);
                        ResultSet rb = b.executeQuery(select)) {
                    int columns = ra.getMetaData().getColumnCount();
                    boolean more = rb.next();
                    while (ra.next()) {
                        Object key = ra.getObject(1);
                        if (!moves.test(key)) {
                            continue;
                        }
                        compared++;
                        long id = ra.getLong(1);
                        while (more && rb.getLong(1) < id) {
                            differing++;
                            more = rb.next();
                        }
                        if (!more || rb.getLong(1) != id) {
                            differing++;
                            continue;
                        }
                        for (int c = 2; c <= columns; c++) {
                            if (!Objects.equals(ra.getObject(c), rb.getObject(c))) {
                                differing++;
                                break;
                            }
                        }
                        more = rb.next();
                    }
                    while (more) {
                        differing++;
                        more = rb.next();
                    }
                }
            } finally {
                src.commit();
                dst.commit();
            }
            if (differing != 0 || compared != moving.length) {
                throw new IllegalStateException(
                        "naive compare found " + differing + " differences over " + compared + " rows");
            }
            return compared;
        }
    }

    /**
     * count(*) and the sum of the Verifier's own row hash, computed by each database over the same
     * rows, one side after the other (what a verifier costs when the predicate can be pushed down).
     */
    private static long hashAggregate(Shards s, boolean movingOnly, Optional<String> condition) throws SQLException {
        String rowHash;
        try (Connection c = s.oldEngine.getConnection()) {
            rowHash = Verifier.rowHash(c, Dialect.of(c), s.spec(c, "users", "id"));
        }
        String source = "SELECT count(*), sum(" + rowHash + ") FROM users"
                + (movingOnly ? " WHERE " + condition.orElse("id IN (SELECT id FROM bench_moving)") : "");
        long[] a = aggregate(s.oldEngine, source);
        long[] b = aggregate(s.newEngine, "SELECT count(*), sum(" + rowHash + ") FROM users");
        if (movingOnly && (a[0] != b[0] || a[1] != b[1])) {
            throw new IllegalStateException(
                    "row-hash aggregates differ: " + Arrays.toString(a) + " vs " + Arrays.toString(b));
        }
        return a[0];
    }

    private static long[] aggregate(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getBigDecimal(2).longValue()};
        }
    }

    // ---------------------------------------------------------------- report

    private static double medianSeconds(Map<String, List<Result>> results, String name) {
        List<Result> r = results.get(name);
        return r == null
                ? Double.NaN
                : MigrationFixture.median(
                        r.stream().mapToDouble(Result::seconds).toArray());
    }

    /** Median over rounds of a per-round ratio (each ratio's two terms come from the same round). */
    private static double medianRatio(Map<String, List<Result>> results, String num, String den, boolean rates) {
        List<Result> a = results.get(num);
        List<Result> b = results.get(den);
        if (a == null || b == null) {
            return Double.NaN;
        }
        int n = Math.min(a.size(), b.size());
        double[] ratios = new double[n];
        for (int i = 0; i < n; i++) {
            ratios[i] = rates
                    ? (a.get(i).rows() / a.get(i).seconds())
                            / (b.get(i).rows() / b.get(i).seconds())
                    : a.get(i).seconds() / b.get(i).seconds();
        }
        return MigrationFixture.median(ratios);
    }

    private static void report(Map<String, List<Result>> results, int rounds, int[] batches) {
        System.out.println("\n## Medians of " + rounds + " rounds\n");
        System.out.println("| step | rows | median s | median rows/s | runs (s; * = another JVM ran) | peak heap used /"
                + " after GC (MiB) |");
        System.out.println("|---|---:|---:|---:|---|---:|");
        for (Map.Entry<String, List<Result>> e : results.entrySet()) {
            List<Result> r = e.getValue();
            double[] rates = r.stream().mapToDouble(x -> x.rows() / x.seconds()).toArray();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %.3f | %.0f | %s | %.0f / %.0f |%n",
                    e.getKey(),
                    r.get(0).rows(),
                    medianSeconds(results, e.getKey()),
                    MigrationFixture.median(rates),
                    String.join(
                            ", ",
                            r.stream()
                                    .map(x -> String.format(
                                            Locale.ROOT,
                                            "%.2f%s",
                                            x.seconds(),
                                            x.neighbours().equals("alone") ? "" : "*"))
                                    .toList()),
                    r.stream().mapToLong(x -> x.heap().maxUsed()).max().orElse(0) / 1048576.0,
                    r.stream().mapToLong(x -> x.heap().maxAfterGc()).max().orElse(0) / 1048576.0);
        }
        String engine = engineName(batches[0]);
        System.out.println("\n## Ratios (median of the per-round ratios)\n");
        System.out.println("| ratio | value | target | verdict |");
        System.out.println("|---|---:|---|---|");
        for (int batch : batches) {
            ratio(
                    results,
                    "engine copy (batch " + batch + ") ÷ " + ANCHOR_SCAN + ", rows/s",
                    engineName(batch),
                    ANCHOR_SCAN,
                    true,
                    0.8,
                    true);
            ratio(
                    results,
                    "engine copy (batch " + batch + ") ÷ " + ANCHOR_ROWS + ", rows/s",
                    engineName(batch),
                    ANCHOR_ROWS,
                    true,
                    0.8,
                    true);
        }
        ratio(
                results,
                "JDBC backfill ÷ " + ANCHOR_SCAN + ", rows/s",
                JDBC + " (batch " + batches[0] + ")",
                ANCHOR_SCAN,
                true,
                Double.NaN,
                true);
        ratio(
                results,
                "engine read side time ÷ engine copy time (batch " + batches[0] + ")",
                READ_ONLY,
                engine,
                false,
                Double.NaN,
                false);
        ratio(
                results,
                "Verifier time ÷ engine copy time (batch " + batches[0] + ")",
                VERIFY,
                engine,
                false,
                1.0,
                false);
        ratio(results, "naive compare time ÷ Verifier time", NAIVE, VERIFY, false, 5.0, true);
        ratio(
                results,
                "Verifier time ÷ row-hash aggregate of the moving rows",
                VERIFY,
                HASH_MOVING,
                false,
                Double.NaN,
                false);
        ratio(
                results,
                "Verifier time ÷ row-hash aggregate of all source rows",
                VERIFY,
                HASH_ALL,
                false,
                Double.NaN,
                false);
    }

    private static void ratio(
            Map<String, List<Result>> results,
            String label,
            String num,
            String den,
            boolean rates,
            double target,
            boolean atLeast) {
        double v = medianRatio(results, num, den, rates);
        String t = Double.isNaN(target) ? "—" : (atLeast ? "≥ " : "≤ ") + target;
        String verdict = Double.isNaN(target) || Double.isNaN(v)
                ? "—"
                : (atLeast ? v >= target : v <= target) ? "met" : "NOT MET";
        System.out.printf(Locale.ROOT, "| %s | %.2f | %s | %s |%n", label, v, t, verdict);
    }
}
