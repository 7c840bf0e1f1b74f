package dev.reshard.cli.plan;

import java.util.OptionalLong;
import java.util.SplittableRandom;

/** Keys for the range strategy: {@code count} longs uniform over {@code span}, seeded. */
record RangeKeys(Span span, long count, long seed) implements SyntheticKeys {

    /** The half-open interval {@code [lo, hi)}. */
    record Span(long lo, long hi) {
        boolean contains(long key) {
            return key >= lo && key < hi;
        }

        @Override
        public String toString() {
            return "[" + lo + ", " + hi + ")";
        }
    }

    @Override
    public void routeAll(Tally tally) {
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < count; i++) {
            tally.route(random.nextLong(span.lo(), span.hi()));
        }
    }

    /** How many of the keys fall in {@code [start, end)}; no end means unbounded. */
    long countIn(long start, OptionalLong end) {
        SplittableRandom random = new SplittableRandom(seed);
        long in = 0;
        for (long i = 0; i < count; i++) {
            long key = random.nextLong(span.lo(), span.hi());
            if (key >= start && (end.isEmpty() || key < end.getAsLong())) {
                in++;
            }
        }
        return in;
    }

    @Override
    public KeyType type() {
        return KeyType.LONG;
    }

    @Override
    public String describe() {
        return Format.count(count) + " long keys uniform over " + span + ", seed " + seed;
    }
}
