package dev.reshard.jdbc.capture;

import java.util.Locale;

/**
 * Names of the objects capture creates for a table, within the 63-character limit every engine
 * accepts: {@code reshard_capture_<table>[_suffix]}, or for long table names a prefix of the name
 * plus a hash of the whole name, so that two long names never collide.
 */
final class CaptureNames {
    static final String CHANGELOG = "reshard_changelog";
    static final String FENCE = "reshard_fence";
    private static final int MAX = 63;

    private CaptureNames() {}

    static String trigger(String table, String suffix) {
        String name = "reshard_capture_" + table + suffix;
        if (name.length() <= MAX) {
            return name;
        }
        String hash = String.format(Locale.ROOT, "%08x", table.hashCode());
        int keep = MAX - "reshard_capture_".length() - 1 - hash.length() - suffix.length();
        return "reshard_capture_" + table.substring(0, keep) + "_" + hash + suffix;
    }

    /** A single-quoted SQL literal of a validated name (letters, digits, '_': nothing to escape). */
    static String literal(String validatedName) {
        return "'" + validatedName.replace("'", "''") + "'";
    }
}
