package dev.reshard.router;

import static dev.reshard.router.Cluster.balance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.migration.Phase;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;

/**
 * In READ_NEW the mirror serves reads, so a mirror commit that fails after the primary committed is
 * re-synced from the primary before the answer; if that fails too, the caller is told the outcome
 * is unknown.
 */
class OutcomeIT extends ClusterTest {

    @EachEngine
    void mirrorCommitFailsAfterThePrimaryCommitted_resyncRepairsIt_orTheOutcomeIsUnknown(TestEngine engine)
            throws Exception {
        TestDatabase a = engine.newDatabase();
        TestDatabase b = engine.newDatabase();
        resources.add(a);
        resources.add(b);
        FailingCommits mirror = new FailingCommits(b.dataSource());
        Cluster cluster = new Cluster(engine, a.dataSource(), mirror.dataSource);
        resources.add(cluster);
        Router router = cluster.router("r1");
        cluster.publish(Phase.DUAL_WRITE);
        router.refresh();
        router.write(
                "users",
                1500L,
                c -> c.createStatement().executeUpdate("INSERT INTO users (id, balance) VALUES (1500, 1)"));
        router.awaitMirrors();
        cluster.publish(Phase.READ_NEW);
        router.refresh();

        mirror.failNext.set(1); // the mirror's commit fails once; the re-sync commits
        Cluster.setBalance(router, 1500, 2);
        assertThat(balance(a.dataSource(), 1500)).isEqualTo(2L);
        assertThat(balance(b.dataSource(), 1500)).isEqualTo(2L);

        mirror.failNext.set(2); // the mirror's commit and the re-sync both fail
        assertThatThrownBy(() -> Cluster.setBalance(router, 1500, 3))
                .isInstanceOf(OutcomeUnknownException.class)
                .hasMessageContaining("committed on shard_0 but its mirror on shard_1")
                .hasMessageContaining("read the key back before retrying");
        assertThat(balance(a.dataSource(), 1500)).isEqualTo(3L);
        assertThat(balance(b.dataSource(), 1500)).isEqualTo(2L);
    }
}
