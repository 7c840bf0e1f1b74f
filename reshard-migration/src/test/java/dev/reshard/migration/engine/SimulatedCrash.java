package dev.reshard.migration.engine;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Thrown at a crash point: an Error, so the engine stops dead as with kill -9 (no cleanup, no lease release). */
final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(CrashPoint point) {
        super("simulated crash at " + point);
    }

    /** Crash points that stop at the {@code nth} hit of {@code point}. */
    static CrashPoints at(CrashPoint point, int nth) {
        int[] hits = {0};
        return p -> {
            if (p == point && ++hits[0] == nth) {
                throw new SimulatedCrash(p);
            }
        };
    }

    /** The nth hit the matrix crashes at: the second of a repeated point (mid-way), else the first. */
    static int nthFor(CrashPoint point) {
        return switch (point) {
            case BACKFILL_BATCH, CLEANUP_BATCH -> 2;
            default -> 1;
        };
    }

    /** Crash points that crash nowhere and remember every point reached. */
    static final class Recorder implements CrashPoints {
        final Set<CrashPoint> reached = Collections.synchronizedSet(EnumSet.noneOf(CrashPoint.class));

        @Override
        public void at(CrashPoint point) {
            reached.add(point);
        }
    }
}
