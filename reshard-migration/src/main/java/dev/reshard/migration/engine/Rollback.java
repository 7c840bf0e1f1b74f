package dev.reshard.migration.engine;

import dev.reshard.core.migration.Phase;
import java.sql.SQLException;
import java.util.Map;

/** A rollback's work: into ROLLING_BACK from any phase before CLEANUP, then the copied rows removed. */
final class Rollback {
    private final Steps s;
    private final Freeze freeze;

    Rollback(Steps s, Freeze freeze) {
        this.s = s;
        this.freeze = freeze;
    }

    void begin(MigrationRun run) throws SQLException {
        Phase phase = s.phase(run);
        if (phase == Phase.ROLLING_BACK || phase == Phase.ROLLED_BACK) {
            return; // resume an interrupted rollback
        }
        if (run.report.rollback == null) {
            run.report.rollback = new MigrationReport.Rollback();
            run.report.rollback.from = phase.name();
            run.report.rollback.startedAt = s.now();
            run.save();
        }
        if (phase == Phase.PLANNED) {
            s.catalog.transition(run.id, Phase.PLANNED, Phase.ROLLED_BACK);
            s.crash.at(CrashPoint.ROLLED_BACK_RECORDED);
            return;
        }
        if (phase == Phase.CUTOVER) {
            freeze.switchBack(run);
            return;
        }
        s.advanceAlways(run, phase, Phase.ROLLING_BACK);
    }

    boolean rollingBack(MigrationRun run) throws SQLException {
        if (run.report.rollback == null) {
            run.report.rollback = new MigrationReport.Rollback();
        }
        DeleteProgress progress = new DeleteProgress(s, run, Phase.ROLLING_BACK, "~unload:");
        Cleaner cleaner = new Cleaner(run.context, s -> Map.of(), name -> progress.afterBatch());
        long removed = cleaner.removeFromNew();
        run.report.rollback.rowsRemovedFromNew = removed;
        run.event(Phase.ROLLING_BACK, "removed " + removed + " copied rows from " + run.targets());
        s.catalog.transition(run.id, Phase.ROLLING_BACK, Phase.ROLLED_BACK);
        s.crash.at(CrashPoint.ROLLED_BACK_RECORDED);
        return true;
    }
}
