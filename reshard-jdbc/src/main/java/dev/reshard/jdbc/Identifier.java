package dev.reshard.jdbc;

import dev.reshard.core.InvalidInputException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A table or column name from configuration, optionally schema-qualified ({@code schema.table}).
 * Each part must match {@code [A-Za-z_][A-Za-z0-9_]{0,62}}: letters, digits and underscores, at
 * most 63 characters, so that it fits every engine's limit (PostgreSQL 63 bytes, MariaDB 64
 * characters) and cannot carry quotes, spaces, semicolons or comments into SQL. Dialects quote
 * every part anyway; a name from configuration never reaches SQL unquoted.
 */
public final class Identifier {
    private static final Pattern PART = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final String RULE = "use letters, digits and '_' only, starting with a letter or '_', at most 63"
            + " characters per part, e.g. users or app.users";

    private final String schema;
    private final String name;

    private Identifier(String schema, String name) {
        this.schema = schema;
        this.name = name;
    }

    /**
     * Parses {@code name} or {@code schema.name}.
     *
     * @param field where the text came from, for the error message, e.g. {@code tables[0].name}
     * @throws InvalidInputException naming {@code field} and the text when it is not a valid name
     */
    public static Identifier parse(String field, String text) {
        Objects.requireNonNull(field, "field");
        if (text == null) {
            throw InvalidInputException.of(field, "", "is missing", RULE);
        }
        int dot = text.indexOf('.');
        if (dot < 0) {
            return new Identifier(null, requirePart(field, text, text));
        }
        String schema = text.substring(0, dot);
        String name = text.substring(dot + 1);
        return new Identifier(requirePart(field, text, schema), requirePart(field, text, name));
    }

    /** An unqualified name (a column, or a table in the current schema); refuses a dot. */
    public static Identifier simple(String field, String text) {
        Objects.requireNonNull(field, "field");
        return new Identifier(null, requirePart(field, text, text));
    }

    /**
     * Checks one part, e.g. a column name, and returns it unchanged.
     *
     * @throws InvalidInputException naming {@code field} and the text when it is not a valid name
     */
    public static String requireValid(String field, String part) {
        return requirePart(field, part, part);
    }

    /** True when {@code part} is a valid unqualified name. */
    public static boolean isValid(String part) {
        return part != null && PART.matcher(part).matches();
    }

    private static String requirePart(String field, String whole, String part) {
        if (!isValid(part)) {
            throw InvalidInputException.of(field, whole == null ? "" : whole, "is not a valid SQL name", RULE);
        }
        return part;
    }

    /** The schema (PostgreSQL, H2) or database (MariaDB) part, if the name was qualified. */
    public Optional<String> schema() {
        return Optional.ofNullable(schema);
    }

    /** The unqualified name. */
    public String name() {
        return name;
    }

    /** {@code schema.name} as the database catalog spells it. */
    static Identifier qualified(String schema, String name) {
        return new Identifier(requirePart("schema", schema, schema), requirePart("table", name, name));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Identifier that && Objects.equals(schema, that.schema) && name.equals(that.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, name);
    }

    /** {@code name} or {@code schema.name}, unquoted: for messages, never for SQL. */
    @Override
    public String toString() {
        return schema == null ? name : schema + "." + name;
    }
}
