package dev.reshard.router;

import static dev.reshard.router.Cluster.balance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reshard.core.ReshardException;
import dev.reshard.core.migration.Phase;
import dev.reshard.jdbc.capture.ChangeCapture;
import dev.reshard.jdbc.capture.ChangeEntry;
import dev.reshard.testkit.EmbeddedPostgresServer;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestDatabases;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The new shard is a separate PostgreSQL server that the test stops: before READ_NEW the write
 * succeeds and the changelog keeps the key for catch-up; in READ_NEW the write fails and nothing
 * is committed anywhere.
 */
class SecondaryFailureIT {

    @Test
    void secondaryDown_beforeReadNewTheWriteSucceeds_inReadNewItFailsWithNothingHalfWritten() throws Exception {
        try (TestDatabase old = TestDatabases.postgres();
                EmbeddedPostgresServer server = TestDatabases.startPostgresServer()) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(server.jdbcUrl("postgres"));
            config.setUsername(EmbeddedPostgresServer.USER);
            config.setMaximumPoolSize(4);
            config.setConnectionTimeout(1_000);
            config.setInitializationFailTimeout(-1);
            try (HikariDataSource newShard = new HikariDataSource(config);
                    Cluster cluster = new Cluster(TestEngine.POSTGRESQL, old.dataSource(), newShard)) {
                Router router = cluster.router("r1");
                cluster.publish(Phase.DUAL_WRITE);
                router.refresh();
                Cluster.setBalance(router, 1500, 1);
                router.awaitMirrors();
                assertThat(balance(newShard, 1500)).isEqualTo(1L);

                server.stop();
                Cluster.setBalance(router, 1500, 2);
                router.awaitMirrors();
                assertThat(balance(old.dataSource(), 1500)).isEqualTo(2L);
                assertThat(router.counters().get(Cluster.NEW).mirrorFailures()).isPositive();
                try (Connection c = old.dataSource().getConnection()) {
                    List<ChangeEntry> log = ChangeCapture.of(c).changesAfter(c, 0, 1000);
                    assertThat(log).extracting(ChangeEntry::primaryKey).contains(List.of(1500L));
                }

                cluster.publish(Phase.VERIFY);
                cluster.publish(Phase.READ_NEW);
                router.refresh();
                assertThatThrownBy(() -> Cluster.setBalance(router, 1500, 3))
                        .isInstanceOf(ReshardException.class)
                        .hasMessageContaining("was not committed");
                assertThat(balance(old.dataSource(), 1500))
                        .as("the primary was rolled back")
                        .isEqualTo(2L);

                server.restart();
                newShard.getHikariPoolMXBean().softEvictConnections();
                Cluster.setBalance(router, 1500, 4);
                assertThat(balance(newShard, 1500)).isEqualTo(4L);
                assertThat(balance(old.dataSource(), 1500)).isEqualTo(4L);
            }
        }
    }
}
