package dev.reshard.migration;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/*
 * Design notes (DESIGN.md section 4, "Backfill")
 *
 * Walks the source table in primary-key order with keyset pagination (WHERE (pk) > (cursor) ORDER
 * BY pk LIMIT n; never OFFSET, whose cost grows with the position), copies the rows whose shard key
 * moves to the target, and returns the cursor: the last primary key read, copied or not, which the
 * engine checkpoints after every batch so that a resumed backfill continues after it.
 *
 * It takes no locks: it inserts only where the target has no row, because a row already there was
 * put by a dual-write and is newer than what the copy read. What the copy read may be stale (a
 * change committed after the read, a delete included); the changelog captured since DUAL_WRITE is
 * replayed after the copy finishes (CatchUp), and that corrects every such row.
 */
/** Copies moving rows from a source table to a target, one keyset-paginated batch at a time. */
public final class Backfill {
    private final Dialect sourceDialect;
    private final Dialect targetDialect;

    public Backfill(Dialect sourceDialect, Dialect targetDialect) {
        this.sourceDialect = sourceDialect;
        this.targetDialect = targetDialect;
    }

    /** One batch: rows read and copied, the cursor to resume after, and whether the table is done. */
    public record Batch(int read, int copied, Optional<List<Object>> cursor, boolean done) {}

    /**
     * Copies the next batch after {@code after} (empty: from the start).
     *
     * @param movesToTarget whether a row with this shard-key value belongs on the target
     */
    public Batch copyBatch(
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
     * with a trusted SQL condition that holds for at least the moving rows (a key range, a tenant
     * list): the page reads only rows matching it, and {@code movesToTarget} still decides each one.
     */
    public Batch copyBatch(
            Connection source,
            Connection target,
            TableSpec sourceTable,
            TableSpec targetTable,
            Optional<List<Object>> after,
            int batchSize,
            Predicate<Object> movesToTarget,
            Optional<String> sourceCondition)
            throws SQLException {
        List<List<Object>> rows = new ArrayList<>(batchSize);
        List<Object> last = after.orElse(null);
        String shardKey = sourceTable.shardKey().toLowerCase(Locale.ROOT);
        int shardKeyAt = -1;
        for (int i = 0; i < sourceTable.columns().size(); i++) {
            if (sourceTable.columns().get(i).equalsIgnoreCase(shardKey)) {
                shardKeyAt = i;
            }
        }
        int read = 0;
        try (PreparedStatement ps =
                source.prepareStatement(pageQuery(sourceTable, after.isPresent(), sourceCondition))) {
            int p = 1;
            if (after.isPresent()) {
                for (Object part : after.get()) {
                    ps.setObject(p++, part);
                }
            }
            ps.setInt(p, batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    read++;
                    List<Object> row = new ArrayList<>(sourceTable.columns().size());
                    for (int c = 1; c <= sourceTable.columns().size(); c++) {
                        row.add(rs.getObject(c));
                    }
                    last = keyOf(sourceTable, row);
                    if (movesToTarget.test(row.get(shardKeyAt))) {
                        rows.add(row);
                    }
                }
            }
        }
        if (!rows.isEmpty()) {
            boolean auto = target.getAutoCommit();
            target.setAutoCommit(false);
            try (PreparedStatement insert = target.prepareStatement(targetDialect.insertIfAbsent(targetTable))) {
                try {
                    for (List<Object> row : rows) {
                        bind(insert, row);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                    target.commit();
                } catch (SQLException e) {
                    target.rollback();
                    if (!isUniqueViolation(e)) {
                        throw e;
                    }
                    // A dual-write inserted one of these keys while the batch ran (an engine whose
                    // insert-if-absent does not wait for the other inserter, e.g. H2's MERGE): that
                    // row is newer, so insert the rest one by one and skip the keys already there.
                    insert.clearBatch();
                    for (List<Object> row : rows) {
                        bind(insert, row);
                        try {
                            insert.executeUpdate();
                            target.commit();
                        } catch (SQLException one) {
                            target.rollback();
                            if (!isUniqueViolation(one)) {
                                throw one;
                            }
                        }
                    }
                }
            } finally {
                target.setAutoCommit(auto);
            }
        }
        return new Batch(read, rows.size(), Optional.ofNullable(last), read < batchSize);
    }

    private static void bind(PreparedStatement insert, List<Object> row) throws SQLException {
        for (int c = 0; c < row.size(); c++) {
            insert.setObject(c + 1, row.get(c));
        }
    }

    /** A duplicate key: SQLSTATE 23505 (PostgreSQL, H2) or MariaDB's error 1062. */
    static boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("23505".equals(s.getSQLState()) || s.getErrorCode() == 1062)) {
                return true;
            }
        }
        if (e.getNextException() != null && e.getNextException() != e) {
            return isUniqueViolation(e.getNextException());
        }
        return false;
    }

    private String pageQuery(TableSpec table, boolean hasCursor, Optional<String> condition) {
        String pk = sourceDialect.columnList(table.primaryKey());
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(sourceDialect.columnList(table.columns()))
                .append(" FROM ")
                .append(sourceDialect.quote(table.table()));
        List<String> where = new ArrayList<>();
        condition.ifPresent(c -> where.add("(" + c + ")"));
        if (hasCursor) {
            where.add("(" + pk + ") > (" + "?, ".repeat(table.primaryKey().size() - 1) + "?)");
        }
        if (!where.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", where));
        }
        return sql.append(" ORDER BY ").append(pk).append(" LIMIT ?").toString();
    }

    private static List<Object> keyOf(TableSpec table, List<Object> row) {
        List<Object> key = new ArrayList<>(table.primaryKey().size());
        for (String k : table.primaryKey()) {
            for (int i = 0; i < table.columns().size(); i++) {
                if (table.columns().get(i).equalsIgnoreCase(k)) {
                    key.add(row.get(i));
                }
            }
        }
        return key;
    }
}
