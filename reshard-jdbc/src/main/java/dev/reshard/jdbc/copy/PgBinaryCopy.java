package dev.reshard.jdbc.copy;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.Identifier;
import dev.reshard.jdbc.TableSpec;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOperation;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes (DESIGN.md section 4, "Backfill": the PostgreSQL fast path)
 *
 * Why binary COPY. The JDBC backfill decodes every column of every row into Java objects and binds
 * them again; on this machine that reaches 21-41 % of a raw COPY pipe between the same databases.
 * Binary COPY moves each value in its on-the-wire send/recv form, so the JVM has nothing to convert:
 * it only needs the field lengths to find tuple boundaries, the shard-key value for the predicate
 * and the primary key of the last tuple for the cursor. Every other field is copied as opaque bytes
 * and re-sent unchanged, so no value can be altered on the way (no time zone, precision or
 * encoding round trip). The keys are decoded to the objects PgJDBC's getObject returns (KeyDecoder),
 * so predicate and cursor behave exactly as in the JDBC backfill.
 *
 * Semantics are Backfill.copyBatch's: a keyset page in primary-key order (COPY takes no bind
 * parameters, so the cursor is inlined as quoted literals of unknown type that the server resolves
 * to the key columns' types), rows whose shard key moves go to the target only where it has no row
 * with that key (a row there was put by a dual-write and is newer), the cursor is the last key READ.
 *
 * Why stream. Reading a page and only then writing it serialises the two servers' work: on the
 * 1M-row benchmark the read alone took as long as the raw pipe. So each kept tuple goes to the
 * target's COPY as soon as 64 KiB of them are gathered, while the source is still sending the rest
 * of the page: both servers work at once, as in a pipe, and the JVM holds at most one message of
 * tuples, not a batch.
 *
 * Why skip the keys the target has, and fall back per batch. The direct COPY into the target is
 * all-or-nothing: one key that a dual-write already put there fails it with unique_violation
 * (23505). Under a live workload almost every page holds such a key (most batches fell back in the
 * benchmark with 300 writes/s), so once a page of a table has collided, the keys the target already
 * has after the cursor are read before each later page (at most one batch of them, in key order)
 * and those tuples are not sent: a row there was put by a dual-write and is newer, which is what
 * insert-if-absent would keep anyway. (Before the first collision that read is skipped: on a target
 * holding rows of its own it costs as much as the page.) A key that arrives on the target between
 * that read and the COPY, or past the keys read, still fails it; only then is the
 * transaction rolled back and the page read again into memory and replayed through a temporary
 * staging table: COPY into it, then INSERT ... SELECT ... ON CONFLICT (pk) DO NOTHING. That replay
 * holds one batch of kept tuples as bytes (bounded by batch size x row size). Any other error is
 * thrown.
 *
 * Binary COPY format relied on (PostgreSQL docs, COPY, "Binary Format"; all integers big-endian):
 * - header: 11-byte signature "PGCOPY\n\377\r\n\0", int32 flags (bits 16-31 are critical: abort if
 *   an unknown one is set), int32 header-extension length, then that many bytes to skip;
 * - tuple: int16 field count, then per field an int32 length (-1 = NULL, no bytes follow) and the
 *   value's bytes; trailer: int16 -1. CopyData messages need not align with tuples or fields.
 * - int2/int4/int8: 2/4/8 bytes two's complement; uuid: 16 bytes (most significant first); text,
 *   varchar, bpchar: the characters in the client encoding (UTF-8 under PgJDBC), bpchar padded;
 * - numeric: int16 ndigits, int16 weight, int16 sign (0x0000 positive, 0x4000 negative, 0xC000 NaN,
 *   0xD000/0xF000 +/-infinity), int16 dscale, then ndigits int16 base-10000 digits, the first of
 *   weight 10000^weight; dscale is the number of decimal digits after the point.
 *
 * Column types must be equal on both sides: a binary field is read by the target column's recv
 * function, and some types of equal width would be reinterpreted silently (int4 as float4), so the
 * plan compares them once per table pair; SchemaCheck keeps them equal on every shard.
 */
/**
 * The PostgreSQL fast path of the backfill: copies one keyset page of moving rows from a source
 * table to a target table with binary {@code COPY}, falling back to a staging table for a batch that
 * collides with rows a dual-write already put on the target.
 *
 * <p>Use it only when both sides are PostgreSQL and {@link #supports} is true for the table; the
 * JDBC backfill handles every other table. An instance remembers each table pair's column layout
 * from its first batch, so use one instance per backfill, not across schema changes. Thread-safe
 * for distinct connections.
 */
public final class PgBinaryCopy {
    private static final Logger LOG = LoggerFactory.getLogger(PgBinaryCopy.class);
    private static final Dialect SQL = Dialect.of(Engine.POSTGRESQL);
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String STAGING = "reshard_copy_staging";

    private final ConcurrentMap<List<TableSpec>, Plan> plans = new ConcurrentHashMap<>();
    /** Target tables where a page met a row already there: from then on, their keys are read first. */
    private final Set<Identifier> collided = ConcurrentHashMap.newKeySet();

    /** A fast path that has read no table layouts yet; each table pair's is read on its first batch. */
    public PgBinaryCopy() {}

    /**
     * One batch: rows read from the source, rows that move (sent to the target; a row the target
     * already had is counted but left as it was), the cursor to resume after, whether the table is
     * done, and whether the batch went through the staging table.
     */
    public record CopyBatch(int read, int copied, Optional<List<Object>> cursor, boolean done, boolean fellBack) {}

    /**
     * True when {@code source} is PostgreSQL and the table's primary-key and shard-key columns have
     * types the binary COPY path decodes: smallint, integer, bigint, text, varchar, char, uuid or
     * numeric (not domains or arrays). Other columns may have any type. {@link #copyBatch} also
     * needs PostgreSQL on the target, with the same column types.
     */
    public static boolean supports(Connection source, TableSpec table) throws SQLException {
        return Engine.detect(source) == Engine.POSTGRESQL
                && unsupportedKey(table, columnTypes(source, table)).isEmpty();
    }

    /**
     * Copies the next batch after {@code after} (empty: from the start), with the semantics of the
     * JDBC backfill's batch: a page of {@code batchSize} rows in primary-key order, of which the rows
     * whose shard-key value passes {@code movesToTarget} are inserted on the target unless it has a
     * row with the same primary key. Key values are the objects PgJDBC's {@code getObject} returns:
     * Integer (smallint, integer), Long, String, UUID, BigDecimal.
     *
     * <p>Reads the page with one {@code COPY ... TO STDOUT (FORMAT binary)} and streams the moving rows
     * into one {@code COPY ... FROM STDIN (FORMAT binary)} as they arrive, in one target transaction,
     * committed here; memory does not grow with the batch size. On a unique violation that transaction
     * is rolled back and the page read again and streamed through a staging table ({@link
     * CopyBatch#fellBack()}). Both connections' auto-commit modes are left as found; pass
     * a target without uncommitted work, and two different connections.
     *
     * @param movesToTarget whether a row with this shard-key value belongs on the target
     * @throws IllegalArgumentException when a side is not PostgreSQL, the table is not {@link
     *     #supports supported}, or the source and target columns differ in number or type
     */
    public CopyBatch copyBatch(
            Connection source,
            Connection target,
            TableSpec sourceTable,
            TableSpec targetTable,
            Optional<List<Object>> after,
            int batchSize,
            Predicate<Object> movesToTarget)
            throws SQLException {
        return copyBatch(source, target, sourceTable, targetTable, after, batchSize, movesToTarget, Optional.empty());
    }

    /**
     * As {@link #copyBatch(Connection, Connection, TableSpec, TableSpec, Optional, int, Predicate)},
     * with a trusted SQL condition on the source's columns that holds for at least the moving rows
     * (e.g. a key range): the pages then read only rows that match it, and {@code movesToTarget}
     * still decides each one. A page is {@code batchSize} matching rows.
     */
    public CopyBatch copyBatch(
            Connection source,
            Connection target,
            TableSpec sourceTable,
            TableSpec targetTable,
            Optional<List<Object>> after,
            int batchSize,
            Predicate<Object> movesToTarget,
            Optional<String> sourceCondition)
            throws SQLException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, was " + batchSize);
        }
        if (after.isPresent() && after.get().size() != sourceTable.primaryKey().size()) {
            throw new IllegalArgumentException("cursor " + after.get() + " has "
                    + after.get().size() + " values but " + sourceTable.table() + " has a primary key of "
                    + sourceTable.primaryKey().size() + " columns");
        }
        CopyManager sourceCopy = copyManager(source, "source");
        CopyManager targetCopy = copyManager(target, "target");
        requireDistinct(source, target);
        Plan plan = plan(source, target, sourceTable, targetTable);
        try {
            return inTransaction(target, () -> {
                Set<List<Object>> present =
                        collided.contains(plan.targetTable()) ? plan.targetKeys(target, after, batchSize) : Set.of();
                return stream(
                        sourceCopy,
                        targetCopy,
                        plan.copyIn(),
                        plan,
                        plan.pageSql(after, batchSize, sourceCondition),
                        after,
                        batchSize,
                        movesToTarget,
                        present);
            });
        } catch (SQLException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            collided.add(plan.targetTable());
            LOG.debug(
                    "binary COPY into {} met a row already there ({}); copying the page through staging",
                    plan.targetTable(),
                    e.getMessage());
        }
        CopyBatch replayed = inTransaction(target, () -> {
            try (Statement statement = target.createStatement()) {
                statement.execute(plan.createStaging());
                CopyBatch batch = stream(
                        sourceCopy,
                        targetCopy,
                        plan.copyIntoStaging(),
                        plan,
                        plan.pageSql(after, batchSize, sourceCondition),
                        after,
                        batchSize,
                        movesToTarget,
                        Set.of());
                statement.executeUpdate(plan.insertFromStaging());
                return batch;
            }
        });
        return new CopyBatch(replayed.read(), replayed.copied(), replayed.cursor(), replayed.done(), true);
    }

    /**
     * Streams one page: each moving tuple whose key the target does not already have goes to the
     * target's COPY while the source is still sending. Runs inside the target's transaction.
     */
    private static CopyBatch stream(
            CopyManager sourceCopy,
            CopyManager targetCopy,
            String copyIn,
            Plan plan,
            String pageSql,
            Optional<List<Object>> after,
            int batchSize,
            Predicate<Object> movesToTarget,
            Set<List<Object>> present)
            throws SQLException {
        TupleBuffer tuples = new TupleBuffer(plan.fieldCount());
        int moving = 0;
        CopyIn in = null;
        CopyOut out = sourceCopy.copyOut(pageSql);
        try {
            CopyStream stream = new CopyStream(out, "COPY out of " + plan.sourceTable());
            TupleBuffer.readHeader(stream);
            while (tuples.next(stream)) {
                if (!movesToTarget.test(plan.shardKey().of(tuples))) {
                    continue;
                }
                moving++;
                if (!present.isEmpty() && present.contains(plan.key(tuples))) {
                    continue;
                }
                tuples.keep();
                if (tuples.keptBytes() >= TupleBuffer.MESSAGE_BYTES) {
                    if (in == null) {
                        in = targetCopy.copyIn(copyIn);
                    }
                    tuples.sendKept(in);
                }
            }
            stream.requireEnd();
            if (tuples.keptTuples() > 0) {
                if (in == null) {
                    in = targetCopy.copyIn(copyIn);
                }
                tuples.sendTrailer(in);
                in.endCopy();
            }
        } catch (SQLException | RuntimeException e) {
            if (in != null) {
                cancel(in, e);
            }
            cancel(out, e);
            throw e;
        }
        Optional<List<Object>> cursor = tuples.tuplesRead() == 0 ? after : Optional.of(plan.key(tuples));
        return new CopyBatch(tuples.tuplesRead(), moving, cursor, tuples.tuplesRead() < batchSize, false);
    }

    /**
     * Pipes {@code COPY (selectSql) TO STDOUT (FORMAT binary)} on the source straight into {@code
     * COPY targetTable (columns) FROM STDIN (FORMAT binary)} on the target, message by message,
     * without parsing, and commits the target. The benchmark anchor for {@link #copyBatch}: the
     * fastest any copy between the two databases can be. No filtering, no conflict handling: a
     * duplicate key fails the whole pipe.
     *
     * @param selectSql a trusted query whose columns match {@code columns} in order and type; it is
     *     inlined into the COPY as is
     * @return the rows written, as the target's COPY reports them
     */
    public static long pipe(
            Connection source, Connection target, String selectSql, Identifier targetTable, List<String> columns)
            throws SQLException {
        CopyManager sourceCopy = copyManager(source, "source");
        CopyManager targetCopy = copyManager(target, "target");
        requireDistinct(source, target);
        String copyOut = "COPY (" + selectSql + ") TO STDOUT (FORMAT binary)";
        String copyIn = copyInSql(SQL.quote(targetTable), columns);
        return inTransaction(target, () -> {
            CopyOut out = sourceCopy.copyOut(copyOut);
            try {
                CopyIn in = targetCopy.copyIn(copyIn);
                try {
                    for (byte[] data = out.readFromCopy(); data != null; data = out.readFromCopy()) {
                        in.writeToCopy(data, 0, data.length);
                    }
                    return in.endCopy();
                } catch (SQLException | RuntimeException e) {
                    cancel(in, e);
                    throw e;
                }
            } catch (SQLException | RuntimeException e) {
                cancel(out, e);
                throw e;
            }
        });
    }

    private static boolean isUniqueViolation(SQLException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Ends a COPY that is still running after {@code failure}, so the connection can be used again. */
    private static void cancel(CopyOperation copy, Exception failure) {
        if (copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException e) {
                failure.addSuppressed(e);
            }
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} in a transaction, commits it, and restores the auto-commit mode. */
    private static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            T result = work.run();
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static CopyManager copyManager(Connection connection, String side) throws SQLException {
        if (!connection.isWrapperFor(PGConnection.class)) {
            throw new IllegalArgumentException("the " + side + " connection is to "
                    + connection.getMetaData().getDatabaseProductName()
                    + "; binary COPY needs PostgreSQL on both sides, use the JDBC backfill");
        }
        return connection.unwrap(PGConnection.class).getCopyAPI();
    }

    private static void requireDistinct(Connection source, Connection target) throws SQLException {
        if (source.unwrap(PGConnection.class) == target.unwrap(PGConnection.class)) {
            throw new IllegalArgumentException(
                    "source and target are the same connection; it can run one COPY at a time, pass two connections");
        }
    }

    private static String copyInSql(String table, List<String> columns) {
        return "COPY " + table + " (" + SQL.columnList(columns) + ") FROM STDIN (FORMAT binary)";
    }

    private Plan plan(Connection source, Connection target, TableSpec sourceTable, TableSpec targetTable)
            throws SQLException {
        List<TableSpec> tables = List.of(sourceTable, targetTable);
        Plan plan = plans.get(tables);
        if (plan == null) {
            plan = Plan.of(
                    sourceTable, columnTypes(source, sourceTable), targetTable, columnTypes(target, targetTable));
            plans.put(tables, plan);
        }
        return plan;
    }

    /** A column's type: its {@code pg_type} OID and its name as {@code format_type} spells it. */
    private record ColumnType(long oid, String name) {}

    /** The types of the table's columns, by column name. */
    private static Map<String, ColumnType> columnTypes(Connection connection, TableSpec table) throws SQLException {
        Map<String, ColumnType> types = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT a.attname, a.atttypid, pg_catalog.format_type(a.atttypid, NULL) FROM pg_catalog.pg_attribute a"
                        + " WHERE a.attrelid = pg_catalog.to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped")) {
            statement.setString(1, SQL.quote(table.table()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    types.put(rows.getString(1), new ColumnType(rows.getLong(2), rows.getString(3)));
                }
            }
        }
        if (types.isEmpty()) {
            throw new SQLException("table " + table.table() + " does not exist", "42P01");
        }
        for (String column : table.columns()) {
            if (!types.containsKey(column)) {
                throw new SQLException("column " + column + " of " + table.table() + " does not exist", "42703");
            }
        }
        return types;
    }

    /** Why the table's key columns cannot be decoded here, or empty when they can. */
    private static Optional<String> unsupportedKey(TableSpec table, Map<String, ColumnType> types) {
        List<String> keys = new ArrayList<>(table.primaryKey());
        keys.add(table.shardKey());
        for (String column : keys) {
            ColumnType type = types.get(column);
            if (KeyDecoder.forType(type.oid()).isEmpty()) {
                return Optional.of("key column " + column + " of " + table.table() + " has type " + type.name()
                        + "; binary COPY decodes keys of type " + KeyDecoder.supportedTypes()
                        + ", use the JDBC backfill");
            }
        }
        return Optional.empty();
    }

    /** A field of the tuple and how to decode it. */
    private record Field(int index, KeyDecoder decoder) {
        static Field of(TableSpec table, String column, Map<String, ColumnType> types) {
            return new Field(
                    table.columns().indexOf(column),
                    KeyDecoder.forType(types.get(column).oid()).orElseThrow());
        }

        Object of(TupleBuffer tuples) {
            return tuples.field(index, decoder);
        }
    }

    /** Statements and key fields for one source and target table, checked against both catalogs. */
    private record Plan(
            Identifier sourceTable,
            Identifier targetTable,
            String select,
            String keyColumns,
            String copyIn,
            String createStaging,
            String copyIntoStaging,
            String insertFromStaging,
            Field shardKey,
            List<Field> primaryKey,
            int fieldCount,
            String targetKeyColumns) {

        static Plan of(
                TableSpec source,
                Map<String, ColumnType> sourceTypes,
                TableSpec target,
                Map<String, ColumnType> targetTypes) {
            unsupportedKey(source, sourceTypes).ifPresent(reason -> {
                throw new IllegalArgumentException(reason);
            });
            requireSameColumnTypes(source, sourceTypes, target, targetTypes);
            String table = SQL.quote(target.table());
            String staging = "pg_temp." + SQL.quote(STAGING);
            String columns = SQL.columnList(target.columns());
            return new Plan(
                    source.table(),
                    target.table(),
                    "SELECT " + SQL.columnList(source.columns()) + " FROM " + SQL.quote(source.table()),
                    SQL.columnList(source.primaryKey()),
                    copyInSql(table, target.columns()),
                    "CREATE TEMP TABLE " + SQL.quote(STAGING) + " (LIKE " + table
                            + " INCLUDING DEFAULTS) ON COMMIT DROP",
                    copyInSql(staging, target.columns()),
                    "INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + staging
                            + " ON CONFLICT (" + SQL.columnList(target.primaryKey()) + ") DO NOTHING",
                    Field.of(source, source.shardKey(), sourceTypes),
                    source.primaryKey().stream()
                            .map(column -> Field.of(source, column, sourceTypes))
                            .toList(),
                    source.columns().size(),
                    SQL.columnList(target.primaryKey()));
        }

        /** The primary key of the tuple read last. */
        List<Object> key(TupleBuffer tuples) {
            List<Object> key = new ArrayList<>(primaryKey.size());
            for (Field field : primaryKey) {
                key.add(field.of(tuples));
            }
            return key;
        }

        /**
         * The primary keys the target already has after {@code after}, at most {@code limit} of them
         * in key order: the rows a dual-write put there ahead of the backfill, which the page's COPY
         * must not send again. Keys past the last one returned are not known; a collision there
         * sends the page through staging.
         */
        Set<List<Object>> targetKeys(Connection target, Optional<List<Object>> after, int limit) throws SQLException {
            StringBuilder sql = new StringBuilder("SELECT ")
                    .append(targetKeyColumns)
                    .append(" FROM ")
                    .append(SQL.quote(targetTable));
            after.ifPresent(key -> sql.append(" WHERE (")
                    .append(targetKeyColumns)
                    .append(") > ")
                    .append(tuple(key)));
            sql.append(" ORDER BY ").append(targetKeyColumns).append(" LIMIT ").append(limit);
            Set<List<Object>> keys = new HashSet<>();
            try (Statement statement = target.createStatement();
                    ResultSet rows = statement.executeQuery(sql.toString())) {
                int n = primaryKey.size();
                while (rows.next()) {
                    List<Object> key = new ArrayList<>(n);
                    for (int i = 1; i <= n; i++) {
                        key.add(rows.getObject(i));
                    }
                    keys.add(key);
                }
            }
            return keys;
        }

        /** A key as a row of literals, {@code ('a', 'b')}. */
        private static String tuple(List<Object> key) {
            StringBuilder sql = new StringBuilder("(");
            for (int i = 0; i < key.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append(literal(key.get(i)));
            }
            return sql.append(')').toString();
        }

        private static void requireSameColumnTypes(
                TableSpec source,
                Map<String, ColumnType> sourceTypes,
                TableSpec target,
                Map<String, ColumnType> targetTypes) {
            if (source.columns().size() != target.columns().size()) {
                throw new IllegalArgumentException(
                        source.table() + " has " + source.columns().size()
                                + " columns on the source, " + target.table() + " has "
                                + target.columns().size()
                                + " on the target; binary COPY needs the same columns, run the schema check");
            }
            for (int i = 0; i < source.columns().size(); i++) {
                String sourceType = sourceTypes.get(source.columns().get(i)).name();
                String targetType = targetTypes.get(target.columns().get(i)).name();
                if (!sourceType.equals(targetType)) {
                    throw new IllegalArgumentException(
                            "column " + (i + 1) + " is " + source.columns().get(i) + " "
                                    + sourceType + " on the source but "
                                    + target.columns().get(i) + " " + targetType
                                    + " on the target; binary COPY needs equal types, run the schema check");
                }
            }
        }

        /** The COPY of the page after {@code after}, the cursor inlined as literals. */
        String pageSql(Optional<List<Object>> after, int batchSize, Optional<String> condition) {
            StringBuilder sql = new StringBuilder("COPY (").append(select);
            List<String> where = new ArrayList<>();
            condition.ifPresent(c -> where.add("(" + c + ")"));
            after.ifPresent(key -> where.add("(" + keyColumns + ") > " + tuple(key)));
            if (!where.isEmpty()) {
                sql.append(" WHERE ").append(String.join(" AND ", where));
            }
            return sql.append(" ORDER BY ")
                    .append(keyColumns)
                    .append(" LIMIT ")
                    .append(batchSize)
                    .append(") TO STDOUT (FORMAT binary)")
                    .toString();
        }

        /**
         * A cursor value as a string literal of unknown type, which the server resolves to the key
         * column's type, as a bind parameter would be. Quotes are doubled; a value with a backslash
         * is written as an escape string so that it reads the same whatever {@code
         * standard_conforming_strings} is.
         */
        private static String literal(Object value) {
            String text;
            if (value instanceof BigDecimal decimal) {
                text = decimal.toPlainString();
            } else if (value instanceof Number || value instanceof CharSequence || value instanceof UUID) {
                text = value.toString();
            } else {
                throw new IllegalArgumentException("cursor value " + value + " ("
                        + (value == null ? "null" : value.getClass().getName())
                        + ") is not a number, string or UUID; pass the cursor a previous batch returned");
            }
            String quoted = text.replace("'", "''");
            return text.indexOf('\\') < 0 ? "'" + quoted + "'" : "E'" + quoted.replace("\\", "\\\\") + "'";
        }
    }
}
