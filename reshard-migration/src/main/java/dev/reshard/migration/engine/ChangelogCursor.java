package dev.reshard.migration.engine;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.NavigableSet;
import java.util.TreeSet;

/*
 * Design notes
 *
 * Changelog ids follow insertion, not commit order: a transaction that logged id 10 may commit
 * after one that logged id 11 was read. "Everything up to the last id I read was seen" is false,
 * and catch-up that trusts it misses the late commit.
 *
 * This cursor replays from a low-water mark that trails the ids read by a time window: after each
 * pass it records (time, highest id read); the mark only advances to the highest id read at least
 * one window ago. A transaction that stays open for less than the window between logging a change
 * and committing it is therefore read by a later pass. Entries between the mark and the head are
 * re-read each pass but replayed once: their ids are remembered until the mark passes them.
 * Replaying twice would be harmless (sync-from-source converges), only slower.
 *
 * Longer transactions are caught by verification (which compares whole tables) and by the final
 * drain of a cutover, which runs after the fences have waited for every write in flight.
 */
/** The position of catch-up in one shard's changelog: a low-water mark and the ids seen above it. */
final class ChangelogCursor {
    private long mark;
    private final long windowNanos;
    private final NavigableSet<Long> seen = new TreeSet<>();
    private final ArrayDeque<long[]> history = new ArrayDeque<>();

    ChangelogCursor(long mark, long windowNanos) {
        this.mark = mark;
        this.windowNanos = windowNanos;
    }

    /** Entries with ids above this may not have been replayed yet. */
    long mark() {
        return mark;
    }

    /** True when the entry with {@code id} has not been replayed by this cursor. */
    boolean isNew(long id) {
        return id > mark && !seen.contains(id);
    }

    /** Records a finished pass: {@code replayed} ids were synced, {@code highestRead} the largest id read. */
    void passed(Collection<Long> replayed, long highestRead, long nowNanos) {
        seen.addAll(replayed);
        history.addLast(new long[] {nowNanos, highestRead});
        while (!history.isEmpty() && history.peekFirst()[0] <= nowNanos - windowNanos) {
            mark = Math.max(mark, history.pollFirst()[1]);
        }
        seen.headSet(mark, true).clear();
    }
}
