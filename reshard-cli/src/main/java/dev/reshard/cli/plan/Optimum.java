package dev.reshard.cli.plan;

import dev.reshard.core.ShardId;

/** The fewest keys an operation could move, as a fraction of all keys, and why. */
sealed interface Optimum {

    double fraction(Tally tally);

    /** Why this is the optimum, e.g. {@code 1/5, the new shard's even share}. */
    String basis();

    /** A fraction known before routing: a share of the hash space, or counted keys. */
    static Optimum of(double fraction, String basis) {
        return new Known(fraction, basis);
    }

    /** Exactly the keys {@code shard} held before: the least a removal can move. */
    static Optimum keysOf(ShardId shard) {
        return new KeysOf(shard);
    }

    record Known(double value, String basis) implements Optimum {
        @Override
        public double fraction(Tally tally) {
            return value;
        }
    }

    record KeysOf(ShardId shard) implements Optimum {
        @Override
        public double fraction(Tally tally) {
            return (double) tally.keysBefore(shard) / tally.total();
        }

        @Override
        public String basis() {
            return "the keys " + shard + " held, and no others";
        }
    }
}
