package dev.reshard.core.hash;

import java.nio.ByteOrder;
import java.util.UUID;
import net.openhft.hashing.LongHashFunction;

/*
 * Design notes
 *
 * The hash of a long is XXH3 over its 8 little-endian bytes. zero-allocation-hashing's hashLong
 * reads the value in native byte order, so on a big-endian JVM the value is byte-swapped first; the
 * golden tests check hashLong against hashBytes of the encoded bytes so the two can never drift.
 *
 * Strings are hashed over UTF-8, the encoding other languages have at hand, not over Java's UTF-16
 * chars. To keep the hot path free of allocation the UTF-8 bytes are written into a per-thread
 * scratch buffer (strings up to SCRATCH bytes; longer ones allocate). UUIDs use the same buffer.
 */
final class Xxh3KeyHash implements KeyHash {
    static final Xxh3KeyHash INSTANCE = new Xxh3KeyHash();

    private static final LongHashFunction XXH3 = LongHashFunction.xx3();
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int SCRATCH = 1024;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[SCRATCH]);

    private Xxh3KeyHash() {}

    @Override
    public String name() {
        return "xxh3-64/v1";
    }

    @Override
    public long hash(long key) {
        return XXH3.hashLong(LITTLE_ENDIAN ? key : Long.reverseBytes(key));
    }

    @Override
    public long hash(String key) {
        int length = key.length();
        // UTF-8 needs at most 3 bytes per UTF-16 char (a surrogate pair, 2 chars, needs 4).
        byte[] out = length * 3 <= SCRATCH ? BUFFER.get() : new byte[length * 3];
        int n = Utf8.encode(key, out);
        return XXH3.hashBytes(out, 0, n);
    }

    @Override
    public long hash(UUID key) {
        byte[] out = BUFFER.get();
        putLongBigEndian(out, 0, key.getMostSignificantBits());
        putLongBigEndian(out, 8, key.getLeastSignificantBits());
        return XXH3.hashBytes(out, 0, 16);
    }

    @Override
    public long hashBytes(byte[] bytes, int offset, int length) {
        return XXH3.hashBytes(bytes, offset, length);
    }

    private static void putLongBigEndian(byte[] out, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            out[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
