package dev.reshard.migration;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/*
 * Design notes (DESIGN.md section 4, "Sync-from-source")
 *
 * The one primitive behind catch-up, repair and rollback: make the target's rows for some primary
 * keys equal the source's current rows.
 *
 * 1. Lock the source rows (SELECT ... FOR UPDATE, in primary-key order) and read them.
 * 2. Lock the target rows the same way.
 * 3. For each key, the wanted target state is the source row if it exists and its shard key moves
 *    to this target, and "no row" otherwise. Upsert the wanted row, or delete a target row that
 *    holds a moving key but should not exist. A target row whose shard key does not move here is
 *    never touched: it is not ours.
 * 4. Commit the target, then the source (which releases the source locks).
 *
 * Because the source rows are re-read under lock, the result is the source's state at some instant
 * after every change that was committed before the call: any order of replays, and any number of
 * repeats, converge. A concurrent writer of the same key waits on the source lock, so a mirror or
 * replay of a later change cannot be overtaken by this one.
 */
/** Makes target rows equal the source's current rows for given primary keys. */
public final class SyncFromSource {
    private final Dialect sourceDialect;
    private final Dialect targetDialect;

    public SyncFromSource(Dialect sourceDialect, Dialect targetDialect) {
        this.sourceDialect = sourceDialect;
        this.targetDialect = targetDialect;
    }

    /** What one sync did. */
    public record Outcome(int upserted, int deleted, int unchanged) {
        Outcome plus(Outcome o) {
            return new Outcome(upserted + o.upserted, deleted + o.deleted, unchanged + o.unchanged);
        }
    }

    /**
     * Syncs the rows with {@code keys} (primary-key values in key order) of {@code table} from
     * {@code source} to {@code target}, in one transaction on each; both connections are left in
     * auto-commit mode.
     *
     * @param sourceTable the table as the source describes it
     * @param targetTable the same table as the target describes it
     * @param movesToTarget whether a row with this shard-key value belongs on the target
     */
    public Outcome sync(
            Connection source,
            Connection target,
            TableSpec sourceTable,
            TableSpec targetTable,
            List<List<Object>> keys,
            Predicate<Object> movesToTarget)
            throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return syncOnce(source, target, sourceTable, targetTable, keys, movesToTarget);
            } catch (SQLException e) {
                // A dual-write inserted one of the keys on the target after this sync locked the rows
                // it saw (an absent row cannot be locked); the sync reads again and converges.
                // A lock wait that timed out or a deadlock victim: nothing was written, try again.
                if (attempt >= 5 || !(Backfill.isUniqueViolation(e) || isLockConflict(e))) {
                    throw e;
                }
            }
        }
    }

    /** A lock timeout or deadlock (SQLSTATE 40001, 40P01, 55P03, H2's HYT00/50200, MariaDB 1205/1213). */
    static boolean isLockConflict(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state)
                || "40P01".equals(state)
                || "55P03".equals(state)
                || "HYT00".equals(state)
                || e.getErrorCode() == 50200
                || e.getErrorCode() == 1205
                || e.getErrorCode() == 1213;
    }

    private Outcome syncOnce(
            Connection source,
            Connection target,
            TableSpec sourceTable,
            TableSpec targetTable,
            List<List<Object>> keys,
            Predicate<Object> movesToTarget)
            throws SQLException {
        if (keys.isEmpty()) {
            return new Outcome(0, 0, 0);
        }
        // Peek first, without locks, and keep only keys whose source row is gone or moves to this
        // target. A row that does not move here (e.g. a mirror's copy on a shard that is both a
        // source and a target) is never ours; locking it on both sides would take locks in the
        // opposite order of the router that writes it there, a deadlock. A peeked row cannot start
        // to move here later (its shard key cannot change), and a row inserted after the peek has
        // its own changelog entry.
        String shardKeyColumn = sourceTable.shardKey().toLowerCase(Locale.ROOT);
        Map<List<Object>, Map<String, Object>> peek = Rows.byKeys(source, sourceDialect, sourceTable, keys, false);
        List<List<Object>> mine = new ArrayList<>(keys.size());
        for (List<Object> key : keys) {
            Map<String, Object> row = peek.get(Rows.normalizeKey(key));
            if (row == null || movesToTarget.test(row.get(shardKeyColumn))) {
                mine.add(key);
            }
        }
        if (mine.isEmpty()) {
            return new Outcome(0, 0, keys.size());
        }
        if (mine.size() < keys.size()) {
            Outcome rest = syncOnce(source, target, sourceTable, targetTable, mine, movesToTarget);
            return new Outcome(rest.upserted(), rest.deleted(), rest.unchanged() + keys.size() - mine.size());
        }
        source.setAutoCommit(false);
        target.setAutoCommit(false);
        try {
            Map<List<Object>, Map<String, Object>> src = Rows.byKeys(source, sourceDialect, sourceTable, keys, true);
            Map<List<Object>, Map<String, Object>> dst = Rows.byKeys(target, targetDialect, targetTable, keys, true);
            String shardKey = sourceTable.shardKey().toLowerCase(Locale.ROOT);
            int upserted = 0;
            int deleted = 0;
            int unchanged = 0;
            try (PreparedStatement upsert = target.prepareStatement(targetDialect.upsert(targetTable));
                    PreparedStatement delete = target.prepareStatement(targetDialect.deleteByKey(targetTable))) {
                for (Map.Entry<List<Object>, List<Object>> e : keyed(keys).entrySet()) {
                    Map<String, Object> wanted = src.get(e.getKey());
                    if (wanted != null && !movesToTarget.test(wanted.get(shardKey))) {
                        wanted = null;
                    }
                    Map<String, Object> present = dst.get(e.getKey());
                    if (wanted != null) {
                        if (Rows.same(wanted, present)) {
                            unchanged++;
                            continue;
                        }
                        bind(upsert, targetTable.columns(), wanted);
                        upsert.addBatch();
                        upserted++;
                    } else if (present != null && movesToTarget.test(present.get(shardKey))) {
                        bindKey(delete, e.getValue());
                        delete.addBatch();
                        deleted++;
                    } else {
                        unchanged++;
                    }
                }
                if (upserted > 0) {
                    upsert.executeBatch();
                }
                if (deleted > 0) {
                    delete.executeBatch();
                }
            }
            target.commit();
            source.commit();
            return new Outcome(upserted, deleted, unchanged);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(target);
            rollbackQuietly(source);
            throw e;
        } finally {
            target.setAutoCommit(true);
            source.setAutoCommit(true);
        }
    }

    private static Map<List<Object>, List<Object>> keyed(List<List<Object>> keys) {
        Map<List<Object>, List<Object>> out = new LinkedHashMap<>();
        keys.forEach(k -> out.put(Rows.normalizeKey(k), k));
        return out;
    }

    private static void bind(PreparedStatement ps, List<String> columns, Map<String, Object> row) throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            ps.setObject(i + 1, row.get(columns.get(i).toLowerCase(Locale.ROOT)));
        }
    }

    private static void bindKey(PreparedStatement ps, List<Object> key) throws SQLException {
        for (int i = 0; i < key.size(); i++) {
            ps.setObject(i + 1, key.get(i));
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the caller sees the original failure
        }
    }
}
