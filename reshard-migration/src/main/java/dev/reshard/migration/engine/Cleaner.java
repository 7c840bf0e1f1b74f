package dev.reshard.migration.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Checkpoint;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.migration.Rows;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/*
 * Design notes
 *
 * Cleanup (DESIGN.md §4) deletes the moved rows from the old shards once nobody reads them there:
 * it walks each source table in primary-key order (keyset, checkpointed per pair and table like the
 * backfill), and for each batch of moving rows it reads the same keys on the new shard and deletes
 * only the rows that are present there and identical, or that were written on the new shard since
 * the cutover (its change capture logged them: the new shard holds the truth for those, a delete
 * included). A row that is missing or different on the new shard for any other reason stops the
 * cleanup with the keys named: deleting it would lose data, and the migration has
 * to be verified first. With a backup directory, each batch is appended as JSON lines to
 * <dir>/<migration>/<table>.<shard>.jsonl before it is deleted (a batch written but not deleted
 * before a crash is written again on resume: the file may hold a row twice, never miss one).
 *
 * The same walk removes the copied rows from the new shards in a rollback, with no confirmation:
 * there the old shards are the truth (checked by the rollback before it gets here).
 *
 * Progress: after every checkpointed batch the cleaner tells its caller the checkpoint's name; the
 * engine derives the rows deleted per table from the checkpoints (as for the backfill) and reports
 * at most every ~2 s, so that a long cleanup shows its progress while it runs.
 */
/** Deletes the moving rows of every pair from one side, in confirmed, checkpointed batches. */
final class Cleaner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Catalog catalog;
    private final String migrationId;
    private final ShardAccess shards;
    private final ShardMap from;
    private final ShardMap to;
    private final List<Pair> pairs;
    private final MigrationOptions options;
    private final CrashPoints crash;
    private final Runnable leaseCheck;
    private final Function<ShardId, Map<String, Set<List<Object>>>> changedSinceCutover;
    private final Consumer<String> progress;

    private final MigrationContext context;

    /**
     * @param progress called with the checkpoint name ({@code ~cleanup:<table>} or {@code
     *     ~unload:<table>}) after every checkpointed batch, as the backfill reports its batches;
     *     it must be cheap (the engine throttles what it does with it)
     */
    Cleaner(
            MigrationContext context,
            Function<ShardId, Map<String, Set<List<Object>>>> changedSinceCutover,
            Consumer<String> progress) {
        this.context = context;
        this.catalog = context.catalog();
        this.migrationId = context.migrationId();
        this.shards = context.shards();
        this.from = context.from();
        this.to = context.to();
        this.pairs = context.pairs();
        this.options = context.options();
        this.crash = context.crash();
        this.leaseCheck = context.leaseCheck();
        this.changedSinceCutover = changedSinceCutover;
        this.progress = progress;
    }

    /**
     * Deletes the moved rows from the old shards (each batch confirmed identical on the new one).
     *
     * @return rows deleted
     */
    long cleanupOld(List<String> backupFiles) throws SQLException {
        long deleted = 0;
        for (Pair pair : pairs) {
            deleted += deleteMoving(pair, pair.source(), Optional.of(pair.target()), "~cleanup:", backupFiles);
        }
        return deleted;
    }

    /** Deletes the copied rows from the new shards (rollback): the old shards hold the truth. */
    long removeFromNew() throws SQLException {
        long deleted = 0;
        for (Pair pair : pairs) {
            deleted += deleteMoving(pair, pair.target(), Optional.empty(), "~unload:", new ArrayList<>());
        }
        return deleted;
    }

    private long deleteMoving(
            Pair pair, ShardId side, Optional<ShardId> confirmOn, String prefix, List<String> backupFiles)
            throws SQLException {
        long deleted = 0;
        Connection c = shards.open(side);
        Connection other = confirmOn.isPresent() ? shards.open(confirmOn.get()) : null;
        try {
            Dialect dialect = shards.dialect(side, c);
            for (MigratedTable table : shards.tables()) {
                String name = prefix + table.key();
                Checkpoint cp = context.checkpoint(name, pair);
                if (cp.done()) {
                    deleted += cp.rowsCopied();
                    continue;
                }
                TableSpec spec = shards.spec(side, c, table);
                Optional<List<Object>> cursor = cp.cursor().map(CursorCodec::decode);
                long rows = cp.rowsCopied();
                boolean done = false;
                while (!done) {
                    leaseCheck.run();
                    Page page = page(c, dialect, spec, cursor, options.cleanupBatchRows(), pair);
                    done = page.read < options.cleanupBatchRows();
                    cursor = page.last;
                    if (!page.keys.isEmpty()) {
                        Map<List<Object>, Map<String, Object>> mine = Rows.byKeys(c, dialect, spec, page.keys, false);
                        if (other != null) {
                            confirm(pair, table, spec, mine, other, page.keys);
                        }
                        if (options.backupDir().isPresent() && other != null) {
                            backupFiles.add(backup(table, side, mine).toString());
                        }
                        rows += delete(c, dialect, spec, page.keys);
                    }
                    catalog.saveCheckpoint(new Checkpoint(
                            migrationId,
                            name,
                            pair.source(),
                            pair.target(),
                            cursor.map(CursorCodec::encode),
                            rows,
                            done,
                            catalog.now()));
                    crash.at(CrashPoint.CLEANUP_BATCH);
                    progress.accept(name);
                }
                deleted += rows;
            }
        } finally {
            if (other != null) {
                shards.release(confirmOn.get(), other);
            }
            shards.release(side, c);
        }
        return deleted;
    }

    private void confirm(
            Pair pair,
            MigratedTable table,
            TableSpec spec,
            Map<List<Object>, Map<String, Object>> mine,
            Connection other,
            List<List<Object>> keys)
            throws SQLException {
        TableSpec otherSpec = shards.spec(pair.target(), other, table);
        Map<List<Object>, Map<String, Object>> theirs =
                Rows.byKeys(other, shards.dialect(pair.target(), other), otherSpec, keys, false);
        List<List<Object>> bad = new ArrayList<>();
        String first = "";
        Set<List<Object>> changedOnNew = Set.of();
        boolean differs = mine.entrySet().stream().anyMatch(e -> !Rows.same(e.getValue(), theirs.get(e.getKey())));
        if (differs) {
            changedOnNew = changedSinceCutover.apply(pair.target()).getOrDefault(table.key(), Set.of());
        }
        for (Map.Entry<List<Object>, Map<String, Object>> e : mine.entrySet()) {
            // Identical, or written on the new shard since the cutover (the new shard is the truth
            // for those: its capture logged them). Anything else would be lost by deleting it.
            if (!Rows.same(e.getValue(), theirs.get(e.getKey())) && !changedOnNew.contains(e.getKey())) {
                if (bad.isEmpty()) {
                    first = "; e.g. old " + e.getValue() + ", new " + theirs.get(e.getKey());
                }
                bad.add(e.getKey());
            }
        }
        if (!bad.isEmpty()) {
            throw new ReshardException("cleanup of " + table.key() + " on " + pair.source() + " stopped: " + bad.size()
                    + " moved row(s) are missing or different on " + pair.target() + " (keys "
                    + bad.subList(0, Math.min(10, bad.size())) + first + "); nothing of this batch was deleted."
                    + " Either these rows were written on " + pair.source() + " after the cutover (by a writer"
                    + " that does not go through a Reshard router, or one that missed the cutover), or "
                    + pair.target() + " lost them. Compare those keys on both shards and bring "
                    + pair.target() + " up to date (it serves them now), then `reshard migrate resume "
                    + migrationId + "` retries the cleanup; it deletes no row that still differs");
        }
    }

    private Path backup(MigratedTable table, ShardId side, Map<List<Object>, Map<String, Object>> rows)
            throws SQLException {
        Path dir = options.backupDir().orElseThrow().resolve(migrationId);
        Path file = dir.resolve(table.key() + "." + side.value() + ".jsonl");
        try {
            Files.createDirectories(dir);
            try (BufferedWriter w = Files.newBufferedWriter(
                    file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                for (Map<String, Object> row : rows.values()) {
                    Map<String, Object> printable = new LinkedHashMap<>();
                    row.forEach((k, v) -> printable.put(
                            k,
                            v instanceof byte[] b
                                    ? java.util.Base64.getEncoder().encodeToString(b)
                                    : v == null
                                            ? null
                                            : v instanceof Number || v instanceof Boolean ? v : v.toString()));
                    w.write(JSON.writeValueAsString(printable));
                    w.newLine();
                }
            }
            return file;
        } catch (IOException e) {
            throw new ReshardException(
                    "cleanup could not write the backup file " + file + ": " + e.getMessage()
                            + "; nothing of this batch was deleted. Fix the directory (space, permissions) or drop backupDir",
                    e);
        }
    }

    private static int delete(Connection c, Dialect dialect, TableSpec spec, List<List<Object>> keys)
            throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(dialect.deleteByKey(spec))) {
            for (List<Object> key : keys) {
                for (int i = 0; i < key.size(); i++) {
                    ps.setObject(i + 1, key.get(i));
                }
                ps.addBatch();
            }
            int n = 0;
            for (int r : ps.executeBatch()) {
                n += Math.max(0, r);
            }
            c.commit();
            return n;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private record Page(int read, List<List<Object>> keys, Optional<List<Object>> last) {}

    /** The next keyset page of (primary key, shard key) after {@code after}; keeps the pair's moving keys. */
    private Page page(Connection c, Dialect dialect, TableSpec spec, Optional<List<Object>> after, int limit, Pair pair)
            throws SQLException {
        String pk = dialect.columnList(spec.primaryKey());
        StringBuilder sql = new StringBuilder("SELECT ").append(pk).append(", ").append(dialect.quote(spec.shardKey()));
        sql.append(" FROM ").append(dialect.quote(spec.table()));
        if (after.isPresent()) {
            sql.append(" WHERE (")
                    .append(pk)
                    .append(") > (")
                    .append("?, ".repeat(spec.primaryKey().size() - 1))
                    .append("?)");
        }
        sql.append(" ORDER BY ").append(pk).append(" LIMIT ").append(limit);
        List<List<Object>> keys = new ArrayList<>();
        List<Object> last = after.orElse(null);
        int read = 0;
        var moves = pair.moves(from, to);
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            if (after.isPresent()) {
                for (int i = 0; i < after.get().size(); i++) {
                    ps.setObject(i + 1, after.get().get(i));
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = spec.primaryKey().size();
                while (rs.next()) {
                    read++;
                    List<Object> key = new ArrayList<>(n);
                    for (int i = 1; i <= n; i++) {
                        key.add(rs.getObject(i));
                    }
                    last = key;
                    if (moves.test(rs.getObject(n + 1))) {
                        keys.add(key);
                    }
                }
            }
        }
        return new Page(read, keys, Optional.ofNullable(last));
    }
}
