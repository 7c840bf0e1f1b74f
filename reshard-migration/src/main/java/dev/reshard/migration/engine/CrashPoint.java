package dev.reshard.migration.engine;

import dev.reshard.core.migration.Phase;

/**
 * Every point at which a test can stop the engine dead, as a kill -9 would (see {@link
 * CrashPoints}). The crash matrix iterates this enum, so a point added here is tested without
 * anyone remembering to: {@link #FORWARD} points in a forward run (crash, resume, finish), {@link
 * Run#ROLLBACK} points in a rollback (crash, resume the rollback, finish).
 *
 * <p>A phase change is record, publish, fence, barrier (DESIGN.md section 2): {@code recorded} is
 * after the catalog holds the new phase and before its routing epoch is published; {@code
 * published} after the publish and before the fences and the barrier; {@code enter} at the top of
 * the engine's loop, before the phase's work.
 */
public enum CrashPoint {
    /** The migration record (with its tables) is in the catalog; no lease, nothing on the shards. */
    PLANNED_RECORDED(Run.FORWARD),
    PLANNED_ENTER(Run.FORWARD),
    /** Capture installed on the first source shard, not yet on the others, no changelog start. */
    PLANNED_CAPTURE(Run.FORWARD),
    DUAL_WRITE_RECORDED(Run.FORWARD),
    DUAL_WRITE_PUBLISHED(Run.FORWARD),
    DUAL_WRITE_ENTER(Run.FORWARD),
    BACKFILL_RECORDED(Run.FORWARD),
    BACKFILL_PUBLISHED(Run.FORWARD),
    BACKFILL_ENTER(Run.FORWARD),
    /** After each checkpointed backfill batch. */
    BACKFILL_BATCH(Run.FORWARD),
    VERIFY_RECORDED(Run.FORWARD),
    VERIFY_PUBLISHED(Run.FORWARD),
    VERIFY_ENTER(Run.FORWARD),
    READ_NEW_RECORDED(Run.FORWARD),
    READ_NEW_PUBLISHED(Run.FORWARD),
    READ_NEW_ENTER(Run.FORWARD),
    /** Fences raised to the cutover epoch, final catch-up done, cutover neither recorded nor published. */
    CUTOVER_FROZEN(Run.FORWARD),
    /** Cutover recorded (with its time), not yet published. */
    CUTOVER_RECORDED(Run.FORWARD),
    CUTOVER_PUBLISHED(Run.FORWARD),
    CUTOVER_ENTER(Run.FORWARD),
    CLEANUP_RECORDED(Run.FORWARD),
    CLEANUP_PUBLISHED(Run.FORWARD),
    CLEANUP_ENTER(Run.FORWARD),
    /** After each deleted cleanup batch. */
    CLEANUP_BATCH(Run.FORWARD),
    DONE_RECORDED(Run.FORWARD),
    DONE_ENTER(Run.FORWARD),
    /** The final stable map published, before its barrier and the capture removal. */
    DONE_PUBLISHED(Run.FORWARD),
    /** After each step of the final changelog trim. */
    DONE_TRIM(Run.FORWARD),
    ROLLING_BACK_RECORDED(Run.ROLLBACK),
    ROLLING_BACK_PUBLISHED(Run.ROLLBACK),
    ROLLING_BACK_ENTER(Run.ROLLBACK),
    /** Rollback after cutover: fences raised and the old shards checked, rollback not yet recorded. */
    ROLLBACK_FROZEN(Run.ROLLBACK),
    ROLLED_BACK_RECORDED(Run.ROLLBACK),
    ROLLED_BACK_ENTER(Run.ROLLBACK),
    ROLLED_BACK_PUBLISHED(Run.ROLLBACK),
    ROLLED_BACK_TRIM(Run.ROLLBACK);

    /** Which kind of run reaches a point. */
    public enum Run {
        FORWARD,
        ROLLBACK
    }

    private final Run run;

    CrashPoint(Run run) {
        this.run = run;
    }

    public Run run() {
        return run;
    }

    /** The top of the loop, before {@code phase}'s work. */
    static CrashPoint enter(Phase phase) {
        return switch (phase) {
            case PLANNED -> PLANNED_ENTER;
            case DUAL_WRITE -> DUAL_WRITE_ENTER;
            case BACKFILL -> BACKFILL_ENTER;
            case VERIFY -> VERIFY_ENTER;
            case READ_NEW -> READ_NEW_ENTER;
            case CUTOVER -> CUTOVER_ENTER;
            case CLEANUP -> CLEANUP_ENTER;
            case DONE -> DONE_ENTER;
            case ROLLING_BACK -> ROLLING_BACK_ENTER;
            case ROLLED_BACK -> ROLLED_BACK_ENTER;
        };
    }

    /** {@code phase} is in the catalog's record, not yet published. */
    static CrashPoint recorded(Phase phase) {
        return switch (phase) {
            case PLANNED -> PLANNED_RECORDED;
            case DUAL_WRITE -> DUAL_WRITE_RECORDED;
            case BACKFILL -> BACKFILL_RECORDED;
            case VERIFY -> VERIFY_RECORDED;
            case READ_NEW -> READ_NEW_RECORDED;
            case CUTOVER -> CUTOVER_RECORDED;
            case CLEANUP -> CLEANUP_RECORDED;
            case DONE -> DONE_RECORDED;
            case ROLLING_BACK -> ROLLING_BACK_RECORDED;
            case ROLLED_BACK -> ROLLED_BACK_RECORDED;
        };
    }

    /** {@code phase}'s routing epoch is published; fences and barrier not yet. */
    static CrashPoint published(Phase phase) {
        return switch (phase) {
            case DUAL_WRITE -> DUAL_WRITE_PUBLISHED;
            case BACKFILL -> BACKFILL_PUBLISHED;
            case VERIFY -> VERIFY_PUBLISHED;
            case READ_NEW -> READ_NEW_PUBLISHED;
            case CUTOVER -> CUTOVER_PUBLISHED;
            case CLEANUP -> CLEANUP_PUBLISHED;
            case DONE -> DONE_PUBLISHED;
            case ROLLING_BACK -> ROLLING_BACK_PUBLISHED;
            case ROLLED_BACK -> ROLLED_BACK_PUBLISHED;
            case PLANNED -> throw new IllegalArgumentException("PLANNED is never published");
        };
    }

    /** After a step of the final changelog trim of a run ending in {@code phase}. */
    static CrashPoint trim(Phase phase) {
        return switch (phase) {
            case DONE -> DONE_TRIM;
            case ROLLED_BACK -> ROLLED_BACK_TRIM;
            default -> throw new IllegalArgumentException("only DONE and ROLLED_BACK trim the changelog, not " + phase);
        };
    }
}
