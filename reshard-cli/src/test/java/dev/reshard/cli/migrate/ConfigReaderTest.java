package dev.reshard.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.migration.Phase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigReaderTest {
    private static final String VALID = """
            catalog:
              path: ./catalog
            shards:
              - id: shard_0
                url: jdbc:postgresql://db0:5432/app
                user: app
                password: env:SHARD0_PASSWORD
                capacity: 80GB
              - id: shard_1
                url: jdbc:postgresql://db1:5432/app
                user: app
                password: file:/etc/reshard/shard1.pw
                capacity: 85899345920
            tables:
              - name: users
                shardKey: id
              - name: orders
                shardKey: user_id
            options:
              batchRows: 5000
              maxRowsPerSecond: 20000
              parallelism: 4
              cutoverBudget: 500ms
              gracePeriod: 10m
              backupDir: ./backup
              leaseTtl: 30s
              stopBefore: cleanup
            """;

    @TempDir
    Path dir;

    @Test
    void read_validConfig_givesEveryValue() throws IOException {
        MigrateConfig config = ConfigReader.read(write(VALID));

        assertThat(config.catalog()).isEqualTo(new MigrateConfig.Embedded(dir.resolve("catalog")));
        assertThat(config.shards()).hasSize(2);
        assertThat(config.shards().get(0).capacityBytes()).isEqualTo(85_899_345_920L);
        assertThat(config.shards().get(1).capacityBytes()).isEqualTo(85_899_345_920L);
        assertThat(config.shards().get(0).password().reference()).isEqualTo("env:SHARD0_PASSWORD");
        assertThat(config.tables())
                .extracting(t -> t.name() + "." + t.shardKey())
                .containsExactly("users.id", "orders.user_id");
        assertThat(config.options().batchRows()).isEqualTo(5000);
        assertThat(config.options().maxRowsPerSecond()).isEqualTo(20000.0);
        assertThat(config.options().parallelism()).isEqualTo(4);
        assertThat(config.options().cutoverBudget()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.options().gracePeriod()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.options().backupDir()).contains(dir.resolve("backup"));
        assertThat(config.options().leaseTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.options().stopBefore()).contains(Phase.CLEANUP);
    }

    @Test
    void read_catalogDatabase() throws IOException {
        MigrateConfig config = ConfigReader.read(write(VALID.replace(
                "  path: ./catalog\n",
                "  url: jdbc:postgresql://catalog:5432/reshard\n  user: reshard\n  password: env:CATALOG_PW\n")));

        assertThat(config.catalog()).isInstanceOfSatisfying(MigrateConfig.Jdbc.class, c -> {
            assertThat(c.url()).isEqualTo("jdbc:postgresql://catalog:5432/reshard");
            assertThat(c.password().reference()).isEqualTo("env:CATALOG_PW");
        });
    }

    @Test
    void read_optionRefusedByTheEngine_isNamedUnderOptions() throws IOException {
        Path file = write(VALID.replace("parallelism: 4", "parallelism: 0"));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.reasons())
                                .extracting(InvalidInputException::field)
                                .containsExactly("options.parallelism"));
    }

    @Test
    void read_duplicateShardAndBadStopBefore_areBothReported() throws IOException {
        Path file = write(
                VALID.replace("id: shard_1", "id: shard_0").replace("stopBefore: cleanup", "stopBefore: sometime"));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.reasons())
                                .extracting(InvalidInputException::getMessage)
                                .containsExactly(
                                        "shards[1].id: \"shard_0\" is listed twice (also shards[0]); give each shard a distinct id",
                                        "options.stopBefore: \"sometime\" is not a phase a run can stop before; use one of"
                                                + " [DUAL_WRITE, BACKFILL, VERIFY, READ_NEW, CUTOVER, CLEANUP, DONE], e.g."
                                                + " CLEANUP to inspect before the point of no return"));
    }

    @Test
    void read_sizeWithASpace_isRefusedAsTheStyleGuideSays() throws IOException {
        Path file = write(VALID.replace("capacity: 80GB", "capacity: 80 GB"));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .hasMessageContaining("shards[0].capacity: \"80 GB\" is not a size; use e.g. 80GB or 85899345920");
    }

    @Test
    void read_invalidYaml_saysWhere() throws IOException {
        Path file = write("catalog:\n  path: x\n shards: [\n");

        assertThatThrownBy(() -> ConfigReader.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid YAML at line");
    }

    @Test
    void read_duplicateKey_isRefused() throws IOException {
        Path file = write(VALID + "catalog:\n  path: other\n");

        assertThatThrownBy(() -> ConfigReader.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("catalog");
    }

    @Test
    void read_missingFile_namesTheOption() {
        assertThatThrownBy(() -> ConfigReader.read(dir.resolve("nope.yaml")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("--config: ")
                .hasMessageContaining("is not a file");
    }

    @Test
    void parseDuration_unitsAndZero() {
        assertThat(ConfigReader.parseDuration(new TextNode("500ms"))).isEqualTo(Duration.ofMillis(500));
        assertThat(ConfigReader.parseDuration(new TextNode("1.5s"))).isEqualTo(Duration.ofMillis(1500));
        assertThat(ConfigReader.parseDuration(new TextNode("10m"))).isEqualTo(Duration.ofMinutes(10));
        assertThat(ConfigReader.parseDuration(new TextNode("2h"))).isEqualTo(Duration.ofHours(2));
        assertThat(ConfigReader.parseDuration(new TextNode("1d"))).isEqualTo(Duration.ofDays(1));
        assertThat(ConfigReader.parseDuration(new TextNode("PT3S"))).isEqualTo(Duration.ofSeconds(3));
        assertThat(ConfigReader.parseDuration(IntNode.valueOf(0))).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1 s", "1sec", "-1s", "s", "10", "1,5s", "PT"})
    void parseDuration_refusesText(String text) {
        assertThat(ConfigReader.parseDuration(new TextNode(text))).isNull();
    }

    @Test
    void parseDuration_refusesABareNumber() {
        assertThat(ConfigReader.parseDuration(IntNode.valueOf(5))).isNull();
    }

    @Test
    void parseSize_bytesAndBinaryUnits() {
        assertThat(ConfigReader.parseSize(LongNode.valueOf(85_899_345_920L))).isEqualTo(85_899_345_920L);
        assertThat(ConfigReader.parseSize(new TextNode("80GB"))).isEqualTo(85_899_345_920L);
        assertThat(ConfigReader.parseSize(new TextNode("80GiB"))).isEqualTo(85_899_345_920L);
        assertThat(ConfigReader.parseSize(new TextNode("1.5KB"))).isEqualTo(1536);
        assertThat(ConfigReader.parseSize(new TextNode("2TB"))).isEqualTo(2L << 40);
        assertThat(ConfigReader.parseSize(new TextNode("512B"))).isEqualTo(512);
    }

    @ParameterizedTest
    @ValueSource(strings = {"80 GB", "80gb", "80XB", "GB", "-1GB", "0.3B", "99999999999TB"})
    void parseSize_refusesText(String text) {
        assertThat(ConfigReader.parseSize(new TextNode(text))).isNegative();
    }

    @Test
    void parseSize_refusesAFraction() {
        assertThat(ConfigReader.parseSize(DoubleNode.valueOf(1.5))).isNegative();
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("reshard.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
