package dev.reshard.migration.engine;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.migration.Phase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a migration runs. Every value has a default an operator can start from; {@link #validate()}
 * refuses nonsense with the field, the value and the fix before anything is written.
 *
 * @param batchRows rows read per batch (and per checkpoint) by the JDBC backfill, which holds a
 *     batch's moving rows in memory; 10,000 by default
 * @param copyPageRows rows read per page (and per checkpoint) by the PostgreSQL binary COPY backfill,
 *     which streams a page and holds about 64 KiB of it; 100,000 by default (each page costs a
 *     target commit and a pause of the source stream: docs/BENCHMARKS.md). With a rows/s ceiling a
 *     page is at most a tenth of a second at the throttle's current rate, so bursts stay short
 * @param maxRowsPerSecond backfill ceiling per source-target pair; 0 = no fixed ceiling (the latency
 *     guardrail alone paces the copy, below the rate of its first page)
 * @param latencyGuardrail the latency of a point read, or on PostgreSQL of a durable commit, on the
 *     source or target, sampled beside the copy, above which the throttle halves the rate; 5 ms by
 *     default (about 5x an idle shard's commit on the benchmark machine; set it to a few times your
 *     shards' normal commit latency; docs/BENCHMARKS.md); 0 = no guardrail: with no ceiling either,
 *     the copy runs unthrottled
 * @param parallelism source-target pairs copied at once
 * @param barrierTimeout how long to wait for every live router to apply a published epoch
 * @param cutoverBudget the longest writes to moving keys may be frozen at cutover; a final catch-up
 *     that would take longer goes back to dual-write and retries
 * @param cutoverAttempts how often a cutover is attempted before the migration stops in READ_NEW
 * @param gracePeriod time between cutover and the first delete on the old shards
 * @param cleanupBatchRows rows deleted from an old shard per batch (each confirmed on the new one)
 * @param backupDir where cleanup writes the rows it deletes (one JSON-lines file per table and
 *     shard) before deleting them; empty: no backup
 * @param allowUntaggedWrites whether writers outside the routers (no map epoch on the session) may
 *     write the migrating tables at every phase. By default (false) they may while the old shards are
 *     the truth (their writes are captured and replayed), but not during the cutover freeze (they
 *     would keep it from ever draining) nor on the old shards from the cutover on (cleanup deletes
 *     those rows: the write would be lost for readers). True keeps them allowed throughout
 *     (a cutover freeze may then not fit its budget, and cleanup stops on rows they changed)
 * @param catchUpBatch changelog entries read per page
 * @param catchUpWindow how long a transaction may stay open between logging a change and committing
 *     it and still be replayed: catch-up re-reads this much changelog history (see ChangelogCursor)
 * @param verifyChunkRows source rows per verification chunk (one query per side; a chunk that
 *     differs is read again with its keys, so under live writes smaller chunks narrow cheaper); 5,000
 *     by default (as fast as 20,000 on the 1M-row benchmark: docs/BENCHMARKS.md)
 * @param verifyRounds repair-and-recheck rounds before verification gives up
 * @param capacityThreshold the fraction of a shard's configured capacity it may use after the move
 * @param leaseTtl the orchestrator's lease on the migration; renewed at a third of it
 * @param stopBefore a phase to stop in before entering (e.g. CLEANUP to inspect); empty: run to the end
 */
public record MigrationOptions(
        int batchRows,
        int copyPageRows,
        double maxRowsPerSecond,
        Duration latencyGuardrail,
        int parallelism,
        Duration barrierTimeout,
        Duration cutoverBudget,
        int cutoverAttempts,
        Duration gracePeriod,
        int cleanupBatchRows,
        Optional<Path> backupDir,
        boolean allowUntaggedWrites,
        int catchUpBatch,
        Duration catchUpWindow,
        int verifyChunkRows,
        int verifyRounds,
        double capacityThreshold,
        Duration leaseTtl,
        Optional<Phase> stopBefore) {

    public static MigrationOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.batchRows = batchRows;
        b.copyPageRows = copyPageRows;
        b.maxRowsPerSecond = maxRowsPerSecond;
        b.latencyGuardrail = latencyGuardrail;
        b.parallelism = parallelism;
        b.barrierTimeout = barrierTimeout;
        b.cutoverBudget = cutoverBudget;
        b.cutoverAttempts = cutoverAttempts;
        b.gracePeriod = gracePeriod;
        b.cleanupBatchRows = cleanupBatchRows;
        b.backupDir = backupDir;
        b.allowUntaggedWrites = allowUntaggedWrites;
        b.catchUpBatch = catchUpBatch;
        b.catchUpWindow = catchUpWindow;
        b.verifyChunkRows = verifyChunkRows;
        b.verifyRounds = verifyRounds;
        b.capacityThreshold = capacityThreshold;
        b.leaseTtl = leaseTtl;
        b.stopBefore = stopBefore;
        return b;
    }

    /** Refuses values that cannot work, naming the option and the fix. */
    public MigrationOptions validate() {
        positive("batchRows", batchRows, "e.g. 2000");
        positive("copyPageRows", copyPageRows, "e.g. 100000");
        InvalidInputException.require(
                maxRowsPerSecond >= 0,
                "maxRowsPerSecond",
                maxRowsPerSecond,
                "cannot be negative",
                "give a rows/s ceiling, or 0 for none");
        positive("parallelism", parallelism, "e.g. 2 (pairs copied at once)");
        positive("cutoverAttempts", cutoverAttempts, "e.g. 3");
        positive("cleanupBatchRows", cleanupBatchRows, "e.g. 1000");
        positive("catchUpBatch", catchUpBatch, "e.g. 2000");
        positive("verifyChunkRows", verifyChunkRows, "e.g. 2000");
        positive("verifyRounds", verifyRounds, "e.g. 5");
        duration("barrierTimeout", barrierTimeout, false);
        duration("cutoverBudget", cutoverBudget, false);
        duration("gracePeriod", gracePeriod, true);
        duration("catchUpWindow", catchUpWindow, true);
        duration("leaseTtl", leaseTtl, false);
        duration("latencyGuardrail", latencyGuardrail, true);
        InvalidInputException.require(
                capacityThreshold > 0 && capacityThreshold <= 1,
                "capacityThreshold",
                capacityThreshold,
                "must be a fraction in (0, 1]",
                "e.g. 0.8 refuses a move that leaves a shard above 80 % of its capacity");
        return this;
    }

    private static void positive(String field, long value, String fix) {
        InvalidInputException.require(value > 0, field, value, "must be at least 1", fix);
    }

    private static void duration(String field, Duration value, boolean zeroAllowed) {
        InvalidInputException.require(
                value != null && !value.isNegative() && (zeroAllowed || !value.isZero()),
                field,
                value,
                zeroAllowed ? "cannot be negative" : "must be positive",
                "give a duration such as 5s or 500ms");
    }

    /** Builds options; starts from the defaults. */
    public static final class Builder {
        private int batchRows = 10_000;
        private int copyPageRows = 100_000;
        private double maxRowsPerSecond = 0;
        private Duration latencyGuardrail = Duration.ofMillis(5);
        private int parallelism = 2;
        private Duration barrierTimeout = Duration.ofSeconds(60);
        private Duration cutoverBudget = Duration.ofSeconds(1);
        private int cutoverAttempts = 3;
        private Duration gracePeriod = Duration.ZERO;
        private int cleanupBatchRows = 1000;
        private Optional<Path> backupDir = Optional.empty();
        private boolean allowUntaggedWrites = false;
        private int catchUpBatch = 2000;
        private Duration catchUpWindow = Duration.ofSeconds(5);
        private int verifyChunkRows = 5_000;
        private int verifyRounds = 5;
        private double capacityThreshold = 0.8;
        private Duration leaseTtl = Duration.ofSeconds(30);
        private Optional<Phase> stopBefore = Optional.empty();

        private Builder() {}

        public Builder batchRows(int v) {
            batchRows = v;
            return this;
        }

        public Builder copyPageRows(int v) {
            copyPageRows = v;
            return this;
        }

        public Builder maxRowsPerSecond(double v) {
            maxRowsPerSecond = v;
            return this;
        }

        public Builder latencyGuardrail(Duration v) {
            latencyGuardrail = v;
            return this;
        }

        public Builder parallelism(int v) {
            parallelism = v;
            return this;
        }

        public Builder barrierTimeout(Duration v) {
            barrierTimeout = v;
            return this;
        }

        public Builder cutoverBudget(Duration v) {
            cutoverBudget = v;
            return this;
        }

        public Builder cutoverAttempts(int v) {
            cutoverAttempts = v;
            return this;
        }

        public Builder gracePeriod(Duration v) {
            gracePeriod = v;
            return this;
        }

        public Builder cleanupBatchRows(int v) {
            cleanupBatchRows = v;
            return this;
        }

        public Builder backupDir(Path v) {
            backupDir = Optional.ofNullable(v);
            return this;
        }

        public Builder allowUntaggedWrites(boolean v) {
            allowUntaggedWrites = v;
            return this;
        }

        public Builder catchUpBatch(int v) {
            catchUpBatch = v;
            return this;
        }

        public Builder catchUpWindow(Duration v) {
            catchUpWindow = v;
            return this;
        }

        public Builder verifyChunkRows(int v) {
            verifyChunkRows = v;
            return this;
        }

        public Builder verifyRounds(int v) {
            verifyRounds = v;
            return this;
        }

        public Builder capacityThreshold(double v) {
            capacityThreshold = v;
            return this;
        }

        public Builder leaseTtl(Duration v) {
            leaseTtl = v;
            return this;
        }

        public Builder stopBefore(Phase v) {
            stopBefore = Optional.ofNullable(v);
            return this;
        }

        /** The options, validated. */
        public MigrationOptions build() {
            return new MigrationOptions(
                            batchRows,
                            copyPageRows,
                            maxRowsPerSecond,
                            latencyGuardrail,
                            parallelism,
                            barrierTimeout,
                            cutoverBudget,
                            cutoverAttempts,
                            gracePeriod,
                            cleanupBatchRows,
                            backupDir,
                            allowUntaggedWrites,
                            catchUpBatch,
                            catchUpWindow,
                            verifyChunkRows,
                            verifyRounds,
                            capacityThreshold,
                            leaseTtl,
                            stopBefore)
                    .validate();
        }
    }
}
