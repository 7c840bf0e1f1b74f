package dev.reshard.migration;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.TableSpec;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/*
 * Design notes (DESIGN.md section 4, "Verification")
 *
 * Each database hashes its own rows: a 64-bit hash of the row's columns, each quoted so that NULL,
 * '' and 'null' differ (PostgreSQL hashtextextended over quote_nullable texts; MariaDB the first 64
 * bits of MD5 over QUOTE()d columns; H2 the first 64 bits of SHA-256). Only (primary key, shard
 * key, row hash) crosses the wire, never the row.
 *
 * Chunks follow the source's primary key (keyset pagination); the target is read over the same key
 * range, the last chunk open-ended so that rows the source no longer has are seen. Rows whose
 * shard key does not move to this target are dropped on both sides, so a target shard that holds
 * data of its own is compared only on what it receives. A chunk agrees when the row counts and the
 * wrapping sums of the row hashes agree (a sum, not an XOR, so duplicates do not cancel); when it
 * does not, the per-row hashes already at hand name the keys, which the engine repairs with
 * sync-from-source and checks again.
 *
 * Both sides must run the same engine (the hash expressions differ between engines).
 */
/** Compares the moving rows of a table between a source and a target, chunk by chunk. */
public final class Verifier {
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

    public Report compare(
            Connection source,
            Connection target,
            TableSpec sourceTable,
            TableSpec targetTable,
            int chunkRows,
            Predicate<Object> movesToTarget)
            throws SQLException {
        long sourceRows = 0;
        long targetRows = 0;
        int chunks = 0;
        int mismatched = 0;
        List<List<Object>> keys = new ArrayList<>();
        Optional<List<Object>> after = Optional.empty();
        while (true) {
            Chunk src = read(source, sourceDialect, sourceTable, after, Optional.empty(), chunkRows, movesToTarget);
            boolean last = src.read < chunkRows;
            Chunk dst = read(
                    target,
                    targetDialect,
                    targetTable,
                    after,
                    last ? Optional.empty() : Optional.of(src.lastKey),
                    0,
                    movesToTarget);
            chunks++;
            sourceRows += src.hashes.size();
            targetRows += dst.hashes.size();
            if (src.hashes.size() != dst.hashes.size() || src.sum != dst.sum) {
                mismatched++;
                Set<List<Object>> all = new LinkedHashSet<>(src.hashes.keySet());
                all.addAll(dst.hashes.keySet());
                for (List<Object> key : all) {
                    if (!java.util.Objects.equals(src.hashes.get(key), dst.hashes.get(key))) {
                        keys.add(key);
                    }
                }
            }
            if (last) {
                return new Report(sourceRows, targetRows, chunks, mismatched, keys);
            }
            after = Optional.of(src.lastKey);
        }
    }

    private static final class Chunk {
        final Map<List<Object>, Long> hashes = new LinkedHashMap<>();
        long sum;
        int read;
        List<Object> lastKey;
    }

    /** Rows with key in (after, upTo] (either bound optional), at most {@code limit} (0: all). */
    private static Chunk read(
            Connection c,
            Dialect dialect,
            TableSpec table,
            Optional<List<Object>> after,
            Optional<List<Object>> upTo,
            int limit,
            Predicate<Object> movesToTarget)
            throws SQLException {
        String pk = dialect.columnList(table.primaryKey());
        String params = "(" + "?, ".repeat(table.primaryKey().size() - 1) + "?)";
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(pk)
                .append(", ")
                .append(dialect.quote(table.shardKey()))
                .append(", ")
                .append(rowHash(dialect, table))
                .append(" FROM ")
                .append(dialect.quote(table.table()));
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
        Chunk chunk = new Chunk();
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (Optional<List<Object>> bound : List.of(after, upTo)) {
                if (bound.isPresent()) {
                    for (Object part : bound.get()) {
                        ps.setObject(p++, part);
                    }
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = table.primaryKey().size();
                while (rs.next()) {
                    chunk.read++;
                    List<Object> key = new ArrayList<>(n);
                    for (int i = 1; i <= n; i++) {
                        key.add(rs.getObject(i));
                    }
                    chunk.lastKey = key;
                    if (!movesToTarget.test(rs.getObject(n + 1))) {
                        continue;
                    }
                    long hash = toLong(rs.getObject(n + 2));
                    chunk.hashes.put(Rows.normalizeKey(key), hash);
                    chunk.sum += hash; // wraps: a sum modulo 2^64
                }
            }
        }
        return chunk;
    }

    private static long toLong(Object value) {
        if (value instanceof Number n && !(value instanceof BigDecimal) && !(value instanceof java.math.BigInteger)) {
            return n.longValue();
        }
        return new BigDecimal(value.toString()).toBigInteger().longValue();
    }

    /** The engine's expression for a 64-bit hash of a row's columns, each quoted. */
    static String rowHash(Dialect dialect, TableSpec table) {
        List<String> parts = new ArrayList<>();
        for (String column : table.columns()) {
            String q = dialect.quote(column);
            parts.add(
                    switch (dialect.engine()) {
                        case POSTGRESQL -> "quote_nullable(" + q + "::text)";
                        case MARIADB -> "QUOTE(" + q + ")";
                        case H2 ->
                            "CASE WHEN " + q + " IS NULL THEN 'NULL' ELSE '''' || REPLACE(CAST(" + q
                                    + " AS VARCHAR), '''', '''''') || '''' END";
                    });
        }
        String joined = "CONCAT_WS(',', " + String.join(", ", parts) + ")";
        Engine engine = dialect.engine();
        return switch (engine) {
            case POSTGRESQL -> "hashtextextended(" + joined + ", 0)";
            case MARIADB -> "CAST(CONV(LEFT(MD5(" + joined + "), 16), 16, 10) AS UNSIGNED)";
            case H2 -> "CAST(SUBSTRING(HASH('SHA-256', " + joined + "), 1, 8) AS BIGINT)";
        };
    }
}
