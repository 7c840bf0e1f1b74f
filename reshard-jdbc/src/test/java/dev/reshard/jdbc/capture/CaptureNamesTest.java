package dev.reshard.jdbc.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CaptureNamesTest {

    @Test
    void trigger_keepsShortNamesReadable() {
        assertThat(CaptureNames.trigger("users", "_i")).isEqualTo("reshard_capture_users_i");
    }

    @Test
    void trigger_fitsLongNamesIn63Characters_withoutCollisions() {
        String a = "a".repeat(60) + "_x";
        String b = "a".repeat(60) + "_y";

        assertThat(CaptureNames.trigger(a, "_u"))
                .hasSize(63)
                .startsWith("reshard_capture_aaaa")
                .endsWith("_u");
        assertThat(CaptureNames.trigger(a, "_u")).isNotEqualTo(CaptureNames.trigger(b, "_u"));
        assertThat(CaptureNames.trigger(a, "")).hasSizeLessThanOrEqualTo(63);
    }
}
