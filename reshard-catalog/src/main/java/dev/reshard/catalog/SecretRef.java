package dev.reshard.catalog;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where a secret (a shard's password) comes from: {@code env:NAME} (an environment variable) or
 * {@code file:/path} (the first line of a file). The catalog stores only this reference, never the
 * secret, and {@link #toString()} never shows a secret. A password written in clear text is refused.
 */
public record SecretRef(String reference) {
    /** No secret (e.g. trust or peer authentication). */
    public static final SecretRef NONE = new SecretRef("");

    public SecretRef {
        Objects.requireNonNull(reference, "reference");
    }

    /** Parses a reference as written in config; {@code field} names it in errors. */
    public static SecretRef parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        if (text.startsWith("env:") && text.length() > 4 && text.substring(4).matches("[A-Za-z_][A-Za-z0-9_]*")) {
            return new SecretRef(text);
        }
        if (text.startsWith("file:") && text.length() > 5) {
            return new SecretRef(text);
        }
        // Do not echo the value: it may be the password itself.
        throw InvalidInputException.of(
                field,
                "<hidden>",
                "is not a secret reference (clear-text passwords are not accepted)",
                "use env:VARIABLE_NAME or file:/path/to/password-file");
    }

    public boolean isNone() {
        return reference.isEmpty();
    }

    /** Reads the secret now, from the process environment. */
    public String resolve() {
        return resolve(System::getenv);
    }

    /** Reads the secret, looking environment variables up in {@code environment}. */
    public String resolve(Function<String, String> environment) {
        if (isNone()) {
            return null;
        }
        if (reference.startsWith("env:")) {
            String name = reference.substring(4);
            String value = environment.apply(name);
            if (value == null) {
                throw new ReshardException("secret " + reference + ": environment variable " + name
                        + " is not set; export it before starting Reshard");
            }
            return value;
        }
        Path path = Path.of(reference.substring(5));
        try {
            String content = Files.readString(path, StandardCharsets.UTF_8);
            int newline = content.indexOf('\n');
            return (newline < 0 ? content : content.substring(0, newline)).strip();
        } catch (IOException e) {
            throw new ReshardException("secret " + reference + ": cannot read " + path + " ("
                    + e.getClass().getSimpleName() + "); check the path and its permissions");
        }
    }

    /** For tests: resolve against a fixed environment. */
    static Function<String, String> environment(Map<String, String> values) {
        return values::get;
    }

    @Override
    public String toString() {
        return isNone() ? "none" : reference;
    }
}
