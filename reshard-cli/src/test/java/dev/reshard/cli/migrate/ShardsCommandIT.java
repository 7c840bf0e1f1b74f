package dev.reshard.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.cli.CliRun;
import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.strategy.VirtualShardMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reshard shards} over an embedded catalog and H2 file shards in a temporary directory. */
class ShardsCommandIT {
    @TempDir
    Path dir;

    @BeforeEach
    void databases() throws SQLException {
        for (String name : List.of("shard_0", "shard_1", "shard_2", "other")) {
            try (Connection c = DriverManager.getConnection(url(name), "sa", "")) {
                c.createStatement().execute("CREATE TABLE IF NOT EXISTS users (id BIGINT PRIMARY KEY)");
            }
        }
    }

    @Test
    void add_registersTheConfigsNewShards_afterADryRunThatWritesNothing_andListShowsThem() throws Exception {
        Path config = config(entry("shard_0", url("shard_0"), "1GB") + entry("shard_1", url("shard_1"), "2GB"));

        CliRun dry = CliRun.of("shards", "add", "--dry-run", "-c", config.toString());
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("would register shard_0: jdbc:h2:file:").contains("dry run: nothing written");
        assertThat(registered()).isEmpty();

        CliRun add = CliRun.of("shards", "add", "shard_1", "-c", config.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(add.out()).contains("registered shard_1: ").contains("capacity 2GB");
        assertThat(registered()).extracting(ShardConfig::id).containsExactly(ShardId.of("shard_1"));

        CliRun list = CliRun.of("shards", "list", "-c", config.toString());
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.outLines().get(0)).startsWith("ID").contains("CAPACITY", "CONFIG");
        assertThat(list.outLines())
                .anySatisfy(l -> assertThat(l).startsWith("shard_1").contains("2GB", "same"))
                .anySatisfy(l -> assertThat(l).startsWith("shard_0").contains("1GB", "not registered"))
                .contains("register the config's new shards: reshard shards add shard_0")
                .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(Text.WIDTH));

        assertThat(CliRun.of("shards", "add", "-c", config.toString()).out())
                .contains("registered shard_0")
                .doesNotContain("registered shard_1");
        JsonNode json = CliRun.json("shards", "list", "-c", config.toString());
        assertThat(json.get("shards")).hasSize(2);
        assertThat(json.at("/shards/0/config").asText()).isEqualTo("same");
        assertThat(json.at("/shards/1/capacityBytes").asLong()).isEqualTo(2L << 30);
    }

    @Test
    void add_oneDatabaseUnderTwoIds_orAnInMemoryShard_isRefusedAndWritesNothing() throws Exception {
        Path config = config(entry("shard_0", url("shard_0"), "1GB")
                + entry("shard_1", "jdbc:h2:file:" + dir.resolve("x/../shard_0"), "1GB"));

        CliRun add = CliRun.of("shards", "add", "-c", config.toString());

        assertThat(add.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(add.err())
                .contains("shards[1].url: ")
                .contains("reaches the same database as shards[0] (shard_0)")
                .doesNotContain("\tat ");
        assertThat(registered()).isEmpty();
        CliRun memory = CliRun.of(
                "shards",
                "add",
                "-c",
                config(entry("shard_2", "jdbc:h2:mem:gone", "1GB")).toString());
        assertThat(memory.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(memory.err()).contains("shards[0].url: \"jdbc:h2:mem:gone\" is an in-memory database");
        assertThat(registered()).isEmpty();
        assertThat(CliRun.of("shards", "add", "shard_9", "-c", config.toString())
                        .err())
                .contains("shard: \"shard_9\" is not in the config");
    }

    @Test
    void update_storesTheConfigsCapacity_andANewUrlOnlyWhenItIsTheSameDatabase() throws Exception {
        Path config = config(entry("shard_0", url("shard_0"), "1GB") + entry("shard_1", url("shard_1"), "1GB"));
        assertThat(CliRun.of("shards", "add", "-c", config.toString()).exit()).isZero();

        Path bigger = config(entry("shard_0", url("shard_0"), "4GB") + entry("shard_1", url("shard_1"), "1GB"));
        CliRun listed = CliRun.of("shards", "list", "-c", bigger.toString());
        assertThat(listed.out())
                .contains("differs: capacity")
                .contains("store the config's settings for shard_0: reshard shards update shard_0");
        CliRun start = CliRun.of("migrate", "start", "-c", bigger.toString(), "--id", "m", "--from", "1", "--to", "2");
        assertThat(start.err()).contains("store the config's with `reshard shards update shard_0`");

        CliRun dry = CliRun.of("shards", "update", "shard_0", "--dry-run", "-c", bigger.toString());
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("shard_0: capacity  1GB  ->  4GB").contains("dry run: nothing written");
        assertThat(capacity("shard_0")).isEqualTo(1L << 30);
        assertThat(CliRun.of("shards", "update", "shard_0", "-c", bigger.toString())
                        .exit())
                .isZero();
        assertThat(capacity("shard_0")).isEqualTo(4L << 30);

        Path sameFile = config(entry("shard_0", "jdbc:h2:file:" + dir.resolve("y/../shard_0"), "4GB")
                + entry("shard_1", url("shard_1"), "1GB"));
        CliRun respelled = CliRun.of("shards", "update", "shard_0", "-c", sameFile.toString());
        assertThat(respelled.exit()).as(respelled.err()).isZero();
        assertThat(urlOf("shard_0")).contains("y/../shard_0");

        Path elsewhere = config(entry("shard_0", url("other"), "4GB") + entry("shard_1", url("shard_1"), "1GB"));
        CliRun moved = CliRun.of("shards", "update", "shard_0", "-c", elsewhere.toString());
        assertThat(moved.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(moved.err())
                .contains("shards[0].url: ")
                .contains("not shard_0's database")
                .contains("pass --new-database if you copied shard_0's rows here");
        assertThat(urlOf("shard_0")).contains("y/../shard_0");
        CliRun forced = CliRun.of("shards", "update", "shard_0", "--new-database", "-c", elsewhere.toString());
        assertThat(forced.exit()).as(forced.err()).isZero();
        assertThat(urlOf("shard_0")).endsWith("other");
    }

    @Test
    void remove_isRefusedWhileTheCurrentMapNamesTheShard_andRemovesOneNoMapNames() throws Exception {
        Path config = config(entry("shard_0", url("shard_0"), "1GB")
                + entry("shard_1", url("shard_1"), "1GB")
                + entry("shard_2", url("shard_2"), "1GB"));
        assertThat(CliRun.of("shards", "add", "-c", config.toString()).exit()).isZero();
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            catalog.publish(
                    ShardMap.initial(
                            VirtualShardMap.roundRobin(8, List.of(ShardId.of("shard_0"), ShardId.of("shard_1")))),
                    0,
                    "test");
        }

        CliRun refused = CliRun.of("shards", "remove", "shard_1", "-c", config.toString());
        assertThat(refused.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(refused.err()).contains("\"shard_1\" is still named by map v1 (the current map)");
        assertThat(registered()).hasSize(3);

        CliRun removed = CliRun.of("shards", "remove", "shard_2", "-c", config.toString());
        assertThat(removed.exit()).as(removed.err()).isZero();
        assertThat(removed.out()).contains("removed shard_2").contains("it is still in the config");
        assertThat(registered()).extracting(ShardConfig::id).doesNotContain(ShardId.of("shard_2"));
    }

    private String url(String name) {
        return "jdbc:h2:file:" + dir.resolve(name).toAbsolutePath();
    }

    private static String entry(String id, String url, String capacity) {
        return "  - id: " + id + "\n    url: " + url + "\n    user: sa\n    capacity: " + capacity + "\n";
    }

    private Path config(String shards) throws IOException {
        Path file = Files.createTempFile(dir, "reshard", ".yaml");
        Files.writeString(
                file, "catalog:\n  path: catalog\nshards:\n" + shards + "tables:\n  - name: users\n    shardKey: id\n");
        return file;
    }

    private List<ShardConfig> registered() {
        if (!Files.exists(dir.resolve("catalog/reshard-catalog.mv.db"))) {
            return List.of();
        }
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            return catalog.shards();
        }
    }

    private long capacity(String id) {
        return registered().stream()
                .filter(s -> s.id().value().equals(id))
                .findFirst()
                .orElseThrow()
                .capacityBytes();
    }

    private String urlOf(String id) {
        return registered().stream()
                .filter(s -> s.id().value().equals(id))
                .findFirst()
                .orElseThrow()
                .jdbcUrl();
    }
}
