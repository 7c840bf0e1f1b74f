package dev.reshard.migration.engine;

/**
 * A test seam: called at every {@link CrashPoint}. A hook that throws an {@link Error} stops the
 * engine dead, as a kill -9 would: the engine does not catch it, so nothing after the point runs
 * (no lease release, no report). Production engines use {@link #NONE}.
 */
@FunctionalInterface
public interface CrashPoints {
    CrashPoints NONE = point -> {};

    void at(CrashPoint point);
}
