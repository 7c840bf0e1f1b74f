package dev.reshard.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShardConfigTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "jdbc:postgresql://app:S3ntinel-pw-9@db/app",
                "jdbc:postgresql://db/app?password=S3ntinel-pw-9",
                "jdbc:postgresql://db/app?ssl=true&password =S3ntinel-pw-9",
                "jdbc:postgresql://db/app?pa%73sword=S3ntinel-pw-9",
                "jdbc:mariadb://db/app?pwd=S3ntinel-pw-9",
                "jdbc:h2:file:/tmp/x;PASSWORD=S3ntinel-pw-9"
            })
    void new_urlWithAPassword_isRefusedWithoutEchoingIt(String url) {
        assertThatThrownBy(() -> new ShardConfig(ShardId.of("shard_0"), url, "app", SecretRef.NONE, 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("carries a password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3ntinel"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:postgresql://db:5432/app?sslmode=require", "jdbc:h2:file:/tmp/a@b/x"})
    void new_urlWithoutCredentials_isAccepted(String url) {
        assertThat(new ShardConfig(ShardId.of("shard_0"), url, "app", SecretRef.NONE, 1).jdbcUrl())
                .isEqualTo(url);
    }
}
