package dev.reshard.migration.engine;

/** Thrown at a crash point: an Error, so the engine stops dead as with kill -9 (no cleanup, no lease release). */
final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String point) {
        super("simulated crash at " + point);
    }

    /** Crash points that stop at the {@code nth} hit of {@code point}. */
    static CrashPoints at(String point, int nth) {
        int[] hits = {0};
        return p -> {
            if (p.equals(point) && ++hits[0] == nth) {
                throw new SimulatedCrash(p);
            }
        };
    }
}
