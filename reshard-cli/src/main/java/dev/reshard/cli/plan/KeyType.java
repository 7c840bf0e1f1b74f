package dev.reshard.cli.plan;

import java.util.Locale;

/** The type of the synthetic shard keys. */
enum KeyType {
    LONG,
    STRING,
    UUID;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
