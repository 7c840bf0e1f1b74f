package dev.reshard.migration.engine;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Checkpoint;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.migration.Backfill;
import dev.reshard.migration.Rows;
import dev.reshard.migration.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/*
 * Design notes
 *
 * The backfill of a migration: for every source -> target pair and every table, keyset batches
 * (Backfill, or the PostgreSQL binary COPY path) with the cursor checkpointed in the catalog after
 * every batch, so that a resumed engine continues after the last checkpoint. A batch copied but not
 * checkpointed (a crash in between) is copied again: insert-if-absent makes that harmless. When the
 * moving rows have a SQL form (MovingKeys: key ranges, tenants), both paths read only those.
 *
 * Pairs run in parallel up to options.parallelism; tables of one pair run one after the other.
 *
 * Throttle (on by default: a 5 ms latency guardrail, with or without a rows/s ceiling; without
 * one, the first page's rate is the ceiling and the guardrail paces the copy below it; a zero
 * guardrail and no ceiling turn it off). Each pair has its own AIMD throttle, fed after every
 * batch by a load probe: a primary-key read of the row at the cursor (and on PostgreSQL a durable
 * commit, which waits behind the copy's WAL as the workload's writes do) on the source and on the
 * target, each on a connection borrowed for it, not the copy's: the copy's idle session answered a
 * SELECT 1 in microseconds whatever the load, and the guardrail never fired in the first issue-4
 * benchmark. A point read meets the CPU, buffer and lock contention an application's point query
 * meets on that shard, so the slowest probe is what the workload sees; a busy shard slows only the
 * pairs touching it.
 */
/** Copies the moving rows of every pair and table, checkpointed, throttled and in parallel. */
final class Copier {
    private final Catalog catalog;
    private final String migrationId;
    private final ShardAccess shards;
    private final ShardMap from;
    private final ShardMap to;
    private final List<Pair> pairs;
    private final MigrationOptions options;
    private final CrashPoints crash;
    private final Runnable leaseCheck;
    private final Consumer<String> progress;
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong fellBack = new AtomicLong();
    private final AtomicLong slowdowns = new AtomicLong();
    private final AtomicLong pausedNanos = new AtomicLong();

    private final MigrationContext context;

    Copier(MigrationContext context, Consumer<String> progress) {
        this.context = context;
        this.catalog = context.catalog();
        this.migrationId = context.migrationId();
        this.shards = context.shards();
        this.from = context.from();
        this.to = context.to();
        this.pairs = context.pairs();
        this.options = context.options();
        this.crash = context.crash();
        this.leaseCheck = context.leaseCheck();
        this.progress = progress;
    }

    long copied() {
        return copied.get();
    }

    long fellBack() {
        return fellBack.get();
    }

    /** How often a throttle's latency guardrail halved a pair's rate. */
    long throttleSlowdowns() {
        return slowdowns.get();
    }

    /** Time pairs spent paused by the throttle's pause threshold, in milliseconds. */
    long throttlePausedMillis() {
        return pausedNanos.get() / 1_000_000;
    }

    /** Copies everything not yet checkpointed as done. */
    void run() throws SQLException {
        ExecutorService pool =
                Executors.newFixedThreadPool(Math.min(options.parallelism(), Math.max(1, pairs.size())), r -> {
                    Thread t = new Thread(r, "reshard-backfill-" + migrationId);
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Pair pair : pairs) {
                running.add(pool.submit(() -> {
                    copyPair(pair);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReshardException("backfill of " + migrationId + " was interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                throw s;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new ReshardException("backfill of " + migrationId + " failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
    }

    private void copyPair(Pair pair) throws SQLException, InterruptedException {
        Connection src = shards.open(pair.source());
        Connection dst = shards.open(pair.target());
        LoadProbe probe = null;
        Throttle throttle = null;
        try {
            Backfill backfill = new Backfill(shards.dialect(pair.source(), src), shards.dialect(pair.target(), dst));
            Optional<PgCopyPath> copyPath = PgCopyPath.of(
                    shards.dialect(pair.source(), src).engine(),
                    shards.dialect(pair.target(), dst).engine());
            boolean guarded = !options.latencyGuardrail().isZero();
            if (options.maxRowsPerSecond() > 0 || guarded) {
                // No guardrail: a year, which no probe exceeds, and no sampler. No ceiling: the
                // first page's measured rate (Throttle), so the guardrail alone paces the copy.
                Duration guardrail = guarded ? options.latencyGuardrail() : Duration.ofDays(365);
                probe = guarded ? new LoadProbe(pair, guardrail) : null;
                throttle = new Throttle(
                        options.maxRowsPerSecond() > 0 ? options.maxRowsPerSecond() : Double.POSITIVE_INFINITY,
                        0.1,
                        guardrail,
                        guardrail.multipliedBy(10),
                        System::nanoTime,
                        nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
            }
            for (MigratedTable table : shards.tables()) {
                TableSpec s = shards.spec(pair.source(), src, table);
                TableSpec t = shards.spec(pair.target(), dst, table);
                Checkpoint cp = context.checkpoint(table.key(), pair);
                if (cp.done()) {
                    continue;
                }
                Optional<List<Object>> cursor = cp.cursor().map(CursorCodec::decode);
                long rows = cp.rowsCopied();
                boolean done = false;
                boolean fast = copyPath.isPresent() && copyPath.get().supports(src, s);
                Optional<String> movingCondition = both(
                        MovingKeys.condition(
                                from,
                                to,
                                pair,
                                shards.dialect(pair.source(), src),
                                shards.dialect(pair.source(), src).quote(s.shardKey())),
                        upperBound(src, shards.dialect(pair.source(), src), s));
                if (probe != null) {
                    probe.watch(s, t, cursor);
                }
                while (!done) {
                    leaseCheck.run();
                    int read;
                    int copiedNow;
                    if (fast) {
                        PgCopyPath.Result r = copyPath.get()
                                .copyBatch(
                                        src,
                                        dst,
                                        s,
                                        t,
                                        cursor,
                                        pageRows(throttle),
                                        pair.moves(from, to),
                                        movingCondition);
                        read = r.read();
                        copiedNow = r.copied();
                        cursor = r.cursor();
                        done = r.done();
                        if (r.fellBack()) {
                            fellBack.incrementAndGet();
                        }
                    } else {
                        Backfill.Batch b = backfill.copyBatch(
                                src, dst, s, t, cursor, options.batchRows(), pair.moves(from, to), movingCondition);
                        read = b.read();
                        copiedNow = b.copied();
                        cursor = b.cursor();
                        done = b.done();
                    }
                    rows += copiedNow;
                    copied.addAndGet(copiedNow);
                    catalog.saveCheckpoint(new Checkpoint(
                            migrationId,
                            table.key(),
                            pair.source(),
                            pair.target(),
                            cursor.map(CursorCodec::encode),
                            rows,
                            done,
                            catalog.now()));
                    crash.at(CrashPoint.BACKFILL_BATCH);
                    progress.accept(table.key());
                    if (throttle != null && read > 0) {
                        if (probe != null) {
                            probe.watch(s, t, cursor);
                            throttle.afterBatch(read, probe.worstSinceLast(), probe::measure);
                        } else {
                            throttle.afterBatch(read, 0, () -> 0);
                        }
                    }
                }
            }
        } finally {
            if (probe != null) {
                probe.close();
            }
            if (throttle != null) {
                slowdowns.addAndGet(throttle.slowdowns());
                pausedNanos.addAndGet(throttle.pausedNanos());
            }
            shards.release(pair.target(), dst);
            shards.release(pair.source(), src);
        }
    }

    /**
     * The scan's end: the table's largest primary key now, as a SQL condition {@code (pk) <=
     * (largest)}. Rows inserted after it reach the target through dual-write and the changelog
     * catch-up (both on since DUAL_WRITE), so the copy need not chase them: without a bound,
     * writers inserting fresh keys faster than a throttled copy kept a migration in BACKFILL for
     * good. Taken again on a resume (a larger bound is as correct). Keys that are not all numbers
     * are not bounded (a literal of them would need the engine's quoting); an empty table is
     * bounded to nothing.
     */
    static Optional<String> upperBound(Connection c, dev.reshard.jdbc.Dialect dialect, TableSpec table)
            throws SQLException {
        String pk = dialect.columnList(table.primaryKey());
        String desc = String.join(
                ", ",
                table.primaryKey().stream().map(k -> dialect.quote(k) + " DESC").toList());
        try (Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(
                        "SELECT " + pk + " FROM " + dialect.quote(table.table()) + " ORDER BY " + desc + " LIMIT 1")) {
            if (!rs.next()) {
                return Optional.of("1 = 0");
            }
            List<String> literals = new ArrayList<>();
            for (int i = 1; i <= table.primaryKey().size(); i++) {
                Object v = rs.getObject(i);
                if (v instanceof Long
                        || v instanceof Integer
                        || v instanceof Short
                        || v instanceof Byte
                        || v instanceof java.math.BigInteger) {
                    literals.add(v.toString());
                } else if (v instanceof java.math.BigDecimal d) {
                    literals.add(d.toPlainString());
                } else {
                    return Optional.empty();
                }
            }
            return Optional.of("(" + pk + ") <= (" + String.join(", ", literals) + ")");
        }
    }

    private static Optional<String> both(Optional<String> a, Optional<String> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.map(x -> "(" + a.get() + ") AND (" + x + ")").or(() -> a);
    }

    /**
     * Rows per page of the COPY path: {@code copyPageRows}, and under a throttle at most a tenth of a
     * second at its current rate (at least 1,000), so that a page never bursts for long at full speed
     * and the pages shrink as the guardrail lowers the rate.
     */
    private int pageRows(Throttle throttle) {
        if (throttle == null || Double.isInfinite(throttle.rate())) {
            return options.copyPageRows();
        }
        return (int) Math.max(1, Math.min(options.copyPageRows(), Math.max(1_000, throttle.rate() / 10)));
    }

    /**
     * The throttle's signal: the time of a primary-key read (and on PostgreSQL of a durable commit)
     * on the source and on the target, each on a connection borrowed from the engine's pool for the
     * probe (so a probe never holds one the copy could need), the slowest of them. A thread of its
     * own samples it every 4 guardrails (at least every 20 ms, at most every 50 ms: at most 50
     * probe commits a second per shard) while the pages are copied, because the workload suffers
     * during a page, not between pages, when the copy sleeps; the throttle gets the worst sample
     * since the previous page. The key read is the backfill's cursor (a row that
     * exists, or an index probe next to the pages being copied); before the first page of a table,
     * a trivial query.
     */
    private final class LoadProbe implements AutoCloseable {
        private final Pair pair;
        private final long intervalMillis;
        private final AtomicLong worst = new AtomicLong();
        private final Thread sampler;
        private volatile boolean closed;
        private volatile Target target;

        private record Target(TableSpec source, TableSpec target, Optional<List<Object>> key) {}

        LoadProbe(Pair pair, Duration guardrail) {
            this.pair = pair;
            this.intervalMillis = Math.max(20, Math.min(50, guardrail.toMillis() * 4));
            this.sampler = new Thread(this::sample, "reshard-backfill-probe-" + pair.source() + "-" + pair.target());
            sampler.setDaemon(true);
            sampler.start();
        }

        /** What to read from now on: the tables being copied and the cursor. */
        void watch(TableSpec sourceTable, TableSpec targetTable, Optional<List<Object>> key) {
            target = new Target(sourceTable, targetTable, key);
        }

        /** The slowest sample since the last call (or a fresh measurement if none was taken). */
        long worstSinceLast() {
            long w = worst.getAndSet(0);
            return w > 0 ? w : measure();
        }

        private void sample() {
            while (!closed) {
                long latency = measure();
                worst.accumulateAndGet(latency, Math::max);
                try {
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long measure() {
            Target t = target;
            if (t == null) {
                return 0;
            }
            return Math.max(time(pair.source(), t.source(), t.key()), time(pair.target(), t.target(), t.key()));
        }

        @Override
        public void close() {
            closed = true;
            sampler.interrupt();
            try {
                sampler.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private long time(ShardId shard, TableSpec table, Optional<List<Object>> key) {
            Connection c = null;
            try {
                c = shards.open(shard);
                long start = System.nanoTime();
                if (key.isPresent()) {
                    Rows.byKeys(c, shards.dialect(shard, c), table, List.of(key.get()), false);
                } else {
                    try (Statement s = c.createStatement()) {
                        s.execute("SELECT 1");
                    }
                }
                long read = System.nanoTime() - start;
                if (shards.dialect(shard, c).engine() != Engine.POSTGRESQL) {
                    return read;
                }
                // A durable commit, as the workload's writes make: txid_current() gives this
                // auto-commit transaction an id, so its commit writes and flushes a WAL record,
                // and waits behind the copy's WAL like any write. No table is touched.
                start = System.nanoTime();
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_catalog.txid_current()");
                }
                return Math.max(read, System.nanoTime() - start);
            } catch (SQLException e) {
                return Long.MAX_VALUE / 4; // an unreachable shard counts as overloaded: pause
            } finally {
                shards.release(shard, c);
            }
        }
    }

    /** Rows copied per table so far, from the checkpoints. */
    static Map<String, Long> copiedByTable(List<Checkpoint> checkpoints) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (Checkpoint cp : checkpoints) {
            if (!cp.table().startsWith("~")) {
                out.merge(cp.table(), cp.rowsCopied(), Long::sum);
            }
        }
        return out;
    }
}
