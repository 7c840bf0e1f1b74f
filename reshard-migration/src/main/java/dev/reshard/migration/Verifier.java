package dev.reshard.migration;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.TableSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/*
 * Design notes (DESIGN.md section 4, "Verification")
 *
 * Each database hashes its own rows; only (primary key, shard key, 64-bit row hash) crosses the
 * wire, never the row. The shard key has to cross because the routing rule (xxh3 of the key for
 * the hash strategies) cannot be evaluated in SQL, so the rows that move are picked out here.
 *
 * The row hash. On PostgreSQL, each column is hashed by its type's own extended hash function
 * (hashint8extended, hashtextextended, hash_numeric_extended, ...) seeded with the column's
 * position, NULL replaced by a per-position constant, and the column hashes XORed: no value is
 * formatted as text, which made the earlier text-based hash cost ~11x a count(*) (docs/
 * BENCHMARKS.md). Types without such a function fall back to hashing their text form. Values equal
 * under the type's equality hash equal (numeric 1.0 and 1.00, float -0 and 0): the copy paths move
 * values unchanged, so this loses nothing a migration can cause. MariaDB hashes the QUOTE()d
 * columns with MD5 and H2 with SHA-256 (first 64 bits), as before.
 *
 * Chunks. A chunk is one keyset page of the source (chunkRows rows read, moving or not) and the
 * same key range on the target, the last chunk open-ended so that rows the source no longer has
 * are seen. Per chunk, each side sums count and hashes of its moving rows in the JVM; the sum wraps
 * modulo 2^64 (a sum, never an XOR, so duplicates do not cancel). Nothing per row is kept: a chunk
 * that agrees costs no memory. A chunk that differs is read again from both sides with its keys,
 * after the scan, and the keys whose hashes differ are reported for repair.
 *
 * Pushed-down condition. When the caller can say in SQL which rows move (key ranges, tenants:
 * engine.MovingKeys), each database first counts and sums the hashes of those rows itself, both at
 * once; equal results end the check with nothing per row on the wire. Only a difference falls back
 * to the chunked compare, which names the keys.
 *
 * Both sides at once. A reader thread walks the source's pages ahead while this thread reads each
 * chunk's range on the target, so the two databases work in parallel (at most two chunks ahead);
 * the two connections are never used by two threads at a time.
 *
 * Both sides must run the same engine (the hash expressions differ between engines).
 */
/** Compares the moving rows of a table between a source and a target, chunk by chunk. */
public final class Verifier {
    private static final int QUEUED_CHUNKS = 2;

    private final Dialect sourceDialect;
    private final Dialect targetDialect;

    public Verifier(Dialect sourceDialect, Dialect targetDialect) {
        if (sourceDialect.engine() != targetDialect.engine()) {
            throw new IllegalArgumentException("verification compares shards of one engine, got "
                    + sourceDialect.engine() + " and " + targetDialect.engine());
        }
        this.sourceDialect = sourceDialect;
        this.targetDialect = targetDialect;
    }

    /** What a comparison found. */
    public record Report(
            long sourceRows, long targetRows, int chunks, int mismatchedChunks, List<List<Object>> mismatchedKeys) {
        public boolean clean() {
            return mismatchedKeys.isEmpty();
        }
    }

    /** One side's summary of a key range: moving rows counted and their hashes summed. */
    private static final class Chunk {
        Optional<List<Object>> after;
        /** The last key read, or empty for an open-ended range. */
        Optional<List<Object>> upTo = Optional.empty();

        int read;
        long rows;
        long sum;
        boolean last;
        /** Set instead of the rest when the source reader failed. */
        Throwable failure;
    }

    /** One side of the comparison: its connection, engine, table and row-hash expression. */
    private record Side(Connection connection, Dialect dialect, TableSpec table, String hash) {}

    public Report compare(
            Connection source,
            Connection target,
            TableSpec sourceTable,
            TableSpec targetTable,
            int chunkRows,
            Predicate<Object> movesToTarget)
            throws SQLException {
        return compare(source, target, sourceTable, targetTable, chunkRows, movesToTarget, Optional.empty());
    }

    /**
     * As {@link #compare(Connection, Connection, TableSpec, TableSpec, int, Predicate)}, first trying
     * {@code movingCondition}: a SQL condition that holds for (at least) the moving rows. With it,
     * each database counts and sums its moving rows' hashes itself, both at once, and nothing per
     * row crosses the wire; when the two agree the table is clean (one chunk). When they differ, the
     * chunked compare finds the keys.
     */
    public Report compare(
            Connection source,
            Connection target,
            TableSpec sourceTable,
            TableSpec targetTable,
            int chunkRows,
            Predicate<Object> movesToTarget,
            Optional<String> movingCondition)
            throws SQLException {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunk rows must be at least 1, was " + chunkRows);
        }
        Side src = new Side(source, sourceDialect, sourceTable, rowHash(source, sourceDialect, sourceTable));
        Side dst = new Side(target, targetDialect, targetTable, rowHash(target, targetDialect, targetTable));
        if (movingCondition.isPresent()) {
            long[][] sums = aggregateBoth(src, dst, movingCondition.get());
            if (sums[0][0] == sums[1][0] && sums[0][1] == sums[1][1]) {
                return new Report(sums[0][0], sums[1][0], 1, 0, List.of());
            }
        }

        BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader =
                new Thread(() -> readSource(src, chunkRows, movesToTarget, chunks, stop), "reshard-verify-source");
        reader.setDaemon(true);
        reader.start();

        long sourceRows = 0;
        long targetRows = 0;
        int count = 0;
        List<Chunk> differing = new ArrayList<>();
        try {
            while (true) {
                Chunk s = take(chunks);
                if (s.failure != null) {
                    throw rethrow(s.failure);
                }
                Chunk t = summarize(dst, s.after, s.last ? Optional.empty() : s.upTo, 0, movesToTarget);
                count++;
                sourceRows += s.rows;
                targetRows += t.rows;
                if (s.rows != t.rows || s.sum != t.sum) {
                    differing.add(s);
                }
                if (s.last) {
                    break;
                }
            }
        } finally {
            stop.set(true);
            chunks.clear();
            join(reader);
        }

        List<List<Object>> keys = new ArrayList<>();
        for (Chunk chunk : differing) {
            Optional<List<Object>> upTo = chunk.last ? Optional.empty() : chunk.upTo;
            Map<List<Object>, Long> a = hashes(src, chunk.after, upTo, movesToTarget);
            Map<List<Object>, Long> b = hashes(dst, chunk.after, upTo, movesToTarget);
            Set<List<Object>> all = new LinkedHashSet<>(a.keySet());
            all.addAll(b.keySet());
            for (List<Object> key : all) {
                if (!Objects.equals(a.get(key), b.get(key))) {
                    keys.add(key);
                }
            }
        }
        return new Report(sourceRows, targetRows, count, differing.size(), keys);
    }

    /** Count and wrapping hash sum of the rows matching {@code condition}, on both sides at once. */
    private static long[][] aggregateBoth(Side src, Side dst, String condition) throws SQLException {
        CompletableFuture<long[]> source = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try {
                        source.complete(aggregate(src, condition));
                    } catch (Throwable e) {
                        source.completeExceptionally(e);
                    }
                },
                "reshard-verify-source");
        reader.setDaemon(true);
        reader.start();
        long[] target;
        try {
            target = aggregate(dst, condition);
        } finally {
            join(reader); // the source connection is the caller's again only when the thread is done
        }
        try {
            return new long[][] {source.get(), target};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("verification was interrupted", "57014", e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static long[] aggregate(Side side, String condition) throws SQLException {
        String sql = "SELECT COUNT(*), SUM(" + side.hash() + ") FROM "
                + side.dialect().quote(side.table().table()) + " WHERE " + condition;
        try (PreparedStatement ps = side.connection().prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            Object sum = rs.getObject(2);
            return new long[] {rs.getLong(1), sum == null ? 0 : wrap(sum)};
        }
    }

    /** The sum modulo 2^64, as the chunked compare's wrapping sum. */
    private static long wrap(Object sum) {
        return new BigDecimal(String.valueOf(sum)).toBigInteger().longValue();
    }

    /** The reader thread: summarizes the source's pages in order and hands them over. */
    private static void readSource(
            Side src, int chunkRows, Predicate<Object> movesToTarget, BlockingQueue<Chunk> out, AtomicBoolean stop) {
        Optional<List<Object>> after = Optional.empty();
        try {
            while (!stop.get()) {
                Chunk chunk = summarize(src, after, Optional.empty(), chunkRows, movesToTarget);
                chunk.last = chunk.read < chunkRows;
                if (!offer(out, chunk, stop) || chunk.last) {
                    return;
                }
                after = chunk.upTo;
            }
        } catch (Throwable e) {
            Chunk failed = new Chunk();
            failed.failure = e;
            offer(out, failed, stop);
        }
    }

    private static boolean offer(BlockingQueue<Chunk> out, Chunk chunk, AtomicBoolean stop) {
        try {
            while (!stop.get()) {
                if (out.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Chunk take(BlockingQueue<Chunk> chunks) throws SQLException {
        try {
            return chunks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("verification was interrupted", "57014", e);
        }
    }

    private static void join(Thread reader) {
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static SQLException rethrow(Throwable failure) {
        if (failure instanceof SQLException e) {
            return new SQLException(e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return new SQLException("reading the source failed: " + failure, failure);
    }

    /** Counts and sums the moving rows of keys in (after, upTo] (bounds optional), at most {@code limit} read (0: all). */
    private static Chunk summarize(
            Side side,
            Optional<List<Object>> after,
            Optional<List<Object>> upTo,
            int limit,
            Predicate<Object> movesToTarget)
            throws SQLException {
        Chunk chunk = new Chunk();
        chunk.after = after;
        chunk.upTo = upTo;
        TableSpec table = side.table();
        int keys = table.primaryKey().size();
        int shardKeyAt = shardKeyColumn(table);
        try (PreparedStatement ps = side.connection().prepareStatement(select(side, after, upTo, limit))) {
            bind(ps, after, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    chunk.read++;
                    if (limit > 0 && chunk.read == limit) {
                        chunk.upTo = Optional.of(key(rs, keys));
                    }
                    if (!movesToTarget.test(rs.getObject(shardKeyAt))) {
                        continue;
                    }
                    chunk.rows++;
                    chunk.sum += hashOf(rs, keys + (shardKeyAt > keys ? 2 : 1)); // wraps: modulo 2^64
                }
            }
        }
        return chunk;
    }

    /** The moving rows' hashes by normalized key, for a chunk that differs. */
    private static Map<List<Object>, Long> hashes(
            Side side, Optional<List<Object>> after, Optional<List<Object>> upTo, Predicate<Object> movesToTarget)
            throws SQLException {
        Map<List<Object>, Long> out = new HashMap<>();
        TableSpec table = side.table();
        int keys = table.primaryKey().size();
        int shardKeyAt = shardKeyColumn(table);
        try (PreparedStatement ps = side.connection().prepareStatement(select(side, after, upTo, 0))) {
            bind(ps, after, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (movesToTarget.test(rs.getObject(shardKeyAt))) {
                        out.put(Rows.normalizeKey(key(rs, keys)), hashOf(rs, keys + (shardKeyAt > keys ? 2 : 1)));
                    }
                }
            }
        }
        return out;
    }

    /** The result column of the shard key: within the primary key when it is part of it, else after it. */
    private static int shardKeyColumn(TableSpec table) {
        int at = table.primaryKey().indexOf(table.shardKey());
        return at >= 0 ? at + 1 : table.primaryKey().size() + 1;
    }

    private static String select(Side side, Optional<List<Object>> after, Optional<List<Object>> upTo, int limit) {
        Dialect dialect = side.dialect();
        TableSpec table = side.table();
        String pk = dialect.columnList(table.primaryKey());
        String params = "(" + "?, ".repeat(table.primaryKey().size() - 1) + "?)";
        StringBuilder sql = new StringBuilder("SELECT ").append(pk);
        if (!table.primaryKey().contains(table.shardKey())) {
            sql.append(", ").append(dialect.quote(table.shardKey()));
        }
        sql.append(", ").append(side.hash()).append(" FROM ").append(dialect.quote(table.table()));
        List<String> where = new ArrayList<>();
        after.ifPresent(k -> where.add("(" + pk + ") > " + params));
        upTo.ifPresent(k -> where.add("(" + pk + ") <= " + params));
        if (!where.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", where));
        }
        sql.append(" ORDER BY ").append(pk);
        if (limit > 0) {
            sql.append(" LIMIT ").append(limit);
        }
        return sql.toString();
    }

    private static void bind(PreparedStatement ps, Optional<List<Object>> after, Optional<List<Object>> upTo)
            throws SQLException {
        int p = 1;
        for (Optional<List<Object>> bound : List.of(after, upTo)) {
            if (bound.isPresent()) {
                for (Object part : bound.get()) {
                    ps.setObject(p++, part);
                }
            }
        }
    }

    private static List<Object> key(ResultSet rs, int columns) throws SQLException {
        List<Object> key = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
            key.add(rs.getObject(i));
        }
        return key;
    }

    private static long hashOf(ResultSet rs, int column) throws SQLException {
        Object value = rs.getObject(column);
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Number n && !(value instanceof BigDecimal) && !(value instanceof BigInteger)) {
            return n.longValue();
        }
        return new BigDecimal(String.valueOf(value)).toBigInteger().longValue();
    }

    /** The engine's SQL expression for a 64-bit hash of a row's columns (see the design notes). */
    public static String rowHash(Connection connection, Dialect dialect, TableSpec table) throws SQLException {
        if (dialect.engine() == Engine.POSTGRESQL) {
            return postgresRowHash(dialect, table, postgresTypes(connection, dialect, table));
        }
        List<String> parts = new ArrayList<>();
        for (String column : table.columns()) {
            String q = dialect.quote(column);
            parts.add(
                    switch (dialect.engine()) {
                        case MARIADB -> "QUOTE(" + q + ")";
                        default ->
                            "CASE WHEN " + q + " IS NULL THEN 'NULL' ELSE '''' || REPLACE(CAST(" + q
                                    + " AS VARCHAR), '''', '''''') || '''' END";
                    });
        }
        String joined = "CONCAT_WS(',', " + String.join(", ", parts) + ")";
        return dialect.engine() == Engine.MARIADB
                ? "CAST(CONV(LEFT(MD5(" + joined + "), 16), 16, 10) AS UNSIGNED)"
                : "CAST(SUBSTRING(HASH('SHA-256', " + joined + "), 1, 8) AS BIGINT)";
    }

    /** XOR of per-column typed hashes, each seeded with the column's position. */
    static String postgresRowHash(Dialect dialect, TableSpec table, Map<String, String> types) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < table.columns().size(); i++) {
            String column = table.columns().get(i);
            String q = dialect.quote(column);
            int seed = i + 1;
            String type = types.getOrDefault(column, "");
            String hash = switch (baseType(type)) {
                case "smallint" -> "hashint2extended(" + q + ", " + seed + ")";
                case "integer" -> "hashint4extended(" + q + ", " + seed + ")";
                case "bigint" -> "hashint8extended(" + q + ", " + seed + ")";
                case "text", "character varying" -> "hashtextextended(" + q + ", " + seed + ")";
                case "character" -> "hashbpcharextended(" + q + ", " + seed + ")";
                case "numeric" -> "hash_numeric_extended(" + q + ", " + seed + ")";
                case "uuid" -> "uuid_hash_extended(" + q + ", " + seed + ")";
                case "timestamp without time zone" -> "timestamp_hash_extended(" + q + ", " + seed + ")";
                case "timestamp with time zone" ->
                    "timestamp_hash_extended(" + q + " AT TIME ZONE 'UTC', " + seed + ")";
                case "double precision" -> "hashfloat8extended(" + q + ", " + seed + ")";
                case "real" -> "hashfloat4extended(" + q + ", " + seed + ")";
                case "jsonb" -> "jsonb_hash_extended(" + q + ", " + seed + ")";
                default -> "hashtextextended(" + q + "::text, " + seed + ")";
            };
            // NULL hashes to a constant of its own position, so NULL and '' (or 0) differ.
            parts.add("COALESCE(" + hash + ", " + (-seed) + ")");
        }
        return "(" + String.join(" # ", parts) + ")";
    }

    /** {@code character varying(20)} is {@code character varying}; arrays keep their brackets. */
    private static String baseType(String formatted) {
        int paren = formatted.indexOf('(');
        if (paren < 0) {
            return formatted;
        }
        int close = formatted.indexOf(')', paren);
        String rest = close < 0 ? "" : formatted.substring(close + 1);
        return (formatted.substring(0, paren).trim() + rest).trim();
    }

    /** Column name to {@code format_type} spelling, for the table on this PostgreSQL connection. */
    private static Map<String, String> postgresTypes(Connection connection, Dialect dialect, TableSpec table)
            throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"
                        + " WHERE a.attrelid = pg_catalog.to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped")) {
            ps.setString(1, dialect.quote(table.table()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2).toLowerCase(Locale.ROOT));
                }
            }
        }
        return types;
    }
}
