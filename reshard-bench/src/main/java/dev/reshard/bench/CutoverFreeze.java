package dev.reshard.bench;

import dev.reshard.bench.MigrationFixture.Options;
import dev.reshard.bench.MigrationFixture.Shards;
import dev.reshard.core.migration.Phase;
import dev.reshard.migration.engine.MigratedTable;
import dev.reshard.migration.engine.MigrationEngine;
import dev.reshard.migration.engine.MigrationEvent;
import dev.reshard.migration.engine.MigrationOptions;
import dev.reshard.migration.engine.MigrationReport;
import dev.reshard.migration.engine.MigrationRequest;
import dev.reshard.migration.engine.MigrationStatus;
import dev.reshard.router.Router;
import dev.reshard.router.ShardedTable;
import dev.reshard.workload.DemoSchema;
import dev.reshard.workload.IntegrityCheck;
import dev.reshard.workload.IntegrityReport;
import dev.reshard.workload.Ledger;
import dev.reshard.workload.Writers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A whole migration (PLANNED to DONE) through the engine while writers work through routers: the
 * cutover freeze, writer errors and the latency writers see around the cutover
 * (docs/BENCHMARKS.md, "Migration engine (issue 4)").
 *
 * <p>Per round, on fresh databases of the two durable servers: the demo schema ({@code users},
 * {@code orders}), {@code --users} users with one order each on shard_0, map v1 → v2 moving a
 * quarter of the virtual shards. Two routers on their own pools, the engine on pools of its own:
 *
 * <ul>
 *   <li>{@link Writers} on router "writers": {@code --writer-threads} threads at {@code
 *       --writer-rate} ops/s each, the mixed insert/update/delete workload with read-your-writes
 *       checks and a ledger, checked against the shards at the end ({@link IntegrityCheck});
 *   <li>a fixed-rate probe on router "probe" ({@code --probe-rate} ops/s over {@code
 *       --probe-threads} threads, open loop, latency from
 *       the scheduled start): single-row {@code UPDATE users SET note} on a random key, half of
 *       them keys that move, half keys that stay.
 * </ul>
 *
 * Reported: {@code report.cutover.freezeMillis}, attempts, writer errors, and the probe's latency
 * per phase and in the window from 1 s before the freeze to 1 s after the cutover.
 *
 * <p>Usage: {@code java -cp reshard-bench/target/benchmarks.jar dev.reshard.bench.CutoverFreeze
 * [--users=200000] [--rounds=3] [--writer-threads=2] [--writer-rate=50] [--probe-rate=200]
 * [--probe-threads=4] [--batch=2000]}.
 */
public final class CutoverFreeze {
    static final List<MigratedTable> TABLES =
            List.of(new MigratedTable("users", "id"), new MigratedTable("orders", "user_id"));
    static final List<ShardedTable> ROUTED =
            List.of(ShardedTable.of("users", "id", "id"), ShardedTable.of("orders", "user_id", "id"));

    private CutoverFreeze() {}

    private record Round(
            long freezeMillis,
            int attempts,
            long writerErrors,
            long staleReads,
            long writerMaxMillis,
            FixedRateLoad.Summary aroundMoving,
            FixedRateLoad.Summary aroundStaying,
            long probeErrors,
            boolean intact,
            String neighbours) {}

    public static void main(String[] args) throws Exception {
        Options o = new Options(args);
        int users = o.intValue("users", 200_000);
        int rounds = o.intValue("rounds", 3);
        int writerThreads = o.intValue("writer-threads", 2);
        double writerRate = o.doubleValue("writer-rate", 50);
        double probeRate = o.doubleValue("probe-rate", 200);
        int probeThreads = o.intValue("probe-threads", 4);
        int batch = o.intValue("batch", 2000);
        o.requireAllUsed();
        System.out.println("# CutoverFreeze: users=" + users + " rounds=" + rounds + " writers=" + writerThreads + " x "
                + writerRate + " ops/s, probe " + probeRate + " ops/s, batch " + batch);
        System.out.println("machine: " + MigrationFixture.machine() + ", other JVMs: " + MigrationFixture.otherJvms());
        List<Round> done = new ArrayList<>();
        try (MigrationFixture fixture = MigrationFixture.start();
                MigrationFixture.Neighbours neighbours = new MigrationFixture.Neighbours()) {
            for (int round = 1; round <= rounds; round++) {
                System.out.println("\n## round " + round + " (load average " + MigrationFixture.loadAverage()
                        + ", other JVMs " + MigrationFixture.otherJvms() + ")");
                try (Shards s = fixture.newShards(16)) {
                    neighbours.take();
                    Round r = round(s, users, writerThreads, writerRate, probeRate, probeThreads, batch);
                    String others = neighbours.take();
                    System.out.println("round " + round + " ran " + others);
                    done.add(new Round(
                            r.freezeMillis,
                            r.attempts,
                            r.writerErrors,
                            r.staleReads,
                            r.writerMaxMillis,
                            r.aroundMoving,
                            r.aroundStaying,
                            r.probeErrors,
                            r.intact,
                            others));
                }
            }
        }
        System.out.println("\n## Summary over " + rounds + " rounds\n");
        System.out.println("| round | freeze ms | attempts | writer errors | stale reads | probe errors"
                + " | probe max ms around cutover, moving keys | same, staying keys | Writers max op ms (whole run) | integrity"
                + " | other JVMs |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        for (int i = 0; i < done.size(); i++) {
            Round r = done.get(i);
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %d | %d | %d | %d | %d | %.1f | %.1f | %d | %s | %s |%n",
                    i + 1,
                    r.freezeMillis,
                    r.attempts,
                    r.writerErrors,
                    r.staleReads,
                    r.probeErrors,
                    r.aroundMoving.max(),
                    r.aroundStaying.max(),
                    r.writerMaxMillis,
                    r.intact ? "intact" : "NOT intact",
                    r.neighbours);
        }
        System.out.printf(
                Locale.ROOT,
                "%nmedian freeze %.0f ms (target <= 1000 ms), writer errors %d (target 0), median max probe"
                        + " latency around the cutover (moving keys) %.1f ms%n",
                MigrationFixture.median(
                        done.stream().mapToDouble(Round::freezeMillis).toArray()),
                done.stream().mapToLong(r -> r.writerErrors + r.probeErrors).sum(),
                MigrationFixture.median(
                        done.stream().mapToDouble(r -> r.aroundMoving.max()).toArray()));
    }

    private static Round round(
            Shards s, int users, int writerThreads, double writerRate, double probeRate, int probeThreads, int batch)
            throws Exception {
        int index = 0;
        for (DataSource ds : List.of(s.oldEngine, s.newEngine)) {
            try (Connection c = ds.getConnection()) {
                DemoSchema.create(c, index++);
            }
        }
        Ledger ledger = new Ledger();
        long loadStart = System.nanoTime();
        Writers.load(s.routerPools(), MigrationFixture.V1, ledger, users, 1, 42);
        Shards.execute(s.oldEngine, "VACUUM (ANALYZE) users");
        Shards.execute(s.oldEngine, "VACUUM (ANALYZE) orders");
        System.out.printf(
                Locale.ROOT,
                "loaded %d users and %d orders in %.1f s%n",
                users,
                users,
                (System.nanoTime() - loadStart) / 1e9);
        s.checkpoint();

        List<MigrationEvent> events = Collections.synchronizedList(new ArrayList<>());
        MigrationStatus status;
        Writers writers;
        FixedRateLoad probe;
        try (Router a = s.router("writers", ROUTED);
                Router b = s.router("probe", ROUTED)) {
            writers = new Writers(a, ledger, users, writerRate).start(writerThreads);
            probe = new FixedRateLoad(
                            "probe",
                            probeThreads,
                            probeRate,
                            random -> {
                                boolean moving = random.nextBoolean();
                                while (true) {
                                    long k = random.nextLong(users);
                                    if (moves(k) == moving) {
                                        return k;
                                    }
                                }
                            },
                            k -> moves(k) ? 1 : 0,
                            key -> b.write("users", key, c -> {
                                try (PreparedStatement ps =
                                        c.prepareStatement("UPDATE users SET note = 'probe' WHERE id = ?")) {
                                    ps.setLong(1, key);
                                    return ps.executeUpdate();
                                }
                            }))
                    .start();
            try {
                Thread.sleep(2000);
                MigrationOptions options =
                        MigrationOptions.builder().batchRows(batch).build();
                MigrationEngine engine = MigrationEngine.builder(s.catalog())
                        .shards(s.enginePools())
                        .options(options)
                        .listener(e -> {
                            events.add(e);
                            if (e.progress().isEmpty()) {
                                System.out.println("  " + e.at() + " " + e.phase() + " " + e.message());
                            }
                        })
                        .build();
                status = engine.start(new MigrationRequest(
                        "bench", MigrationFixture.V1.version(), MigrationFixture.V2.version(), TABLES));
                Thread.sleep(1000);
            } finally {
                probe.stop();
                writers.stop();
            }
        }
        IntegrityReport integrity = IntegrityCheck.check(s.routerPools(), MigrationFixture.V2, ledger);
        MigrationReport report = status.report();
        if (status.phase() != Phase.DONE) {
            throw new IllegalStateException("the migration ended in " + status.phase() + ": " + status.error());
        }
        Instant cutAt = Instant.parse(report.cutover.at);
        long freezeStart = cutAt.toEpochMilli() - report.cutover.freezeMillis;
        FixedRateLoad.Summary moving = probe.window(freezeStart - 1000, cutAt.toEpochMilli() + 1000, 1);
        FixedRateLoad.Summary staying = probe.window(freezeStart - 1000, cutAt.toEpochMilli() + 1000, 0);
        System.out.printf(
                Locale.ROOT,
                "cutover: freeze %d ms, attempts %d%s; backfill %d rows (%s -> %s, %d batches fell back to"
                        + " staging); catch-up rowsSynced %d,"
                        + " entriesApplied %d; verification %d ms, clean %s%n",
                report.cutover.freezeMillis,
                report.cutover.attempts,
                report.cutover.lastAbortReason == null ? "" : " (last abort: " + report.cutover.lastAbortReason + ")",
                report.backfill.rowsCopied,
                report.backfill.startedAt,
                report.backfill.finishedAt,
                report.backfill.batchesFellBack,
                report.catchUp.rowsSynced,
                report.catchUp.entriesApplied,
                report.verification.durationMillis,
                report.verification.clean);
        System.out.println("writers: " + writers.writes() + " ops, " + writers.errors() + " errors "
                + writers.errorSamples() + ", " + writers.staleReads() + " stale reads, max op latency "
                + writers.maxLatencyMillis() + " ms (write + read-back, whole run)");
        System.out.println("integrity: " + integrity);
        System.out.println("probe errors: " + probe.errors() + " " + probe.errorSamples());
        System.out.println("probe, 1 s before the freeze to 1 s after the cutover, moving keys:  " + moving);
        System.out.println("probe, 1 s before the freeze to 1 s after the cutover, staying keys: " + staying);
        System.out.println("\n| phase | seconds | probe ops | p50 ms | p99 ms | max ms | errors |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|");
        for (Map.Entry<String, long[]> w : phaseWindows(events).entrySet()) {
            FixedRateLoad.Summary all = probe.window(w.getValue()[0], w.getValue()[1], -1);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.1f | %d | %.2f | %.2f | %.1f | %d |%n",
                    w.getKey(),
                    (w.getValue()[1] - w.getValue()[0]) / 1000.0,
                    all.count(),
                    all.percentile(50),
                    all.percentile(99),
                    all.max(),
                    all.errors());
        }
        return new Round(
                report.cutover.freezeMillis,
                report.cutover.attempts,
                writers.errors(),
                writers.staleReads(),
                writers.maxLatencyMillis(),
                moving,
                staying,
                probe.errors(),
                integrity.intact(),
                "");
    }

    private static boolean moves(long key) {
        return MigrationFixture.V2.shardFor(key).equals(MigrationFixture.NEW);
    }

    /** Wall-clock [start, end) of each phase, from the first event the engine reported in it. */
    static Map<String, long[]> phaseWindows(List<MigrationEvent> events) {
        Map<String, Long> first = new LinkedHashMap<>();
        long last;
        synchronized (events) {
            for (MigrationEvent e : events) {
                first.putIfAbsent(e.phase().name(), e.at().toEpochMilli());
            }
            last = events.isEmpty() ? 0 : events.get(events.size() - 1).at().toEpochMilli();
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        List<Map.Entry<String, Long>> list = new ArrayList<>(first.entrySet());
        for (int i = 0; i < list.size(); i++) {
            long end = i + 1 < list.size() ? list.get(i + 1).getValue() : last;
            out.put(list.get(i).getKey(), new long[] {list.get(i).getValue(), end});
        }
        return out;
    }
}
