package dev.reshard.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.reshard.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
        assertThat(config.options().stopBefore()).isEmpty();
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
    void read_duplicateShardAndStopBefore_areBothReported() throws IOException {
        Path file = write(VALID.replace("id: shard_1", "id: shard_0")
                .replace("leaseTtl: 30s", "leaseTtl: 30s\n  stopBefore: cleanup"));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.reasons())
                                .extracting(InvalidInputException::getMessage)
                                .containsExactly(
                                        "shards[1].id: \"shard_0\" is listed twice (also shards[0]); give each shard a distinct id",
                                        "options.stopBefore: \"cleanup\" is no longer a config option (it stopped every later"
                                                + " resume too); remove it and pass --stop-before PHASE to the `reshard migrate"
                                                + " start` or `resume` that should stop"));
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

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "capacity: 80GB|capacity: 0x10|shards[0].capacity: 0x10 is a number YAML reads in another base",
                "capacity: 80GB|capacity: 0755|shards[0].capacity: 0755 is a number YAML reads in another base",
                "user: appNL    password: env:SHARD0|user: offNL    password: env:SHARD0|shards[0].user: off is a yes/no word",
                "batchRows: 5000|batchRows: 1_000|options.batchRows: 1_000 has '_' digit separators",
                "gracePeriod: 10m|gracePeriod: 1:30|options.gracePeriod: 1:30 is a base-60 number",
                "- id: shard_0|- id: &a shard_0|shards[0].id: &a is a YAML anchor",
                "id: shard_1|id: *a|shards[1].id: *a is a YAML alias",
                "user: appNL    password: file|user: !!str appNL    password: file|shards[1].user: tag:yaml.org,2002:str is a YAML tag",
                "leaseTtl: 30s|leaseTtl: 30sNL---NLother: 1|config: document 2 is a second YAML document",
            })
    void read_yamlCoercionsAndReferences_areRefusedWithTheirPath(String from, String to, String message)
            throws IOException {
        Path file = write(VALID.replace(from.replace("NL", "\n"), to.replace("NL", "\n")));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void read_mergeKey_isRefused() throws IOException {
        Path file = write(VALID.replace("options:\n", "options:\n  <<: {batchRows: 1}\n"));

        assertThatThrownBy(() -> ConfigReader.read(file)).hasMessageContaining("options: << is a YAML merge key");
    }

    @Test
    void read_quotedValuesThatLookLikeNumbers_areText() throws IOException {
        MigrateConfig config = ConfigReader.read(write(VALID.replace("user: app", "user: \"0755\"")));

        assertThat(config.shards().get(0).username()).isEqualTo("0755");
    }

    @Test
    void read_numberInATextField_isRefused() throws IOException {
        Path file = write(VALID.replace("name: users", "name: 12"));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .hasMessageContaining("tables[0].name: 12 is not text (YAML reads it as a number); quote it");
    }

    @Test
    void read_syntaxErrorOnThePasswordLine_doesNotShowTheLine() throws IOException {
        Path file = write(VALID.replace("password: env:SHARD0_PASSWORD", "password: \"S3ntinel-pw-9\" x: ["));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid YAML at line 7")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3ntinel"));
    }

    @Test
    void read_tooLargeFileOrLine_isRefusedBeforeParsing() throws IOException {
        Path big = write(VALID + "#" + "x".repeat(ConfigReader.MAX_BYTES) + "\n");
        assertThatThrownBy(() -> ConfigReader.read(big)).hasMessageContaining("more than a config may be (1048576)");

        Path wide = write(VALID.replace("user: app", "user: " + "a".repeat(ConfigReader.MAX_LINE)));
        assertThatThrownBy(() -> ConfigReader.read(wide))
                .hasMessageContaining(
                        "has a line of 8202 characters at line 6, longer than a config line may be (8192)");
    }

    @Test
    void read_everyProblemIsReportedAtOnce() throws IOException {
        Path file = write(VALID.replace("parallelism: 4", "parallelism: 1000000000")
                .replace("gracePeriod: 10m", "gracePeriod: 99999999h")
                .replace("leaseTtl: 30s", "leaseTtl: PT0.0000001S")
                .replace("batchRows: 5000", "batchRows: 99999999999999999999"));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.reasons())
                                .extracting(InvalidInputException::getMessage)
                                .containsExactly(
                                        "options.batchRows: 99999999999999999999 is too large; use at most 1000000 (the range"
                                                + " is from 1 to 1000000)",
                                        "options.parallelism: 1000000000 is too large; use at most 64 (the range is from 1 to"
                                                + " 64)",
                                        "options.gracePeriod: \"99999999h\" is too large; use at most 30d (the range is from 0"
                                                + " to 30d)",
                                        "options.leaseTtl: \"PT0.0000001S\" is too small; use at least 1s (the range is from"
                                                + " 1s to 1h)"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "jdbc:h2:mem:shard|shards[0].url: \"jdbc:h2:mem:shard\" is an in-memory database",
                "jdbc:h2:file:/tmp/x;INIT=RUNSCRIPT_FROM_X|shards[0].url: \"jdbc:h2:file:/tmp/x;INIT=***\" sets INIT",
                "jdbc:sqlite:/tmp/x|shards[0].url: \"jdbc:sqlite:/tmp/x\" uses the driver 'sqlite'",
                "jdbc:postgresql://db0:notaport/app|shards[0].url: \"jdbc:postgresql://db0:notaport/app\" has the port",
                "jdbc:postgresql://u:S3ntinel-pw-9@db0/app|shards[0].url: \"jdbc:postgresql://***@db0/app\" carries credentials",
            })
    void read_badShardUrl_isRefusedByName(String url, String message) throws IOException {
        Path file = write(VALID.replace("jdbc:postgresql://db0:5432/app", url));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3ntinel"));
    }

    @Test
    void read_catalogUrl_isVettedToo() throws IOException {
        Path file = write(VALID.replace(
                "  path: ./catalog\n",
                "  url: jdbc:postgresql://c/reshard?socketFactory=x.Y&password=S3ntinel-pw-9\n"));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .hasMessageContaining("catalog.url: ")
                .hasMessageContaining("sets socketFactory, which loads the Java class it names")
                .hasMessageContaining("sets password, which is a secret")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3ntinel"));
    }

    @Test
    void read_idsThatDifferOnlyInCase_areRefused() throws IOException {
        Path file = write(VALID.replace("id: shard_1", "id: SHARD_0"));

        assertThatThrownBy(() -> ConfigReader.read(file))
                .hasMessageContaining("shards[1].id: \"SHARD_0\" differs from the id of shards[0] only in case");
    }

    @Test
    void read_relativePasswordFile_resolvesAgainstTheConfigsDirectory_andWarnsWhenEveryoneMayReadIt()
            throws IOException {
        Path pw = dir.resolve("secrets/shard1.pw");
        Files.createDirectories(pw.getParent());
        Files.writeString(pw, "x\n");
        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        MigrateConfig config =
                ConfigReader.read(write(VALID.replace("file:/etc/reshard/shard1.pw", "file:secrets/shard1.pw")));

        assertThat(config.shards().get(1).password().reference()).isEqualTo("file:" + pw);
        assertThat(config.warnings()).singleElement().asString().contains("shards[1].password", "chmod 600");
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("reshard.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
