package dev.reshard.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretRefTest {

    @Test
    void clearTextPassword_isRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> SecretRef.parse("shards[0].password", "hunter2"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "shards[0].password: \"<hidden>\" is not a secret reference (clear-text passwords are not accepted);"
                                + " use env:VARIABLE_NAME or file:/path/to/password-file")
                .message()
                .doesNotContain("hunter2");
    }

    @Test
    void envReference_resolvesFromTheEnvironment_andNamesAMissingVariable() {
        SecretRef ref = SecretRef.parse("password", "env:SHARD_PW");
        assertThat(ref.resolve(SecretRef.environment(Map.of("SHARD_PW", "s3cret"))))
                .isEqualTo("s3cret");
        assertThatThrownBy(() -> ref.resolve(SecretRef.environment(Map.of())))
                .isInstanceOf(ReshardException.class)
                .hasMessageContaining("environment variable SHARD_PW is not set");
        assertThat(ref.toString()).isEqualTo("env:SHARD_PW");
    }

    @Test
    void fileReference_readsTheFirstLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, "from-file\nignored\n");
        assertThat(SecretRef.parse("password", "file:" + file).resolve()).isEqualTo("from-file");
    }

    @Test
    void passwordInTheJdbcUrl_isRefused() {
        assertThatThrownBy(() ->
                        new ShardConfig(ShardId.of("s"), "jdbc:postgresql://h/db?password=x", "u", SecretRef.NONE, 1))
                .hasMessage(
                        "shards[s].jdbcUrl: \"<hidden>\" carries a password; remove it from the URL and set password: env:NAME or file:/path");
    }

    @Test
    void nonPositiveCapacity_isRefused() {
        assertThatThrownBy(() -> new ShardConfig(ShardId.of("s"), "jdbc:h2:mem:x", null, null, 0))
                .hasMessageStartingWith("shards[s].capacity: 0 must be a positive number of bytes");
    }
}
