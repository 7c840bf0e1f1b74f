package dev.reshard.jdbc.capture;

/**
 * The fence's error texts, identical on every engine (the triggers build the same strings in SQL).
 * SQLSTATE 40001 (serialization failure) tells drivers and routers that a retry may succeed.
 */
final class Fence {
    static final String SQLSTATE = "40001";

    private Fence() {}

    static String olderEpoch(long sessionEpoch, long fenceEpoch, String table) {
        return "reshard fence: map epoch " + sessionEpoch + " is older than the fence " + fenceEpoch + " on table "
                + table + "; refresh the shard map and retry";
    }

    /** Why a write without a map epoch is refused, after the fence epoch; the triggers' SQL spells it too. */
    static final String UNTAGGED_TAIL =
            ": a migration is cutting over, or has cut over, this table); write through a Reshard router,"
                    + " or set options.allowUntaggedWrites: true for the migration";

    static String untagged(long fenceEpoch, String table) {
        return "reshard fence: write without a map epoch refused on table " + table + " (fence " + fenceEpoch
                + UNTAGGED_TAIL;
    }

    static void requireEpoch(long epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("map epoch must not be negative, was " + epoch);
        }
    }

    static FenceException wouldLower(String table, long current, long requested) {
        return new FenceException("fence on table " + table + " is at epoch " + current + "; refusing to lower it to "
                + requested + " (fences only go up; publish a newer map instead)");
    }
}
