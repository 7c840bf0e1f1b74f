package dev.reshard.router;

import static dev.reshard.router.Cluster.balance;
import static dev.reshard.router.Cluster.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.core.migration.Phase;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The router against real shards, per phase of DESIGN.md section 2. */
class RouterIT extends ClusterTest {

    private static Long readBalance(Router router, long id) {
        return router.read("users", id, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM users WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : null;
                }
            }
        });
    }

    @EachEngine
    void eachPhase_routesReadsAndWritesAsThePhaseTableSays(TestEngine engine) throws Exception {
        Cluster cluster = cluster(engine);
        Router router = cluster.router("r1");
        long moving = 1500;
        long staying = 5;
        Cluster.setBalance(router, moving, 1);
        Cluster.setBalance(router, staying, 1);
        assertThat(balance(cluster.oldShard, moving)).isEqualTo(1);
        assertThat(balance(cluster.newShard, moving)).isNull();
        Phase[] phases = {
            Phase.PLANNED, Phase.DUAL_WRITE, Phase.BACKFILL, Phase.VERIFY, Phase.READ_NEW, Phase.CUTOVER, Phase.CLEANUP
        };
        long value = 100;
        for (Phase phase : phases) {
            cluster.publish(phase);
            router.refresh();
            put(cluster.oldShard, moving, 7);
            put(cluster.newShard, moving, 8);
            assertThat(readBalance(router, moving))
                    .as("%s reads from %s", phase, phase.reads())
                    .isEqualTo(phase.reads() == Phase.Side.OLD ? 7L : 8L);
            value++;
            Cluster.setBalance(router, moving, value);
            router.awaitMirrors();
            boolean oldWritten = phase.primary() == Phase.Side.OLD;
            boolean newWritten = phase.primary() == Phase.Side.NEW || phase.mirror() != Phase.Mirror.NONE;
            assertThat(balance(cluster.oldShard, moving)).as("%s old", phase).isEqualTo(oldWritten ? value : 7L);
            assertThat(balance(cluster.newShard, moving)).as("%s new", phase).isEqualTo(newWritten ? value : 8L);
            Cluster.setBalance(router, staying, value);
            assertThat(balance(cluster.oldShard, staying))
                    .as("%s staying key", phase)
                    .isEqualTo(value);
            assertThat(balance(cluster.newShard, staying)).isNull();
        }
    }

    @EachEngine
    void dualWrite_ofARolledBackTransaction_leavesNothingOnEitherShard(TestEngine engine) throws Exception {
        Cluster cluster = cluster(engine);
        Router router = cluster.router("r1");
        cluster.publish(Phase.DUAL_WRITE);
        router.refresh();
        assertThatThrownBy(() -> router.write("users", 1234L, c -> {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO users (id, balance) VALUES (1234, 5)");
                    }
                    throw new SQLException("application failed after its insert");
                }))
                .isInstanceOf(ReshardException.class)
                .hasMessageContaining("application failed after its insert");
        assertThat(balance(cluster.oldShard, 1234)).isNull();
        assertThat(balance(cluster.newShard, 1234)).isNull();
    }

    @EachEngine
    void dualWrite_ofWritesTheRouterCannotReplayVerbatim_leavesOldAndNewIdentical(TestEngine engine) throws Exception {
        Cluster cluster = cluster(engine);
        Router router = cluster.router("r1");
        cluster.publish(Phase.DUAL_WRITE);
        router.refresh();
        for (long id = 1000; id < 1010; id++) {
            Cluster.setBalance(router, id, id);
        }
        for (int i = 0; i < 5; i++) {
            router.write("users", 1001L, c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("UPDATE users SET balance = balance + 1 WHERE id = 1001");
                }
            });
        }
        for (long user = 1000; user < 1004; user++) {
            long u = user;
            router.write("orders", u, c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (user_id, amount) VALUES (?, ?)")) {
                    ps.setLong(1, u);
                    ps.setLong(2, u * 10);
                    return ps.executeUpdate();
                }
            });
        }
        // one transaction, many rows: moving and staying keys, two tables, and a delete
        Cluster.setBalance(router, 7, 70);
        router.write("users", 1005L, c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE users SET balance = balance * 2 WHERE id BETWEEN 1005 AND 1008 OR id = 7");
                s.executeUpdate("UPDATE orders SET amount = amount + 1 WHERE user_id IN (1000, 1001)");
                s.executeUpdate("DELETE FROM users WHERE id = 1009");
                return null;
            }
        });
        router.awaitMirrors();
        Cluster.assertSameMovingRows(cluster);
        assertThat(balance(cluster.newShard, 1009)).isNull();
        assertThat(balance(cluster.newShard, 1006)).isEqualTo(2012L);
        assertThat(balance(cluster.newShard, 7))
                .as("a staying key is never mirrored")
                .isNull();
        assertThat(balance(cluster.oldShard, 7)).isEqualTo(140L);
    }

    @EachEngine
    void dualWrite_underContention_oldAndNewAgreeOnEveryKey(TestEngine engine) throws Exception {
        Cluster cluster = cluster(engine);
        Router router = cluster.router("r1");
        Router other = cluster.router("r2");
        cluster.publish(Phase.DUAL_WRITE);
        router.refresh();
        other.refresh();
        for (long id = 2000; id < 2005; id++) {
            Cluster.setBalance(router, id, 0);
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                Router r = t % 2 == 0 ? router : other;
                int seed = t;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 60; i++) {
                        long id = 2000 + (seed + i) % 5;
                        retryOnDeadlock(() -> r.write("users", id, c -> {
                            try (Statement s = c.createStatement()) {
                                return s.executeUpdate("UPDATE users SET balance = balance + 1 WHERE id = " + id);
                            }
                        }));
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        router.awaitMirrors();
        other.awaitMirrors();
        Cluster.assertSameMovingRows(cluster);
        long total = 0;
        for (long id = 2000; id < 2005; id++) {
            total += balance(cluster.newShard, id);
        }
        assertThat(total).isEqualTo(360);
    }

    /** H2's and MariaDB's lock managers may pick a writer as a deadlock or timeout victim; the application retries. */
    private static void retryOnDeadlock(Runnable write) {
        for (int attempt = 0; ; attempt++) {
            try {
                write.run();
                return;
            } catch (ReshardException e) {
                String state = e.getCause() instanceof SQLException s ? s.getSQLState() : null;
                boolean retriable = state != null && (state.startsWith("40") || state.equals("HYT00"));
                if (!retriable || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    @EachEngine
    void updateThatChangesTheShardKey_isRefused_andNothingIsWritten(TestEngine engine) throws Exception {
        Cluster cluster = cluster(engine);
        Router router = cluster.router("r1");
        cluster.publish(Phase.DUAL_WRITE);
        router.refresh();
        router.write(
                "orders",
                1500L,
                c -> c.createStatement().executeUpdate("INSERT INTO orders (user_id, amount) VALUES (1500, 1)"));
        router.awaitMirrors();
        // 1500 -> 3: both keys live on the old shard, so only the capture trigger can see the change
        assertThatThrownBy(() -> router.write(
                        "orders",
                        1500L,
                        c -> c.createStatement().executeUpdate("UPDATE orders SET user_id = 3 WHERE user_id = 1500")))
                .isInstanceOf(ShardKeyChangeException.class)
                .hasMessageContaining("the shard key of a row cannot change");
        router.awaitMirrors();
        assertThat(Cluster.movingRows(cluster.oldShard, "orders", "user_id")).hasSize(1);
        Cluster.assertSameMovingRows(cluster);
    }

    @EachEngine
    void undeclaredTable_isRefused(TestEngine engine) throws Exception {
        Router router = cluster(engine).router("r1");
        assertThatThrownBy(() -> router.write("accounts", 1L, c -> null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("table: \"accounts\" is not a sharded table of this router");
    }
}
