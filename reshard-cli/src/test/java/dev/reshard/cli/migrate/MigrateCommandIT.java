package dev.reshard.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.RoutingState;
import dev.reshard.catalog.SecretRef;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.cli.CliRun;
import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.workload.DemoSchema;
import dev.reshard.workload.Ledger;
import dev.reshard.workload.Writers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reshard migrate} against H2 file shards and an embedded catalog in a temporary directory:
 * the test publishes the maps (as an application would), the command line does the rest.
 */
class MigrateCommandIT {
    private static final int USERS = 1500;

    @TempDir
    Path dir;

    private final Map<ShardId, DataSource> shards = new LinkedHashMap<>();

    @BeforeEach
    void shardsWithData() throws SQLException {
        for (int i = 0; i < 3; i++) {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL(shardUrl(i));
            ds.setUser("sa");
            shards.put(shard(i), ds);
            try (Connection c = ds.getConnection()) {
                DemoSchema.create(c, i);
            }
        }
    }

    @Test
    void start_runsToDone_thenStatusShowsIt_andResumeAndRollbackAreRefused() throws Exception {
        publishMaps();
        Path config = config(defaultOptions());

        CliRun start =
                CliRun.of("migrate", "start", "--config", config.toString(), "--id", "m1", "--from", "1", "--to", "2");

        assertThat(start.exit()).as(start.err()).isZero();
        assertThat(start.out())
                .contains("migration m1: v1 -> v2")
                .contains("BACKFILL")
                .contains("migration m1: DONE, map v1 -> v2")
                .contains("verification")
                .contains(": clean");
        assertThat(start.outLines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
        assertThat(rows(shard(2), "users")).isPositive();
        assertThat(rows(shard(0), "users") + rows(shard(1), "users") + rows(shard(2), "users"))
                .isEqualTo(USERS);

        JsonNode one = CliRun.json("migrate", "status", "m1", "--config", config.toString());
        assertThat(one.get("phase").asText()).isEqualTo("DONE");
        assertThat(one.at("/progress/fraction").asDouble()).isEqualTo(1.0);
        assertThat(one.at("/report/verification/clean").asBoolean()).isTrue();
        JsonNode all = CliRun.json("migrate", "status", "--config", config.toString());
        assertThat(all.get("migrations")).hasSize(1);
        assertThat(all.at("/migrations/0/phase").asText()).isEqualTo("DONE");
        CliRun table = CliRun.of("migrate", "status", "--config", config.toString());
        assertThat(table.exit()).isZero();
        assertThat(table.outLines().get(1)).startsWith("m1").contains("DONE", "v1 -> v2", "100%");

        CliRun resume = CliRun.of("migrate", "resume", "m1", "--config", config.toString());
        assertThat(resume.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(resume.err())
                .startsWith("reshard: resume of m1 refused (1 reason):")
                .contains("  - migration: \"m1\" is already DONE");
        assertThat(resume.err()).doesNotContain("\tat ");

        CliRun rollback = CliRun.of("migrate", "rollback", "m1", "--config", config.toString());
        assertThat(rollback.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(rollback.err()).contains("past the point of no return").doesNotContain("\tat ");
    }

    @Test
    void start_stopBefore_stopsThere_andResumeWithTheSameConfigFinishes() throws Exception {
        publishMaps();
        Path config = config("options:\n  batchRows: 500\n  leaseTtl: 5s\n");

        CliRun bad = CliRun.of(
                "migrate",
                "start",
                "-c",
                config.toString(),
                "--id",
                "m2",
                "--from",
                "1",
                "--to",
                "2",
                "--stop-before",
                "sometime");
        assertThat(bad.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(bad.err())
                .contains("--stop-before: \"sometime\" is not a phase a run can stop before; use one of [DUAL_WRITE,"
                        + " BACKFILL, VERIFY, READ_NEW, CUTOVER, CLEANUP, DONE]");

        CliRun start = CliRun.of(
                "migrate",
                "start",
                "-c",
                config.toString(),
                "--id",
                "m2",
                "--from",
                "1",
                "--to",
                "2",
                "--stop-before",
                "cleanup");

        assertThat(start.exit()).as(start.err()).isZero();
        assertThat(start.out()).contains("stopped in CUTOVER before CLEANUP as asked");
        assertThat(CliRun.json("migrate", "status", "m2", "-c", config.toString())
                        .get("phase")
                        .asText())
                .isEqualTo("CUTOVER");

        // The stop belonged to that run: the same config resumes to the end.
        CliRun resume = CliRun.of("migrate", "resume", "m2", "-c", config.toString());
        assertThat(resume.exit()).as(resume.err()).isZero();
        assertThat(resume.out()).contains("migration m2: DONE");
    }

    @Test
    void start_unpublishedVersion_isRefusedAndRecordsNothing() throws Exception {
        publishMaps();
        Path config = config(defaultOptions());

        CliRun run = CliRun.of("migrate", "start", "-c", config.toString(), "--id", "m1", "--from", "1", "--to", "7");

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err())
                .startsWith("reshard: migration m1 refused")
                .contains("  - to: 7 is not a published map version; use 1..2");
        assertThat(CliRun.json("migrate", "status", "-c", config.toString()).get("migrations"))
                .isEmpty();
    }

    @Test
    void start_shardSettingsDifferingFromTheCatalog_areRefusedBeforeAnythingIsWritten() throws Exception {
        publishMaps();
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            catalog.addShard(new ShardConfig(shard(0), shardUrl(0), "sa", SecretRef.NONE, 5L << 30));
        }
        Path config = config(defaultOptions());

        CliRun run = CliRun.of("migrate", "start", "-c", config.toString(), "--id", "m1", "--from", "1", "--to", "2");

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err()).contains("shards[0].capacity: \"1GB\" differs from the catalog's 5GB for shard_0");
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            assertThat(catalog.shards()).hasSize(1);
            assertThat(catalog.migrations()).isEmpty();
        }
    }

    @Test
    void config_unknownKey_badDuration_missingUrl_areAllRefusedBeforeAnythingIsWritten() throws Exception {
        String yaml = shardsAndTables().replace("    url: " + shardUrl(1) + "\n", "")
                + "options:\n  cutoverBudgett: 1s\n  gracePeriod: 10 minutes\n";
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "catalog:\n  path: catalog\n" + yaml);

        CliRun run = CliRun.of("migrate", "start", "-c", config.toString(), "--id", "m1", "--from", "1", "--to", "2");

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err().lines())
                .contains(
                        "reshard: config " + config + " refused (3 problems):",
                        "  - shards[1].url: (missing) is required; give the shard's JDBC URL, e.g."
                                + " jdbc:postgresql://db1:5432/app",
                        "  - options: \"cutoverBudgett\" is not a known key; did you mean cutoverBudget? use one of"
                                + " [batchRows, copyPageRows, maxRowsPerSecond, parallelism, cutoverBudget, cutoverAttempts,"
                                + " gracePeriod, backupDir, leaseTtl, stopBefore, latencyGuardrail, barrierTimeout,"
                                + " cleanupBatchRows, allowUntaggedWrites, catchUpBatch, catchUpWindow,"
                                + " verifyChunkRows, verifyRounds, capacityThreshold]",
                        "  - options.gracePeriod: \"10 minutes\" is not a duration; use e.g. 500ms, 1s, 10m or 2h"
                                + " (from 0 to 30d)");
        assertThat(dir.resolve("catalog")).doesNotExist();
    }

    @Test
    void config_clearTextPassword_isRefusedWithoutEchoingIt() throws Exception {
        Path config = dir.resolve("pw.yaml");
        Files.writeString(
                config,
                "catalog:\n  path: catalog\n"
                        + shardsAndTables().replace("    user: sa\n", "    user: sa\n    password: hunter2\n"));

        CliRun run = CliRun.of("migrate", "status", "-c", config.toString());

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err())
                .contains("shards[0].password: \"<hidden>\" is not a secret reference")
                .doesNotContain("hunter2");
    }

    @Test
    void start_withAPasswordVariableThatIsNotSet_isRefusedBeforeConnecting() throws Exception {
        Path config = dir.resolve("env.yaml");
        Files.writeString(
                config,
                "catalog:\n  path: catalog\n"
                        + shardsAndTables()
                                .replace("    user: sa\n", "    user: sa\n    password: env:RESHARD_IT_NOT_SET_42\n"));

        CliRun run = CliRun.of("migrate", "start", "-c", config.toString(), "--id", "m1", "--from", "1", "--to", "2");

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err())
                .contains("  - shards[0].password: \"env:RESHARD_IT_NOT_SET_42\" cannot be read; secret"
                        + " env:RESHARD_IT_NOT_SET_42: environment variable RESHARD_IT_NOT_SET_42 is not set");
        assertThat(dir.resolve("catalog")).doesNotExist();
    }

    @Test
    void status_withoutACatalog_isRefused() throws Exception {
        Path config = config(defaultOptions());

        CliRun run = CliRun.of("migrate", "status", "-c", config.toString());

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err()).contains("catalog.path:").contains("holds no Reshard catalog");
        assertThat(dir.resolve("catalog")).doesNotExist();
    }

    @Test
    void start_twoShardIdsOnOneDatabase_isRefusedBeforeAnythingIsWritten() throws Exception {
        publishMaps();
        Path config = dir.resolve("same.yaml");
        Files.writeString(
                config,
                "catalog:\n  path: catalog\n"
                        + shardsAndTables()
                                .replace(
                                        "url: " + shardUrl(2) + "\n",
                                        "url: jdbc:h2:file:"
                                                + dir.resolve("x/../shard_0").toAbsolutePath() + "\n")
                        + defaultOptions());
        long users = rows(shard(0), "users") + rows(shard(1), "users");

        CliRun run = CliRun.of("migrate", "start", "-c", config.toString(), "--id", "m1", "--from", "1", "--to", "2");

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err())
                .contains("  - shards[2].url: ")
                .contains("reaches the same database as shards[0] (shard_0)")
                .contains("give shard_2 its own database, or remove it and keep shard_0")
                .doesNotContain("\tat ");
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            assertThat(catalog.shards()).isEmpty();
            assertThat(catalog.migrations()).isEmpty();
        }
        assertThat(rows(shard(0), "users") + rows(shard(1), "users")).isEqualTo(users);
    }

    @Test
    void start_aShardThatIsTheCatalog_isRefused() throws Exception {
        publishMaps();
        Path config = dir.resolve("catalog-shard.yaml");
        Files.writeString(
                config,
                "catalog:\n  path: catalog\n"
                        + shardsAndTables()
                                .replace(
                                        "url: " + shardUrl(2) + "\n",
                                        "url: jdbc:h2:file:"
                                                + dir.resolve("catalog/reshard-catalog")
                                                        .toAbsolutePath() + "\n")
                        + defaultOptions());

        CliRun run = CliRun.of("migrate", "start", "-c", config.toString(), "--id", "m1", "--from", "1", "--to", "2");

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err()).contains("  - shards[2].url: ").contains("is the catalog's database file");
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            assertThat(catalog.shards()).isEmpty();
        }
    }

    @Test
    void start_refusedByPreflight_registersNoShard_andTheCorrectedConfigRuns() throws Exception {
        publishMaps();
        Path tooSmall = dir.resolve("small.yaml");
        Files.writeString(
                tooSmall,
                "catalog:\n  path: catalog\n"
                        + shardsAndTables().replace("capacity: 1GB\ntables", "capacity: 1KB\ntables")
                        + defaultOptions());

        CliRun refused =
                CliRun.of("migrate", "start", "-c", tooSmall.toString(), "--id", "m1", "--from", "1", "--to", "2");

        assertThat(refused.exit()).as(refused.err()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(refused.err()).contains("shards[shard_2].capacity");
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            assertThat(catalog.shards()).isEmpty();
            assertThat(catalog.migrations()).isEmpty();
        }

        CliRun fixed = CliRun.of(
                "migrate",
                "start",
                "-c",
                config(defaultOptions()).toString(),
                "--id",
                "m1",
                "--from",
                "1",
                "--to",
                "2");
        assertThat(fixed.exit()).as(fixed.err()).isZero();
        assertThat(fixed.out()).contains("migration m1: DONE");
    }

    @Test
    void status_unreachableCatalogDatabase_saysTheDriversCauseInOneLine() throws Exception {
        Path config = dir.resolve("down.yaml");
        Files.writeString(
                config,
                "catalog:\n  url: jdbc:postgresql://127.0.0.1:1/reshard\n  user: reshard\n" + shardsAndTables());

        CliRun run = CliRun.of("migrate", "status", "-c", config.toString());

        assertThat(run.exit()).isEqualTo(ReshardCommand.INTERNAL_ERROR);
        assertThat(run.err())
                .startsWith("reshard: catalog.url jdbc:postgresql://127.0.0.1:1/reshard is not reachable: ")
                .contains("Connection refused")
                .doesNotContain("\tat ", "PoolInitializationException");
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void status_onAnEmptyCatalogDatabase_isRefused_andCreatesNoSchema() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("empty").toAbsolutePath();
        Path config = dir.resolve("empty.yaml");
        Files.writeString(config, "catalog:\n  url: " + url + "\n  user: sa\n" + shardsAndTables());

        CliRun run = CliRun.of("migrate", "status", "-c", config.toString());

        assertThat(run.exit()).as(run.err()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err()).contains("catalog.url: ").contains("holds no Reshard catalog");
        try (Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    void migrate_withoutSubcommand_listsThem() {
        CliRun run = CliRun.of("migrate");

        assertThat(run.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err()).contains("start", "status", "resume", "rollback");
    }

    // ---------------------------------------------------------------- fixture

    private static ShardId shard(int i) {
        return ShardId.of("shard_" + i);
    }

    private String shardUrl(int i) {
        return "jdbc:h2:file:" + dir.resolve("shard_" + i).toAbsolutePath();
    }

    /** v1: 64 virtual shards on shard_0 and shard_1, loaded; v2: balanced onto shard_2 too. */
    private void publishMaps() throws SQLException {
        ShardMap from = ShardMap.initial(VirtualShardMap.roundRobin(64, List.of(shard(0), shard(1))));
        Writers.load(shards, from, new Ledger(), USERS, 1, 7);
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            catalog.publish(from, 0, "test: initial");
            catalog.publishRouting(RoutingState.stable(1, from.version()));
            catalog.publish(
                    ShardMaps.balanceVirtualShards(from, new ArrayList<>(List.of(shard(0), shard(1), shard(2)))),
                    1,
                    "test: add shard_2");
        }
    }

    private static String defaultOptions() {
        return "options:\n  batchRows: 500\n  cutoverBudget: 2s\n  gracePeriod: 0s\n  leaseTtl: 5s\n";
    }

    private String shardsAndTables() {
        StringBuilder yaml = new StringBuilder("shards:\n");
        for (int i = 0; i < 3; i++) {
            yaml.append("  - id: shard_")
                    .append(i)
                    .append("\n    url: ")
                    .append(shardUrl(i))
                    .append("\n    user: sa\n    capacity: 1GB\n");
        }
        yaml.append("tables:\n  - name: users\n    shardKey: id\n  - name: orders\n    shardKey: user_id\n");
        return yaml.toString();
    }

    private Path config(String options) throws IOException {
        Path file = dir.resolve("reshard.yaml");
        Files.writeString(file, "catalog:\n  path: catalog\n" + shardsAndTables() + options);
        return file;
    }

    private long rows(ShardId shard, String table) throws SQLException {
        try (Connection c = shards.get(shard).getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
