package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.stream.LongStream;

/**
 * Cleanup deletes a moved row from its old shard only when the new shard holds the same row (or
 * wrote it since the cutover). A row changed on the old shard after the cutover by a writer that
 * bypasses Reshard is the one copy of that change: cleanup must stop before deleting it, say what
 * to check and how to continue (with commands that exist), and finish once the new shard is
 * brought up to date.
 */
class CleanupRefusalIT {

    @EachEngine
    void aRowChangedOnTheOldShardAfterCutoverIsNotDeleted(TestEngine engine) throws Exception {
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 200, 1);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
            MigrationRequest request = new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES);
            MigrationOptions untilCutover = EngineCluster.fastOptions().toBuilder()
                    .stopBefore(Phase.CLEANUP)
                    .build();
            assertThat(c.engine(untilCutover)
                            .owner("first")
                            .build()
                            .start(request)
                            .phase())
                    .isEqualTo(Phase.CUTOVER);

            long key = LongStream.range(0, 200)
                    .filter(k -> !from.shardFor(k).equals(to.shardFor(k)))
                    .findFirst()
                    .orElseThrow();
            ShardId old = from.shardFor(key);
            ShardId now = to.shardFor(key);
            // A writer that bypasses the routers (a script, a job with its own connection string).
            assertThat(setNote(c, old, key, "written on the old shard after cutover"))
                    .isEqualTo(1);

            assertThatThrownBy(() -> c.engine(EngineCluster.fastOptions())
                            .owner("second")
                            .build()
                            .resume("m1"))
                    .hasMessageContaining("cleanup of users on " + old + " stopped")
                    .hasMessageContaining("[" + key + "]")
                    .hasMessageContaining("nothing of this batch was deleted")
                    .hasMessageContaining("`reshard migrate resume m1`")
                    .hasMessageNotContaining("migrate verify");
            assertThat(note(c, old, key)).contains("written on the old shard after cutover");
            assertThat(c.catalog.migration("m1").orElseThrow().phase()).isEqualTo(Phase.CLEANUP.name());

            // The operator brings the new shard up to date, as the message says, and resumes.
            assertThat(setNote(c, now, key, "written on the old shard after cutover"))
                    .isEqualTo(1);
            MigrationStatus done =
                    c.engine(EngineCluster.fastOptions()).owner("third").build().resume("m1");
            assertThat(done.phase()).isEqualTo(Phase.DONE);
            assertThat(note(c, old, key)).isEmpty();
            assertThat(note(c, now, key)).contains("written on the old shard after cutover");
            assertThat(c.integrity(to).intact()).as(c.integrity(to).toString()).isTrue();
        }
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
