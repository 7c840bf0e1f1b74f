package dev.reshard.bench;

import dev.reshard.bench.MigrationFixture.Options;
import dev.reshard.bench.MigrationFixture.Shards;
import dev.reshard.core.migration.Phase;
import dev.reshard.migration.engine.MigratedTable;
import dev.reshard.migration.engine.MigrationEngine;
import dev.reshard.migration.engine.MigrationOptions;
import dev.reshard.migration.engine.MigrationReport;
import dev.reshard.migration.engine.MigrationRequest;
import dev.reshard.migration.engine.MigrationStatus;
import dev.reshard.router.Router;
import dev.reshard.router.ShardedTable;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a backfill does to a live workload: a fixed-rate workload through the router, its latency
 * with no migration, in DUAL_WRITE before the copy, and during the engine's backfill, unthrottled and
 * with the throttle on (docs/BENCHMARKS.md, "Migration engine (issue 4)").
 *
 * <p>Per mode, on fresh databases of the two durable servers: {@code users} with {@code --rows}
 * rows on shard_0, map v1 → v2 moving a quarter of the virtual shards, one router. The workload
 * ({@link FixedRateLoad}, open loop, latency from the scheduled start, as pgbench {@code --rate})
 * runs {@code --rate} single-row {@code UPDATE users SET balance = balance + 1} transactions per
 * second on random keys over {@code --threads} threads for the whole run:
 *
 * <ol>
 *   <li>baseline: {@code --window} seconds with routers on v1 (no migration);
 *   <li>dual-write: the engine runs to DUAL_WRITE ({@code stopBefore(BACKFILL)}; capture installed,
 *       moving keys mirrored), then {@code --window} seconds;
 *   <li>backfill: the engine resumes with {@code stopBefore(READ_NEW)} and the mode's options; the
 *       window is {@code report.backfill.startedAt .. finishedAt}.
 * </ol>
 *
 * Modes: {@code unthrottled} ({@code maxRowsPerSecond = 0}, no guardrail), {@code throttled} ({@code
 * --max-rows-per-second}, {@code --guardrail-ms}) and {@code defaults} (the engine's: no ceiling, a
 * 5 ms guardrail). The throttle counts rows read, not rows copied.
 * {@code --rate=0} runs the workload closed loop (each thread as fast as it can): the ops/s of each
 * window are then the workload's throughput at saturation, and its latencies are service times.
 *
 * <p>Usage: {@code java -cp reshard-bench/target/benchmarks.jar dev.reshard.bench.WorkloadImpact
 * [--rows=1000000] [--rate=300] [--threads=2] [--window=20] [--modes=unthrottled,throttled]
 * [--max-rows-per-second=100000] [--guardrail-ms=5] [--batch=2000]}.
 */
public final class WorkloadImpact {
    private static final List<MigratedTable> TABLES = List.of(new MigratedTable("users", "id"));

    private WorkloadImpact() {}

    private record Mode(
            String name,
            FixedRateLoad.Summary baseline,
            FixedRateLoad.Summary dual,
            FixedRateLoad.Summary backfill,
            double copiedPerSecond,
            double readPerSecond,
            List<String> neighbours) {}

    public static void main(String[] args) throws Exception {
        Options o = new Options(args);
        long rows = o.longValue("rows", 1_000_000);
        double rate = o.doubleValue("rate", 300);
        int threads = o.intValue("threads", 2);
        int window = o.intValue("window", 20);
        String[] modes = o.string("modes", "unthrottled,throttled").split(",");
        double maxRows = o.doubleValue("max-rows-per-second", 100_000);
        long guardrailMs = o.longValue("guardrail-ms", 5);
        int batch = o.intValue("batch", 2000);
        o.requireAllUsed();
        System.out.println("# WorkloadImpact: rows=" + rows + " rate=" + rate + " ops/s on " + threads
                + " threads, window " + window + " s, modes " + String.join(",", modes) + ", throttle "
                + maxRows + " rows read/s, guardrail " + guardrailMs + " ms, batch " + batch);
        System.out.println("machine: " + MigrationFixture.machine() + ", other JVMs: " + MigrationFixture.otherJvms());
        List<Mode> results = new ArrayList<>();
        try (MigrationFixture fixture = MigrationFixture.start()) {
            for (String mode : modes) {
                MigrationOptions.Builder options = MigrationOptions.builder().batchRows(batch);
                switch (mode.trim()) {
                    case "unthrottled" -> options.maxRowsPerSecond(0).latencyGuardrail(Duration.ZERO);
                    case "throttled" ->
                        options.maxRowsPerSecond(maxRows).latencyGuardrail(Duration.ofMillis(guardrailMs));
                    case "defaults" -> {} // the engine's defaults: no ceiling, the 5 ms guardrail
                    default ->
                        throw new IllegalArgumentException(
                                "mode " + mode + " is not unthrottled, throttled or defaults");
                }
                System.out.println("\n## " + mode + " (load average " + MigrationFixture.loadAverage() + ", other JVMs "
                        + MigrationFixture.otherJvms() + ")");
                try (Shards s = fixture.newShards(8)) {
                    results.add(run(mode.trim(), s, rows, rate, threads, window, options, batch));
                }
            }
        }
        System.out.println("\n## Summary\n");
        System.out.println("| mode | window | ops | p50 ms | p95 ms | p99 ms | max ms | errors | p99 ÷ baseline p99 |"
                + " p99 ÷ dual-write p99 | other JVMs |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        List<String> names = List.of("baseline (v1, no migration)", "DUAL_WRITE, no copy", "during backfill");
        for (Mode m : results) {
            List<FixedRateLoad.Summary> windows = List.of(m.baseline, m.dual, m.backfill);
            for (int i = 0; i < windows.size(); i++) {
                FixedRateLoad.Summary x = windows.get(i);
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %s | %d | %.2f | %.2f | %.2f | %.1f | %d | %.2f | %.2f | %s |%n",
                        m.name,
                        names.get(i),
                        x.count(),
                        x.percentile(50),
                        x.percentile(95),
                        x.percentile(99),
                        x.max(),
                        x.errors(),
                        x.percentile(99) / m.baseline.percentile(99),
                        x.percentile(99) / m.dual.percentile(99),
                        m.neighbours.get(i));
            }
        }
        System.out.println("\n| mode | backfill rows copied/s | rows read/s | ÷ unthrottled copied/s |");
        System.out.println("|---|---:|---:|---:|");
        double unthrottled = results.stream()
                .filter(m -> m.name.equals("unthrottled"))
                .mapToDouble(Mode::copiedPerSecond)
                .findFirst()
                .orElse(Double.NaN);
        for (Mode m : results) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.0f | %.0f | %.2f |%n",
                    m.name,
                    m.copiedPerSecond,
                    m.readPerSecond,
                    m.copiedPerSecond / unthrottled);
        }
        System.out.println("\nload average at the end " + MigrationFixture.loadAverage());
    }

    private static Mode run(
            String mode,
            Shards s,
            long rows,
            double rate,
            int threads,
            int window,
            MigrationOptions.Builder options,
            int batch)
            throws Exception {
        double load = s.createUsers(rows);
        s.checkpoint();
        System.out.printf(Locale.ROOT, "loaded %d rows in %.1f s%n", rows, load);
        MigrationRequest request =
                new MigrationRequest("bench", MigrationFixture.V1.version(), MigrationFixture.V2.version(), TABLES);
        try (Router router = s.router("load", List.of(ShardedTable.of("users", "id", "id")));
                FixedRateLoad workload = new FixedRateLoad(
                        "load",
                        threads,
                        rate,
                        random -> 1 + random.nextLong(rows),
                        k -> MigrationFixture.moves().test(k) ? 1 : 0,
                        key -> router.write("users", key, c -> {
                            try (PreparedStatement ps =
                                    c.prepareStatement("UPDATE users SET balance = balance + 1 WHERE id = ?")) {
                                ps.setLong(1, key);
                                return ps.executeUpdate();
                            }
                        }))) {
            workload.start();
            Thread.sleep(5000); // warm-up: JIT, pools, caches
            MigrationFixture.Neighbours neighbours = new MigrationFixture.Neighbours();
            List<String> others = new ArrayList<>();
            long t0 = System.currentTimeMillis();
            neighbours.take();
            Thread.sleep(window * 1000L);
            long t1 = System.currentTimeMillis();
            others.add(neighbours.take());

            engine(s, options.stopBefore(Phase.BACKFILL).build()).start(request);
            long t2 = System.currentTimeMillis();
            Thread.sleep(window * 1000L);
            long t3 = System.currentTimeMillis();
            others.add(neighbours.take());

            MigrationStatus status =
                    engine(s, options.stopBefore(Phase.READ_NEW).build()).resume("bench");
            others.add(neighbours.take());
            neighbours.close();
            Thread.sleep(1000);
            workload.stop();
            MigrationReport.Backfill b = status.report().backfill;
            long bs = Instant.parse(b.startedAt).toEpochMilli();
            long be = Instant.parse(b.finishedAt).toEpochMilli();
            double seconds = (be - bs) / 1000.0;
            FixedRateLoad.Summary baseline = workload.window(t0, t1, -1);
            FixedRateLoad.Summary dual = workload.window(t2, t3, -1);
            FixedRateLoad.Summary backfill = workload.window(bs, be, -1);
            Map<String, FixedRateLoad.Summary> windows = new LinkedHashMap<>();
            windows.put("baseline", baseline);
            windows.put("dual-write", dual);
            windows.put("backfill", backfill);
            windows.put("backfill, moving keys", workload.window(bs, be, 1));
            windows.put("backfill, staying keys", workload.window(bs, be, 0));
            windows.forEach((k, v) -> System.out.println(mode + ", " + k + ": " + v));
            System.out.println("other JVMs: baseline " + others.get(0) + "; dual-write " + others.get(1) + "; backfill "
                    + others.get(2));
            System.out.printf(
                    Locale.ROOT,
                    "%s backfill: %d rows copied in %.1f s = %.0f rows/s copied, %.0f rows/s read, %d pages fell"
                            + " back to staging; throttle guardrail slowdowns %d, paused %d ms; phase %s%n",
                    mode,
                    b.rowsCopied,
                    seconds,
                    b.rowsCopied / seconds,
                    rows / seconds,
                    b.batchesFellBack,
                    b.throttleSlowdowns,
                    b.throttlePausedMillis,
                    status.phase());
            if (workload.errors() > 0) {
                System.out.println("workload errors: " + workload.errors() + " " + workload.errorSamples());
            }
            return new Mode(mode, baseline, dual, backfill, b.rowsCopied / seconds, rows / seconds, others);
        }
    }

    private static MigrationEngine engine(Shards s, MigrationOptions options) {
        return MigrationEngine.builder(s.catalog())
                .shards(s.enginePools())
                .options(options)
                .listener(e -> {
                    if (e.progress().isEmpty()) {
                        System.out.println("  " + e.at() + " " + e.phase() + " " + e.message());
                    }
                })
                .build();
    }
}
