package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.router.Router;
import dev.reshard.testkit.TestEngine;
import dev.reshard.workload.Writers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real kill -9: the engine runs in a separate JVM against PostgreSQL shards and a file catalog,
 * is killed (SIGKILL) in the middle of its backfill while writers run, and a second orchestrator in
 * this JVM resumes the migration from the catalog's checkpoints to the end. The end state is
 * checked against the writers' ledger.
 */
class KillIT {

    @Test
    void resumesAfterKillMinus9(@TempDir Path dir) throws Exception {
        assumeTrue(TestEngine.selected().contains(TestEngine.POSTGRESQL), "needs PostgreSQL");
        try (EngineCluster c = new EngineCluster(TestEngine.POSTGRESQL, 3, dir)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 3000, 1);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
            Router router = c.router("a");
            try (Writers writers = new Writers(router, c.ledger, 6000, 300).start(2)) {
                List<String> command = new ArrayList<>(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        EngineProcess.class.getName(),
                        dir.toString(),
                        Long.toString(from.version()),
                        Long.toString(to.version()),
                        c.databases.get(c.shard(0)).user(),
                        c.databases.get(c.shard(0)).password()));
                for (int i = 0; i < 3; i++) {
                    command.add(c.databases.get(c.shard(i)).jdbcUrl());
                }
                Process child =
                        new ProcessBuilder(command).redirectErrorStream(true).start();
                List<String> seen = new ArrayList<>();
                try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        seen.add(line);
                        if (line.startsWith("EVENT BACKFILL backfill")) {
                            break; // copying now: kill it mid-batch
                        }
                    }
                    assertThat(child.isAlive())
                            .as("engine process output: %s", seen)
                            .isTrue();
                    // Kill it once it has checkpointed some copied rows, mid-backfill.
                    org.awaitility.Awaitility.await()
                            .atMost(java.time.Duration.ofSeconds(60))
                            .until(() -> c.catalog.checkpoints("m1").stream()
                                            .filter(cp -> !cp.table().startsWith("~"))
                                            .mapToLong(cp -> cp.rowsCopied())
                                            .sum()
                                    > 0);
                    child.destroyForcibly(); // SIGKILL
                    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                }
                assertThat(c.catalog.migration("m1").orElseThrow().phase()).isEqualTo(Phase.BACKFILL);
                long copiedBefore = c.catalog.checkpoints("m1").stream()
                        .filter(cp -> !cp.table().startsWith("~"))
                        .mapToLong(cp -> cp.rowsCopied())
                        .sum();
                assertThat(copiedBefore).as("rows checkpointed before the kill").isPositive();
                MigrationStatus status = c.engine(EngineCluster.fastOptions())
                        .owner("parent")
                        .build()
                        .resume("m1");
                assertThat(status.phase()).isEqualTo(Phase.DONE);
                EngineCluster.awaitMoreWrites(writers);
                writers.stop();
                assertThat(writers.errors())
                        .as("writer errors: %s", writers.errorSamples())
                        .isZero();
                assertThat(writers.staleReads()).isZero();
            }
            var report = c.integrity(to);
            assertThat(report.intact()).as(report.toString()).isTrue();
        }
    }
}
