package dev.reshard.jdbc.copy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes one binary COPY field of a key column into the object PgJDBC's {@code getObject} returns
 * for that column, so that the shard-key predicate and the cursor see the same values as in the
 * JDBC backfill: {@code smallint} and {@code integer} to {@link Integer}, {@code bigint} to {@link
 * Long}, {@code text}, {@code varchar} and {@code char} to {@link String} ({@code char} with its
 * padding), {@code uuid} to {@link java.util.UUID}, {@code numeric} to {@link BigDecimal} with the value's
 * scale ({@code NaN} and the infinities to the {@link Double} constants).
 */
enum KeyDecoder {
    INT2 {
        @Override
        Object decode(byte[] bytes, int offset, int length) {
            requireLength(length, 2);
            return (int) BigEndian.int16(bytes, offset);
        }
    },
    INT4 {
        @Override
        Object decode(byte[] bytes, int offset, int length) {
            requireLength(length, 4);
            return BigEndian.int32(bytes, offset);
        }
    },
    INT8 {
        @Override
        Object decode(byte[] bytes, int offset, int length) {
            requireLength(length, 8);
            return BigEndian.int64(bytes, offset);
        }
    },
    /** text, varchar and bpchar: the characters in the client encoding, which PgJDBC sets to UTF-8. */
    TEXT {
        @Override
        Object decode(byte[] bytes, int offset, int length) {
            return new String(bytes, offset, length, StandardCharsets.UTF_8);
        }
    },
    UUID {
        @Override
        Object decode(byte[] bytes, int offset, int length) {
            requireLength(length, 16);
            return new java.util.UUID(BigEndian.int64(bytes, offset), BigEndian.int64(bytes, offset + 8));
        }
    },
    NUMERIC {
        @Override
        Object decode(byte[] bytes, int offset, int length) {
            if (length < 8) {
                throw new IllegalStateException("a numeric field has " + length + " bytes, expected at least 8");
            }
            int digits = BigEndian.uint16(bytes, offset);
            int weight = BigEndian.int16(bytes, offset + 2);
            int sign = BigEndian.uint16(bytes, offset + 4);
            int displayScale = BigEndian.uint16(bytes, offset + 6);
            requireLength(length, 8 + 2 * digits);
            switch (sign) {
                case NUMERIC_POSITIVE, NUMERIC_NEGATIVE -> {}
                case NUMERIC_NAN -> {
                    return Double.NaN;
                }
                case NUMERIC_POSITIVE_INFINITY -> {
                    return Double.POSITIVE_INFINITY;
                }
                case NUMERIC_NEGATIVE_INFINITY -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> throw new IllegalStateException("a numeric field has sign 0x" + Integer.toHexString(sign));
            }
            // value = sum of digit[i] * 10000^(weight - i): the digits as one integer, scaled by 10^-4 per
            // base-10000 digit after the first weight + 1 of them
            BigInteger unscaled = digitsAsInteger(bytes, offset + 8, digits);
            BigDecimal value = new BigDecimal(unscaled, 4 * (digits - 1 - weight))
                    // digits hold whole base-10000 groups: drop the zeros they pad past the display scale
                    .setScale(displayScale, RoundingMode.UNNECESSARY);
            return sign == NUMERIC_NEGATIVE ? value.negate() : value;
        }
    };

    private static final int NUMERIC_POSITIVE = 0x0000;
    private static final int NUMERIC_NEGATIVE = 0x4000;
    private static final int NUMERIC_NAN = 0xC000;
    private static final int NUMERIC_POSITIVE_INFINITY = 0xD000;
    private static final int NUMERIC_NEGATIVE_INFINITY = 0xF000;
    private static final BigInteger NUMERIC_BASE = BigInteger.valueOf(10_000);
    /** 10000^4 = 10^16 still fits a long, so up to four base-10000 digits add up without BigInteger. */
    private static final int DIGITS_IN_A_LONG = 4;
    /** int2, int4, int8, text, varchar, bpchar, uuid, numeric. */
    private static final Map<Long, KeyDecoder> BY_TYPE_OID =
            Map.of(21L, INT2, 23L, INT4, 20L, INT8, 25L, TEXT, 1043L, TEXT, 1042L, TEXT, 2950L, UUID, 1700L, NUMERIC);

    /**
     * Decodes the field's {@code length} bytes at {@code offset}.
     *
     * @throws IllegalStateException when the bytes cannot be a value of the type
     */
    abstract Object decode(byte[] bytes, int offset, int length);

    /**
     * The decoder for a column of type {@code typeOid} ({@code pg_type.oid}; built-in types have
     * fixed OIDs), or empty when keys of that type are not decoded here (domains and arrays among
     * them).
     */
    static Optional<KeyDecoder> forType(long typeOid) {
        return Optional.ofNullable(BY_TYPE_OID.get(typeOid));
    }

    /** The key types decoded here, as PostgreSQL names them: for messages. */
    static String supportedTypes() {
        return "smallint, integer, bigint, text, character varying, character, uuid, numeric";
    }

    private static void requireLength(int length, int expected) {
        if (length != expected) {
            throw new IllegalStateException("a key field has " + length + " bytes, expected " + expected);
        }
    }

    private static BigInteger digitsAsInteger(byte[] bytes, int offset, int digits) {
        if (digits <= DIGITS_IN_A_LONG) {
            long value = 0;
            for (int i = 0; i < digits; i++) {
                value = value * 10_000 + BigEndian.int16(bytes, offset + 2 * i);
            }
            return BigInteger.valueOf(value);
        }
        BigInteger value = BigInteger.ZERO;
        for (int i = 0; i < digits; i++) {
            value = value.multiply(NUMERIC_BASE).add(BigInteger.valueOf(BigEndian.int16(bytes, offset + 2 * i)));
        }
        return value;
    }
}
