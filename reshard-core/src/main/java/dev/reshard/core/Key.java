package dev.reshard.core;

import java.util.Objects;
import java.util.UUID;

/**
 * A shard key value: a 64-bit integer, a string or a UUID. The byte encoding each one is hashed
 * over is fixed by {@link dev.reshard.core.hash.KeyHash}.
 *
 * <p>Routing hot paths take the primitive overloads ({@code shardFor(long)}, {@code
 * shardFor(String)}, {@code shardFor(UUID)}) and never allocate; this type is for code that handles
 * keys of any type generically (move sets, plans, tests).
 */
public sealed interface Key {

    static Key of(long value) {
        return new LongKey(value);
    }

    static Key of(String value) {
        return new StringKey(value);
    }

    static Key of(UUID value) {
        return new UuidKey(value);
    }

    /**
     * The key of a shard-key column value as JDBC returns it: integers of any width (and integral
     * decimals) are 64-bit keys, text is a string key, a UUID is a UUID key. The one conversion
     * every reader of shard keys (router, engine, planner) uses, so they route a value alike.
     *
     * @throws IllegalArgumentException for NULL, a fraction, an integer beyond 64 bits, or another
     *     type; the message names the value's type
     */
    static Key ofJdbc(Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return of(((Number) value).longValue());
        }
        try {
            if (value instanceof java.math.BigDecimal d) {
                return of(d.longValueExact());
            }
            if (value instanceof java.math.BigInteger b) {
                return of(b.longValueExact());
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a shard key must be a whole number within 64 bits; got " + value, e);
        }
        if (value instanceof String s) {
            return of(s);
        }
        if (value instanceof UUID u) {
            return of(u);
        }
        throw new IllegalArgumentException("a shard key must be a non-null integer, text or UUID; got "
                + (value == null ? "NULL" : value.getClass().getSimpleName() + " " + value));
    }

    /** A 64-bit integer key, e.g. {@code users.id}. */
    record LongKey(long value) implements Key {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** A text key, hashed over its UTF-8 bytes. */
    record StringKey(String value) implements Key {
        public StringKey {
            Objects.requireNonNull(value, "string key");
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** A UUID key, hashed over its 16 bytes in RFC 4122 (big-endian) order. */
    record UuidKey(UUID value) implements Key {
        public UuidKey {
            Objects.requireNonNull(value, "uuid key");
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }
}
