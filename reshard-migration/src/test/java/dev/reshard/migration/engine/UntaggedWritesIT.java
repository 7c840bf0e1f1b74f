package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.migration.Phase;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;

/**
 * Writers that bypass the routers (a script, a job with its own connection string: no map epoch on
 * the session). By default the fences let them through while the old shards are the truth, refuse
 * them during the cutover freeze (so that a writer that never pauses cannot keep the freeze from
 * draining) and on the old shards from the cutover on (cleanup deletes those rows). With
 * {@code allowUntaggedWrites} they get through, and cleanup deletes a moved row from its old shard
 * only when the new shard holds the same row: a row changed on the old shard after the cutover is
 * the one copy of that change, so cleanup stops before deleting it, says what to check and how to
 * continue (with commands that exist), and finishes once the new shard is brought up to date.
 */
class UntaggedWritesIT {
    private static final String NOTE = "written on the old shard after cutover";

    @EachEngine
    void byDefault_anUntaggedWriteOnTheOldShardAfterCutoverIsRefused(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            Moved m = cutOver(c, EngineCluster.fastOptions());
            assertThatThrownBy(() -> setNote(c, m.old(), m.key(), NOTE))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("write without a map epoch refused on table")
                    .hasMessageContaining("write through a Reshard router")
                    .hasMessageContaining("options.allowUntaggedWrites");
            assertThat(setNote(c, m.now(), m.key(), "on the new shard"))
                    .as("the new shard takes them")
                    .isEqualTo(1);

            MigrationStatus done = c.engine(EngineCluster.fastOptions())
                    .owner("second")
                    .build()
                    .resume("m1");
            assertThat(done.phase()).isEqualTo(Phase.DONE);
            assertThat(note(c, m.now(), m.key())).contains("on the new shard");
            assertThat(c.integrity(m.to()).intact())
                    .as(c.integrity(m.to()).toString())
                    .isTrue();
        }
    }

    @EachEngine
    void byDefault_anUntaggedWriterThatNeverPausesDoesNotKeepTheCutoverFromFinishing(TestEngine engine)
            throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            UntaggedWriter w = new UntaggedWriter(c);
            try {
                MigrationStatus cut = w.migrate(EngineCluster.fastOptions());
                assertThat(cut.phase()).isEqualTo(Phase.CUTOVER);
            } finally {
                w.stop();
            }
            assertThat(w.refused.get())
                    .as("untagged writes refused by the fence")
                    .isPositive();
            MigrationStatus done = c.engine(EngineCluster.fastOptions())
                    .owner("second")
                    .build()
                    .resume("m1");
            assertThat(done.phase()).isEqualTo(Phase.DONE);
            assertThat(c.integrity(w.to).intact())
                    .as(c.integrity(w.to).toString())
                    .isTrue();
        }
    }

    /**
     * A client writing the old shard directly over the keys that move: a few hundred times a
     * second until the migration has published READ_NEW (so verification can catch up with it),
     * then without pause, faster than a freeze's catch-up can drain on its own.
     */
    private static final class UntaggedWriter {
        final EngineCluster c;
        final ShardMap from;
        final ShardMap to;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicBoolean hot = new AtomicBoolean();
        final AtomicLong written = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final Thread thread;

        UntaggedWriter(EngineCluster c) throws SQLException {
            this.c = c;
            EngineCluster.Move move = c.twoToThree(200);
            from = move.from();
            to = move.to();
            ShardId source = from.shardFor(movingKey(from, to));
            long[] keys = LongStream.range(0, 200)
                    .filter(k ->
                            from.shardFor(k).equals(source) && !to.shardFor(k).equals(source))
                    .toArray();
            thread = new Thread(() -> {
                try (Connection conn = c.databases.get(source).dataSource().getConnection();
                        PreparedStatement ps = conn.prepareStatement("UPDATE users SET note = ? WHERE id = ?")) {
                    for (long n = 0; !stop.get(); n++) {
                        ps.setString(1, "untagged " + n);
                        ps.setLong(2, keys[(int) (n % keys.length)]);
                        try {
                            ps.executeUpdate();
                            written.incrementAndGet();
                        } catch (SQLException e) {
                            refused.incrementAndGet();
                        }
                        if (!hot.get()) {
                            LockSupport.parkNanos(2_000_000); // ~400 writes/s at most
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            thread.setDaemon(true);
            thread.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= 50);
        }

        /** Runs the migration until CUTOVER (before the grace period) with a short cutover budget. */
        MigrationStatus migrate(MigrationOptions options) {
            MigrationOptions tight = options.toBuilder()
                    .cutoverBudget(Duration.ofMillis(300))
                    .cutoverAttempts(3)
                    .stopBefore(Phase.CLEANUP)
                    .build();
            return c.engine(tight)
                    .owner("first")
                    .crashPoints(point -> {
                        if (point == CrashPoint.published(Phase.READ_NEW)) {
                            hot.set(true);
                        }
                    })
                    .build()
                    .start(new EngineCluster.Move(from, to).request("m1"));
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }

    @EachEngine
    void allowed_aRowChangedOnTheOldShardAfterCutoverIsNotDeleted(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            MigrationOptions allowing = EngineCluster.fastOptions().toBuilder()
                    .allowUntaggedWrites(true)
                    .build();
            Moved m = cutOver(c, allowing);
            assertThat(setNote(c, m.old(), m.key(), NOTE)).isEqualTo(1);

            assertThatThrownBy(() -> c.engine(allowing).owner("second").build().resume("m1"))
                    .hasMessageContaining("cleanup of users on " + m.old() + " stopped")
                    .hasMessageContaining("[" + m.key() + "]")
                    .hasMessageContaining("nothing of this batch was deleted")
                    .hasMessageContaining("`reshard migrate resume m1`")
                    .hasMessageNotContaining("migrate verify");
            assertThat(note(c, m.old(), m.key())).contains(NOTE);
            assertThat(c.catalog.migration("m1").orElseThrow().phase()).isEqualTo(Phase.CLEANUP);

            // The operator brings the new shard up to date, as the message says, and resumes.
            assertThat(setNote(c, m.now(), m.key(), NOTE)).isEqualTo(1);
            MigrationStatus done = c.engine(allowing).owner("third").build().resume("m1");
            assertThat(done.phase()).isEqualTo(Phase.DONE);
            assertThat(note(c, m.old(), m.key())).isEmpty();
            assertThat(note(c, m.now(), m.key())).contains(NOTE);
            assertThat(c.integrity(m.to()).intact())
                    .as(c.integrity(m.to()).toString())
                    .isTrue();
        }
    }

    private record Moved(ShardMap to, long key, ShardId old, ShardId now) {}

    /** A migration stopped in CUTOVER (before the grace period), and a key it moved. */
    private static Moved cutOver(EngineCluster c, MigrationOptions options) throws SQLException {
        EngineCluster.Move move = c.twoToThree(200);
        ShardMap from = move.from();
        ShardMap to = move.to();
        MigrationRequest request = move.request("m1");
        MigrationOptions untilCutover =
                options.toBuilder().stopBefore(Phase.CLEANUP).build();
        assertThat(c.engine(untilCutover).owner("first").build().start(request).phase())
                .isEqualTo(Phase.CUTOVER);
        long key = movingKey(from, to);
        return new Moved(to, key, from.shardFor(key), to.shardFor(key));
    }

    private static long movingKey(ShardMap from, ShardMap to) {
        return LongStream.range(0, 200)
                .filter(k -> !from.shardFor(k).equals(to.shardFor(k)))
                .findFirst()
                .orElseThrow();
    }

    private static int setNote(EngineCluster c, ShardId shard, long key, String note) throws SQLException {
        try (Connection conn = c.databases.get(shard).dataSource().getConnection();
                PreparedStatement ps = conn.prepareStatement("UPDATE users SET note = ? WHERE id = ?")) {
            ps.setString(1, note);
            ps.setLong(2, key);
            return ps.executeUpdate();
        }
    }

    private static Optional<String> note(EngineCluster c, ShardId shard, long key) throws SQLException {
        try (Connection conn = c.databases.get(shard).dataSource().getConnection();
                PreparedStatement ps = conn.prepareStatement("SELECT note FROM users WHERE id = ?")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
