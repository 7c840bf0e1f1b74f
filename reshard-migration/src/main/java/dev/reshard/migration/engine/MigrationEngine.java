package dev.reshard.migration.engine;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Checkpoint;
import dev.reshard.catalog.MigrationRecord;
import dev.reshard.catalog.RoutingState;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.migration.Phase;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import dev.reshard.migration.Progress;
import dev.reshard.router.Barrier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
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
 */
/**
 * Runs online migrations: start, resume, roll back, and report status. Thread-safe for different
 * migrations; one engine runs one migration at a time per call.
 */
public final class MigrationEngine {
    private static final Logger log = LoggerFactory.getLogger(MigrationEngine.class);
    /** Catch-up passes until fewer fresh entries than this remain. */
    private static final int SMALL_BACKLOG = 100;
    /**
     * Changelog ids deleted per statement when the changelog is trimmed at the end: one DELETE of
     * millions of entries held one transaction for minutes (~200 s for a few million on H2).
     */
    static final long TRIM_STEP = 50_000;
    /** The least time between two progress events of a cleanup or a changelog trim. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

    private final Catalog catalog;
    private final Map<ShardId, DataSource> dataSources;
    private final String owner;
    private final MigrationOptions options;
    private final boolean allowNonDurableShards;
    private final CrashPoints crash;
    private final Consumer<MigrationEvent> listener;
    private final Clock clock;
    private final Duration barrierPoll;
    private final long trimStep;

    private MigrationEngine(Builder b) {
        this.catalog = b.catalog;
        this.dataSources = Map.copyOf(b.dataSources);
        this.owner = b.owner;
        this.options = b.options;
        this.crash = b.crash;
        this.listener = b.listener;
        this.clock = b.clock;
        this.barrierPoll = b.barrierPoll;
        this.trimStep = b.trimStep;
        this.allowNonDurableShards = b.allowNonDurableShards;
    }

    public static Builder builder(Catalog catalog) {
        return new Builder(catalog);
    }

    public String owner() {
        return owner;
    }

    // ------------------------------------------------------------------ API

    /** The reasons {@code request} cannot start; empty when it can. Reads only. */
    public List<InvalidInputException> preflight(MigrationRequest request) {
        return new Preflight(catalog, dataSources, options, allowNonDurableShards)
                .check(request, new MigrationReport());
    }

    /** Checks, records and runs a migration to its end (or to options.stopBefore). */
    public MigrationStatus start(MigrationRequest request) {
        MigrationReport report = new MigrationReport();
        List<InvalidInputException> refusals =
                new Preflight(catalog, dataSources, options, allowNonDurableShards).check(request, report);
        if (!refusals.isEmpty()) {
            throw new MigrationRefusedException("migration " + request.id(), refusals);
        }
        report.tables = new ArrayList<>(request.tables());
        report.event(
                now(),
                Phase.PLANNED.name(),
                "planned v" + request.fromVersion() + " -> v" + request.toVersion() + ": " + report.estimatedRows
                        + " rows to move by " + owner);
        // The record and the state a resume needs (the tables) in one write: a crash right after
        // it must leave a migration that resume or rollback can continue.
        catalog.createMigration(
                request.id(), request.fromVersion(), request.toVersion(), Phase.PLANNED, report.toJson());
        crash.at(CrashPoint.PLANNED_RECORDED);
        MigrationReport.Event planned = report.events.get(report.events.size() - 1);
        listener.accept(
                new MigrationEvent(clock.instant(), request.id(), Phase.PLANNED, planned.message(), Optional.empty()));
        return drive(request.id(), false);
    }

    /** Continues a migration from its last checkpoint (after a crash or a stop). */
    public MigrationStatus resume(String id) {
        MigrationRecord record = record(id);
        Phase phase = Phase.parse("phase", record.phase());
        if (phase.isTerminal() && finished(record)) {
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
        MigrationRecord record = record(id);
        Phase phase = Phase.parse("phase", record.phase());
        if (phase == Phase.ROLLED_BACK && finished(record)) {
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
        return status(record(id));
    }

    /** Every migration the catalog knows, newest last. */
    public List<MigrationStatus> statuses() {
        return catalog.migrations().stream().map(this::status).toList();
    }

    // ------------------------------------------------------------------ the run

    /** Everything one run of one migration needs. */
    private final class Run {
        final String id;
        final ShardMap from;
        final ShardMap to;
        final List<Pair> pairs;
        final ShardAccess shards;
        final MigrationReport report;
        final MigrationContext context;
        final CatchUpRunner forward;
        final CatchUpRunner reverse;
        volatile boolean leaseLost;
        long lastProgressEvent;

        Run(MigrationRecord record) {
            this.id = record.id();
            this.from = catalog.map(record.fromVersion());
            this.to = catalog.map(record.toVersion());
            this.pairs = Pair.of(from, to);
            this.report = record.report().map(MigrationReport::fromJson).orElseGet(MigrationReport::new);
            Phase phase = Phase.parse("phase", record.phase());
            if ((report.tables == null || report.tables.isEmpty()) && !phase.isTerminal()) {
                throw new MigrationRefusedException(
                        "migration " + id,
                        List.of(InvalidInputException.of(
                                "migration",
                                id,
                                "has no recorded tables in phase " + phase
                                        + " (written by an older Reshard, or its catalog lost a write)",
                                phase == Phase.PLANNED
                                        ? "nothing was installed on the shards yet: roll it back (reshard migrate"
                                                + " rollback " + id + ") and start it again"
                                        : "roll it back (reshard migrate rollback " + id + ") once the tables are"
                                                + " restored in its report")));
            }
            this.shards = new ShardAccess(dataSources, report.tables);
            this.context = new MigrationContext(catalog, id, shards, from, to, pairs, options, crash, this::checkLease);
            this.forward = new CatchUpRunner(context, false);
            this.reverse = new CatchUpRunner(context, true);
        }

        Set<ShardId> sources() {
            Set<ShardId> out = new LinkedHashSet<>();
            pairs.forEach(p -> out.add(p.source()));
            return out;
        }

        Set<ShardId> targets() {
            Set<ShardId> out = new LinkedHashSet<>();
            pairs.forEach(p -> out.add(p.target()));
            return out;
        }

        /** The shards whose tables carry capture (and so fences) now. */
        Set<ShardId> fenced() {
            Set<ShardId> out = new LinkedHashSet<>(sources());
            if (report.targetCapture) {
                out.addAll(targets());
            }
            return out;
        }

        void checkLease() {
            if (leaseLost) {
                throw new ReshardException("lost the lease on migration " + id + " (another orchestrator took it,"
                        + " or the catalog was unreachable for "
                        + options.leaseTtl().toSeconds() + " s); stopped"
                        + " without further changes");
            }
        }

        void event(Phase phase, String message) {
            report.event(now(), phase.name(), message);
            catalog.recordReport(id, report.toJson(), null);
            log.info("migration {} [{}]: {}", id, phase, message);
            listener.accept(new MigrationEvent(clock.instant(), id, phase, message, Optional.empty()));
        }

        void save() {
            catalog.recordReport(id, report.toJson(), null);
        }
    }

    private MigrationStatus drive(String id, boolean rollback) {
        acquireLease(id);
        Run run = new Run(record(id));
        ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reshard-lease-" + id);
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, options.leaseTtl().toMillis() / 3);
        renewer.scheduleWithFixedDelay(
                () -> {
                    try {
                        if (!catalog.acquireLease(id, owner, options.leaseTtl())) {
                            run.leaseLost = true;
                        }
                    } catch (RuntimeException e) {
                        log.warn("migration {}: lease renewal failed: {}", id, e.getMessage());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        boolean released = false;
        try {
            if (rollback) {
                beginRollback(run);
            }
            loop(run);
            catalog.recordReport(id, run.report.toJson(), null);
            renewer.shutdownNow();
            catalog.releaseLease(id, owner);
            released = true;
            return status(id);
        } catch (RuntimeException | SQLException e) {
            renewer.shutdownNow();
            String error = e.getMessage();
            try {
                catalog.recordReport(id, run.report.toJson(), error);
                catalog.releaseLease(id, owner);
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
                log.warn("migration {}: stopped abruptly; the lease lapses after {}", id, options.leaseTtl());
            }
        }
    }

    private void acquireLease(String id) {
        Instant deadline = clock.instant().plus(options.leaseTtl()).plusSeconds(1);
        while (!catalog.acquireLease(id, owner, options.leaseTtl())) {
            MigrationRecord r = record(id);
            if (!clock.instant().isBefore(deadline)) {
                throw new MigrationRefusedException(
                        "migration " + id,
                        List.of(InvalidInputException.of(
                                "migration",
                                id,
                                "is being run by " + r.owner().orElse("another orchestrator") + " (lease until "
                                        + r.leaseExpiresAt()
                                                .map(Instant::toString)
                                                .orElse("?") + ")",
                                "wait for it to finish, or stop that process; its lease lapses "
                                        + options.leaseTtl().toSeconds() + " s after it stops renewing")));
            }
            sleep(Duration.ofMillis(200));
        }
    }

    private void loop(Run run) throws SQLException {
        reconcile(run);
        boolean more = true;
        while (more) {
            run.checkLease();
            Phase phase = phase(run);
            crash.at(CrashPoint.enter(phase));
            // A switch expression: a phase without a step does not compile.
            more = switch (phase) {
                case PLANNED -> planned(run);
                case DUAL_WRITE -> advance(run, Phase.DUAL_WRITE, Phase.BACKFILL);
                case BACKFILL -> backfill(run);
                case VERIFY -> verify(run);
                case READ_NEW -> cutover(run);
                case CUTOVER -> afterCutover(run);
                case CLEANUP -> cleanup(run);
                case ROLLING_BACK -> rollingBack(run);
                case DONE, ROLLED_BACK -> finish(run, phase);
            };
        }
    }

    /**
     * True when the run was asked to stop before {@code next}: the work of the phase before it is
     * done, the transition is not made. Says so in an event.
     */
    private boolean stopsBefore(Run run, Phase current, Phase next) {
        if (options.stopBefore().filter(next::equals).isEmpty()) {
            return false;
        }
        run.event(current, "stopped before " + next + " as asked (" + current + "'s work is done); resume to continue");
        return true;
    }

    private Phase phase(Run run) {
        return Phase.parse("phase", record(run.id).phase());
    }

    // ------------------------------------------------------------------ phases

    /**
     * Installs capture on the source shards and records where each changelog's replay starts. A
     * shard whose capture this run installed starts at the head its changelog has right after the
     * install (nothing before it can matter: the backfill reads every row after DUAL_WRITE's
     * barrier). A shard that already had capture (a run crashed after installing it, or a catalog
     * lost the start) starts at the beginning of its changelog: replaying more is work, skipping
     * is loss.
     */
    private boolean planned(Run run) throws SQLException {
        if (catalog.currentRouting().isEmpty()) {
            catalog.publishRouting(RoutingState.stable(1, run.from.version()));
        }
        Set<ShardId> installedNow = new LinkedHashSet<>();
        for (ShardId shard : run.sources()) {
            if (installCapture(run, shard)) {
                installedNow.add(shard);
            }
            crash.at(CrashPoint.PLANNED_CAPTURE);
        }
        run.forward.recordStart(installedNow);
        run.event(Phase.PLANNED, "change capture installed on " + run.sources());
        return advance(run, Phase.PLANNED, Phase.DUAL_WRITE);
    }

    private boolean backfill(Run run) throws SQLException {
        if (run.report.backfill.startedAt == null) {
            run.report.backfill.startedAt = now();
            run.save();
        }
        Copier copier = new Copier(run.context, table -> progressEvent(run));
        copier.run();
        run.report.backfill.rowsCopied = Copier.copiedByTable(catalog.checkpoints(run.id)).values().stream()
                .mapToLong(Long::longValue)
                .sum();
        run.report.backfill.batchesFellBack += copier.fellBack();
        run.report.backfill.throttleSlowdowns += copier.throttleSlowdowns();
        run.report.backfill.throttlePausedMillis += copier.throttlePausedMillis();
        run.report.backfill.finishedAt = now();
        run.event(Phase.BACKFILL, "backfill done: " + run.report.backfill.rowsCopied + " rows copied");
        catchUp(run, Duration.ofMinutes(10));
        return advance(run, Phase.BACKFILL, Phase.VERIFY);
    }

    private boolean verify(Run run) throws SQLException {
        catchUp(run, Duration.ofMinutes(10));
        run.forward.takeChanged(); // the full check below covers them
        MigrationReport.Verification v = new MigrationReport.Verification();
        v.at = now();
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
        catchUp(run, Duration.ofMinutes(1));
        recheck(run, v);
        if (!advance(run, Phase.VERIFY, Phase.READ_NEW)) {
            return false;
        }
        catchUp(run, Duration.ofMinutes(1));
        return true;
    }

    private void recheck(Run run, MigrationReport.Verification v) throws SQLException {
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
     * READ_NEW -> CUTOVER inside a freeze: fences on both sides raised to the cutover epoch before
     * it is published, the changelog drained, sequences moved, then the publish.
     */
    private boolean cutover(Run run) throws SQLException {
        if (stopsBefore(run, Phase.READ_NEW, Phase.CUTOVER)) {
            return false;
        }
        for (int attempt = 1; attempt <= options.cutoverAttempts(); attempt++) {
            run.checkLease();
            catchUp(run, Duration.ofMinutes(1));
            run.report.cutover.attempts++;
            Set<ShardId> installedNow = new LinkedHashSet<>();
            for (ShardId target : run.targets()) {
                if (installCapture(run, target)) {
                    installedNow.add(target);
                }
            }
            run.reverse.recordStart(installedNow);
            if (!run.report.targetCapture) {
                run.report.targetCapture = true;
                run.save();
            }
            long epoch = currentEpoch() + 1;
            long frozenAt = System.nanoTime();
            raiseFences(run, epoch, untaggedInFreeze());
            Duration budget = options.cutoverBudget();
            CatchUpRunner.Pass last = run.forward.pass();
            while (last.freshEntries() > 0 && elapsed(frozenAt).compareTo(budget) < 0) {
                last = run.forward.pass();
            }
            if (last.freshEntries() > 0 || elapsed(frozenAt).compareTo(budget) > 0) {
                String why = "cutover attempt " + attempt + " released: the final catch-up took "
                        + elapsed(frozenAt).toMillis() + " ms (budget " + budget.toMillis() + " ms), "
                        + last.freshEntries() + " entries still arriving; back to dual-write (READ_NEW)"
                        + (options.allowUntaggedWrites() && last.freshEntries() > 0
                                ? ". Writers outside the routers may write during the freeze"
                                        + " (options.allowUntaggedWrites: true): if they write without pause, no"
                                        + " freeze drains; let the fence refuse them (false, the default)"
                                : "");
                release(run, epoch, why);
                continue;
            }
            MigrationReport.Verification v = run.report.verification;
            recheck(run, v);
            if (!v.clean) {
                release(run, epoch, null);
                throw new ReshardException("cutover of " + run.id + " stopped: keys changed since verification still"
                        + " differ after repair; the migration stays in READ_NEW (dual-write). Resume to retry");
            }
            List<String> moved = Sequences.movePast(run.shards, run.pairs);
            if (elapsed(frozenAt).compareTo(budget) > 0) {
                // The whole freeze counts: catch-up, re-check and sequences.
                String why = "cutover attempt " + attempt + " released: the freeze reached "
                        + elapsed(frozenAt).toMillis() + " ms before publishing (budget " + budget.toMillis()
                        + " ms); back to dual-write (READ_NEW)";
                release(run, epoch, why);
                continue;
            }
            crash.at(CrashPoint.CUTOVER_FROZEN);
            // The cutover time is saved before the record moves: the grace period counts from it.
            run.report.cutover.at = now();
            run.save();
            catalog.transition(run.id, Phase.READ_NEW, Phase.CUTOVER);
            crash.at(CrashPoint.CUTOVER_RECORDED);
            publish(run, Phase.CUTOVER, epoch);
            long frozen = elapsed(frozenAt).toMillis();
            raiseFences(run, epoch, untagged(run, Phase.CUTOVER));
            run.report.cutover.freezeMillis = frozen;
            run.save();
            crash.at(CrashPoint.CUTOVER_PUBLISHED);
            barrier(epoch);
            run.event(
                    Phase.CUTOVER,
                    "cut over at epoch " + epoch + ": writes to moving keys frozen " + frozen + " ms; sequences "
                            + (moved.isEmpty() ? "none" : moved));
            return true;
        }
        throw new ReshardException("cutover of " + run.id + " did not fit its budget of "
                + options.cutoverBudget().toMillis() + " ms in " + options.cutoverAttempts() + " attempts ("
                + run.report.cutover.lastAbortReason + "); the migration stays in READ_NEW (dual-write)."
                + " Resume when the write rate is lower, or raise cutoverBudget");
    }

    /**
     * Ends a cutover freeze without cutting over: READ_NEW again at the freeze's epoch, the fences
     * let untagged writers through as in READ_NEW, and every router has seen it. {@code why}, when
     * given, is the attempt's reason, saved and told.
     */
    private void release(Run run, long epoch, String why) throws SQLException {
        publish(run, Phase.READ_NEW, epoch);
        raiseFences(run, epoch, untagged(run, Phase.READ_NEW));
        if (why != null) {
            run.report.cutover.lastAbortReason = why;
            run.event(Phase.READ_NEW, why);
        }
        barrier(epoch);
    }

    private boolean afterCutover(Run run) throws SQLException {
        if (stopsBefore(run, Phase.CUTOVER, Phase.CLEANUP)) {
            return false; // before the grace period: stopping there needs no wait
        }
        Instant cutAt = run.report.cutover.at == null ? clock.instant() : Instant.parse(run.report.cutover.at);
        Instant cleanAt = cutAt.plus(options.gracePeriod());
        if (clock.instant().isBefore(cleanAt)) {
            run.event(Phase.CUTOVER, "grace period: cleanup starts at " + cleanAt);
            while (clock.instant().isBefore(cleanAt)) {
                run.checkLease();
                sleep(Duration.ofMillis(Math.min(
                        1000,
                        Math.max(1, Duration.between(clock.instant(), cleanAt).toMillis()))));
            }
        }
        return advance(run, Phase.CUTOVER, Phase.CLEANUP);
    }

    private boolean cleanup(Run run) throws SQLException {
        if (run.report.cleanup == null) {
            run.report.cleanup = new MigrationReport.Cleanup();
            run.report.cleanup.startedAt = now();
            run.save();
        }
        DeleteProgress progress = new DeleteProgress(run, Phase.CLEANUP, "~cleanup:");
        Cleaner cleaner = new Cleaner(run.context, shard -> changedSince(run, shard), name -> progress.afterBatch());
        List<String> files = new ArrayList<>();
        run.event(
                Phase.CLEANUP,
                "deleting the moved rows from " + run.sources() + ", each batch confirmed on " + run.targets()
                        + (options.backupDir().isPresent()
                                ? ", backed up to " + options.backupDir().get()
                                : ""));
        run.report.cleanup.rowsDeleted = cleaner.cleanupOld(files);
        for (String f : files) {
            if (!run.report.cleanup.backupFiles.contains(f)) {
                run.report.cleanup.backupFiles.add(f);
            }
        }
        run.report.cleanup.finishedAt = now();
        run.event(
                Phase.CLEANUP,
                "deleted " + run.report.cleanup.rowsDeleted + " moved rows from " + run.sources()
                        + (files.isEmpty() ? "" : " (backup in " + run.report.cleanup.backupFiles + ")"));
        if (stopsBefore(run, Phase.CLEANUP, Phase.DONE)) {
            return false;
        }
        catalog.transition(run.id, Phase.CLEANUP, Phase.DONE);
        crash.at(CrashPoint.DONE_RECORDED);
        return true;
    }

    private static Map<String, Set<List<Object>>> changedSince(Run run, ShardId shard) {
        try {
            return run.reverse.changedSinceStart(shard);
        } catch (SQLException e) {
            throw new ReshardException("cannot read the changelog of " + shard + ": " + e.getMessage(), e);
        }
    }

    /** DONE or ROLLED_BACK: route by one map again, then remove capture once every router has it. */
    private boolean finish(Run run, Phase phase) throws SQLException {
        long version = phase == Phase.DONE ? run.to.version() : run.from.version();
        if (routingMentions(run.id)) {
            RoutingState next = RoutingState.stable(currentEpoch() + 1, version);
            catalog.publishRouting(next);
            crash.at(CrashPoint.published(phase));
            barrier(next.epoch());
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
        if (!otherMigrationsActive(run.id)) {
            long start = System.nanoTime();
            long entries = 0;
            for (ShardId shard : all) {
                entries += trimChangelog(run, phase, shard);
            }
            trimmed = "; " + entries + " changelog entries trimmed in "
                    + elapsed(start).toMillis() + " ms";
        }
        if (phase == Phase.ROLLED_BACK && run.report.rollback != null) {
            run.report.rollback.finishedAt = now();
        }
        run.report.finishedAt = now();
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
     * #trimStep} ids, each its own statement in auto-commit: no DELETE holds more than one step of
     * entries (one DELETE of millions took ~200 s in one transaction on H2). Entries logged after
     * the head was read (a later migration's) are kept. Idempotent: a crash leaves the changelog
     * partly trimmed, and the next run starts again from its lowest id. Reports progress to the
     * listener at most every {@link #PROGRESS_EVERY}. Crash point {@code <phase>.trim} after each
     * step.
     *
     * @return entries deleted
     */
    private long trimChangelog(Run run, Phase phase, ShardId shard) throws SQLException {
        CrashPoint point = CrashPoint.trim(phase);
        return run.shards.with(shard, c -> {
            if (!CatchUpRunner.hasChangelog(c)) {
                return 0L; // capture never reached this shard
            }
            ChangeCapture capture = run.shards.capture(shard, c);
            long head = CatchUpRunner.head(c);
            long start = System.nanoTime();
            long reported = start;
            long deleted = 0;
            OptionalLong next = firstChangelogId(c, Long.MIN_VALUE);
            while (next.isPresent() && next.getAsLong() <= head) {
                run.checkLease();
                long from = next.getAsLong();
                long upTo = from > head - trimStep ? head : from + trimStep - 1;
                deleted += capture.trim(c, upTo);
                crash.at(point);
                long now = System.nanoTime();
                if (now - reported >= PROGRESS_EVERY.toNanos()) {
                    reported = now;
                    String message = "trimming the changelog of " + shard + ": " + deleted + " entries deleted in "
                            + elapsed(start).toMillis() + " ms, up to id " + upTo + " of " + head;
                    log.info("migration {} [{}]: {}", run.id, phase, message);
                    listener.accept(new MigrationEvent(clock.instant(), run.id, phase, message, Optional.empty()));
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

    // ------------------------------------------------------------------ rollback

    private void beginRollback(Run run) throws SQLException {
        Phase phase = phase(run);
        if (phase == Phase.ROLLING_BACK || phase == Phase.ROLLED_BACK) {
            return; // resume an interrupted rollback
        }
        if (run.report.rollback == null) {
            run.report.rollback = new MigrationReport.Rollback();
            run.report.rollback.from = phase.name();
            run.report.rollback.startedAt = now();
            run.save();
        }
        if (phase == Phase.PLANNED) {
            catalog.transition(run.id, Phase.PLANNED, Phase.ROLLED_BACK);
            crash.at(CrashPoint.ROLLED_BACK_RECORDED);
            return;
        }
        if (phase == Phase.CUTOVER) {
            // New shards are the primary: bring the old ones up to date before switching back.
            long syncedBefore = run.reverse.rowsSynced();
            run.reverse.drain(SMALL_BACKLOG, Duration.ofMinutes(10));
            long epoch = currentEpoch() + 1;
            raiseFences(run, epoch, untagged(run, Phase.ROLLING_BACK));
            run.reverse.drain(1, Duration.ofMinutes(10));
            run.report.rollback.rowsReplayedToOld += run.reverse.rowsSynced() - syncedBefore;
            checkOldHoldsEverything(run);
            crash.at(CrashPoint.ROLLBACK_FROZEN);
            catalog.transition(run.id, Phase.CUTOVER, Phase.ROLLING_BACK);
            crash.at(CrashPoint.ROLLING_BACK_RECORDED);
            publish(run, Phase.ROLLING_BACK, epoch);
            crash.at(CrashPoint.ROLLING_BACK_PUBLISHED);
            barrier(epoch);
            run.event(
                    Phase.ROLLING_BACK,
                    "switched back to the old shards at epoch " + epoch + " after replaying "
                            + run.report.rollback.rowsReplayedToOld + " rows from the new shards' changelog");
            return;
        }
        advanceAlways(run, phase, Phase.ROLLING_BACK);
    }

    /** The guide's rollback check: every moving key's row on the old shards equals the new shards' row. */
    private void checkOldHoldsEverything(Run run) throws SQLException {
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

    private boolean rollingBack(Run run) throws SQLException {
        if (run.report.rollback == null) {
            run.report.rollback = new MigrationReport.Rollback();
        }
        DeleteProgress progress = new DeleteProgress(run, Phase.ROLLING_BACK, "~unload:");
        Cleaner cleaner = new Cleaner(run.context, s -> Map.of(), name -> progress.afterBatch());
        long removed = cleaner.removeFromNew();
        run.report.rollback.rowsRemovedFromNew = removed;
        run.event(Phase.ROLLING_BACK, "removed " + removed + " copied rows from " + run.targets());
        catalog.transition(run.id, Phase.ROLLING_BACK, Phase.ROLLED_BACK);
        crash.at(CrashPoint.ROLLED_BACK_RECORDED);
        return true;
    }

    // ------------------------------------------------------------------ steps

    /**
     * Record, publish, fence, barrier: one phase change; false (and no change) when the run was
     * asked to stop before {@code to}.
     */
    private boolean advance(Run run, Phase from, Phase to) throws SQLException {
        if (stopsBefore(run, from, to)) {
            return false;
        }
        advanceAlways(run, from, to);
        return true;
    }

    private void advanceAlways(Run run, Phase from, Phase to) throws SQLException {
        requireReachable(run, to);
        catalog.transition(run.id, from, to);
        crash.at(CrashPoint.recorded(to));
        enter(run, to);
    }

    /** Publishes {@code phase} at the next epoch, raises the fences to it, waits for the routers. */
    private void enter(Run run, Phase phase) throws SQLException {
        long epoch = currentEpoch() + 1;
        publish(run, phase, epoch);
        crash.at(CrashPoint.published(phase));
        raiseFences(run, epoch, untagged(run, phase));
        barrier(epoch);
        run.event(phase, "entered " + phase + " at epoch " + epoch);
    }

    /**
     * After a crash the routing state may lag the record (the record is written first): publish
     * the record's phase again, re-doing the entry work that must precede it.
     */
    private void reconcile(Run run) throws SQLException {
        Phase phase = phase(run);
        Optional<RoutingState> routing = catalog.currentRouting();
        boolean current = routing.isPresent()
                && routing.get().migrationId().filter(run.id::equals).isPresent()
                && routing.get().phase().filter(phase::equals).isPresent();
        if (run.report.cutover.at == null && (phase == Phase.CUTOVER || phase == Phase.CLEANUP)) {
            // Recorded as cut over with no time saved (an older Reshard): count the grace period from now.
            run.report.cutover.at = now();
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
        requireReachable(run, phase);
        if (phase == Phase.CUTOVER && published == Phase.READ_NEW) {
            // Crashed inside the freeze after recording the cutover: finish the freeze.
            long epoch = currentEpoch() + 1;
            raiseFences(run, epoch, untaggedInFreeze());
            run.forward.drain(1, Duration.ofMinutes(10));
            Sequences.movePast(run.shards, run.pairs);
            publish(run, Phase.CUTOVER, epoch);
            raiseFences(run, epoch, untagged(run, Phase.CUTOVER));
            barrier(epoch);
            return;
        }
        if (phase == Phase.ROLLING_BACK && published == Phase.CUTOVER) {
            long epoch = currentEpoch() + 1;
            raiseFences(run, epoch, untagged(run, Phase.ROLLING_BACK));
            long syncedBefore = run.reverse.rowsSynced();
            run.reverse.drain(1, Duration.ofMinutes(10));
            run.report.rollback.rowsReplayedToOld += run.reverse.rowsSynced() - syncedBefore;
            checkOldHoldsEverything(run);
            publish(run, Phase.ROLLING_BACK, epoch);
            barrier(epoch);
            return;
        }
        enter(run, phase);
    }

    private void publish(Run run, Phase phase, long epoch) {
        catalog.publishRouting(RoutingState.migrating(epoch, run.from.version(), run.to.version(), run.id, phase));
    }

    private long currentEpoch() {
        return catalog.currentRouting().map(RoutingState::epoch).orElse(0L);
    }

    /**
     * Before routers start writing the new shards (DUAL_WRITE mirrors, READ_NEW reads them): every
     * live router must report each shard of the target map reachable, having seen that map (a router
     * started mid-migration, or one with fixed DataSources, may not). Waits up to the barrier
     * timeout, then stops the migration where it is, naming each router and shard.
     */
    private void requireReachable(Run run, Phase phase) {
        if (phase == Phase.DUAL_WRITE || phase == Phase.READ_NEW) {
            new Barrier(catalog, clock, barrierPoll)
                    .awaitReachable(run.to.version(), run.to.shards(), options.barrierTimeout());
        }
    }

    private void barrier(long epoch) {
        new Barrier(catalog, clock, barrierPoll).awaitAllRouters(epoch, options.barrierTimeout());
    }

    /** Installs capture on every migrating table of {@code shard}; true if every table needed it. */
    private boolean installCapture(Run run, ShardId shard) throws SQLException {
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
    private Predicate<ShardId> untagged(Run run, Phase phase) {
        if (options.allowUntaggedWrites() || phase.primary() == Phase.Side.OLD) {
            return shard -> true;
        }
        Set<ShardId> sources = run.sources();
        return shard -> !sources.contains(shard);
    }

    /** During the cutover freeze no shard lets them through: a writer that never pauses would keep it from draining. */
    private Predicate<ShardId> untaggedInFreeze() {
        return shard -> options.allowUntaggedWrites();
    }

    private void raiseFences(Run run, long epoch, Predicate<ShardId> untagged) throws SQLException {
        FenceRaise.raise(catalog, run.shards, run.fenced(), epoch, untagged, message -> run.event(phase(run), message));
    }

    private void catchUp(Run run, Duration budget) throws SQLException {
        long start = System.nanoTime();
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

    private void progressEvent(Run run) {
        long nowNanos = System.nanoTime();
        synchronized (run) {
            if (nowNanos - run.lastProgressEvent < 1_000_000_000L) {
                return;
            }
            run.lastProgressEvent = nowNanos;
        }
        Progress p = progress(record(run.id), run.report);
        listener.accept(new MigrationEvent(clock.instant(), run.id, p.phase(), "backfill", Optional.of(p)));
    }

    /**
     * The progress of a cleanup (or of a rollback removing the copied rows from the new shards):
     * rows deleted per table, from the checkpoints (so it survives a resume), against the rows
     * that move (the pre-flight count, or the rows the backfill copied when more), and the rate
     * of this run. After a batch, at most every {@link #PROGRESS_EVERY}, it stores the rows deleted
     * so far in the report (what {@code reshard migrate status} reads) and sends a progress event
     * to the listener, as the backfill does.
     */
    private final class DeleteProgress {
        private final Run run;
        private final Phase phase;
        private final String prefix;
        private final long startNanos = System.nanoTime();
        private final long deletedBefore;
        private long reportedNanos = startNanos;

        DeleteProgress(Run run, Phase phase, String prefix) {
            this.run = run;
            this.phase = phase;
            this.prefix = prefix;
            this.deletedBefore = total(deleted(catalog.checkpoints(run.id)));
        }

        void afterBatch() {
            long now = System.nanoTime();
            if (now - reportedNanos < PROGRESS_EVERY.toNanos()) {
                return;
            }
            reportedNanos = now;
            List<Checkpoint> checkpoints = catalog.checkpoints(run.id);
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
            Progress p = new Progress(run.id, phase, tables, rate, 0, clock.instant());
            if (phase == Phase.CLEANUP) {
                run.report.cleanup.rowsDeleted = total;
            } else {
                run.report.rollback.rowsRemovedFromNew = total;
            }
            run.save();
            String message = (phase == Phase.CLEANUP
                            ? "cleanup: " + total + " of ~" + p.estimated() + " moved rows deleted from "
                                    + run.sources()
                            : "rollback: " + total + " of ~" + p.estimated() + " copied rows removed from "
                                    + run.targets())
                    + " (" + String.join(", ", perTable) + "), " + Math.round(rate) + " rows/s";
            log.debug("migration {} [{}]: {}", run.id, phase, message);
            listener.accept(new MigrationEvent(clock.instant(), run.id, phase, message, Optional.of(p)));
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

    // ------------------------------------------------------------------ status

    private MigrationStatus status(MigrationRecord record) {
        MigrationReport report = record.report().map(MigrationReport::fromJson).orElseGet(MigrationReport::new);
        return new MigrationStatus(
                record.id(),
                Phase.parse("phase", record.phase()),
                record.fromVersion(),
                record.toVersion(),
                progress(record, report),
                report,
                record.error(),
                record.owner());
    }

    private Progress progress(MigrationRecord record, MigrationReport report) {
        List<Checkpoint> checkpoints = catalog.checkpoints(record.id());
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
                                    && Pair.of(catalog.map(record.fromVersion()), catalog.map(record.toVersion()))
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
                    report.backfill.finishedAt != null ? Instant.parse(report.backfill.finishedAt) : clock.instant();
            double seconds = Duration.between(start, end).toMillis() / 1000.0;
            long total = copied.values().stream().mapToLong(Long::longValue).sum();
            rate = seconds > 0 ? total / seconds : 0;
        }
        return new Progress(
                record.id(),
                Phase.parse("phase", record.phase()),
                tables,
                rate,
                report.catchUp.lastBacklog,
                clock.instant());
    }

    // ------------------------------------------------------------------ helpers

    private MigrationRecord record(String id) {
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

    /** Terminal and fully wound down (routing stable, capture removed). */
    private boolean finished(MigrationRecord record) {
        return !routingMentions(record.id())
                && record.report()
                        .map(MigrationReport::fromJson)
                        .map(r -> r.finishedAt != null)
                        .orElse(false);
    }

    private boolean routingMentions(String id) {
        return catalog.currentRouting()
                .flatMap(RoutingState::migrationId)
                .filter(id::equals)
                .isPresent();
    }

    private boolean otherMigrationsActive(String id) {
        return catalog.migrations().stream()
                .anyMatch(m ->
                        !m.id().equals(id) && !Phase.parse("phase", m.phase()).isTerminal());
    }

    private String now() {
        return clock.instant().toString();
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReshardException("interrupted", e);
        }
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
