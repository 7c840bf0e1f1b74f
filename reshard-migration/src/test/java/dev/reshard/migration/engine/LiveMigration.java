package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.capture.ChangeCapture;
import dev.reshard.router.Router;
import dev.reshard.testkit.TestEngine;
import dev.reshard.workload.IntegrityReport;
import dev.reshard.workload.Writers;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A virtual-shard migration (2 shards + 1 new) with writers running through two routers for its
 * whole life; the test drives the engine (crash, resume, roll back) and checks the end state
 * against the writers' ledger.
 */
final class LiveMigration implements AutoCloseable {
    static final int USERS = 1200;
    final EngineCluster cluster;
    final ShardMap from;
    final ShardMap to;
    final MigrationRequest request;
    private final Writers a;
    private final Writers b;

    LiveMigration(TestEngine engine) throws Exception {
        cluster = new EngineCluster(engine, 3);
        from = cluster.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, cluster.shards(2))));
        cluster.load(from, USERS, 2);
        to = cluster.publish(ShardMaps.balanceVirtualShards(from, cluster.shards(3)));
        request = new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES);
        Router ra = cluster.router("a");
        Router rb = cluster.router("b");
        a = new Writers(ra, cluster.ledger, USERS * 2L, 400).start(0, 2, 3);
        b = new Writers(rb, cluster.ledger, USERS * 2L, 400).start(2, 1, 3);
        awaitMoreWrites();
    }

    /** Waits until both routers' writers have acknowledged a few more writes than now. */
    void awaitMoreWrites() {
        long seenA = a.writes();
        long seenB = b.writes();
        await().atMost(Duration.ofSeconds(30)).until(() -> a.writes() >= seenA + 20 && b.writes() >= seenB + 20);
    }

    /** No migrating table on any shard still carries capture (the wind-down removed it everywhere). */
    void assertNoCaptureLeft() throws Exception {
        for (Map.Entry<ShardId, DataSource> e : cluster.enginePools.entrySet()) {
            try (Connection c = e.getValue().getConnection()) {
                Dialect dialect = Dialect.of(c);
                ChangeCapture capture = ChangeCapture.of(dialect.engine());
                for (MigratedTable t : EngineCluster.TABLES) {
                    assertThat(capture.isInstalled(c, dialect.tableSpec(c, t.name(), t.shardKey())))
                            .as("capture on %s.%s", e.getKey(), t.name())
                            .isFalse();
                }
            }
        }
    }

    MigrationEngine engine(String owner, CrashPoints crash, MigrationOptions options) {
        return cluster.engine(options).owner(owner).crashPoints(crash).build();
    }

    MigrationEngine engine(String owner) {
        return engine(owner, CrashPoints.NONE, EngineCluster.fastOptions());
    }

    /** Stops the writers and checks the end state against {@code expected}; returns the report. */
    IntegrityReport finish(ShardMap expected, boolean allowWriterErrors) throws Exception {
        awaitMoreWrites();
        for (Writers w : List.of(a, b)) {
            w.stop();
            if (!allowWriterErrors) {
                assertThat(w.errors()).as("writer errors: %s", w.errorSamples()).isZero();
            }
            assertThat(w.staleReads())
                    .as("reads that missed the writer's own write")
                    .isZero();
        }
        IntegrityReport report = cluster.integrity(expected);
        assertThat(report.intact()).as(report.toString()).isTrue();
        return report;
    }

    @Override
    public void close() {
        a.stop();
        b.stop();
        cluster.close();
    }
}
