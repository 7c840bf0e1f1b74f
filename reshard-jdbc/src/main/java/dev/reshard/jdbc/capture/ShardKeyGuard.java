package dev.reshard.jdbc.capture;

import java.math.BigDecimal;
import java.util.HexFormat;

/**
 * The capture triggers' refusal of an UPDATE that changes a row's shard key: the row would move
 * between shards behind the router's back, and a migration would copy it to the wrong place. The
 * text is the same on every engine; the SQL triggers build it from {@link #head} and {@link #TAIL}.
 *
 * <p>SQLSTATE 23514 (integrity constraint violation, check) on all three engines: the shard key is,
 * in effect, constrained not to change while the table is captured, and retrying the statement
 * unchanged can only fail again. It is deliberately not 40001, which the router reads as "fenced,
 * refresh and retry". PostgreSQL raises it with {@code RAISE ... USING ERRCODE}, MariaDB with
 * {@code SIGNAL} (its driver then throws {@code SQLIntegrityConstraintViolationException}), H2's Java
 * trigger throws it. Not 45000 (MySQL's "unhandled user-defined exception", meaningless elsewhere)
 * nor P0001 (PostgreSQL only): one code everywhere lets the router test one value.
 *
 * <p>Values appear in the engine's text form, {@code NULL} for null, cut to {@value #SHOWN}
 * characters plus "..." so that the message fits MariaDB's message variable (VARCHAR(512); a longer
 * text would fail the SET with 22001 instead of the refusal).
 */
final class ShardKeyGuard {
    static final String SQLSTATE = "23514";
    /** Characters of a value that the message shows. */
    static final int SHOWN = 64;

    static final String ARROW = " -> ";
    static final String TAIL = "); delete the row and insert it under the new key";

    private ShardKeyGuard() {}

    static String message(String table, String column, Object before, Object after) {
        return head(table, column) + shown(before) + ARROW + shown(after) + TAIL;
    }

    /** The text up to the old value; table and column are validated identifiers, safe in a literal. */
    static String head(String table, String column) {
        return "reshard: the shard key of a row cannot change while table " + table + " is migrating (column " + column
                + ", ";
    }

    private static String shown(Object value) {
        if (value == null) {
            return "NULL";
        }
        String text = value instanceof BigDecimal decimal
                ? decimal.toPlainString()
                : value instanceof byte[] bytes ? "\\x" + HexFormat.of().formatHex(bytes) : value.toString();
        return text.length() > SHOWN ? text.substring(0, SHOWN) + "..." : text;
    }
}
