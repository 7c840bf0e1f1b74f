package dev.reshard.migration.engine;

import dev.reshard.core.Key;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * Design notes
 *
 * The routing rule is Java (xxh3 for the hash strategies), so the engine decides row by row which
 * rows a pair moves, and has to read every row of the source to do it. For two strategies the move
 * set names the moving keys in units SQL can test directly: key ranges (range maps) and tenants
 * (directories). Then the condition is pushed into the database: the copy's pages read only the
 * moving rows, and the verifier counts and sums them inside each database without a row crossing
 * the wire.
 *
 * The condition must never miss a moving row; selecting more is harmless: the copy still applies
 * the Java predicate to every row it reads, and a verifier aggregate that differs falls back to the
 * exact chunked compare. It is exact for the units rendered here. Text tenant keys are pushed down
 * only on PostgreSQL: MariaDB's default collations ignore case, H2's may be configured to, and a
 * key that differs only in case would be selected on both sides (harmless, but then the fast check
 * never agrees). Per-key move sets (strategy conversions, unlisted tenants that now route
 * elsewhere), hash arcs and virtual shards have no SQL form: no condition.
 */
/** The rows a pair moves, as a SQL condition on the shard-key column, when SQL can express it. */
public final class MovingKeys {
    /** Beyond this many tenants the literal list costs more than the row-by-row filter saves. */
    static final int MAX_TENANTS = 10_000;

    private MovingKeys() {}

    /**
     * The condition on {@code column} (already quoted) that holds for exactly the rows moving from the
     * pair's source to its target, or empty when the move set has no SQL form.
     */
    public static Optional<String> condition(ShardMap from, ShardMap to, Pair pair, Dialect dialect, String column) {
        MoveSet set = ShardMaps.diff(from, to);
        if (set.perKey()) {
            return Optional.empty();
        }
        List<String> ranges = new ArrayList<>();
        List<String> tenants = new ArrayList<>();
        for (MoveSet.Move move : set.moves()) {
            if (!move.from().equals(pair.source()) || !move.to().equals(pair.target())) {
                continue;
            }
            if (move.unit() instanceof MoveSet.KeyRange r) {
                ranges.add(
                        r.end().isPresent()
                                ? "(" + column + " >= " + r.start() + " AND " + column + " < "
                                        + r.end().getAsLong() + ")"
                                : "(" + column + " >= " + r.start() + ")");
            } else if (move.unit() instanceof MoveSet.Tenant t) {
                Optional<String> literal = literal(t.key(), dialect.engine());
                if (literal.isEmpty()) {
                    return Optional.empty();
                }
                tenants.add(literal.get());
            } else {
                return Optional.empty();
            }
        }
        if (tenants.size() > MAX_TENANTS) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>(ranges);
        if (!tenants.isEmpty()) {
            parts.add(column + " IN (" + String.join(", ", tenants) + ")");
        }
        if (parts.isEmpty()) {
            return Optional.of("1 = 0");
        }
        return Optional.of(parts.size() == 1 ? parts.get(0) : "(" + String.join(" OR ", parts) + ")");
    }

    private static Optional<String> literal(Key key, Engine engine) {
        if (key instanceof Key.LongKey l) {
            return Optional.of(Long.toString(l.value()));
        }
        if (key instanceof Key.UuidKey u) {
            return Optional.of("'" + u.value() + "'");
        }
        if (key instanceof Key.StringKey s
                && engine == Engine.POSTGRESQL
                && s.value().indexOf('\\') < 0) {
            return Optional.of("'" + s.value().replace("'", "''") + "'");
        }
        return Optional.empty();
    }
}
