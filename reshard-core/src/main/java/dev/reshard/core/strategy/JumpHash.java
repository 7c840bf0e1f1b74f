package dev.reshard.core.strategy;

/**
 * Jump consistent hash (Lamping and Veach, arXiv:1406.2294): maps a 64-bit hash to one of {@code n}
 * numbered buckets so that growing {@code n} by one moves only {@code 1/(n+1)} of the keys, all to
 * the new bucket. Same generator as Guava's {@code Hashing.consistentHash}.
 */
final class JumpHash {
    private JumpHash() {}

    static int bucket(long h, int n) {
        long b = -1;
        long j = 0;
        while (j < n) {
            b = j;
            h = h * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((h >>> 33) + 1)));
        }
        return (int) b;
    }
}
