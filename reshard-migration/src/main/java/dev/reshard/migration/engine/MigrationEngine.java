package dev.reshard.migration.engine;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.MigrationRecord;
import dev.reshard.catalog.RoutingState;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.migration.Phase;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * One engine for every strategy: a migration is (from map, to map); a row moves from S to T when
 * from places its shard key on S and to places it on T (Pair). The engine walks the phases of
 * Phase's one transition table. Each step is
 *
 *     catalog.transition(expected -> next)   the migration record (compare-and-set on the phase)
 *     publishRouting(epoch + 1, next)        what every router must do now
 *     raise the fences to that epoch         a router on an older epoch cannot write these tables
 *     barrier                                every live router applied it
 *
 * and the work of a phase starts only after its barrier. Every step is idempotent and the record
 * is written first, so a resumed engine (after a kill -9 anywhere) reconciles: when the routing
 * state lags the record it re-publishes the record's phase (re-doing the entry work of the phase,
 * which is idempotent), and it continues the phase's work from the catalog's checkpoints.
 *
 * Fences. Capture (and its fence rows) is installed on the old shards before DUAL_WRITE and on the
 * new shards inside the cutover freeze. Before CUTOVER, a router one epoch behind is harmless (the
 * old shards stay the primary and the changelog catches every write), so fences follow the
 * publish. CUTOVER moves the primary: a READ_NEW router mirroring old -> new after a CUTOVER router
 * wrote new would overwrite that write with the old row. So the cutover raises the fences on both
 * sides to the new epoch *before* publishing it (the freeze): from then on no router writes these
 * tables on these shards until it has the new epoch; the final catch-up drains the old changelog
 * (the fence waited for writes in flight, so it is complete), the new shards' sequences move past
 * the old ones, and the cutover is published. Routers refused meanwhile refresh and retry (the
 * router waits while the fence is ahead of the catalog). A freeze whose catch-up exceeds the budget
 * is released by publishing READ_NEW again at the new epoch ("back to dual-write") and retried.
 * A rollback after cutover is the same freeze in reverse, replaying the new shards' changelog.
 *
 * The engine's own sessions carry an epoch above every fence (ShardAccess), so catch-up, repair,
 * cleanup and rollback pass the fences they raise.
 *
 * Wind-down (DONE / ROLLED_BACK): route by one map, barrier, remove capture, then trim each
 * changelog up to its head in steps of TRIM_STEP ids, one short auto-commit DELETE each (a resume
 * after a crash continues from the lowest id left). Long steps (cleanup, trim) report progress to
 * the listener at most every PROGRESS_EVERY, as the backfill does.
 *
 * Lease: one orchestrator per migration. The engine takes the migration's lease in the catalog,
 * renews it at a third of its TTL, and stops (changing nothing more) if a renewal fails.
 *
 * Parts. This class keeps the API, the run (lease, loop, reconcile after a crash) and the one
 * switch that gives each phase its step; the rest is package-private: Steps (the configuration,
 * and record/publish/fence/barrier, catch-up, capture install), MigrationRun (one run's state),
 * Lease, Forward (PLANNED, BACKFILL, VERIFY, grace, CLEANUP), Freeze (the cutover, forward and
 * in reverse), Rollback, WindDown (DONE/ROLLED_BACK and the changelog trim), DeleteProgress and
 * StatusView. Time is the injected clock and ticker.
 */
/**
 * Runs online migrations: start, resume, roll back, and report status. Thread-safe for different
 * migrations; one engine runs one migration at a time per call.
 */
public final class MigrationEngine {
    private static final Logger log = LoggerFactory.getLogger(MigrationEngine.class);
    /**
     * Changelog ids deleted per statement when the changelog is trimmed at the end: one DELETE of
     * millions of entries held one transaction for minutes (~200 s for a few million on H2).
     */
    static final long TRIM_STEP = 50_000;

    private final Steps s;
    private final boolean allowNonDurableShards;
    private final Lease lease;
    private final StatusView view;
    private final Forward forward;
    private final Freeze freeze;
    private final Rollback rollback;
    private final WindDown windDown;

    private MigrationEngine(Builder b) {
        this.s = new Steps(
                b.catalog,
                Map.copyOf(b.dataSources),
                b.owner,
                b.options,
                b.crash,
                b.listener,
                b.clock,
                b.ticker,
                b.barrierPoll,
                b.trimStep);
        this.allowNonDurableShards = b.allowNonDurableShards;
        this.lease = new Lease(s);
        this.view = new StatusView(s);
        this.forward = new Forward(s, view);
        this.freeze = new Freeze(s);
        this.rollback = new Rollback(s, freeze);
        this.windDown = new WindDown(s);
    }

    public static Builder builder(Catalog catalog) {
        return new Builder(catalog);
    }

    public String owner() {
        return s.owner;
    }

    // ------------------------------------------------------------------ API

    /** The reasons {@code request} cannot start; empty when it can. Reads only. */
    public List<InvalidInputException> preflight(MigrationRequest request) {
        return new Preflight(s.catalog, s.dataSources, s.options, allowNonDurableShards)
                .check(request, new MigrationReport());
    }

    /** Checks, records and runs a migration to its end (or to options.stopBefore). */
    public MigrationStatus start(MigrationRequest request) {
        MigrationReport report = new MigrationReport();
        List<InvalidInputException> refusals =
                new Preflight(s.catalog, s.dataSources, s.options, allowNonDurableShards).check(request, report);
        if (!refusals.isEmpty()) {
            throw new MigrationRefusedException("migration " + request.id(), refusals);
        }
        report.tables = new ArrayList<>(request.tables());
        report.event(
                s.now(),
                Phase.PLANNED.name(),
                "planned v" + request.fromVersion() + " -> v" + request.toVersion() + ": " + report.estimatedRows
                        + " rows to move by " + s.owner);
        // The record and the state a resume needs (the tables) in one write: a crash right after
        // it must leave a migration that resume or rollback can continue.
        s.catalog.createMigration(
                request.id(), request.fromVersion(), request.toVersion(), Phase.PLANNED, report.toJson());
        s.crash.at(CrashPoint.PLANNED_RECORDED);
        MigrationReport.Event planned = report.events.get(report.events.size() - 1);
        s.listener.accept(new MigrationEvent(
                s.clock.instant(), request.id(), Phase.PLANNED, planned.message(), Optional.empty()));
        return drive(request.id(), false);
    }

    /** Continues a migration from its last checkpoint (after a crash or a stop). */
    public MigrationStatus resume(String id) {
        MigrationRecord record = s.record(id);
        Phase phase = record.phase();
        if (phase.isTerminal() && view.finished(record)) {
            throw new MigrationRefusedException(
                    "resume of " + id,
                    List.of(InvalidInputException.of(
                            "migration",
                            id,
                            "is already " + phase,
                            "nothing to resume; start a new migration to move again")));
        }
        return drive(id, false);
    }

    /** Rolls a migration back to its old layout, from any phase before CLEANUP. */
    public MigrationStatus rollback(String id) {
        MigrationRecord record = s.record(id);
        Phase phase = record.phase();
        if (phase == Phase.ROLLED_BACK && view.finished(record)) {
            throw new MigrationRefusedException(
                    "rollback of " + id,
                    List.of(InvalidInputException.of("migration", id, "is already rolled back", "nothing to do")));
        }
        if (phase == Phase.DONE || phase == Phase.CLEANUP) {
            throw new MigrationRefusedException(
                    "rollback of " + id,
                    List.of(InvalidInputException.of(
                            "migration",
                            id,
                            "is in " + phase
                                    + ", past the point of no return (moved rows are being or were deleted from"
                                    + " the old shards)",
                            phase == Phase.CLEANUP
                                    ? "resume it to finish; then move the keys back with a new migration from v"
                                            + record.toVersion() + " to a map like v" + record.fromVersion()
                                    : "move the keys back with a new migration from v" + record.toVersion()
                                            + " to a map like v" + record.fromVersion())));
        }
        return drive(id, true);
    }

    /** The migration's phase, progress and report, from the catalog (no lease needed). */
    public MigrationStatus status(String id) {
        return view.status(s.record(id));
    }

    /** Every migration the catalog knows, newest last. */
    public List<MigrationStatus> statuses() {
        return s.catalog.migrations().stream().map(view::status).toList();
    }

    // ------------------------------------------------------------------ the run

    private MigrationStatus drive(String id, boolean rollingBack) {
        lease.acquire(id);
        MigrationRun run = new MigrationRun(s, s.record(id));
        ScheduledExecutorService renewer = lease.renew(run);
        boolean released = false;
        try {
            if (rollingBack) {
                rollback.begin(run);
            }
            loop(run);
            s.catalog.recordReport(id, run.report.toJson(), null);
            renewer.shutdownNow();
            s.catalog.releaseLease(id, s.owner);
            released = true;
            return view.status(s.record(id));
        } catch (RuntimeException | SQLException e) {
            renewer.shutdownNow();
            String error = e.getMessage();
            try {
                s.catalog.recordReport(id, run.report.toJson(), error);
                s.catalog.releaseLease(id, s.owner);
                released = true;
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            if (e instanceof ReshardException r) {
                throw r;
            }
            throw new ReshardException("migration " + id + " stopped: " + error, e);
        } finally {
            // An Error (a crash point, OutOfMemoryError) leaves the lease to lapse, as a kill -9 would.
            renewer.shutdownNow();
            if (!released) {
                log.warn("migration {}: stopped abruptly; the lease lapses after {}", id, s.options.leaseTtl());
            }
        }
    }

    private void loop(MigrationRun run) throws SQLException {
        reconcile(run);
        boolean more = true;
        while (more) {
            run.checkLease();
            Phase phase = s.phase(run);
            s.crash.at(CrashPoint.enter(phase));
            // A switch expression: a phase without a step does not compile.
            more = switch (phase) {
                case PLANNED -> forward.planned(run);
                case DUAL_WRITE -> s.advance(run, Phase.DUAL_WRITE, Phase.BACKFILL);
                case BACKFILL -> forward.backfill(run);
                case VERIFY -> forward.verify(run);
                case READ_NEW -> freeze.cutover(run);
                case CUTOVER -> forward.afterCutover(run);
                case CLEANUP -> forward.cleanup(run);
                case ROLLING_BACK -> rollback.rollingBack(run);
                case DONE, ROLLED_BACK -> windDown.finish(run, phase);
            };
        }
    }

    /**
     * After a crash the routing state may lag the record (the record is written first): publish
     * the record's phase again, re-doing the entry work that must precede it.
     */
    private void reconcile(MigrationRun run) throws SQLException {
        Phase phase = s.phase(run);
        Optional<RoutingState> routing = s.catalog.currentRouting();
        boolean current = routing.isPresent()
                && routing.get().migrationId().filter(run.id::equals).isPresent()
                && routing.get().phase().filter(phase::equals).isPresent();
        if (run.report.cutover.at == null && (phase == Phase.CUTOVER || phase == Phase.CLEANUP)) {
            // Recorded as cut over with no time saved (an older Reshard): count the grace period from now.
            run.report.cutover.at = s.now();
            run.save();
        }
        if (current || phase == Phase.PLANNED || phase.isTerminal()) {
            return;
        }
        Phase published = routing.flatMap(RoutingState::phase).orElse(Phase.PLANNED);
        run.event(
                phase,
                "resuming: routing shows " + routing.map(Object::toString).orElse("nothing") + ", the record " + phase
                        + "; publishing " + phase + " again");
        s.requireReachable(run, phase);
        if (phase == Phase.CUTOVER && published == Phase.READ_NEW) {
            freeze.finishCutover(run); // crashed inside the freeze after recording the cutover
            return;
        }
        if (phase == Phase.ROLLING_BACK && published == Phase.CUTOVER) {
            freeze.finishSwitchBack(run);
            return;
        }
        s.enter(run, phase);
    }

    /** Configures an engine. */
    public static final class Builder {
        private final Catalog catalog;
        private final Map<ShardId, DataSource> dataSources = new LinkedHashMap<>();
        private String owner = "engine-" + UUID.randomUUID().toString().substring(0, 8);
        private MigrationOptions options = MigrationOptions.defaults();
        private CrashPoints crash = CrashPoints.NONE;
        private Consumer<MigrationEvent> listener = e -> {};
        private Clock clock = Clock.systemUTC();
        private Duration barrierPoll = Duration.ofMillis(50);
        private long trimStep = TRIM_STEP;
        private java.util.function.LongSupplier ticker = System::nanoTime;
        private boolean allowNonDurableShards;

        private Builder(Catalog catalog) {
            this.catalog = catalog;
        }

        public Builder shard(ShardId shard, DataSource dataSource) {
            dataSources.put(shard, dataSource);
            return this;
        }

        public Builder shards(Map<ShardId, ? extends DataSource> all) {
            dataSources.putAll(all);
            return this;
        }

        /** Who runs the migration, as recorded with its lease (default: a random engine id). */
        public Builder owner(String owner) {
            this.owner = owner;
            return this;
        }

        public Builder options(MigrationOptions options) {
            this.options = options.validate();
            return this;
        }

        /** Test seam: stop the engine dead at named points. */
        public Builder crashPoints(CrashPoints crash) {
            this.crash = crash;
            return this;
        }

        public Builder listener(Consumer<MigrationEvent> listener) {
            this.listener = listener;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Lets a migration move rows into or out of an in-memory database (default: refused by
         * pre-flight, as what is copied there vanishes with the process). For tests only.
         */
        public Builder allowNonDurableShards(boolean allow) {
            this.allowNonDurableShards = allow;
            return this;
        }

        /** Test seam: the monotonic nanosecond source the engine times its steps with. */
        Builder ticker(java.util.function.LongSupplier ticker) {
            this.ticker = ticker;
            return this;
        }

        /** Test seam: changelog ids deleted per step when the changelog is trimmed at the end. */
        Builder trimStep(long ids) {
            if (ids < 1) {
                throw new IllegalArgumentException("trimStep must be at least 1, was " + ids);
            }
            this.trimStep = ids;
            return this;
        }

        public MigrationEngine build() {
            return new MigrationEngine(this);
        }
    }
}
