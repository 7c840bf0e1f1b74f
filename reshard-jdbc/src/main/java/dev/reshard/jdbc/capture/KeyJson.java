package dev.reshard.jdbc.capture;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The changelog's {@code pk} column: a flat JSON array of the primary-key values in key order, e.g.
 * {@code [42, "eu-1"]}, written by the database's own JSON function in PostgreSQL ({@code
 * json_build_array}) and MariaDB ({@code JSON_ARRAY}), and by {@link #encode} in H2's Java trigger
 * in the same layout (", " between values).
 */
final class KeyJson {
    private KeyJson() {}

    static String encode(List<?> values) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                json.append(", ");
            }
            appendValue(json, values.get(i));
        }
        return json.append(']').toString();
    }

    private static void appendValue(StringBuilder json, Object value) {
        if (value == null) {
            json.append("null");
        } else if (value instanceof Long
                || value instanceof Integer
                || value instanceof Short
                || value instanceof Byte
                || value instanceof BigInteger) {
            json.append(value);
        } else if (value instanceof BigDecimal decimal) {
            json.append(decimal.toPlainString());
        } else if (value instanceof Boolean) {
            json.append(value);
        } else {
            appendString(json, value.toString());
        }
    }

    private static void appendString(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /**
     * Decodes a flat array of scalars. Integral numbers become {@code Long} (or {@code BigDecimal}
     * beyond its range), other numbers {@code BigDecimal}.
     *
     * @throws IllegalArgumentException when the text is not such an array, or holds a null
     */
    static List<Object> decode(String text) {
        return new Parser(text).array();
    }

    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text == null ? "" : text;
        }

        List<Object> array() {
            List<Object> values = new ArrayList<>();
            skipSpace();
            expect('[');
            skipSpace();
            if (peek() == ']') {
                at++;
                return end(values);
            }
            while (true) {
                skipSpace();
                values.add(value());
                skipSpace();
                char c = next();
                if (c == ']') {
                    return end(values);
                }
                if (c != ',') {
                    throw fail("expected ',' or ']'");
                }
            }
        }

        private List<Object> end(List<Object> values) {
            skipSpace();
            if (at != text.length()) {
                throw fail("unexpected text after the array");
            }
            return values;
        }

        private Object value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (text.startsWith("true", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("false", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                return number();
            }
            throw fail("expected a string, number or boolean (a primary key holds no null, array or object)");
        }

        private Object number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            BigDecimal number = new BigDecimal(text.substring(start, at));
            if (number.scale() <= 0 && text.substring(start, at).matches("-?\\d+")) {
                try {
                    return number.longValueExact();
                } catch (ArithmeticException tooBig) {
                    return number;
                }
            }
            return number;
        }

        private String string() {
            expect('"');
            StringBuilder value = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return value.toString();
                }
                if (c != '\\') {
                    value.append(c);
                    continue;
                }
                char escaped = next();
                switch (escaped) {
                    case '"', '\\', '/' -> value.append(escaped);
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw fail("truncated \\u escape");
                        }
                        value.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> throw fail("unknown escape \\" + escaped);
                }
            }
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private char peek() {
            if (at >= text.length()) {
                throw fail("unexpected end");
            }
            return text.charAt(at);
        }

        private char next() {
            char c = peek();
            at++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                throw fail("expected '" + c + "'");
            }
        }

        private IllegalArgumentException fail(String problem) {
            return new IllegalArgumentException(
                    "changelog pk " + text + " is not a flat JSON array of key values: " + problem + " at " + at);
        }
    }
}
