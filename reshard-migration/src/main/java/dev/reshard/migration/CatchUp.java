package dev.reshard.migration;

import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import dev.reshard.jdbc.capture.ChangeEntry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/*
 * Design notes
 *
 * Catch-up replays the source's changelog onto the target with sync-from-source: it reads entries
 * after a position, keeps only the keys (per table, deduplicated), and syncs each batch of keys.
 * The entries say which rows changed, never what they became, so replaying an entry twice, late or
 * out of order is harmless: the row is re-read under lock each time.
 *
 * Changelog ids follow insertion, not commit order (ChangeCapture's notes): a transaction that
 * began earlier may commit an entry with a smaller id after a larger one was read. A caller that
 * must not miss such entries replays from a low-water mark that trails its last position (e.g. the
 * smallest id of any transaction still open when the previous pass read), not from the last id.
 */
/** Replays a source shard's changelog onto one target with {@link SyncFromSource}. */
public final class CatchUp {
    /** Keys per sync transaction. */
    static final int KEYS_PER_SYNC = 200;

    private final ChangeCapture capture;
    private final SyncFromSource sync;

    public CatchUp(ChangeCapture capture, SyncFromSource sync) {
        this.capture = capture;
        this.sync = sync;
    }

    /** One pass: how far it read, how many entries, and what the syncs did. */
    public record Pass(long lastId, int entries, SyncFromSource.Outcome outcome) {}

    /**
     * Replays up to {@code limit} entries after {@code afterId}.
     *
     * @param tables the migrating tables by lower-case name: [0] as the source describes it, [1] as
     *     the target does; entries of other tables are skipped
     * @param movesToTarget whether a shard-key value belongs on this target
     */
    public Pass replay(
            Connection source,
            Connection target,
            Map<String, TableSpec[]> tables,
            long afterId,
            int limit,
            Predicate<Object> movesToTarget)
            throws SQLException {
        List<ChangeEntry> entries = capture.changesAfter(source, afterId, limit);
        Map<String, Set<List<Object>>> keys = new LinkedHashMap<>();
        long last = afterId;
        for (ChangeEntry e : entries) {
            last = Math.max(last, e.id());
            String name = e.table().toLowerCase(Locale.ROOT);
            if (tables.containsKey(name)) {
                keys.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(Rows.normalizeKey(e.primaryKey()));
            }
        }
        SyncFromSource.Outcome total = new SyncFromSource.Outcome(0, 0, 0);
        for (Map.Entry<String, Set<List<Object>>> t : keys.entrySet()) {
            TableSpec[] spec = tables.get(t.getKey());
            total = total.plus(syncKeys(sync, source, target, spec[0], spec[1], t.getValue(), movesToTarget));
        }
        return new Pass(last, entries.size(), total);
    }

    /**
     * Syncs {@code keys} of one table from {@code source} to {@code target}, {@link
     * #KEYS_PER_SYNC} keys per transaction: the replay step every catch-up (this one and the
     * engine's) is made of.
     */
    public static SyncFromSource.Outcome syncKeys(
            SyncFromSource sync,
            Connection source,
            Connection target,
            TableSpec sourceTable,
            TableSpec targetTable,
            Set<List<Object>> keys,
            Predicate<Object> movesToTarget)
            throws SQLException {
        SyncFromSource.Outcome total = new SyncFromSource.Outcome(0, 0, 0);
        List<List<Object>> all = new ArrayList<>(keys);
        for (int i = 0; i < all.size(); i += KEYS_PER_SYNC) {
            List<List<Object>> chunk = all.subList(i, Math.min(all.size(), i + KEYS_PER_SYNC));
            total = total.plus(sync.sync(source, target, sourceTable, targetTable, chunk, movesToTarget));
        }
        return total;
    }
}
