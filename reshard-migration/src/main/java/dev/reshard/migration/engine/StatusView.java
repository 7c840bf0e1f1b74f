package dev.reshard.migration.engine;

import dev.reshard.catalog.Checkpoint;
import dev.reshard.catalog.MigrationRecord;
import dev.reshard.migration.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A migration's status and progress as the catalog has them (no lease needed). */
final class StatusView {
    private final Steps s;

    StatusView(Steps s) {
        this.s = s;
    }

    MigrationStatus status(MigrationRecord record) {
        MigrationReport report = record.report().map(MigrationReport::fromJson).orElseGet(MigrationReport::new);
        return new MigrationStatus(
                record.id(),
                record.phase(),
                record.fromVersion(),
                record.toVersion(),
                progress(record, report),
                report,
                record.error(),
                record.owner());
    }

    Progress progress(MigrationRecord record, MigrationReport report) {
        List<Checkpoint> checkpoints = s.catalog.checkpoints(record.id());
        Map<String, Long> copied = Copier.copiedByTable(checkpoints);
        Map<String, Boolean> done = new LinkedHashMap<>();
        for (Checkpoint cp : checkpoints) {
            if (!cp.table().startsWith("~")) {
                done.merge(cp.table(), cp.done(), Boolean::logicalAnd);
            }
        }
        Map<String, Progress.TableProgress> tables = new LinkedHashMap<>();
        for (MigratedTable t : report.tables) {
            tables.put(
                    t.key(),
                    new Progress.TableProgress(
                            copied.getOrDefault(t.key(), 0L),
                            report.estimatedRows.getOrDefault(t.key(), 0L),
                            done.getOrDefault(t.key(), false)
                                    && Pair.of(s.catalog.map(record.fromVersion()), s.catalog.map(record.toVersion()))
                                                            .size()
                                                    * 1L
                                            <= checkpoints.stream()
                                                    .filter(cp -> cp.table().equals(t.key()))
                                                    .count()));
        }
        double rate = 0;
        if (report.backfill.startedAt != null) {
            Instant start = Instant.parse(report.backfill.startedAt);
            Instant end =
                    report.backfill.finishedAt != null ? Instant.parse(report.backfill.finishedAt) : s.clock.instant();
            double seconds = Duration.between(start, end).toMillis() / 1000.0;
            long total = copied.values().stream().mapToLong(Long::longValue).sum();
            rate = seconds > 0 ? total / seconds : 0;
        }
        return new Progress(record.id(), record.phase(), tables, rate, report.catchUp.lastBacklog, s.clock.instant());
    }

    /** Terminal and fully wound down (routing stable, capture removed). */
    boolean finished(MigrationRecord record) {
        return !s.routingMentions(record.id())
                && record.report()
                        .map(MigrationReport::fromJson)
                        .map(r -> r.finishedAt != null)
                        .orElse(false);
    }
}
