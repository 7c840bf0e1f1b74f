package dev.reshard.migration;

import dev.reshard.core.migration.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A migration's progress as the CLI, the server and tests read it: phase, per-table rows copied
 * against an estimate of the rows to copy, the copy rate over a sliding window, an ETA, and the
 * changelog backlog. Immutable; the engine derives a new one from each checkpoint (the guide's
 * MigrationProgress, but from checkpoints, not a counter printed every 1000 keys).
 */
public record Progress(
        String migrationId,
        Phase phase,
        Map<String, TableProgress> tables,
        double rowsPerSecond,
        long changelogBacklog,
        Instant at) {

    public Progress {
        tables = Map.copyOf(new LinkedHashMap<>(tables));
    }

    /** One table: rows copied so far and the estimate of rows to copy (0 when unknown). */
    public record TableProgress(long copied, long estimated, boolean done) {
        public double fraction() {
            if (done) {
                return 1.0;
            }
            return estimated <= 0 ? 0.0 : Math.min(1.0, (double) copied / estimated);
        }
    }

    public long copied() {
        return tables.values().stream().mapToLong(TableProgress::copied).sum();
    }

    public long estimated() {
        return tables.values().stream()
                .mapToLong(t -> Math.max(t.estimated(), t.copied()))
                .sum();
    }

    /** Overall fraction copied, 0..1, weighted by rows. */
    public double fraction() {
        long estimated = estimated();
        boolean allDone = !tables.isEmpty() && tables.values().stream().allMatch(TableProgress::done);
        return allDone ? 1.0 : estimated == 0 ? 0.0 : Math.min(1.0, (double) copied() / estimated);
    }

    /** Time left at the current rate; empty when the rate is zero or nothing is known. */
    public Optional<Duration> eta() {
        long left = estimated() - copied();
        if (fraction() >= 1.0) {
            return Optional.of(Duration.ZERO);
        }
        if (rowsPerSecond <= 0 || left <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis((long) (left / rowsPerSecond * 1000)));
    }

    /** The rate between two snapshots of the same migration, in rows per second. */
    public static double rate(Progress earlier, Progress later) {
        double seconds = Duration.between(earlier.at(), later.at()).toNanos() / 1e9;
        return seconds <= 0 ? 0 : Math.max(0, later.copied() - earlier.copied()) / seconds;
    }
}
