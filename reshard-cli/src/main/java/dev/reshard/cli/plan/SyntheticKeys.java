package dev.reshard.cli.plan;

/** A deterministic set of synthetic keys that a plan routes through the maps before and after. */
sealed interface SyntheticKeys permits HashedKeys, RangeKeys, TenantKeys {

    /** Routes every key once through {@code tally}. */
    void routeAll(Tally tally);

    long count();

    KeyType type();

    long seed();

    /** One line for the report, e.g. {@code 1,000,000 long keys, seed 42}. */
    String describe();
}
