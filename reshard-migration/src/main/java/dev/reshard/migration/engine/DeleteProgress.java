package dev.reshard.migration.engine;

import dev.reshard.catalog.Checkpoint;
import dev.reshard.core.migration.Phase;
import dev.reshard.migration.Progress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The progress of a cleanup (or of a rollback removing the copied rows from the new shards):
 * rows deleted per table, from the checkpoints (so it survives a resume), against the rows
 * that move (the pre-flight count, or the rows the backfill copied when more), and the rate
 * of this run. After a batch, at most every {@link Steps#PROGRESS_EVERY}, it stores the rows deleted
 * so far in the report (what {@code reshard migrate status} reads) and sends a progress event
 * to the listener, as the backfill does.
 */
final class DeleteProgress {
    private static final Logger log = LoggerFactory.getLogger(MigrationEngine.class);
    private final Steps s;
    private final MigrationRun run;
    private final Phase phase;
    private final String prefix;
    private final long startNanos;
    private final long deletedBefore;
    private long reportedNanos;

    DeleteProgress(Steps s, MigrationRun run, Phase phase, String prefix) {
        this.s = s;
        this.run = run;
        this.phase = phase;
        this.prefix = prefix;
        this.startNanos = s.ticks();
        this.reportedNanos = startNanos;
        this.deletedBefore = total(deleted(s.catalog.checkpoints(run.id)));
    }

    void afterBatch() {
        long now = s.ticks();
        if (now - reportedNanos < Steps.PROGRESS_EVERY.toNanos()) {
            return;
        }
        reportedNanos = now;
        List<Checkpoint> checkpoints = s.catalog.checkpoints(run.id);
        Map<String, Long> deleted = deleted(checkpoints);
        Map<String, Long> copied = Copier.copiedByTable(checkpoints);
        Map<String, Progress.TableProgress> tables = new LinkedHashMap<>();
        List<String> perTable = new ArrayList<>();
        for (MigratedTable t : run.report.tables) {
            long rows = deleted.getOrDefault(t.key(), 0L);
            long estimate =
                    Math.max(run.report.estimatedRows.getOrDefault(t.key(), 0L), copied.getOrDefault(t.key(), 0L));
            long pairsDone = checkpoints.stream()
                    .filter(cp -> cp.done() && cp.table().equals(prefix + t.key()))
                    .count();
            tables.put(t.key(), new Progress.TableProgress(rows, estimate, pairsDone >= run.pairs.size()));
            perTable.add(t.key() + " " + rows + "/" + Math.max(rows, estimate));
        }
        long total = total(deleted);
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? Math.max(0, total - deletedBefore) / seconds : 0;
        Progress p = new Progress(run.id, phase, tables, rate, 0, s.clock.instant());
        if (phase == Phase.CLEANUP) {
            run.report.cleanup.rowsDeleted = total;
        } else {
            run.report.rollback.rowsRemovedFromNew = total;
        }
        run.save();
        String message = (phase == Phase.CLEANUP
                        ? "cleanup: " + total + " of ~" + p.estimated() + " moved rows deleted from " + run.sources()
                        : "rollback: " + total + " of ~" + p.estimated() + " copied rows removed from " + run.targets())
                + " (" + String.join(", ", perTable) + "), " + Math.round(rate) + " rows/s";
        log.debug("migration {} [{}]: {}", run.id, phase, message);
        s.listener.accept(new MigrationEvent(s.clock.instant(), run.id, phase, message, Optional.of(p)));
    }

    /** Rows deleted so far per table, from this walk's checkpoints. */
    private Map<String, Long> deleted(List<Checkpoint> checkpoints) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Checkpoint cp : checkpoints) {
            if (cp.table().startsWith(prefix)) {
                out.merge(cp.table().substring(prefix.length()), cp.rowsCopied(), Long::sum);
            }
        }
        return out;
    }

    private static long total(Map<String, Long> rows) {
        return rows.values().stream().mapToLong(Long::longValue).sum();
    }
}
