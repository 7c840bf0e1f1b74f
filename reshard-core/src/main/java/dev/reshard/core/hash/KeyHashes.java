package dev.reshard.core.hash;

import dev.reshard.core.InvalidInputException;
import java.util.List;

/**
 * The named key hashes Reshard knows. There is one today; see {@code docs/HASHING.md} for the byte
 * encoding and test vectors that let another language route identically.
 */
public final class KeyHashes {
    private KeyHashes() {}

    /**
     * XXH3 (64-bit, seed 0) over the documented encoding: a {@code long} as 8 bytes little-endian
     * two's complement, a string as its UTF-8 bytes (an unpaired surrogate encodes as {@code '?'}),
     * a UUID as its 16 bytes in RFC 4122 order (most significant long big-endian, then the least
     * significant long big-endian).
     */
    public static KeyHash xxh3V1() {
        return Xxh3KeyHash.INSTANCE;
    }

    /** The hash used when a map does not name one. */
    public static KeyHash defaultHash() {
        return xxh3V1();
    }

    /** All known hashes, by name. */
    public static List<KeyHash> all() {
        return List.of(Xxh3KeyHash.INSTANCE);
    }

    /** Looks a hash up by its persistent name. */
    public static KeyHash byName(String name) {
        for (KeyHash hash : all()) {
            if (hash.name().equals(name)) {
                return hash;
            }
        }
        throw InvalidInputException.of(
                "hash",
                name,
                "is not a known key hash",
                "use one of " + all().stream().map(KeyHash::name).toList());
    }
}
