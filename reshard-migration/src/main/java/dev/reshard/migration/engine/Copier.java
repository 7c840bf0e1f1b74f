package dev.reshard.migration.engine;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Checkpoint;
import dev.reshard.core.ReshardException;
import dev.reshard.core.map.ShardMap;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.migration.Backfill;
import dev.reshard.migration.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
 * checkpointed (a crash in between) is copied again: insert-if-absent makes that harmless.
 *
 * Pairs run in parallel up to options.parallelism; tables of one pair run one after the other. Each
 * pair has its own throttle, fed by a point probe on its source (the time of a trivial query on a
 * fresh connection), so a busy source slows only its own copy.
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
        try {
            Backfill backfill = new Backfill(shards.dialect(pair.source(), src), shards.dialect(pair.target(), dst));
            Optional<PgCopyPath> copyPath = PgCopyPath.of(
                    shards.dialect(pair.source(), src).engine(),
                    shards.dialect(pair.target(), dst).engine());
            Throttle throttle = options.maxRowsPerSecond() > 0
                    ? new Throttle(
                            options.maxRowsPerSecond(),
                            0.1,
                            options.latencyGuardrail(),
                            options.latencyGuardrail().multipliedBy(10),
                            System::nanoTime,
                            nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)))
                    : null;
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
                while (!done) {
                    leaseCheck.run();
                    int read;
                    int copiedNow;
                    if (fast) {
                        PgCopyPath.Result r = copyPath.get()
                                .copyBatch(src, dst, s, t, cursor, options.batchRows(), pair.moves(from, to));
                        read = r.read();
                        copiedNow = r.copied();
                        cursor = r.cursor();
                        done = r.done();
                        if (r.fellBack()) {
                            fellBack.incrementAndGet();
                        }
                    } else {
                        Backfill.Batch b =
                                backfill.copyBatch(src, dst, s, t, cursor, options.batchRows(), pair.moves(from, to));
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
                    crash.at("backfill.batch");
                    progress.accept(table.key());
                    if (throttle != null && read > 0) {
                        throttle.afterBatch(read, probe(src), () -> probe(src));
                    }
                }
            }
        } finally {
            shards.release(pair.target(), dst);
            shards.release(pair.source(), src);
        }
    }

    /** The latency of a trivial query on the source, in nanoseconds: how busy the source is. */
    private static long probe(Connection source) {
        long start = System.nanoTime();
        try (Statement s = source.createStatement()) {
            s.execute("SELECT 1");
        } catch (SQLException e) {
            return Long.MAX_VALUE / 4; // an unreachable source counts as overloaded: pause
        }
        return System.nanoTime() - start;
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
