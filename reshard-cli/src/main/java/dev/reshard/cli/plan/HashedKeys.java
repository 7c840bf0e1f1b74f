package dev.reshard.cli.plan;

import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Keys for the hash strategies: {@code count} values from a {@link SplittableRandom} seeded with
 * {@code seed}. Long keys are the random longs; string keys {@code key-<hex>}; UUID keys random
 * version-4 UUIDs.
 */
record HashedKeys(KeyType type, long count, long seed) implements SyntheticKeys {

    @Override
    public void routeAll(Tally tally) {
        SplittableRandom random = new SplittableRandom(seed);
        switch (type) {
            case LONG -> {
                for (long i = 0; i < count; i++) {
                    tally.route(random.nextLong());
                }
            }
            case STRING -> {
                for (long i = 0; i < count; i++) {
                    tally.route("key-" + Long.toHexString(random.nextLong()));
                }
            }
            case UUID -> {
                for (long i = 0; i < count; i++) {
                    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
                    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | Long.MIN_VALUE;
                    tally.route(new UUID(msb, lsb));
                }
            }
        }
    }

    @Override
    public String describe() {
        return Format.count(count) + " " + type + " keys, seed " + seed;
    }
}
