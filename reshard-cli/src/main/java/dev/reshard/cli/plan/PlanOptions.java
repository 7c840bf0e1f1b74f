package dev.reshard.cli.plan;

import dev.reshard.core.InvalidInputException;
import picocli.CommandLine.Option;

/** Options every {@code reshard plan <strategy>} takes: the synthetic keys and the output format. */
final class PlanOptions {
    static final long MAX_KEYS = 100_000_000;

    @Option(
            names = "--keys",
            paramLabel = "K",
            defaultValue = "1000000",
            description = "synthetic keys to route (default: ${DEFAULT-VALUE})")
    long keys;

    @Option(
            names = "--seed",
            paramLabel = "SEED",
            defaultValue = "42",
            description = "seed of the synthetic keys; a plan is deterministic (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--key-type",
            paramLabel = "TYPE",
            defaultValue = "long",
            converter = Converters.KeyTypes.class,
            description = "long, string or uuid (default: ${DEFAULT-VALUE})")
    KeyType keyType;

    @Option(names = "--json", description = "print one JSON object instead of the table")
    boolean json;

    void validate() {
        InvalidInputException.require(
                keys > 0, "--keys", keys, "must be greater than 0", "route at least one key, e.g. --keys 100000");
        InvalidInputException.require(
                keys <= MAX_KEYS,
                "--keys",
                keys,
                "is more than " + MAX_KEYS,
                "fractions are stable to 0.1% at the default 1000000; use at most " + MAX_KEYS);
    }

    HashedKeys hashedKeys() {
        return new HashedKeys(keyType, keys, seed);
    }
}
