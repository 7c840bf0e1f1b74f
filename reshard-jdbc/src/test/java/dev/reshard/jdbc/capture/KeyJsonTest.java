package dev.reshard.jdbc.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KeyJsonTest {

    @Test
    void encode_matchesTheLayoutOfPostgresAndMariaDbJsonArrays() {
        assertThat(KeyJson.encode(List.of(42L, "eu-1"))).isEqualTo("[42, \"eu-1\"]");
        assertThat(KeyJson.encode(List.of(new BigDecimal("12.50"), true))).isEqualTo("[12.50, true]");
        assertThat(KeyJson.encode(List.of("a\"b\\c\nd\u0001"))).isEqualTo("[\"a\\\"b\\\\c\\nd\\u0001\"]");
        UUID id = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        assertThat(KeyJson.encode(List.of(id))).isEqualTo("[\"123e4567-e89b-12d3-a456-426614174000\"]");
    }

    @Test
    void decode_readsWhatTheEnginesWrite() {
        assertThat(KeyJson.decode("[42, \"eu-1\"]")).containsExactly(42L, "eu-1");
        assertThat(KeyJson.decode("[1,2]")).containsExactly(1L, 2L);
        assertThat(KeyJson.decode("[12.50]")).containsExactly(new BigDecimal("12.50"));
        assertThat(KeyJson.decode("[99999999999999999999]")).containsExactly(new BigDecimal("99999999999999999999"));
        assertThat(KeyJson.decode("[\"caf\\u00e9 \\\"x\\\" a\\/b\"]")).containsExactly("caf\u00e9 \"x\" a/b");
        assertThat(KeyJson.decode(" [ false ] ")).containsExactly(false);
    }

    @Test
    void roundTrip_keepsValues() {
        List<Object> key = List.of(-7L, "tab\there", new BigDecimal("0.001"));
        assertThat(KeyJson.decode(KeyJson.encode(key))).isEqualTo(key);
    }

    @Test
    void decode_refusesAnythingButAFlatArrayOfScalars() {
        for (String bad : new String[] {"", "42", "[1", "[null]", "[[1]]", "[{\"a\":1}]", "[1] x", "[\"a]"}) {
            assertThatThrownBy(() -> KeyJson.decode(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("changelog pk " + bad + " is not a flat JSON array of key values");
        }
    }
}
