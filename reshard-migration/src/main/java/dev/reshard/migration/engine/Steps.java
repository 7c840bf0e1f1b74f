package dev.reshard.migration.engine;

import dev.reshard.catalog.Barrier;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.MigrationRecord;
import dev.reshard.catalog.RoutingState;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.migration.Phase;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every phase's work is made of: the engine's configuration, and the one way to move a
 * migration (record, publish, fence, barrier), to catch up, to install capture, and to tell the
 * listener. Shared by the engine's parts (Forward, Freeze, Rollback, WindDown); holds no state of
 * a run (that is MigrationRun).
 */
final class Steps {
    private static final Logger log = LoggerFactory.getLogger(MigrationEngine.class);
    /** Catch-up passes until fewer fresh entries than this remain. */
    static final int SMALL_BACKLOG = 100;
    /** The least time between two progress events of a cleanup or a changelog trim. */
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

    final Catalog catalog;
    final Map<ShardId, DataSource> dataSources;
    final String owner;
    final MigrationOptions options;
    final CrashPoints crash;
    final Consumer<MigrationEvent> listener;
    final Clock clock;
    final LongSupplier ticker;
    final Duration barrierPoll;
    final long trimStep;

    Steps(
            Catalog catalog,
            Map<ShardId, DataSource> dataSources,
            String owner,
            MigrationOptions options,
            CrashPoints crash,
            Consumer<MigrationEvent> listener,
            Clock clock,
            LongSupplier ticker,
            Duration barrierPoll,
            long trimStep) {
        this.catalog = catalog;
        this.dataSources = dataSources;
        this.owner = owner;
        this.options = options;
        this.crash = crash;
        this.listener = listener;
        this.clock = clock;
        this.ticker = ticker;
        this.barrierPoll = barrierPoll;
        this.trimStep = trimStep;
    }

    /** Monotonic nanoseconds (the injected ticker). */
    long ticks() {
        return ticker.getAsLong();
    }

    Duration elapsed(long startNanos) {
        return Duration.ofNanos(ticks() - startNanos);
    }

    /**
     * True when the run was asked to stop before {@code next}: the work of the phase before it is
     * done, the transition is not made. Says so in an event.
     */
    boolean stopsBefore(MigrationRun run, Phase current, Phase next) {
        if (options.stopBefore().filter(next::equals).isEmpty()) {
            return false;
        }
        run.event(current, "stopped before " + next + " as asked (" + current + "'s work is done); resume to continue");
        return true;
    }

    Phase phase(MigrationRun run) {
        return record(run.id).phase();
    }

    void recheck(MigrationRun run, MigrationReport.Verification v) throws SQLException {
        CatchUpRunner.Changed changed = run.forward.takeChanged();
        if (changed.overflow()) {
            new Verification(run.context, false).full(v);
        } else {
            int left = new Verification(run.context, false).recheck(changed, v);
            if (left > 0) {
                v.clean = false;
            }
        }
        run.save();
    }

    /**
     * Record, publish, fence, barrier: one phase change; false (and no change) when the run was
     * asked to stop before {@code to}.
     */
    boolean advance(MigrationRun run, Phase from, Phase to) throws SQLException {
        if (stopsBefore(run, from, to)) {
            return false;
        }
        advanceAlways(run, from, to);
        return true;
    }

    void advanceAlways(MigrationRun run, Phase from, Phase to) throws SQLException {
        requireReachable(run, to);
        catalog.transition(run.id, from, to);
        crash.at(CrashPoint.recorded(to));
        enter(run, to);
    }

    /** Publishes {@code phase} at the next epoch, raises the fences to it, waits for the routers. */
    void enter(MigrationRun run, Phase phase) throws SQLException {
        long epoch = currentEpoch() + 1;
        publish(run, phase, epoch);
        crash.at(CrashPoint.published(phase));
        raiseFences(run, epoch, untagged(run, phase));
        barrier(epoch);
        run.event(phase, "entered " + phase + " at epoch " + epoch);
    }

    void publish(MigrationRun run, Phase phase, long epoch) {
        catalog.publishRouting(RoutingState.migrating(epoch, run.from.version(), run.to.version(), run.id, phase));
    }

    long currentEpoch() {
        return catalog.currentRouting().map(RoutingState::epoch).orElse(0L);
    }

    /**
     * Before routers start writing the new shards (DUAL_WRITE mirrors, READ_NEW reads them): every
     * live router must report each shard of the target map reachable, having seen that map (a router
     * started mid-migration, or one with fixed DataSources, may not). Waits up to the barrier
     * timeout, then stops the migration where it is, naming each router and shard.
     */
    void requireReachable(MigrationRun run, Phase phase) {
        if (phase == Phase.DUAL_WRITE || phase == Phase.READ_NEW) {
            new Barrier(catalog, clock, barrierPoll)
                    .awaitReachable(run.to.version(), run.to.shards(), options.barrierTimeout());
        }
    }

    void barrier(long epoch) {
        new Barrier(catalog, clock, barrierPoll).awaitAllRouters(epoch, options.barrierTimeout());
    }

    /** Installs capture on every migrating table of {@code shard}; true if every table needed it. */
    boolean installCapture(MigrationRun run, ShardId shard) throws SQLException {
        return run.shards.with(shard, c -> {
            ChangeCapture capture = run.shards.capture(shard, c);
            boolean all = true;
            for (TableSpec spec : run.shards.specs(shard, c).values()) {
                if (capture.isInstalled(c, spec)) {
                    all = false;
                } else {
                    capture.install(c, spec);
                }
            }
            return all;
        });
    }

    /**
     * Whether a shard's fences raised for {@code phase} let writers outside the routers through
     * ({@link MigrationOptions#allowUntaggedWrites}): yes while the old shards are the truth (such
     * writes are captured and replayed); from the cutover on, not on the old shards, whose moved
     * rows cleanup deletes.
     */
    Predicate<ShardId> untagged(MigrationRun run, Phase phase) {
        if (options.allowUntaggedWrites() || phase.primary() == Phase.Side.OLD) {
            return shard -> true;
        }
        Set<ShardId> sources = run.sources();
        return shard -> !sources.contains(shard);
    }

    /** During the cutover freeze no shard lets them through: a writer that never pauses would keep it from draining. */
    Predicate<ShardId> untaggedInFreeze() {
        return shard -> options.allowUntaggedWrites();
    }

    void raiseFences(MigrationRun run, long epoch, Predicate<ShardId> untagged) throws SQLException {
        FenceRaise.raise(catalog, run.shards, run.fenced(), epoch, untagged, message -> run.event(phase(run), message));
    }

    void catchUp(MigrationRun run, Duration budget) throws SQLException {
        long start = ticks();
        long entriesBefore = run.forward.entriesApplied();
        long syncedBefore = run.forward.rowsSynced();
        CatchUpRunner.Pass p =
                run.forward.drain(SMALL_BACKLOG, options.cutoverBudget().dividedBy(4), budget);
        long entries = run.forward.entriesApplied() - entriesBefore;
        long synced = run.forward.rowsSynced() - syncedBefore;
        run.report.catchUp.entriesApplied += entries;
        run.report.catchUp.rowsSynced += synced;
        run.report.catchUp.lastBacklog = p.freshEntries();
        run.report.catchUp.lastPassAt = now();
        Duration took = elapsed(start);
        if (took.compareTo(Duration.ofSeconds(2)) > 0) {
            run.event(
                    phase(run),
                    "catch-up: " + entries + " changelog entries replayed, " + synced + " rows synced in "
                            + took.toMillis() + " ms; last pass found " + p.freshEntries());
        } else {
            run.save();
        }
    }

    MigrationRecord record(String id) {
        return catalog.migration(id)
                .orElseThrow(() -> new MigrationRefusedException(
                        "migration " + id,
                        List.of(InvalidInputException.of(
                                "migration",
                                id,
                                "does not exist",
                                "list migrations with `reshard migrate status`; known: "
                                        + catalog.migrations().stream()
                                                .map(MigrationRecord::id)
                                                .toList()))));
    }

    boolean routingMentions(String id) {
        return catalog.currentRouting()
                .flatMap(RoutingState::migrationId)
                .filter(id::equals)
                .isPresent();
    }

    boolean otherMigrationsActive(String id) {
        return catalog.migrations().stream()
                .anyMatch(m -> !m.id().equals(id) && !m.phase().isTerminal());
    }

    String now() {
        return clock.instant().toString();
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReshardException("interrupted", e);
        }
    }
}
