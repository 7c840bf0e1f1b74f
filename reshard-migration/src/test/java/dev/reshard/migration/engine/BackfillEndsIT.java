package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.router.Router;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The copy ends although inserts outpace it (issue: the copy never ended). An inserter adds fresh,
 * ever larger keys through a router at four times the rate the backfill is capped at: each table's scan stops at the largest key it had when its copy started, and the rows
 * inserted later reach the new shard through dual-write and catch-up. Before the bound, the keyset
 * scan chased the inserter and the migration stayed in BACKFILL.
 */
class BackfillEndsIT {

    private static final int COPY_ROWS_PER_SECOND = 100;
    private static final int INSERTS_PER_SECOND = 4 * COPY_ROWS_PER_SECOND;

    @EachEngine
    void insertsFasterThanACappedCopy_theBackfillStillEnds(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 100, 1);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
            Router router = c.router("inserter");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong inserted = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            Thread inserter = new Thread(() -> {
                long id = 10_000_000;
                long next = System.nanoTime();
                while (!stop.get()) {
                    // Paced at INSERTS_PER_SECOND: a third of the new keys move, which is still more
                    // than the copy's cap, and the rows present when the backfill starts stay few
                    // enough for the capped copy to finish in seconds on any machine.
                    next += 1_000_000_000L / INSERTS_PER_SECOND;
                    LockSupport.parkNanos(next - System.nanoTime());
                    long key = id++;
                    try {
                        router.write("users", key, conn -> {
                            try (PreparedStatement ps = conn.prepareStatement(
                                    "INSERT INTO users (id, balance, note) VALUES (?, ?, 'new')")) {
                                ps.setLong(1, key);
                                ps.setLong(2, key);
                                ps.executeUpdate();
                            }
                            return null;
                        });
                        c.ledger.userWritten(key, key);
                        inserted.incrementAndGet();
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        c.ledger.uncertain(key);
                    }
                }
            });
            inserter.setDaemon(true);
            inserter.start();
            MigrationEngine migration = c.engine(EngineCluster.fastOptions().toBuilder()
                            .batchRows(20)
                            .copyPageRows(20)
                            .maxRowsPerSecond(COPY_ROWS_PER_SECOND)
                            .build())
                    .build();
            CompletableFuture<MigrationStatus> run = new CompletableFuture<>();
            Thread runner = new Thread(() -> {
                try {
                    run.complete(migration.start(
                            new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES)));
                } catch (Throwable t) {
                    run.completeExceptionally(t);
                }
            });
            runner.setDaemon(true);
            runner.start();
            try {
                // The claim: BACKFILL ends while the inserter still outpaces the capped copy. Once it
                // has, the inserter stops, so catch-up and verification do not chase an unpaced
                // writer on a 2-core machine (that is the throttle's business, not this test's).
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> run.isDone() || pastBackfill(c));
            } finally {
                stop.set(true);
                inserter.join();
            }
            MigrationStatus done = run.get(2, TimeUnit.MINUTES);
            assertThat(done.phase()).isEqualTo(Phase.DONE);
            assertThat(inserted.get())
                    .as("keys inserted during the migration, more than the capped copy could read")
                    .isGreaterThan(done.report().backfill.rowsCopied);
            assertThat(errors.get()).isZero();
            assertThat(c.integrity(to).intact()).as(c.integrity(to).toString()).isTrue();
        }
    }

    private static boolean pastBackfill(EngineCluster c) {
        return c.catalog
                .migration("m1")
                .map(m -> m.phase().ordinal() > Phase.BACKFILL.ordinal())
                .orElse(false);
    }
}
