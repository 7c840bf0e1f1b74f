package dev.reshard.migration.engine;

import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.migration.Phase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/*
 * Design notes
 *
 * The freeze moves the primary between the old and the new shards. Forward (READ_NEW -> CUTOVER):
 * the fences on both sides are raised to the cutover epoch before it is published, so no router
 * writes the migrating tables there until it has the new epoch; the changelog is drained, the keys
 * changed since verification re-checked, the new shards' sequences moved past the old ones, and
 * only then is the cutover recorded and published. A freeze that does not fit its budget is
 * released (READ_NEW again at the freeze's epoch) and retried. Backward (CUTOVER -> ROLLING_BACK)
 * is the same freeze in reverse, replaying the new shards' changelog to the old shards. A crash
 * inside either freeze after its record was written is finished by finishCutover/finishSwitchBack.
 */
/** The cutover freeze, forward and in reverse. */
final class Freeze {
    private final Steps s;

    Freeze(Steps s) {
        this.s = s;
    }

    /**
     * READ_NEW -> CUTOVER inside a freeze: fences on both sides raised to the cutover epoch before
     * it is published, the changelog drained, sequences moved, then the publish.
     */
    boolean cutover(MigrationRun run) throws SQLException {
        if (s.stopsBefore(run, Phase.READ_NEW, Phase.CUTOVER)) {
            return false;
        }
        for (int attempt = 1; attempt <= s.options.cutoverAttempts(); attempt++) {
            run.checkLease();
            s.catchUp(run, Duration.ofMinutes(1));
            run.report.cutover.attempts++;
            Set<ShardId> installedNow = new LinkedHashSet<>();
            for (ShardId target : run.targets()) {
                if (s.installCapture(run, target)) {
                    installedNow.add(target);
                }
            }
            run.reverse.recordStart(installedNow);
            if (!run.report.targetCapture) {
                run.report.targetCapture = true;
                run.save();
            }
            long epoch = s.currentEpoch() + 1;
            long frozenAt = s.ticks();
            s.raiseFences(run, epoch, s.untaggedInFreeze());
            Duration budget = s.options.cutoverBudget();
            CatchUpRunner.Pass last = run.forward.pass();
            while (last.freshEntries() > 0 && s.elapsed(frozenAt).compareTo(budget) < 0) {
                last = run.forward.pass();
            }
            if (last.freshEntries() > 0 || s.elapsed(frozenAt).compareTo(budget) > 0) {
                String why = "cutover attempt " + attempt + " released: the final catch-up took "
                        + s.elapsed(frozenAt).toMillis() + " ms (budget " + budget.toMillis() + " ms), "
                        + last.freshEntries() + " entries still arriving; back to dual-write (READ_NEW)"
                        + (s.options.allowUntaggedWrites() && last.freshEntries() > 0
                                ? ". Writers outside the routers may write during the freeze"
                                        + " (options.allowUntaggedWrites: true): if they write without pause, no"
                                        + " freeze drains; let the fence refuse them (false, the default)"
                                : "");
                release(run, epoch, why);
                continue;
            }
            MigrationReport.Verification v = run.report.verification;
            s.recheck(run, v);
            if (!v.clean) {
                release(run, epoch, null);
                throw new ReshardException("cutover of " + run.id + " stopped: keys changed since verification still"
                        + " differ after repair; the migration stays in READ_NEW (dual-write). Resume to retry");
            }
            List<String> moved = Sequences.movePast(run.shards, run.pairs);
            if (s.elapsed(frozenAt).compareTo(budget) > 0) {
                // The whole freeze counts: catch-up, re-check and sequences.
                String why = "cutover attempt " + attempt + " released: the freeze reached "
                        + s.elapsed(frozenAt).toMillis() + " ms before publishing (budget " + budget.toMillis()
                        + " ms); back to dual-write (READ_NEW)";
                release(run, epoch, why);
                continue;
            }
            s.crash.at(CrashPoint.CUTOVER_FROZEN);
            // The cutover time is saved before the record moves: the grace period counts from it.
            run.report.cutover.at = s.now();
            run.save();
            s.catalog.transition(run.id, Phase.READ_NEW, Phase.CUTOVER);
            s.crash.at(CrashPoint.CUTOVER_RECORDED);
            s.publish(run, Phase.CUTOVER, epoch);
            long frozen = s.elapsed(frozenAt).toMillis();
            s.raiseFences(run, epoch, s.untagged(run, Phase.CUTOVER));
            run.report.cutover.freezeMillis = frozen;
            run.save();
            s.crash.at(CrashPoint.CUTOVER_PUBLISHED);
            s.barrier(epoch);
            run.event(
                    Phase.CUTOVER,
                    "cut over at epoch " + epoch + ": writes to moving keys frozen " + frozen + " ms; sequences "
                            + (moved.isEmpty() ? "none" : moved));
            return true;
        }
        throw new ReshardException("cutover of " + run.id + " did not fit its budget of "
                + s.options.cutoverBudget().toMillis() + " ms in " + s.options.cutoverAttempts() + " attempts ("
                + run.report.cutover.lastAbortReason + "); the migration stays in READ_NEW (dual-write)."
                + " Resume when the write rate is lower, or raise cutoverBudget");
    }

    /**
     * Ends a cutover freeze without cutting over: READ_NEW again at the freeze's epoch, the fences
     * let untagged writers through as in READ_NEW, and every router has seen it. {@code why}, when
     * given, is the attempt's reason, saved and told.
     */
    void release(MigrationRun run, long epoch, String why) throws SQLException {
        s.publish(run, Phase.READ_NEW, epoch);
        s.raiseFences(run, epoch, s.untagged(run, Phase.READ_NEW));
        if (why != null) {
            run.report.cutover.lastAbortReason = why;
            run.event(Phase.READ_NEW, why);
        }
        s.barrier(epoch);
    }

    /** The guide's rollback check: every moving key's row on the old shards equals the new shards' row. */
    void checkOldHoldsEverything(MigrationRun run) throws SQLException {
        MigrationReport.Verification v = new MigrationReport.Verification();
        new Verification(run.context, true).full(v);
        run.report.rollback.keysChecked = v.tables.stream()
                .mapToLong(MigrationReport.TableCheck::sourceRows)
                .sum();
        run.report.rollback.rowsReplayedToOld += v.mismatchesRepaired;
        run.report.rollback.oldHoldsEveryKey = v.clean;
        run.save();
        if (!v.clean) {
            throw new ReshardException(
                    "rollback of " + run.id + " stopped: " + (v.mismatchesFound - v.mismatchesRepaired)
                            + " rows on the old shards still differ from the new shards after repair; the new shards stay"
                            + " the primary (CUTOVER). Resume the rollback to retry");
        }
    }

    /**
     * CUTOVER -> ROLLING_BACK: the cutover's freeze in reverse. The new shards are the primary, so
     * the old ones are brought up to date (their changelog replayed), the fences raised to the
     * rollback epoch, the rest drained, and the old shards checked to hold every moving key before
     * the switch back is recorded and published.
     */
    void switchBack(MigrationRun run) throws SQLException {
        long syncedBefore = run.reverse.rowsSynced();
        run.reverse.drain(Steps.SMALL_BACKLOG, Duration.ofMinutes(10));
        long epoch = s.currentEpoch() + 1;
        s.raiseFences(run, epoch, s.untagged(run, Phase.ROLLING_BACK));
        run.reverse.drain(1, Duration.ofMinutes(10));
        run.report.rollback.rowsReplayedToOld += run.reverse.rowsSynced() - syncedBefore;
        checkOldHoldsEverything(run);
        s.crash.at(CrashPoint.ROLLBACK_FROZEN);
        s.catalog.transition(run.id, Phase.CUTOVER, Phase.ROLLING_BACK);
        s.crash.at(CrashPoint.ROLLING_BACK_RECORDED);
        s.publish(run, Phase.ROLLING_BACK, epoch);
        s.crash.at(CrashPoint.ROLLING_BACK_PUBLISHED);
        s.barrier(epoch);
        run.event(
                Phase.ROLLING_BACK,
                "switched back to the old shards at epoch " + epoch + " after replaying "
                        + run.report.rollback.rowsReplayedToOld + " rows from the new shards' changelog");
    }

    /** After a crash inside the cutover freeze, once the cutover was recorded: finish the freeze. */
    void finishCutover(MigrationRun run) throws SQLException {
        long epoch = s.currentEpoch() + 1;
        s.raiseFences(run, epoch, s.untaggedInFreeze());
        run.forward.drain(1, Duration.ofMinutes(10));
        Sequences.movePast(run.shards, run.pairs);
        s.publish(run, Phase.CUTOVER, epoch);
        s.raiseFences(run, epoch, s.untagged(run, Phase.CUTOVER));
        s.barrier(epoch);
    }

    /** After a crash inside the reverse freeze, once the switch back was recorded: finish it. */
    void finishSwitchBack(MigrationRun run) throws SQLException {
        long epoch = s.currentEpoch() + 1;
        s.raiseFences(run, epoch, s.untagged(run, Phase.ROLLING_BACK));
        long syncedBefore = run.reverse.rowsSynced();
        run.reverse.drain(1, Duration.ofMinutes(10));
        run.report.rollback.rowsReplayedToOld += run.reverse.rowsSynced() - syncedBefore;
        checkOldHoldsEverything(run);
        s.publish(run, Phase.ROLLING_BACK, epoch);
        s.barrier(epoch);
    }
}
