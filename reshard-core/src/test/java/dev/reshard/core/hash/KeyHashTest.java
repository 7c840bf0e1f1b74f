package dev.reshard.core.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.testing.Seeds;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden values pin the output of {@code xxh3-64/v1} forever: if one of these changes, every key in
 * every deployed map would re-route. The same vectors are in docs/HASHING.md and were checked
 * against the reference implementation's {@code xxhsum -H3}.
 */
class KeyHashTest {
    private final KeyHash hash = KeyHashes.xxh3V1();

    @ParameterizedTest
    @CsvSource({
        "0, 0xc77b3abb6f87acd9",
        "1, 0x2fbc593564db792e",
        "-1, 0x5111c7e47d784413",
        "42, 0xd5a6f8c838df27c8",
        "-9223372036854775808, 0x828f2476789a0e5f",
        "9223372036854775807, 0xa233cf376558df46",
        "1234567890123, 0xf184c651a63edda6",
    })
    void hashLong_goldenValues(long key, String expected) {
        assertThat(hash.hash(key)).isEqualTo(Long.parseUnsignedLong(expected.substring(2), 16));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''| 0x2d06800538d394c2",
                "a| 0xe6c632b61e964e1f",
                "tenant-42| 0xee7f6fb0845f540f",
                "hello, world| 0x302cd5fba73d006c",
                "Ünïcødé| 0x00262169d67d29a3",
                "日本語| 0x11fec42c806050b7",
                "emoji 😀| 0xccc9d8b9da277d0b",
                "123e4567-e89b-12d3-a456-426614174000| 0x827bd1a3caa9f20c",
            })
    void hashString_goldenValues(String key, String expected) {
        assertThat(hash.hash(key))
                .isEqualTo(Long.parseUnsignedLong(expected.trim().substring(2), 16));
    }

    @ParameterizedTest
    @CsvSource({
        "00000000-0000-0000-0000-000000000000, 0xd0a66a65c7528968",
        "123e4567-e89b-12d3-a456-426614174000, 0x0bb452c5ab5577f8",
        "ffffffff-ffff-ffff-ffff-ffffffffffff, 0x722a202f07a4b313",
    })
    void hashUuid_goldenValues(String key, String expected) {
        assertThat(hash.hash(UUID.fromString(key))).isEqualTo(Long.parseUnsignedLong(expected.substring(2), 16));
    }

    @Test
    void name_isPersistentAndResolvable() {
        assertThat(hash.name()).isEqualTo("xxh3-64/v1");
        assertThat(KeyHashes.byName("xxh3-64/v1")).isSameAs(hash);
    }

    @Test
    void byName_unknown_isRefusedWithTheKnownNames() {
        assertThatThrownBy(() -> KeyHashes.byName("murmur3"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("hash: \"murmur3\" is not a known key hash; use one of [xxh3-64/v1]");
    }

    @Test
    void hashLong_equalsHashOfLittleEndianBytes() {
        SplittableRandom random = Seeds.random("hashLong_equalsHashOfLittleEndianBytes");
        for (int i = 0; i < 10_000; i++) {
            long key = random.nextLong();
            byte[] bytes = ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(key)
                    .array();
            assertThat(hash.hash(key)).as("key %d", key).isEqualTo(hash.hashBytes(bytes, 0, 8));
        }
    }

    @Test
    void hashString_equalsHashOfJdkUtf8Bytes_forArbitraryText() {
        SplittableRandom random = Seeds.random("hashString_equalsHashOfJdkUtf8Bytes");
        for (int i = 0; i < 10_000; i++) {
            int length = random.nextInt(i % 100 == 0 ? 2000 : 40);
            StringBuilder s = new StringBuilder();
            for (int c = 0; c < length; c++) {
                // mostly ASCII, some BMP, some surrogates (paired and unpaired)
                int kind = random.nextInt(10);
                s.append(kind < 6 ? (char) (32 + random.nextInt(95)) : (char) random.nextInt(0x10000));
            }
            String key = s.toString();
            byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
            assertThat(hash.hash(key)).as("key %s", key).isEqualTo(hash.hashBytes(utf8, 0, utf8.length));
        }
    }

    @Test
    void hashUuid_equalsHashOfRfc4122Bytes() {
        SplittableRandom random = Seeds.random("hashUuid_equalsHashOfRfc4122Bytes");
        for (int i = 0; i < 10_000; i++) {
            UUID key = new UUID(random.nextLong(), random.nextLong());
            byte[] bytes = ByteBuffer.allocate(16)
                    .putLong(key.getMostSignificantBits())
                    .putLong(key.getLeastSignificantBits())
                    .array();
            assertThat(hash.hash(key)).isEqualTo(hash.hashBytes(bytes, 0, 16));
        }
    }

    @Test
    void hashOfKey_dispatchesOnType() {
        UUID u = UUID.randomUUID();
        assertThat(hash.hash(Key.of(7L))).isEqualTo(hash.hash(7L));
        assertThat(hash.hash(Key.of("x"))).isEqualTo(hash.hash("x"));
        assertThat(hash.hash(Key.of(u))).isEqualTo(hash.hash(u));
    }
}
