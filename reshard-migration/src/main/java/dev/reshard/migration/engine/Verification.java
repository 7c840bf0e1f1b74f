package dev.reshard.migration.engine;

import dev.reshard.core.Key;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.migration.Rows;
import dev.reshard.migration.SyncFromSource;
import dev.reshard.migration.Verifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/*
 * Design notes
 *
 * Full verification (DESIGN.md §4): per pair and table, Verifier compares chunks (count + wrapping
 * sum of in-database 64-bit row hashes) and names the keys of the chunks that differ; for range and
 * directory moves it first compares one count and sum computed inside each database over the
 * moving rows (MovingKeys), and reads chunks only if those differ. Those keys
 * are repaired with sync-from-source and re-checked key by key; a key can differ only because a
 * write was in flight (its mirror commits after the primary), so a re-check that still differs
 * syncs again, up to options.verifyRounds rounds. What remains is reported, and the engine does not
 * switch reads while anything remains.
 *
 * Key re-check (before READ_NEW and inside the cutover freeze): the keys catch-up replayed since
 * the last check are compared row by row (they are few); with the fences raised no write is in
 * flight, so a difference there is real and is repaired before the switch.
 *
 * The directory strategy also gets the guide's per-tenant count check: the rows of every moved
 * tenant are counted on both sides, inside the databases.
 */
/** Verifies the moving rows of every pair and repairs what differs. */
final class Verification {
    private final ShardAccess shards;
    private final ShardMap from;
    private final ShardMap to;
    private final List<Pair> pairs;
    private final MigrationOptions options;
    private final boolean reverse;

    /** @param reverse compare new (as the truth) against old, for a rollback after cutover */
    Verification(MigrationContext context, boolean reverse) {
        this.shards = context.shards();
        this.from = context.from();
        this.to = context.to();
        this.pairs = context.pairs();
        this.options = context.options();
        this.reverse = reverse;
    }

    /** Compares everything, repairs, re-checks; fills {@code out}. */
    void full(MigrationReport.Verification out) throws SQLException {
        long start = System.nanoTime();
        out.tables.clear();
        out.clean = true;
        for (Pair pair : pairs) {
            Side side = side(pair);
            try {
                for (MigratedTable table : shards.tables()) {
                    TableSpec s = shards.spec(side.truth, side.truthConn, table);
                    TableSpec t = shards.spec(side.copy, side.copyConn, table);
                    Verifier.Report r = new Verifier(side.truthDialect, side.copyDialect)
                            .compare(
                                    side.truthConn,
                                    side.copyConn,
                                    s,
                                    t,
                                    options.verifyChunkRows(),
                                    pair.moves(from, to),
                                    MovingKeys.condition(
                                            from, to, pair, side.truthDialect, side.truthDialect.quote(s.shardKey())));
                    out.tables.add(new MigrationReport.TableCheck(
                            table.key(),
                            pair.source().value(),
                            pair.target().value(),
                            r.sourceRows(),
                            r.targetRows(),
                            r.chunks(),
                            r.mismatchedChunks(),
                            r.mismatchedKeys().size()));
                    out.mismatchesFound += r.mismatchedKeys().size();
                    if (!r.clean()) {
                        int left = repair(side, s, t, r.mismatchedKeys(), pair.moves(from, to), out);
                        out.clean &= left == 0;
                    }
                }
                if (!reverse) {
                    tenantCounts(pair, side, out);
                }
            } finally {
                side.close();
            }
        }
        out.durationMillis = (System.nanoTime() - start) / 1_000_000;
    }

    /** Re-checks (and repairs) the given keys; returns how many still differ. */
    int recheck(CatchUpRunner.Changed changed, MigrationReport.Verification out) throws SQLException {
        int left = 0;
        for (Map.Entry<Pair, Map<String, Set<List<Object>>>> e : changed.keys().entrySet()) {
            Pair pair = e.getKey();
            Side side = side(pair);
            try {
                for (MigratedTable table : shards.tables()) {
                    Set<List<Object>> keys = e.getValue().get(table.key());
                    if (keys == null || keys.isEmpty()) {
                        continue;
                    }
                    out.keysRechecked += keys.size();
                    TableSpec s = shards.spec(side.truth, side.truthConn, table);
                    TableSpec t = shards.spec(side.copy, side.copyConn, table);
                    List<List<Object>> differing = differing(side, s, t, new ArrayList<>(keys), pair.moves(from, to));
                    out.mismatchesFound += differing.size();
                    left += repair(side, s, t, differing, pair.moves(from, to), out);
                }
            } finally {
                side.close();
            }
        }
        return left;
    }

    private int repair(
            Side side,
            TableSpec s,
            TableSpec t,
            List<List<Object>> keys,
            Predicate<Object> moves,
            MigrationReport.Verification out)
            throws SQLException {
        List<List<Object>> left = keys;
        SyncFromSource sync = new SyncFromSource(side.truthDialect, side.copyDialect);
        for (int round = 0; round < options.verifyRounds() && !left.isEmpty(); round++) {
            out.rounds = Math.max(out.rounds, round + 1);
            for (int i = 0; i < left.size(); i += 200) {
                sync.sync(side.truthConn, side.copyConn, s, t, left.subList(i, Math.min(left.size(), i + 200)), moves);
            }
            List<List<Object>> still = differing(side, s, t, left, moves);
            out.mismatchesRepaired += left.size() - still.size();
            left = still;
        }
        return left.size();
    }

    /** The keys whose moving row differs between the two sides (present on one only, or unequal). */
    private static List<List<Object>> differing(
            Side side, TableSpec s, TableSpec t, List<List<Object>> keys, Predicate<Object> moves) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += 200) {
            List<List<Object>> chunk = keys.subList(i, Math.min(keys.size(), i + 200));
            Map<List<Object>, Map<String, Object>> a = Rows.byKeys(side.truthConn, side.truthDialect, s, chunk, false);
            Map<List<Object>, Map<String, Object>> b = Rows.byKeys(side.copyConn, side.copyDialect, t, chunk, false);
            String shardKey = s.shardKey().toLowerCase(java.util.Locale.ROOT);
            for (List<Object> key : chunk) {
                List<Object> k = Rows.normalizeKey(key);
                Map<String, Object> x = a.get(k);
                Map<String, Object> y = b.get(k);
                if (x != null && !moves.test(x.get(shardKey))) {
                    x = null;
                }
                if (y != null && !moves.test(y.get(shardKey))) {
                    y = null;
                }
                if (!Rows.same(x, y)) {
                    out.add(key);
                }
            }
        }
        return out;
    }

    /** The guide's directory check: each moved tenant has as many rows on the target as on the source. */
    private void tenantCounts(Pair pair, Side side, MigrationReport.Verification out) throws SQLException {
        MoveSet moves = ShardMaps.diff(from, to);
        List<Key> tenants = new ArrayList<>();
        for (MoveSet.Move m : moves.moves()) {
            if (m.unit() instanceof MoveSet.Tenant tenant
                    && m.from().equals(pair.source())
                    && m.to().equals(pair.target())) {
                tenants.add(tenant.key());
            }
        }
        if (tenants.isEmpty()) {
            return;
        }
        for (MigratedTable table : shards.tables()) {
            TableSpec s = shards.spec(side.truth, side.truthConn, table);
            TableSpec t = shards.spec(side.copy, side.copyConn, table);
            for (int i = 0; i < tenants.size(); i += 500) {
                List<Key> chunk = tenants.subList(i, Math.min(tenants.size(), i + 500));
                Map<String, Long> a = counts(side.truthConn, side.truthDialect, s, chunk);
                Map<String, Long> b = counts(side.copyConn, side.copyDialect, t, chunk);
                for (Key k : chunk) {
                    out.tenantsChecked++;
                    if (!a.getOrDefault(k.toString(), 0L).equals(b.getOrDefault(k.toString(), 0L))) {
                        out.tenantCountMismatches++;
                        out.clean = false;
                    }
                }
            }
        }
    }

    private static Map<String, Long> counts(Connection c, Dialect dialect, TableSpec table, List<Key> tenants)
            throws SQLException {
        String column = dialect.quote(table.shardKey());
        String sql = "SELECT " + column + ", COUNT(*) FROM " + dialect.quote(table.table()) + " WHERE " + column
                + " IN (" + "?, ".repeat(tenants.size() - 1) + "?) GROUP BY " + column;
        Map<String, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < tenants.size(); i++) {
                ps.setObject(i + 1, bindable(tenants.get(i)));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(dev.reshard.core.Key.ofJdbc(rs.getObject(1)).toString(), rs.getLong(2));
                }
            }
        }
        return out;
    }

    private static Object bindable(Key key) {
        if (key instanceof Key.LongKey l) {
            return l.value();
        }
        if (key instanceof Key.UuidKey u) {
            return u.value();
        }
        return ((Key.StringKey) key).value();
    }

    private Side side(Pair pair) throws SQLException {
        return reverse
                ? new Side(shards, pair.target(), pair.source())
                : new Side(shards, pair.source(), pair.target());
    }

    /** Open connections to the side that holds the truth and the side that holds the copy. */
    private static final class Side implements AutoCloseable {
        final ShardAccess shards;
        final dev.reshard.core.ShardId truth;
        final dev.reshard.core.ShardId copy;
        final Connection truthConn;
        final Connection copyConn;
        final Dialect truthDialect;
        final Dialect copyDialect;

        Side(ShardAccess shards, dev.reshard.core.ShardId truth, dev.reshard.core.ShardId copy) throws SQLException {
            this.shards = shards;
            this.truth = truth;
            this.copy = copy;
            this.truthConn = shards.open(truth);
            Connection c;
            try {
                c = shards.open(copy);
            } catch (SQLException | RuntimeException e) {
                shards.release(truth, truthConn);
                throw e;
            }
            this.copyConn = c;
            this.truthDialect = shards.dialect(truth, truthConn);
            this.copyDialect = shards.dialect(copy, copyConn);
        }

        @Override
        public void close() {
            shards.release(copy, copyConn);
            shards.release(truth, truthConn);
        }
    }
}
