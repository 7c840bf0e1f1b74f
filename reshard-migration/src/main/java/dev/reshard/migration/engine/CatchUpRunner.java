package dev.reshard.migration.engine;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Checkpoint;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeEntry;
import dev.reshard.migration.CatchUp;
import dev.reshard.migration.Rows;
import dev.reshard.migration.SyncFromSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/*
 * Design notes
 *
 * Catch-up replays a changelog with sync-from-source (DESIGN.md §4). Forward, it reads the old
 * shards' changelog and syncs old -> new; in reverse (rollback after cutover) it reads the new
 * shards' changelog, captured since cutover, and syncs new -> old. Either way the rule of a row is
 * the pair's: a key that moves from S to T under (from, to) is synced between S and T, nothing
 * else is touched.
 *
 * The changelog holds keys, not shard keys (a table's primary key need not contain its shard key,
 * e.g. orders(id) sharded by user_id), so an entry is synced against every pair of the shard it
 * was read from: sync-from-source re-reads the row, decides by its shard key whether it belongs on
 * that pair's target, and deletes a target copy of a row that is gone. Usually a shard has one
 * pair.
 *
 * The position (the low-water mark of a ChangelogCursor) is checkpointed after each pass, so a
 * resumed engine re-reads at most one window plus one pass.
 */
/** Replays changelogs onto the other side of each pair, from a checkpointed low-water mark. */
final class CatchUpRunner {
    /** Changed keys remembered for the re-check before a switch; beyond this a full verify runs. */
    private static final int MAX_REMEMBERED_KEYS = 200_000;

    private final Catalog catalog;
    private final String migrationId;
    private final ShardAccess shards;
    private final ShardMap from;
    private final ShardMap to;
    private final List<Pair> pairs;
    private final boolean reverse;
    private final MigrationOptions options;
    private final Map<ShardId, ChangelogCursor> cursors = new LinkedHashMap<>();
    private final Map<Pair, Map<String, Set<List<Object>>>> changed = new LinkedHashMap<>();
    private boolean changedOverflow;
    private long entriesApplied;
    private long rowsSynced;
    private final Map<ShardId, Map<String, Set<List<Object>>>> changedSince = new LinkedHashMap<>();
    private final Map<ShardId, Long> changedSinceRead = new LinkedHashMap<>();

    CatchUpRunner(MigrationContext context, boolean reverse) {
        this.catalog = context.catalog();
        this.migrationId = context.migrationId();
        this.shards = context.shards();
        this.from = context.from();
        this.to = context.to();
        this.pairs = context.pairs();
        this.reverse = reverse;
        this.options = context.options();
    }

    /** The checkpoint name of the changelog positions of one direction. */
    String checkpointName() {
        return reverse ? "~changelog-new" : "~changelog";
    }

    /** The shards whose changelog this runner reads. */
    Set<ShardId> readers() {
        Set<ShardId> out = new LinkedHashSet<>();
        pairs.forEach(p -> out.add(reverse ? p.target() : p.source()));
        return out;
    }

    /**
     * Records, if not recorded yet, where each reader's replay starts: its current changelog head
     * when this run installed its capture ({@code installedNow}: nothing captured before now can
     * matter), the beginning of its changelog otherwise (capture was there before: a crashed run
     * installed it, or the catalog lost the start; replaying more is work, skipping is loss).
     */
    void recordStart(Set<ShardId> installedNow) throws SQLException {
        Map<ShardId, Checkpoint> saved = saved();
        for (ShardId reader : readers()) {
            if (!saved.containsKey(reader)) {
                long start = installedNow.contains(reader) ? shards.with(reader, CatchUpRunner::head) : 0L;
                save(reader, start);
            }
        }
    }

    /** True if the connection's shard has a changelog table (capture was installed there once). */
    static boolean hasChangelog(Connection c) throws SQLException {
        var meta = c.getMetaData();
        for (String name : List.of("reshard_changelog", "RESHARD_CHANGELOG")) {
            try (ResultSet rs = meta.getTables(c.getCatalog(), null, name, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The highest changelog id on the connection's shard (0 when empty). */
    static long head(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT MAX(id) FROM reshard_changelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** What one pass over every reader did. */
    record Pass(int freshEntries, int rowsSynced) {}

    /** Changelog entries replayed by this runner so far. */
    long entriesApplied() {
        return entriesApplied;
    }

    /** Rows this runner upserted or deleted so far. */
    long rowsSynced() {
        return rowsSynced;
    }

    /** Reads every reader's changelog from its mark to the end and replays the entries not yet replayed. */
    Pass pass() throws SQLException {
        int fresh = 0;
        int synced = 0;
        for (ShardId reader : readers()) {
            Pass p = passOn(reader);
            fresh += p.freshEntries;
            synced += p.rowsSynced;
        }
        entriesApplied += fresh;
        rowsSynced += synced;
        return new Pass(fresh, synced);
    }

    /**
     * Passes until one finds fewer than {@code threshold} fresh entries, or one is quicker than
     * {@code quickPass} (catch-up keeps pace with the writers: a final pass inside a freeze of that
     * length would finish), or {@code budget} ran out; returns the last pass.
     */
    Pass drain(int threshold, Duration quickPass, Duration budget) throws SQLException {
        long deadline = System.nanoTime() + budget.toNanos();
        while (true) {
            long start = System.nanoTime();
            Pass p = pass();
            long took = System.nanoTime() - start;
            if (p.freshEntries < threshold || took < quickPass.toNanos() || System.nanoTime() > deadline) {
                return p;
            }
        }
    }

    /** Passes until one finds fewer than {@code threshold} fresh entries or {@code budget} ran out. */
    Pass drain(int threshold, Duration budget) throws SQLException {
        return drain(threshold, Duration.ZERO, budget);
    }

    private Pass passOn(ShardId reader) throws SQLException {
        ChangelogCursor cursor = cursor(reader);
        Connection r = shards.open(reader);
        try {
            Map<String, TableSpec> readerSpecs = shards.specs(reader, r);
            List<Pair> mine = pairs.stream()
                    .filter(p -> (reverse ? p.target() : p.source()).equals(reader))
                    .toList();
            int fresh = 0;
            int synced = 0;
            List<Long> replayed = new ArrayList<>();
            long highest = cursor.mark();
            long after = cursor.mark();
            while (true) {
                List<ChangeEntry> page = shards.capture(reader, r).changesAfter(r, after, options.catchUpBatch());
                Map<String, Set<List<Object>>> keys = new LinkedHashMap<>();
                for (ChangeEntry e : page) {
                    after = Math.max(after, e.id());
                    highest = Math.max(highest, e.id());
                    if (!cursor.isNew(e.id())) {
                        continue;
                    }
                    replayed.add(e.id());
                    String table = e.table().toLowerCase(Locale.ROOT);
                    if (readerSpecs.containsKey(table)) {
                        fresh++;
                        keys.computeIfAbsent(table, k -> new LinkedHashSet<>()).add(Rows.normalizeKey(e.primaryKey()));
                    }
                }
                for (Pair pair : mine) {
                    synced += syncAll(pair, r, readerSpecs, keys);
                }
                if (page.size() < options.catchUpBatch()) {
                    break;
                }
            }
            cursor.passed(replayed, highest, System.nanoTime());
            save(reader, cursor.mark());
            return new Pass(fresh, synced);
        } finally {
            shards.release(reader, r);
        }
    }

    private int syncAll(
            Pair pair, Connection readerConn, Map<String, TableSpec> readerSpecs, Map<String, Set<List<Object>>> keys)
            throws SQLException {
        if (keys.isEmpty()) {
            return 0;
        }
        ShardId other = reverse ? pair.source() : pair.target();
        ShardId reader = reverse ? pair.target() : pair.source();
        Connection o = shards.open(other);
        try {
            Map<String, TableSpec> otherSpecs = shards.specs(other, o);
            SyncFromSource sync = new SyncFromSource(shards.dialect(reader, readerConn), shards.dialect(other, o));
            int synced = 0;
            for (Map.Entry<String, Set<List<Object>>> t : keys.entrySet()) {
                SyncFromSource.Outcome out = CatchUp.syncKeys(
                        sync,
                        readerConn,
                        o,
                        readerSpecs.get(t.getKey()),
                        otherSpecs.get(t.getKey()),
                        t.getValue(),
                        pair.moves(from, to));
                synced += out.upserted() + out.deleted();
                remember(pair, t.getKey(), t.getValue());
            }
            return synced;
        } finally {
            shards.release(other, o);
        }
    }

    private void remember(Pair pair, String table, Set<List<Object>> keys) {
        if (changedOverflow) {
            return;
        }
        Set<List<Object>> set = changed.computeIfAbsent(pair, p -> new LinkedHashMap<>())
                .computeIfAbsent(table, t -> new LinkedHashSet<>());
        set.addAll(keys);
        long total = changed.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(Set::size)
                .sum();
        if (total > MAX_REMEMBERED_KEYS) {
            changedOverflow = true;
            changed.clear();
        }
    }

    /**
     * The keys replayed since the last call, per pair and table; empty with {@code overflow} when
     * more changed than is worth re-checking key by key (then verify everything).
     */
    Changed takeChanged() {
        Changed out = new Changed(Map.copyOf(changed), changedOverflow);
        changed.clear();
        changedOverflow = false;
        return out;
    }

    /**
     * The keys logged on {@code shard}'s changelog since this runner's recorded start, per table
     * (for cleanup's confirmation: on a new shard, the rows written there since the cutover).
     * Incremental: each call reads only what was logged since the previous one. Holds the keys
     * changed since the cutover in memory.
     */
    Map<String, Set<List<Object>>> changedSinceStart(ShardId shard) throws SQLException {
        Map<String, Set<List<Object>>> out = changedSince.computeIfAbsent(shard, s -> new LinkedHashMap<>());
        long after = changedSinceRead.computeIfAbsent(shard, s -> {
            Checkpoint cp = saved().get(s);
            return cp == null
                    ? 0L
                    : cp.cursor()
                            .map(CursorCodec::decode)
                            .map(k -> ((Number) k.get(0)).longValue())
                            .orElse(0L);
        });
        Connection c = shards.open(shard);
        try {
            while (true) {
                List<ChangeEntry> page = shards.capture(shard, c).changesAfter(c, after, options.catchUpBatch());
                for (ChangeEntry e : page) {
                    after = Math.max(after, e.id());
                    out.computeIfAbsent(e.table().toLowerCase(Locale.ROOT), t -> new java.util.HashSet<>())
                            .add(Rows.normalizeKey(e.primaryKey()));
                }
                if (page.size() < options.catchUpBatch()) {
                    // Ids follow insertion order: re-read the last window next time (cheap, set semantics).
                    changedSinceRead.put(shard, Math.max(changedSinceRead.get(shard), after - options.catchUpBatch()));
                    return out;
                }
            }
        } finally {
            shards.release(shard, c);
        }
    }

    record Changed(Map<Pair, Map<String, Set<List<Object>>>> keys, boolean overflow) {}

    private ChangelogCursor cursor(ShardId reader) throws SQLException {
        ChangelogCursor c = cursors.get(reader);
        if (c == null) {
            Checkpoint cp = saved().get(reader);
            long mark = cp == null
                    ? shards.with(reader, CatchUpRunner::head)
                    : cp.cursor()
                            .map(CursorCodec::decode)
                            .map(k -> ((Number) k.get(0)).longValue())
                            .orElse(0L);
            c = new ChangelogCursor(mark, options.catchUpWindow().toNanos());
            cursors.put(reader, c);
        }
        return c;
    }

    private Map<ShardId, Checkpoint> saved() {
        Map<ShardId, Checkpoint> out = new LinkedHashMap<>();
        for (Checkpoint cp : catalog.checkpoints(migrationId)) {
            if (cp.table().equals(checkpointName())) {
                out.put(cp.source(), cp);
            }
        }
        return out;
    }

    private void save(ShardId reader, long mark) {
        catalog.saveCheckpoint(new Checkpoint(
                migrationId,
                checkpointName(),
                reader,
                reader,
                Optional.of(CursorCodec.encode(List.of(mark))),
                0,
                false,
                catalog.now()));
    }
}
