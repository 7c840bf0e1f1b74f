package dev.reshard.migration.engine;

import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.copy.PgBinaryCopy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The PostgreSQL fast path of the backfill (binary COPY streamed into the target, a staging table
 * only for a batch that collides with a dual-written row), used when both sides are PostgreSQL and
 * the key columns are types the COPY stream can be filtered on; otherwise the JDBC backfill runs.
 * When the moving rows have a SQL form (MovingKeys: key ranges, tenants) the pages read only those.
 */
final class PgCopyPath {
    record Result(int read, int copied, Optional<List<Object>> cursor, boolean done, boolean fellBack) {}

    private final PgBinaryCopy copy = new PgBinaryCopy();

    private PgCopyPath() {}

    static Optional<PgCopyPath> of(Engine source, Engine target) {
        return source == Engine.POSTGRESQL && target == Engine.POSTGRESQL
                ? Optional.of(new PgCopyPath())
                : Optional.empty();
    }

    /** Whether {@code table}'s key types allow the COPY path (asked once per table). */
    boolean supports(Connection source, TableSpec table) throws SQLException {
        return PgBinaryCopy.supports(source, table);
    }

    Result copyBatch(
            Connection source,
            Connection target,
            TableSpec sourceTable,
            TableSpec targetTable,
            Optional<List<Object>> after,
            int batchRows,
            Predicate<Object> moves,
            Optional<String> movingCondition)
            throws SQLException {
        PgBinaryCopy.CopyBatch b =
                copy.copyBatch(source, target, sourceTable, targetTable, after, batchRows, moves, movingCondition);
        return new Result(b.read(), b.copied(), b.cursor(), b.done(), b.fellBack());
    }
}
