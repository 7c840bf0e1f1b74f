package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.migration.Progress;
import dev.reshard.testkit.TestEngine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A long cleanup reports progress through the listener (rows deleted against the estimate, per
 * table, with a rate) at most every ~2 s, and the stored report shows the rows deleted so far to
 * `reshard migrate status` while it runs. H2 only: the events are engine-neutral. The engine's
 * clock and ticker are injected, so the cadence is checked without waiting for it.
 */
class CleanupProgressIT {

    @Test
    void aLongCleanupReportsProgress() throws Exception {
        try (EngineCluster c = new EngineCluster(TestEngine.H2, 3)) {
            ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
            c.load(from, 300, 1);
            ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
            MigrationEngine observer = c.engine(EngineCluster.fastOptions()).build();
            List<MigrationEvent> events = Collections.synchronizedList(new ArrayList<>());
            List<MigrationStatus> seenByStatus = Collections.synchronizedList(new ArrayList<>());
            // Small batches, each taking half a second of the engine's (injected) time: the
            // cleanup lasts ~10 s of it, in well under a second of real time.
            AtomicLong extraNanos = new AtomicLong();
            Clock clock = new Clock() {
                @Override
                public ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return Instant.now().plusNanos(extraNanos.get());
                }
            };
            CrashPoints slow = point -> {
                if (point == CrashPoint.CLEANUP_BATCH) {
                    extraNanos.addAndGet(Duration.ofMillis(500).toNanos());
                }
            };
            MigrationStatus done = c.engine(EngineCluster.fastOptions().toBuilder()
                            .cleanupBatchRows(10)
                            .build())
                    .crashPoints(slow)
                    .clock(clock)
                    .ticker(() -> System.nanoTime() + extraNanos.get())
                    .listener(e -> {
                        events.add(e);
                        if (e.phase() == Phase.CLEANUP && e.progress().isPresent()) {
                            seenByStatus.add(observer.status("m1"));
                        }
                    })
                    .build()
                    .start(new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES));
            assertThat(done.phase()).isEqualTo(Phase.DONE);

            List<MigrationEvent> cleanup;
            synchronized (events) {
                cleanup =
                        events.stream().filter(e -> e.phase() == Phase.CLEANUP).toList();
            }
            List<MigrationEvent> progress =
                    cleanup.stream().filter(e -> e.progress().isPresent()).toList();
            assertThat(progress).as("cleanup progress events in %s", cleanup).isNotEmpty();
            MigrationEvent started = cleanup.stream()
                    .filter(e -> e.message().startsWith("deleting the moved rows"))
                    .findFirst()
                    .orElseThrow();
            MigrationEvent previous = started;
            for (MigrationEvent e : progress) {
                assertThat(Duration.between(previous.at(), e.at()))
                        .as("time since the previous cleanup event")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
                previous = e;
                Progress p = e.progress().get();
                assertThat(p.phase()).isEqualTo(Phase.CLEANUP);
                assertThat(p.tables()).containsKeys("users", "orders");
                assertThat(p.copied()).as("rows deleted so far").isPositive();
                assertThat(p.estimated()).isGreaterThanOrEqualTo(p.copied());
                assertThat(p.rowsPerSecond()).isPositive();
                assertThat(e.message()).contains("deleted");
            }
            long total = done.report().cleanup.rowsDeleted;
            assertThat(progress.get(0).progress().get().copied()).isLessThan(total);
            assertThat(seenByStatus).isNotEmpty();
            MigrationReport.Cleanup midway = seenByStatus.get(0).report().cleanup;
            assertThat(midway.finishedAt).isNull();
            assertThat(midway.rowsDeleted).isPositive().isLessThan(total);
        }
    }
}
