package dev.reshard.core.hash;

import dev.reshard.core.Key;
import java.util.UUID;

/**
 * A stable 64-bit hash of shard keys. Every implementation is identified by a {@link #name()} that
 * is stored with each shard map; the output of a named hash is a permanent contract and is never
 * changed in place (a different function gets a new name), because a changed hash silently
 * re-routes every key.
 *
 * <p>Implementations are thread-safe and do not allocate on the {@code long}, short-string and UUID
 * paths.
 *
 * @see KeyHashes
 */
public interface KeyHash {

    /** The persistent name of this function, e.g. {@code xxh3-64/v1}. */
    String name();

    /** Hash of a 64-bit integer key. */
    long hash(long key);

    /** Hash of a text key. */
    long hash(String key);

    /** Hash of a UUID key. */
    long hash(UUID key);

    /** Hash of an arbitrary byte string; the other methods are defined in terms of this one. */
    long hashBytes(byte[] bytes, int offset, int length);

    /** Hash of a key of any type. */
    default long hash(Key key) {
        if (key instanceof Key.LongKey k) {
            return hash(k.value());
        }
        if (key instanceof Key.StringKey k) {
            return hash(k.value());
        }
        return hash(((Key.UuidKey) key).value());
    }
}
