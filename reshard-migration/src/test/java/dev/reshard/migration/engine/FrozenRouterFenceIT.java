package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reshard.catalog.RouterRegistration;
import dev.reshard.core.Key;
import dev.reshard.core.migration.Phase;
import dev.reshard.router.Router;
import dev.reshard.router.ShardedTable;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16, item 2: a router frozen inside a captured write (its transaction open, its shared lock
 * on the table held, its lease lapsed) must not stall the migration's fence raise. On PostgreSQL
 * the router's idle-in-transaction timeout is set far beyond the test, so only the engine ending
 * the lapsed router's sessions lets the cutover raise its fences; on MariaDB the server ends the
 * idle transaction (the router's timeout); H2's raise does not wait (but its row locks hold
 * cleanup's deletes, so there the router resumes before cleanup). The frozen write is never
 * committed under its lapsed lease; the router retries it under the current routing, and the
 * moved row ends on the new shard only with the last acknowledged write.
 */
class FrozenRouterFenceIT {

    @EachEngine
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void routerFrozenInsideACapturedWrite_doesNotStallTheFenceRaise(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            EngineCluster.Move move = c.twoToThree(300);
            long user = -1;
            for (long u = 0; u < 300; u++) {
                if (!move.from().shardFor(Key.of(u)).equals(move.to().shardFor(Key.of(u)))) {
                    user = u;
                    break;
                }
            }
            long key = user;
            Router frozen = Router.builder(c.catalog)
                    .id("frozen")
                    .shards(c.routerPools)
                    .table(ShardedTable.of("users", "id", "id"))
                    .table(ShardedTable.of("orders", "user_id", "id"))
                    .pollInterval(Duration.ofMillis(100))
                    .leaseTtl(Duration.ofMillis(600))
                    .idleInTransactionTimeout(
                            engine == TestEngine.MARIADB ? Duration.ofSeconds(2) : Duration.ofMinutes(10))
                    .build();
            Router healthy = c.router("healthy");
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<CompletableFuture<Void>> write = new AtomicReference<>();
            List<String> events = new CopyOnWriteArrayList<>();
            try (frozen) {
                CrashPoints freezeInBackfill = point -> {
                    if (point == CrashPoint.CLEANUP_ENTER && engine == TestEngine.H2) {
                        // H2 cannot end another session by router, and its row locks would hold
                        // cleanup's deletes: on H2 the router resumes (SIGCONT) once the fences
                        // and the cutover are behind.
                        release.countDown();
                        write.get().handle((v, e) -> null).join();
                    }
                    if (point != CrashPoint.BACKFILL_ENTER || write.get() != null) {
                        return;
                    }
                    // The router updates a moving row and freezes before it commits: its captured
                    // write holds the table's shared lock; then its heartbeat stops too.
                    write.set(CompletableFuture.runAsync(() -> frozen.write("users", key, conn -> {
                        try (PreparedStatement ps =
                                conn.prepareStatement("UPDATE users SET balance = 777 WHERE id = ?")) {
                            ps.setLong(1, key);
                            assertThat(ps.executeUpdate()).isEqualTo(1);
                        }
                        holding.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return null;
                    })));
                    try {
                        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    frozen.pauseRefresh(true);
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> c.catalog.routers().stream()
                                    .filter(r -> r.id().equals("frozen"))
                                    .noneMatch((RouterRegistration r) -> r.isLive(c.catalog.now())));
                };
                MigrationStatus done = c.engine(EngineCluster.fastOptions())
                        .owner("e1")
                        .crashPoints(freezeInBackfill)
                        .listener(e -> events.add(e.message()))
                        .build()
                        .start(move.request("m1"));
                assertThat(done.phase()).isEqualTo(Phase.DONE);
                assertThat(write.get()).as("the frozen write was started").isNotNull();
                if (engine == TestEngine.POSTGRESQL) {
                    assertThat(events).anyMatch(m -> m.startsWith("ended 1 session(s) of router frozen"));
                }

                // The healthy router was never held up: it writes and reads the moved row.
                healthy.write("users", key, conn -> {
                    try (PreparedStatement ps = conn.prepareStatement("UPDATE users SET balance = 5 WHERE id = ?")) {
                        ps.setLong(1, key);
                        assertThat(ps.executeUpdate()).isEqualTo(1);
                    }
                    return null;
                });
                release.countDown();
                boolean acknowledged;
                try {
                    write.get().get(60, TimeUnit.SECONDS);
                    acknowledged = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    acknowledged = false;
                }
                Long balance = healthy.read("users", key, conn -> {
                    try (PreparedStatement ps = conn.prepareStatement("SELECT balance FROM users WHERE id = ?")) {
                        ps.setLong(1, key);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getLong(1) : null;
                        }
                    }
                });
                // The frozen write was never committed under its lapsed lease (its session ended, or
                // the router refused to commit it); the router retried it under the current routing.
                // On H2 it resumed before the healthy write, elsewhere after it: acknowledged, it is
                // the last write of the key there.
                assertThat(balance)
                        .as("acknowledged: %s", acknowledged)
                        .isEqualTo(acknowledged && engine != TestEngine.H2 ? 777L : 5L);
                // The row lives on the new map's shard only.
                for (var shard : c.routerPools.entrySet()) {
                    try (var conn = shard.getValue().getConnection();
                            PreparedStatement ps = conn.prepareStatement("SELECT count(*) FROM users WHERE id = ?")) {
                        ps.setLong(1, key);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            assertThat(rs.getInt(1))
                                    .as("copies of user %s on %s", key, shard.getKey())
                                    .isEqualTo(shard.getKey().equals(move.to().shardFor(Key.of(key))) ? 1 : 0);
                        }
                    }
                }
            } finally {
                release.countDown();
            }
        }
    }
}
