package dev.reshard.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.cli.CliRun;
import dev.reshard.cli.ReshardCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reshard stats collect} and {@code reshard check} over H2 file shards of different sizes. */
class StatsCheckIT {
    @TempDir
    Path dir;

    private Path config(String capacity, int... rows) throws Exception {
        StringBuilder yaml = new StringBuilder("catalog:\n  path: catalog\nshards:\n");
        for (int i = 0; i < rows.length; i++) {
            String url = "jdbc:h2:file:" + dir.resolve("shard_" + i).toAbsolutePath();
            try (Connection c = DriverManager.getConnection(url, "sa", "");
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS users (id BIGINT PRIMARY KEY, name VARCHAR(200))");
                s.execute("INSERT INTO users SELECT X, REPEAT('x', 150) FROM SYSTEM_RANGE(1, " + rows[i] + ")"
                        + " WHERE NOT EXISTS (SELECT 1 FROM users)");
            }
            yaml.append("  - id: shard_")
                    .append(i)
                    .append("\n    url: ")
                    .append(url)
                    .append("\n    user: sa\n    capacity: ")
                    .append(capacity)
                    .append("\n");
        }
        yaml.append("tables:\n  - name: users\n    shardKey: id\n");
        Path file = dir.resolve("reshard.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void collect_recordsEveryShard_andCheckFiresOnStorageAndSpread_butNotOnGrowthWithoutHistory() throws Exception {
        Path config = config("1MB", 200, 6000);
        assertThat(CliRun.of("shards", "add", "-c", config.toString()).exit()).isZero();
        CliRun none = CliRun.of("check", "-c", config.toString());
        assertThat(none.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(none.out()).contains("nothing could be measured: run `reshard stats collect`");

        CliRun collect = CliRun.of("stats", "collect", "--exact", "-c", config.toString());
        assertThat(collect.exit()).as(collect.err()).isZero();
        assertThat(collect.out())
                .contains("shard_0: ")
                .contains("200 rows (counted), no operation counters")
                .contains("6,000 rows (counted)");

        CliRun check = CliRun.of("check", "-c", config.toString());
        assertThat(check.exit()).as(check.out() + check.err()).isEqualTo(CheckCommand.FIRES);
        assertThat(check.outLines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(Text.WIDTH));
        JsonNode json =
                CliRun.of("check", "--json", "-c", config.toString()).out().isEmpty()
                        ? null
                        : StatusView.JSON.readTree(CliRun.of("check", "--json", "-c", config.toString())
                                .out());
        assertThat(json).isNotNull();
        assertThat(json.get("fires").asBoolean()).isTrue();
        assertThat(status(json, "storage", "shard_1")).isEqualTo("fires");
        assertThat(status(json, "distribution", "shard_1")).isEqualTo("fires");
        assertThat(status(json, "growth", "shard_0")).isEqualTo("not_measured");
        assertThat(status(json, "load", "shard_0")).isEqualTo("not_measured");

        CliRun roomy = CliRun.of("check", "--storage", "1", "--spread", "10", "-c", config.toString());
        assertThat(roomy.out()).contains("no trigger fires");
        assertThat(roomy.exit()).isZero();
        CliRun bad = CliRun.of("check", "--storage", "1.5", "-c", config.toString());
        assertThat(bad.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(bad.err()).contains("storage: 1.5 is not a share of capacity");
    }

    @Test
    void collect_reportsAShardItCannotReach_andStillRecordsTheOthers() throws Exception {
        Path config = config("1GB", 10, 10);
        assertThat(CliRun.of("shards", "add", "-c", config.toString()).exit()).isZero();
        Files.writeString(dir.resolve("blocker"), "");
        try (var catalog = dev.reshard.catalog.Catalogs.embedded(dir.resolve("catalog"))) {
            var s1 = catalog.shard(dev.reshard.core.ShardId.of("shard_1")).orElseThrow();
            catalog.updateShard(new dev.reshard.catalog.ShardConfig(
                    s1.id(),
                    "jdbc:h2:file:" + dir.resolve("blocker/x") + ";IFEXISTS=TRUE",
                    "sa",
                    null,
                    s1.capacityBytes()));
        }
        CliRun collect = CliRun.of("stats", "collect", "-c", config.toString());
        assertThat(collect.exit()).isEqualTo(ReshardCommand.INTERNAL_ERROR);
        assertThat(collect.err()).contains("shard_1: not measured: ").contains("the other shards are recorded");
        assertThat(collect.out()).contains("shard_0: ");
    }

    private static String status(JsonNode json, String trigger, String shard) {
        for (JsonNode n : json.get("triggers")) {
            if (n.get("trigger").asText().equals(trigger)
                    && n.get("shard").asText().equals(shard)) {
                return n.get("status").asText();
            }
        }
        throw new AssertionError(trigger + " " + shard);
    }
}
