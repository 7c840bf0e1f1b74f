package dev.reshard.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.cli.CliRun;
import dev.reshard.core.Key;
import dev.reshard.core.map.ShardMap;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import dev.reshard.workload.DemoSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's statistics commands on server shards (PostgreSQL, MariaDB), where the H2 tests
 * cannot reach: `stats collect` reads each server's own size and row figures, `status` shows them,
 * and `map plan` counts each unit's rows through the server's cursor — the counts must be exact.
 */
class ServerShardsIT {
    private static final int USERS = 900;

    @TempDir
    Path dir;

    @EachEngine
    void statsStatusAndPlan_onServerShards(TestEngine engine) throws Exception {
        Assumptions.assumeTrue(engine != TestEngine.H2, "StatsCheckIT and MapCommandIT cover H2");
        List<TestDatabase> dbs = new ArrayList<>();
        try {
            StringBuilder yaml = new StringBuilder("catalog:\n  path: catalog\nshards:\n");
            for (int i = 0; i < 3; i++) {
                TestDatabase db = engine.newDatabase();
                dbs.add(db);
                try (Connection c = db.dataSource().getConnection()) {
                    DemoSchema.create(c, i);
                }
                yaml.append("  - id: shard_").append(i).append("\n    url: ").append(db.jdbcUrl());
                yaml.append("\n    user: ").append(db.user());
                if (!db.password().isEmpty()) {
                    Path pw = dir.resolve("pw" + i);
                    Files.writeString(pw, db.password());
                    Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
                    yaml.append("\n    password: file:").append(pw.getFileName());
                }
                yaml.append("\n    capacity: 10GB\n");
            }
            yaml.append("tables:\n  - name: users\n    shardKey: id\n");
            Path config = dir.resolve("reshard.yaml");
            Files.writeString(config, yaml);
            String c = config.toString();

            assertThat(CliRun.of("shards", "add", "-c", c).exit()).isZero();
            assertThat(CliRun.of(
                                    "map",
                                    "init",
                                    "--strategy",
                                    "virtual",
                                    "--shards",
                                    "shard_0,shard_1",
                                    "--virtual-shards",
                                    "32",
                                    "-c",
                                    c)
                            .exit())
                    .isZero();
            // Users on the two shards by map v1, through plain JDBC: 900 rows in all.
            ShardMap v1;
            try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
                v1 = catalog.map(1);
            }
            for (long id = 1; id <= USERS; id++) {
                int shard = Integer.parseInt(v1.shardFor(Key.of(id)).value().substring(6));
                try (Connection conn = dbs.get(shard).dataSource().getConnection();
                        PreparedStatement ps =
                                conn.prepareStatement("INSERT INTO users (id, balance, note) VALUES (?, 0, 'x')")) {
                    ps.setLong(1, id);
                    ps.executeUpdate();
                }
            }

            CliRun collect = CliRun.of("stats", "collect", "--exact", "-c", c);
            assertThat(collect.exit()).as(collect.err()).isZero();
            assertThat(collect.out()).contains("shard_0: ").contains("rows (counted)");
            JsonNode status = CliRun.json("status", "-c", c);
            long counted = 0;
            for (JsonNode s : status.get("shards")) {
                assertThat(s.get("sizeBytes").asLong())
                        .as("size of %s", s.get("id"))
                        .isPositive();
                counted += s.get("rows").asLong();
            }
            assertThat(counted).isEqualTo(USERS);

            JsonNode plan = CliRun.json("map", "plan", "--add", "shard_2", "-c", c);
            assertThat(plan.get("status").asText()).isEqualTo("PLANNED");
            long before = 0;
            for (JsonNode s : plan.get("before")) {
                before += s.get("rows").asLong();
            }
            assertThat(before).as("rows counted through the server's cursor").isEqualTo(USERS);
            long moved = 0;
            for (JsonNode m : plan.get("moves")) {
                assertThat(m.get("to").asText()).isEqualTo("shard_2");
                moved += m.get("rows").asLong();
            }
            assertThat(moved).isEqualTo(plan.get("rowsToCopy").asLong()).isPositive();
        } finally {
            for (TestDatabase db : dbs) {
                db.close();
            }
        }
    }
}
