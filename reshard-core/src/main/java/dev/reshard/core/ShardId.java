package dev.reshard.core;

import java.util.regex.Pattern;

/**
 * The name of a physical shard, e.g. {@code shard_0}. A letter, then letters, digits, {@code _},
 * {@code -} or {@code .}; at most 63 characters, so that it fits in logs, metrics labels and
 * catalog columns unchanged.
 */
public record ShardId(String value) implements Comparable<ShardId> {
    private static final Pattern VALID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,62}");

    public ShardId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw InvalidInputException.of(
                    "shard id",
                    value,
                    "is not a valid shard id",
                    "start with a letter and use only letters, digits, '_', '-' or '.', at most 63 characters,"
                            + " e.g. shard_4");
        }
    }

    public static ShardId of(String value) {
        return new ShardId(value);
    }

    @Override
    public int compareTo(ShardId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
