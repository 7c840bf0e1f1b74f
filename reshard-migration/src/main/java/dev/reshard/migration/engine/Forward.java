package dev.reshard.migration.engine;

import dev.reshard.catalog.RoutingState;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.migration.Phase;
import dev.reshard.migration.Progress;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The forward phases' work: PLANNED, BACKFILL, VERIFY, the grace period after CUTOVER, CLEANUP. */
final class Forward {
    private final Steps s;
    private final StatusView view;

    Forward(Steps s, StatusView view) {
        this.s = s;
        this.view = view;
    }

    /**
     * Installs capture on the source shards and records where each changelog's replay starts. A
     * shard whose capture this run installed starts at the head its changelog has right after the
     * install (nothing before it can matter: the backfill reads every row after DUAL_WRITE's
     * barrier). A shard that already had capture (a run crashed after installing it, or a catalog
     * lost the start) starts at the beginning of its changelog: replaying more is work, skipping
     * is loss.
     */
    boolean planned(MigrationRun run) throws SQLException {
        if (s.catalog.currentRouting().isEmpty()) {
            s.catalog.publishRouting(RoutingState.stable(1, run.from.version()));
        }
        Set<ShardId> installedNow = new LinkedHashSet<>();
        for (ShardId shard : run.sources()) {
            if (s.installCapture(run, shard)) {
                installedNow.add(shard);
            }
            s.crash.at(CrashPoint.PLANNED_CAPTURE);
        }
        run.forward.recordStart(installedNow);
        run.event(Phase.PLANNED, "change capture installed on " + run.sources());
        return s.advance(run, Phase.PLANNED, Phase.DUAL_WRITE);
    }

    boolean backfill(MigrationRun run) throws SQLException {
        if (run.report.backfill.startedAt == null) {
            run.report.backfill.startedAt = s.now();
            run.save();
        }
        Copier copier = new Copier(run.context, table -> progressEvent(run));
        copier.run();
        run.report.backfill.rowsCopied = Copier.copiedByTable(s.catalog.checkpoints(run.id)).values().stream()
                .mapToLong(Long::longValue)
                .sum();
        run.report.backfill.batchesFellBack += copier.fellBack();
        run.report.backfill.throttleSlowdowns += copier.throttleSlowdowns();
        run.report.backfill.throttlePausedMillis += copier.throttlePausedMillis();
        run.report.backfill.finishedAt = s.now();
        run.event(Phase.BACKFILL, "backfill done: " + run.report.backfill.rowsCopied + " rows copied");
        s.catchUp(run, Duration.ofMinutes(10));
        return s.advance(run, Phase.BACKFILL, Phase.VERIFY);
    }

    boolean verify(MigrationRun run) throws SQLException {
        s.catchUp(run, Duration.ofMinutes(10));
        run.forward.takeChanged(); // the full check below covers them
        MigrationReport.Verification v = new MigrationReport.Verification();
        v.at = s.now();
        new Verification(run.context, false).full(v);
        run.report.verification = v;
        run.event(
                Phase.VERIFY,
                "verified "
                        + v.tables.stream()
                                .mapToLong(MigrationReport.TableCheck::sourceRows)
                                .sum() + " rows in "
                        + v.tables.stream()
                                .mapToInt(MigrationReport.TableCheck::chunks)
                                .sum() + " chunks in "
                        + v.durationMillis + " ms: " + v.mismatchesFound + " mismatches found, "
                        + v.mismatchesRepaired + " repaired"
                        + (v.tenantsChecked > 0 ? ", " + v.tenantsChecked + " tenant counts checked" : "")
                        + (v.clean ? "; clean" : "; NOT clean"));
        if (!v.clean) {
            throw new ReshardException("verification of " + run.id + " is not clean after " + v.rounds
                    + " repair rounds (" + (v.mismatchesFound - v.mismatchesRepaired) + " keys still differ, "
                    + v.tenantCountMismatches + " tenant counts differ); the migration stays in VERIFY. Resume to"
                    + " verify again, or roll back");
        }
        // Switch reads only with the changelog drained and what changed since the check re-checked.
        s.catchUp(run, Duration.ofMinutes(1));
        s.recheck(run, v);
        if (!s.advance(run, Phase.VERIFY, Phase.READ_NEW)) {
            return false;
        }
        s.catchUp(run, Duration.ofMinutes(1));
        return true;
    }

    boolean afterCutover(MigrationRun run) throws SQLException {
        if (s.stopsBefore(run, Phase.CUTOVER, Phase.CLEANUP)) {
            return false; // before the grace period: stopping there needs no wait
        }
        Instant cutAt = run.report.cutover.at == null ? s.clock.instant() : Instant.parse(run.report.cutover.at);
        Instant cleanAt = cutAt.plus(s.options.gracePeriod());
        if (s.clock.instant().isBefore(cleanAt)) {
            run.event(Phase.CUTOVER, "grace period: cleanup starts at " + cleanAt);
            while (s.clock.instant().isBefore(cleanAt)) {
                run.checkLease();
                Steps.sleep(Duration.ofMillis(Math.min(
                        1000,
                        Math.max(1, Duration.between(s.clock.instant(), cleanAt).toMillis()))));
            }
        }
        return s.advance(run, Phase.CUTOVER, Phase.CLEANUP);
    }

    boolean cleanup(MigrationRun run) throws SQLException {
        if (run.report.cleanup == null) {
            run.report.cleanup = new MigrationReport.Cleanup();
            run.report.cleanup.startedAt = s.now();
            run.save();
        }
        DeleteProgress progress = new DeleteProgress(s, run, Phase.CLEANUP, "~cleanup:");
        Cleaner cleaner = new Cleaner(run.context, shard -> changedSince(run, shard), name -> progress.afterBatch());
        List<String> files = new ArrayList<>();
        run.event(
                Phase.CLEANUP,
                "deleting the moved rows from " + run.sources() + ", each batch confirmed on " + run.targets()
                        + (s.options.backupDir().isPresent()
                                ? ", backed up to " + s.options.backupDir().get()
                                : ""));
        run.report.cleanup.rowsDeleted = cleaner.cleanupOld(files);
        for (String f : files) {
            if (!run.report.cleanup.backupFiles.contains(f)) {
                run.report.cleanup.backupFiles.add(f);
            }
        }
        run.report.cleanup.finishedAt = s.now();
        run.event(
                Phase.CLEANUP,
                "deleted " + run.report.cleanup.rowsDeleted + " moved rows from " + run.sources()
                        + (files.isEmpty() ? "" : " (backup in " + run.report.cleanup.backupFiles + ")"));
        if (s.stopsBefore(run, Phase.CLEANUP, Phase.DONE)) {
            return false;
        }
        s.catalog.transition(run.id, Phase.CLEANUP, Phase.DONE);
        s.crash.at(CrashPoint.DONE_RECORDED);
        return true;
    }

    private static Map<String, Set<List<Object>>> changedSince(MigrationRun run, ShardId shard) {
        try {
            return run.reverse.changedSinceStart(shard);
        } catch (SQLException e) {
            throw new ReshardException("cannot read the changelog of " + shard + ": " + e.getMessage(), e);
        }
    }

    void progressEvent(MigrationRun run) {
        long nowNanos = s.ticks();
        synchronized (run) {
            if (nowNanos - run.lastProgressEvent < 1_000_000_000L) {
                return;
            }
            run.lastProgressEvent = nowNanos;
        }
        Progress p = view.progress(s.record(run.id), run.report);
        s.listener.accept(new MigrationEvent(s.clock.instant(), run.id, p.phase(), "backfill", Optional.of(p)));
    }
}
