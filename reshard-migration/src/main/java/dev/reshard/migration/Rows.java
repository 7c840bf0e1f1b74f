package dev.reshard.migration;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Rows read by primary key, as maps of lower-case column name to value, keyed by a normalized
 * primary key (integers of any width compare equal, so keys from a changelog, a result set and a
 * checkpoint meet).
 */
public final class Rows {
    private Rows() {}

    /**
     * The rows of {@code keys} on one shard, by normalized key; with {@code lock} they are locked
     * (SELECT ... FOR UPDATE, in primary-key order) for the caller's open transaction.
     */
    public static Map<List<Object>, Map<String, Object>> byKeys(
            Connection c, Dialect dialect, TableSpec table, List<List<Object>> keys, boolean lock) throws SQLException {
        Map<List<Object>, Map<String, Object>> rows = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return rows;
        }
        String sql = lock ? dialect.selectForUpdate(table, keys.size()) : dialect.selectByKeys(table, keys.size());
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (List<Object> key : keys) {
                for (Object part : key) {
                    ps.setObject(i++, part);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int col = 0; col < table.columns().size(); col++) {
                        row.put(table.columns().get(col).toLowerCase(Locale.ROOT), normalize(rs.getObject(col + 1)));
                    }
                    List<Object> key = new ArrayList<>();
                    for (String k : table.primaryKey()) {
                        key.add(row.get(k.toLowerCase(Locale.ROOT)));
                    }
                    rows.put(normalizeKey(key), row);
                }
            }
        }
        return rows;
    }

    /** True when two rows hold the same values (byte arrays compared by content). */
    public static boolean same(Map<String, Object> a, Map<String, Object> b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : a.entrySet()) {
            Object x = e.getValue();
            Object y = b.get(e.getKey());
            boolean equal =
                    x instanceof byte[] bx && y instanceof byte[] by ? Arrays.equals(bx, by) : Objects.equals(x, y);
            if (!equal) {
                return false;
            }
        }
        return true;
    }

    /** Keys from a changelog (Long or BigDecimal) and from a result set (Integer, Long) compare equal. */
    public static List<Object> normalizeKey(List<Object> key) {
        List<Object> out = new ArrayList<>(key.size());
        key.forEach(part -> out.add(normalize(part)));
        return out;
    }

    static Object normalize(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigDecimal d
                && d.stripTrailingZeros().scale() <= 0
                && d.toBigInteger().bitLength() < 63) {
            return d.longValue();
        }
        if (value instanceof BigInteger b && b.bitLength() < 63) {
            return b.longValue();
        }
        return value;
    }
}
