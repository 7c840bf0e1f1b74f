package dev.reshard.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedCatalogIT {

    @Test
    void embeddedFileCatalog_survivesAReopen(@TempDir Path dir) {
        ShardMap map = ShardMap.initial(VirtualShardMap.roundRobin(1024, List.of(ShardId.of("a"), ShardId.of("b"))));
        try (Catalog catalog = Catalogs.embedded(dir)) {
            catalog.publish(map, 0, "first");
        }
        try (Catalog reopened = Catalogs.embedded(dir)) {
            assertThat(reopened.currentVersion()).isEqualTo(1);
            assertThat(reopened.currentMap().orElseThrow().shardFor(42L)).isEqualTo(map.shardFor(42L));
        }
    }

    /**
     * A commit the catalog acknowledged survives a kill of its process right after: the child halts
     * (no close, no hooks) as soon as it printed that its last transition committed. With H2's
     * default write delay the last ~0.5 s of commits were lost this way.
     */
    @Test
    void embeddedFileCatalog_keepsEveryAcknowledgedCommitAcrossAHalt(@TempDir Path dir) throws Exception {
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        HaltAfterCommit.class.getName(),
                        dir.toString(),
                        "4")
                .redirectErrorStream(true)
                .start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
            }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.toString()).contains("committed READ_NEW");
        try (Catalog reopened = Catalogs.embedded(dir)) {
            MigrationRecord m = reopened.migration("m1").orElseThrow();
            assertThat(m.phase()).isEqualTo(Phase.READ_NEW);
            assertThat(m.report()).contains("{\"tables\":[\"users\"]}");
        }
    }

    /** A hand-edited phase is refused when the row is read, naming the migration; never trusted. */
    @Test
    void aStoredPhaseThatIsNotAPhase_isRefusedNamingTheMigration() throws Exception {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL("jdbc:h2:mem:tampered;DB_CLOSE_DELAY=-1");
        try (Catalog catalog = Catalogs.open(ds, java.time.Clock.systemUTC())) {
            catalog.publish(
                    ShardMap.initial(VirtualShardMap.roundRobin(8, List.of(ShardId.of("a"), ShardId.of("b")))),
                    0,
                    "test");
            catalog.createMigration("m1", 1, 1, Phase.PLANNED, "{}");
            try (java.sql.Connection c = ds.getConnection();
                    java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE reshard_migrations SET phase = 'HALFWAY' WHERE id = 'm1'");
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> catalog.migration("m1"))
                    .isInstanceOf(dev.reshard.core.InvalidInputException.class)
                    .hasMessageContaining(
                            "reshard_migrations.phase of migration m1: \"HALFWAY\" is not a migration phase");
        }
    }
}
