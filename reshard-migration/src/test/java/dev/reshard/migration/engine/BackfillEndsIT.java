package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.router.Router;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.sql.PreparedStatement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The copy ends although inserts outpace it (issue: the copy never ended). An inserter adds fresh,
 * ever larger keys through a router as fast as it can while the backfill is capped far below that
 * rate: each table's scan stops at the largest key it had when its copy started, and the rows
 * inserted later reach the new shard through dual-write and catch-up. Before the bound, the keyset
 * scan chased the inserter and the migration stayed in BACKFILL.
 */
class BackfillEndsIT {

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
                while (!stop.get()) {
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
                            .maxRowsPerSecond(100)
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
            MigrationStatus done;
            try {
                done = run.get(3, TimeUnit.MINUTES);
            } finally {
                stop.set(true);
                inserter.join();
            }
            assertThat(done.phase()).isEqualTo(Phase.DONE);
            assertThat(inserted.get())
                    .as("keys inserted during the migration, more than the capped copy could read")
                    .isGreaterThan(done.report().backfill.rowsCopied);
            assertThat(errors.get()).isZero();
            assertThat(c.integrity(to).intact()).as(c.integrity(to).toString()).isTrue();
        }
    }
}
