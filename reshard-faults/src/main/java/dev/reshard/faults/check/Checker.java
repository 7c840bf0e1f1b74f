package dev.reshard.faults.check;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.faults.check.History.Kind;
import dev.reshard.faults.check.History.Op;
import dev.reshard.faults.check.History.Outcome;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The independent checker: reads every row of the table on every shard directly over JDBC and
 * compares it with the clients' operation history and the final shard map. It shares no code with
 * the engine's verifier nor with the demo workload: all it trusts is the clients' logs, the rows,
 * and {@link ShardMap#shardFor}.
 *
 * <p>What it counts (see {@link CheckReport#mustBeZero()}):
 *
 * <ul>
 *   <li><b>lost</b>: an ok insert or append whose value is not in the row's final history (or a
 *       row, loaded or acknowledged, that is gone);
 *   <li><b>duplicated</b>: a key with a row on two shards, or a value twice in one history;
 *   <li><b>misplaced</b>: a row on a shard the final map does not name for its key;
 *   <li><b>unexpected</b>: a value in a history that no client invoked for that key, or a row no
 *       client inserted and the run did not load;
 *   <li><b>failed-but-applied</b>: a value present whose write the client was told definitely failed;
 *   <li><b>out-of-order</b>: two appends one client thread made to one key, acknowledged in one order,
 *       standing in the history in the other;
 *   <li><b>stale reads</b>: an ok read whose history lacks a value the reading thread had already
 *       seen acknowledged (its own ok writes, and what its earlier reads returned) for that key, or
 *       no row for a key the thread knew to exist;
 *   <li><b>phantom reads</b>: a read returned a value never invoked for that key, or one whose
 *       write failed;
 *   <li><b>no-row writes</b>: an append refused because the shard the router chose had no row for a
 *       key that existed;
 *   <li><b>leftovers</b>: capture triggers still installed, changelog rows not trimmed.
 * </ul>
 *
 * Resurrected is always 0: the clients do not delete.
 */
public final class Checker {
    /** Opens a plain connection to a shard. */
    @FunctionalInterface
    public interface Shards {
        Connection open(ShardId shard) throws SQLException;
    }

    private record Copy(ShardId shard, String hist) {}

    private Checker() {}

    /**
     * @param table the table the clients wrote, with key column {@code key}
     * @param rowsLoaded keys {@code 0 .. rowsLoaded-1} were loaded with an empty history
     * @param from the map before the migration (for the share of operations on moving keys)
     * @param to the map the migration moved to
     * @param finalMap the map the catalog routes by at the end
     */
    public static CheckReport check(
            List<ShardId> shardIds,
            Shards shards,
            String table,
            String key,
            int rowsLoaded,
            ShardMap from,
            ShardMap to,
            ShardMap finalMap,
            History history,
            long seed)
            throws SQLException {
        CheckReport r = new CheckReport();
        r.seed = seed;
        r.mapVersion = finalMap.version();
        r.rowsLoaded = rowsLoaded;
        r.malformedLines = history.malformed();

        Map<Long, List<Copy>> rows = new HashMap<>();
        for (ShardId shard : shardIds) {
            try (Connection c = shards.open(shard)) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT " + key + ", hist FROM " + table)) {
                    while (rs.next()) {
                        rows.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                                .add(new Copy(shard, rs.getString(2)));
                    }
                }
                leftovers(r, c, shard, table, key);
            }
        }

        // Values of every write invoked, for unexpected / failed-but-applied.
        Map<String, Op> writes = new HashMap<>();
        Set<Long> insertInvoked = new HashSet<>();
        for (Op op : history.all()) {
            r.ops++;
            if (!from.shardFor(Key.of(op.key)).equals(to.shardFor(Key.of(op.key)))) {
                r.movingOps++;
            }
            if (op.isWrite()) {
                r.writes++;
                writes.put(op.value, op);
                if (op.kind == Kind.INSERT) {
                    insertInvoked.add(op.key);
                }
                switch (op.outcome) {
                    case OK -> r.writesOk++;
                    case FAIL -> r.writesFail++;
                    default -> r.writesUnknown++;
                }
                if (op.outcome == Outcome.FAIL && op.error.contains("no-row")) {
                    r.noRowWrites++;
                    r.sample("no-row write", op.toString());
                }
            } else {
                r.reads++;
                if (op.outcome == Outcome.OK) {
                    r.readsOk++;
                } else {
                    r.readsFail++;
                }
            }
        }

        // The final state, one history per key: the copy on the shard the final map names.
        Map<Long, List<String>> state = new HashMap<>();
        for (Map.Entry<Long, List<Copy>> e : rows.entrySet()) {
            long id = e.getKey();
            ShardId expected = finalMap.shardFor(Key.of(id));
            List<Copy> copies = e.getValue();
            r.rowsFinal++;
            if (copies.size() > 1) {
                r.duplicated++;
                r.sample(
                        "key on two shards",
                        id + " on " + copies.stream().map(Copy::shard).toList());
            }
            Copy chosen = null;
            for (Copy c : copies) {
                if (c.shard.equals(expected)) {
                    chosen = c;
                } else {
                    r.misplaced++;
                    r.sample(
                            "misplaced", id + " on " + c.shard + ", map v" + finalMap.version() + " names " + expected);
                }
            }
            if (chosen == null) {
                chosen = copies.get(0);
            }
            if (!(id >= 0 && id < rowsLoaded) && !insertInvoked.contains(id)) {
                r.unexpected++;
                r.sample("unexpected row", id + " on " + chosen.shard);
            }
            List<String> tokens = tokens(chosen.hist);
            state.put(id, tokens);
            Set<String> seen = new HashSet<>();
            for (String v : tokens) {
                if (!seen.add(v)) {
                    r.duplicated++;
                    r.sample("value twice", v + " in key " + id);
                }
                Op op = writes.get(v);
                if (op == null || op.key != id) {
                    r.unexpected++;
                    r.sample(
                            "unexpected value",
                            v + " in key " + id + (op == null ? " (never invoked)" : " (" + op + ")"));
                } else if (op.outcome == Outcome.FAIL) {
                    r.failedButApplied++;
                    r.sample("failed but applied", op.toString());
                }
            }
        }
        for (long id = 0; id < rowsLoaded; id++) {
            if (!rows.containsKey(id)) {
                r.lost++;
                r.sample("loaded row gone", Long.toString(id));
            }
        }

        // Lost and out-of-order, per client thread; stale and phantom reads in thread order.
        for (List<Op> ops : history.byThread().values()) {
            Map<Long, Set<String>> known = new HashMap<>();
            Map<Long, Integer> lastPosition = new HashMap<>();
            Set<Long> exists = new HashSet<>();
            for (Op op : ops) {
                if (op.isWrite()) {
                    if (op.outcome != Outcome.OK) {
                        continue;
                    }
                    r.acknowledged++;
                    List<String> hist = state.get(op.key);
                    int pos = hist == null ? -1 : hist.indexOf(op.value);
                    if (pos < 0) {
                        r.lost++;
                        r.sample("lost", op + (hist == null ? " (no row)" : " (history " + hist.size() + " values)"));
                    } else {
                        Integer last = lastPosition.put(op.key, pos);
                        if (last != null && last > pos) {
                            r.outOfOrder++;
                            r.sample("out of order", op + " at " + pos + " before an earlier ack at " + last);
                        }
                        if (op.kind == Kind.INSERT && pos != 0) {
                            r.outOfOrder++;
                            r.sample("out of order", op + " is not the first value of its row");
                        }
                    }
                    known.computeIfAbsent(op.key, k -> new HashSet<>()).add(op.value);
                    exists.add(op.key);
                } else if (op.outcome == Outcome.OK) {
                    boolean mustExist = (op.key >= 0 && op.key < rowsLoaded) || exists.contains(op.key);
                    Set<String> mustSee = known.getOrDefault(op.key, Set.of());
                    if (op.result == null) {
                        if (mustExist) {
                            r.staleReads++;
                            r.sample("stale read", op + " at " + op.completedAt + ": no row");
                        }
                        continue;
                    }
                    List<String> got = tokens(op.result);
                    Set<String> gotSet = new HashSet<>(got);
                    if (!gotSet.containsAll(mustSee)) {
                        Set<String> missing = new HashSet<>(mustSee);
                        missing.removeAll(gotSet);
                        r.staleReads++;
                        r.sample("stale read", op + " at " + op.completedAt + ": missing " + missing);
                    }
                    for (String v : got) {
                        Op w = writes.get(v);
                        if (w == null || w.key != op.key || w.outcome == Outcome.FAIL) {
                            r.phantomReads++;
                            r.sample("phantom read", op + ": " + v + (w == null ? " never invoked" : " from " + w));
                        }
                    }
                    known.computeIfAbsent(op.key, k -> new HashSet<>()).addAll(got);
                    exists.add(op.key);
                }
            }
        }
        return r;
    }

    private static List<String> tokens(String hist) {
        List<String> out = new ArrayList<>();
        if (hist == null) {
            return out;
        }
        for (String t : hist.split(",")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    private static void leftovers(CheckReport r, Connection c, ShardId shard, String table, String key)
            throws SQLException {
        TableSpec spec = Dialect.of(c).tableSpec(c, table, key);
        if (ChangeCapture.of(c).isInstalled(c, spec)) {
            r.leftoverTriggers++;
            r.sample("capture triggers installed", shard + "." + table);
        }
        long changelog = 0;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM reshard_changelog")) {
            rs.next();
            changelog = rs.getLong(1);
        } catch (SQLException e) {
            // no changelog table: capture never reached this shard
        }
        if (changelog > 0) {
            r.leftoverChangelogRows += changelog;
            r.sample("changelog rows", changelog + " on " + shard + ", first: " + firstRows(c));
        }
    }

    /** The first few changelog rows, every column, as evidence for a replay. */
    private static String firstRows(Connection c) {
        StringBuilder b = new StringBuilder();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM reshard_changelog ORDER BY id")) {
            int columns = rs.getMetaData().getColumnCount();
            for (int n = 0; n < 3 && rs.next(); n++) {
                b.append(n == 0 ? "" : "; ").append('{');
                for (int i = 1; i <= columns; i++) {
                    b.append(i == 1 ? "" : ", ")
                            .append(rs.getMetaData().getColumnName(i).toLowerCase(java.util.Locale.ROOT))
                            .append('=')
                            .append(rs.getString(i));
                }
                b.append('}');
            }
        } catch (SQLException e) {
            b.append("(cannot read: ").append(e.getMessage()).append(')');
        }
        return b.toString();
    }

    /** Per-shard row counts, for the report. */
    public static Map<ShardId, Long> rowCounts(List<ShardId> shardIds, Shards shards, String table)
            throws SQLException {
        Map<ShardId, Long> out = new LinkedHashMap<>();
        for (ShardId shard : shardIds) {
            try (Connection c = shards.open(shard);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                out.put(shard, rs.getLong(1));
            }
        }
        return out;
    }
}
