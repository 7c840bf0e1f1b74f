package dev.reshard.migration.engine;

/**
 * Named points in the engine where a test can stop it dead, as a kill -9 would: the hook throws an
 * {@link Error} that the engine does not catch, so nothing after the point runs (no lease release,
 * no report). Production engines use {@link #NONE}.
 *
 * <p>Points: {@code <phase>.enter} before a phase's work, {@code <phase>.published} after its
 * routing epoch was published and before the barrier, {@code backfill.batch} after each
 * checkpointed batch, {@code cutover.frozen} with the fences raised and the final catch-up done but
 * the cutover not yet published, {@code cleanup.batch} after each deleted batch, {@code
 * rollback.frozen} with the fences raised before the rollback is published, {@code done.trim} and
 * {@code rolled_back.trim} after each step of the final changelog trim.
 */
@FunctionalInterface
public interface CrashPoints {
    CrashPoints NONE = point -> {};

    void at(String point);
}
