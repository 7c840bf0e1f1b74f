package dev.reshard.core.testing;

import java.util.SplittableRandom;

/**
 * Seeds for property tests. A run uses {@code -Dreshard.seed=N} when given, otherwise a fresh seed;
 * either way the seed is printed and put in every assertion description, so a failure can be
 * replayed with {@code ./mvnw test -Dreshard.seed=N}.
 */
public final class Seeds {
    private static final long RUN_SEED = Long.getLong("reshard.seed", System.nanoTime());

    static {
        System.out.println("[reshard] property-test seed: -Dreshard.seed=" + RUN_SEED);
    }

    private Seeds() {}

    /** The seed for one test case, derived from the run seed and the case's name. */
    public static long seed(String testCase) {
        return RUN_SEED * 31 + testCase.hashCode();
    }

    public static SplittableRandom random(String testCase) {
        return new SplittableRandom(seed(testCase));
    }
}
