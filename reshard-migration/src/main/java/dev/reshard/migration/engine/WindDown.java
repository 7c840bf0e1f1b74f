package dev.reshard.migration.engine;

import dev.reshard.catalog.RoutingState;
import dev.reshard.core.ShardId;
import dev.reshard.core.migration.Phase;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DONE or ROLLED_BACK: route by one map, barrier, remove capture, then trim each changelog up to
 * its head in steps of {@link Steps#trimStep} ids, one short auto-commit DELETE each (a resume
 * after a crash continues from the lowest id left).
 */
final class WindDown {
    private static final Logger log = LoggerFactory.getLogger(MigrationEngine.class);
    private final Steps s;

    WindDown(Steps s) {
        this.s = s;
    }

    /** DONE or ROLLED_BACK: route by one map again, then remove capture once every router has it. */
    boolean finish(MigrationRun run, Phase phase) throws SQLException {
        long version = phase == Phase.DONE ? run.to.version() : run.from.version();
        if (s.routingMentions(run.id)) {
            RoutingState next = RoutingState.stable(s.currentEpoch() + 1, version);
            s.catalog.publishRouting(next);
            s.crash.at(CrashPoint.published(phase));
            s.barrier(next.epoch());
        }
        // No router can hold an older map now (the barrier; a router without a lease refuses writes).
        Set<ShardId> all = run.fenced();
        for (ShardId shard : all) {
            run.shards.with(shard, c -> {
                ChangeCapture capture = run.shards.capture(shard, c);
                for (TableSpec spec : run.shards.specs(shard, c).values()) {
                    capture.remove(c, spec);
                }
                return null;
            });
        }
        String trimmed = "";
        if (!s.otherMigrationsActive(run.id)) {
            long start = s.ticks();
            long entries = 0;
            for (ShardId shard : all) {
                entries += trimChangelog(run, phase, shard);
            }
            trimmed = "; " + entries + " changelog entries trimmed in "
                    + s.elapsed(start).toMillis() + " ms";
        }
        if (phase == Phase.ROLLED_BACK && run.report.rollback != null) {
            run.report.rollback.finishedAt = s.now();
        }
        run.report.finishedAt = s.now();
        run.event(
                phase,
                (phase == Phase.DONE ? "done" : "rolled back") + ": routing by map v" + version
                        + "; change capture (triggers) removed from " + all + trimmed
                        + "; the emptied reshard_changelog and reshard_fence tables stay on those shards for the"
                        + " next migration (drop them when none is planned)");
        return false;
    }

    /**
     * Deletes the changelog of {@code shard} up to the head it has now, in steps of {@link
     * Steps#trimStep} ids, each its own statement in auto-commit: no DELETE holds more than one step of
     * entries (one DELETE of millions took ~200 s in one transaction on H2). Entries logged after
     * the head was read (a later migration's) are kept. Idempotent: a crash leaves the changelog
     * partly trimmed, and the next run starts again from its lowest id. Reports progress to the
     * listener at most every {@link Steps#PROGRESS_EVERY}. Crash point {@code <phase>.trim} after each
     * step.
     *
     * @return entries deleted
     */
    private long trimChangelog(MigrationRun run, Phase phase, ShardId shard) throws SQLException {
        CrashPoint point = CrashPoint.trim(phase);
        return run.shards.with(shard, c -> {
            if (!CatchUpRunner.hasChangelog(c)) {
                return 0L; // capture never reached this shard
            }
            ChangeCapture capture = run.shards.capture(shard, c);
            long head = CatchUpRunner.head(c);
            long start = s.ticks();
            long reported = start;
            long deleted = 0;
            OptionalLong next = firstChangelogId(c, Long.MIN_VALUE);
            while (next.isPresent() && next.getAsLong() <= head) {
                run.checkLease();
                long from = next.getAsLong();
                long upTo = from > head - s.trimStep ? head : from + s.trimStep - 1;
                deleted += capture.trim(c, upTo);
                s.crash.at(point);
                long now = s.ticks();
                if (now - reported >= Steps.PROGRESS_EVERY.toNanos()) {
                    reported = now;
                    String message = "trimming the changelog of " + shard + ": " + deleted + " entries deleted in "
                            + s.elapsed(start).toMillis() + " ms, up to id " + upTo + " of " + head;
                    log.info("migration {} [{}]: {}", run.id, phase, message);
                    s.listener.accept(new MigrationEvent(s.clock.instant(), run.id, phase, message, Optional.empty()));
                }
                // Ids can have gaps: continue from the next entry there is, not from upTo + 1.
                next = upTo >= head ? OptionalLong.empty() : firstChangelogId(c, upTo);
            }
            return deleted;
        });
    }

    /** The smallest changelog id above {@code after} (an index probe, even after big deletes). */
    private static OptionalLong firstChangelogId(Connection c, long after) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT id FROM reshard_changelog WHERE id > ? ORDER BY id LIMIT 1")) {
            ps.setLong(1, after);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }
}
