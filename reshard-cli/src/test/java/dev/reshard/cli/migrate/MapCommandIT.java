package dev.reshard.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.cli.CliRun;
import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reshard map} over an embedded catalog and H2 file shards: from registered shards to a
 * finished migration with no Java, and each of the guide's operations on its own strategy.
 */
class MapCommandIT {
    private static final int USERS = 1200;

    @TempDir
    Path dir;

    private final Map<ShardId, DataSource> shards = new LinkedHashMap<>();
    private Path config;

    @BeforeEach
    void shardsAndConfig() throws SQLException, IOException {
        StringBuilder yaml = new StringBuilder("catalog:\n  path: catalog\nshards:\n");
        for (int i = 0; i < 3; i++) {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL("jdbc:h2:file:" + dir.resolve("shard_" + i).toAbsolutePath());
            ds.setUser("sa");
            shards.put(ShardId.of("shard_" + i), ds);
            try (Connection c = ds.getConnection()) {
                DemoSchema.create(c, i);
            }
            yaml.append("  - id: shard_")
                    .append(i)
                    .append("\n    url: ")
                    .append(ds.getURL())
                    .append("\n    user: sa\n    capacity: 1GB\n");
        }
        yaml.append("tables:\n  - name: users\n    shardKey: id\n  - name: orders\n    shardKey: user_id\n")
                .append("options:\n  batchRows: 500\n  cutoverBudget: 2s\n  gracePeriod: 0s\n  leaseTtl: 5s\n");
        config = dir.resolve("reshard.yaml");
        Files.writeString(config, yaml);
    }

    private CliRun run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "-c";
        all[args.length + 1] = config.toString();
        return CliRun.of(all);
    }

    private static CliRun ok(CliRun run) {
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.outLines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(Text.WIDTH));
        return run;
    }

    @Test
    void fromRegisteredShards_toAFinishedMigration_withoutCode() throws Exception {
        ok(run("shards", "add"));
        CliRun init = ok(
                run("map", "init", "--strategy", "virtual", "--shards", "shard_0,shard_1", "--virtual-shards", "64"));
        assertThat(init.out()).contains("published map v1; routers use it (routing epoch 1)");
        ShardMap v1 = catalogMap(1);
        Writers.load(shards, v1, new Ledger(), USERS, 1, 7);

        CliRun dry = ok(run("map", "add-shard", "shard_2", "--dry-run"));
        assertThat(dry.out()).contains("shard_0 -> shard_2: ").contains("dry run: nothing written");
        assertThat(currentVersion()).isEqualTo(1);

        CliRun added = ok(run("map", "add-shard", "shard_2"));
        assertThat(added.out())
                .contains("virtual shards")
                .contains("shard_2: new in v2")
                .contains("published map v2; routers: map v1 (epoch 1), so nothing moved yet")
                .contains("reshard migrate start --id <ID> --from 1 --to 2");
        CliRun diff = ok(run("map", "diff", "1", "2"));
        assertThat(diff.out())
                .contains("shard_1 -> shard_2: ")
                .contains("v2 shard_2")
                .contains("of 64 virtual shards");
        JsonNode json = CliRun.json("map", "diff", "1", "2", "-c", config.toString());
        assertThat(json.get("units").asInt()).isEqualTo(21);

        ok(run("migrate", "start", "--id", "add-2", "--from", "1", "--to", "2"));
        assertThat(rows("shard_2")).isPositive();
        assertThat(rows("shard_0") + rows("shard_1") + rows("shard_2")).isEqualTo(USERS);
        assertThat(ok(run("map", "show")).out()).contains("map v2: ").contains("routers: map v2");
    }

    /**
     * Issue 9 item 4 end to end: the planner works from rows it counted on the shards; its plan is
     * saved, published with `map publish` and migrated; the shards then hold exactly the rows the
     * plan said they would.
     */
    @Test
    void plan_fromMeasuredRows_isPublishedAndMigrated_andTheShardsEndAsPlanned() throws Exception {
        ok(run("shards", "add"));
        ok(run("map", "init", "--strategy", "virtual", "--shards", "shard_0,shard_1", "--virtual-shards", "64"));
        Writers.load(shards, catalogMap(1), new Ledger(), USERS, 1, 7);

        CliRun nothing = ok(run("map", "plan", "--fixed-shards"));
        assertThat(nothing.out()).contains("map v1 (virtual): nothing to do");

        CliRun text = ok(run("map", "plan", "--add", "shard_2"));
        assertThat(text.out())
                .contains("map v1 (virtual): planned")
                .containsPattern("moves: \\d+ virtual shards")
                .contains("rows per unit: counted exactly")
                .contains("reshard migrate start --id ID --from 1 --to 2");

        Path file = dir.resolve("plan.json");
        JsonNode plan =
                CliRun.json("map", "plan", "--add", "shard_2", "--save", file.toString(), "-c", config.toString());
        assertThat(plan.get("status").asText()).isEqualTo("PLANNED");
        assertThat(plan.get("moves").size()).isPositive();
        long before = 0;
        for (JsonNode s : plan.get("before")) {
            before += s.get("rows").asLong();
        }
        assertThat(before).as("users and their orders, counted").isEqualTo(2L * USERS);
        assertThat(file).exists();
        assertThat(currentVersion()).as("planning writes nothing").isEqualTo(1);
        ok(run("map", "publish", file.toString()));
        ok(run("migrate", "start", "--id", "planned", "--from", "1", "--to", "2"));

        for (JsonNode s : plan.get("after")) {
            String shard = s.get("shard").asText();
            assertThat(rows(shard) + orders(shard))
                    .as("rows on %s after the planned migration", shard)
                    .isEqualTo(s.get("rows").asLong());
        }

        // The whole system at a glance (issue 10 item 2).
        CliRun unmeasured = ok(run("status"));
        assertThat(unmeasured.out()).contains("(nothing measured yet: `reshard stats collect`)");
        ok(run("stats", "collect"));
        CliRun status = ok(run("status"));
        assertThat(status.out())
                .contains("map v2 (virtual, 3 shards); routers: map v2")
                .containsPattern("shard_2 +[0-9.]+KB +" + (rows("shard_2") + orders("shard_2")) + " ")
                .contains("routers: 0 live, 0 lapsed")
                .containsPattern("planned +DONE +v1 -> v2 +100%");
        JsonNode overview = CliRun.json("status", "-c", config.toString());
        assertThat(overview.get("map").asInt()).isEqualTo(2);
        assertThat(overview.get("shards").size()).isEqualTo(3);
        assertThat(overview.get("shards").get(2).get("rows").asLong()).isEqualTo(rows("shard_2") + orders("shard_2"));
        assertThat(overview.get("migrations").get(0).get("phase").asText()).isEqualTo("DONE");
    }

    @Test
    void aShardNotRegistered_orASecondInit_isRefusedAndPublishesNothing() {
        CliRun noCatalog = run("map", "init", "--strategy", "ring", "--shards", "shard_0,shard_1");
        assertThat(noCatalog.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(noCatalog.err()).contains("holds no Reshard catalog").contains("`reshard shards add`");
        assertThat(dir.resolve("catalog")).doesNotExist();
        ok(run("shards", "add", "shard_1"));
        CliRun unregistered = run("map", "init", "--strategy", "ring", "--shards", "shard_0,shard_1");
        assertThat(unregistered.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(unregistered.err())
                .contains("shard: \"shard_0\" is not registered in the catalog")
                .contains("`reshard shards add shard_0`");
        ok(run("shards", "add", "shard_0"));
        assertThat(currentVersion()).isZero();

        ok(run("map", "init", "--strategy", "ring", "--shards", "shard_0,shard_1"));
        CliRun again = run("map", "init", "--strategy", "ring", "--shards", "shard_0");
        assertThat(again.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(again.err()).contains("\"v1\" is already published");
        CliRun add = run("map", "add-shard", "shard_2", "--weight", "2");
        assertThat(add.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(add.err()).contains("\"shard_2\" is not registered");
        assertThat(currentVersion()).isEqualTo(1);

        ok(run("shards", "add", "shard_2"));
        CliRun ring = ok(run("map", "add-shard", "shard_2", "--weight", "2"));
        assertThat(ring.out()).contains("ring arc").contains("of the keys").contains("published map v2");
        assertThat(ok(run("map", "show", "2")).out()).contains("shard_2").contains("(weight 2.0)");
    }

    @Test
    void rangesAndTenants_areSplitAndMoved() {
        ok(run("shards", "add"));
        ok(run("map", "init", "--strategy", "range", "--ranges", "0..1000000=shard_0,1000000..=shard_1"));
        assertThat(run("map", "add-shard", "shard_2").err()).contains("`reshard map split-range AT --to shard_2`");
        CliRun split = ok(run("map", "split-range", "500000", "--to", "shard_2"));
        assertThat(split.out()).contains("shard_0 -> shard_2: 1 range").contains("[500000, 1000000)");
        assertThat(run("map", "add-shard", "shard_2").err()).contains("\"shard_2\" is already in map v2");
        CliRun bad = run("map", "split-range", "ten", "--to", "shard_1");
        assertThat(bad.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(bad.err()).contains("AT: \"ten\" is not a whole number");
        CliRun notVirtual = run("map", "move-vshards", "0-999999999", "--to", "shard_1");
        assertThat(notVirtual.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(notVirtual.err()).contains("\"move virtual shards\" does not apply to a");
        CliRun wrong = run("map", "move-tenants", "42", "--to", "shard_1");
        assertThat(wrong.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(wrong.err()).contains("does not apply to a");
        assertThat(currentVersion()).isEqualTo(2);
    }

    @Test
    void directory_tenantsMove_andAMapFileIsPublishedOnlyOverTheVersionItWasReadFrom() throws Exception {
        ok(run("shards", "add"));
        ok(run("map", "init", "--strategy", "directory", "--shards", "shard_0,shard_1"));
        CliRun unlisted = run("map", "move-tenants", "42", "--to", "shard_1");
        assertThat(unlisted.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(unlisted.err()).contains("\"42\" is not in the directory");
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            catalog.registerTenant(Key.of(42L), ShardId.of("shard_0"));
            catalog.registerTenant(Key.of(7L), ShardId.of("shard_0"));
        }
        CliRun moved = ok(run("map", "move-tenants", "42", "7", "--to", "shard_1"));
        assertThat(moved.out()).contains("published map v2");
        JsonNode v2 = CliRun.json("map", "show", "-c", config.toString());
        assertThat(v2.at("/tenants/l:42").asText()).isEqualTo("shard_1");

        Path file = dir.resolve("map.json");
        Files.writeString(
                file, ok(run("map", "show", "--json")).out().replace("\"l:7\" : \"shard_1\"", "\"l:7\" : \"shard_0\""));
        CliRun published = ok(run("map", "publish", file.toString()));
        assertThat(published.out()).contains("1 tenant").contains("published map v3");
        assertThat(CliRun.json("map", "show", "-c", config.toString())
                        .at("/tenants/l:7")
                        .asText())
                .isEqualTo("shard_0");

        CliRun stale = run("map", "publish", file.toString());
        assertThat(stale.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(stale.err()).contains("is not the newest map v3: the map changed since the file was written");
        assertThat(currentVersion()).isEqualTo(3);
    }

    @Test
    void aMapPublishedWithoutRouting_isPinnedBeforeTheNextOneIsPublished() throws Exception {
        ok(run("shards", "add"));
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            catalog.publish(
                    ShardMap.initial(
                            VirtualShardMap.roundRobin(16, List.of(ShardId.of("shard_0"), ShardId.of("shard_1")))),
                    0,
                    "by the application");
        }
        CliRun moved = ok(run("map", "move-vshards", "0-3", "9", "--to", "shard_2"));
        assertThat(moved.out())
                .contains("pinned routers to map v1 (routing epoch 1) before publishing")
                .contains("5 virtual shards");
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            assertThat(catalog.currentRouting().orElseThrow().mapVersion()).isEqualTo(1);
            assertThat(catalog.currentVersion()).isEqualTo(2);
        }
        CliRun out = run("map", "move-vshards", "16", "--to", "shard_2");
        assertThat(out.exit()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(out.err()).contains("VSHARD: \"16\" is not a virtual shard of map v2; use ids from 0 to 15");
    }

    private ShardMap catalogMap(long version) {
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            return catalog.map(version);
        }
    }

    private long currentVersion() {
        if (!Files.exists(dir.resolve("catalog/reshard-catalog.mv.db"))) {
            return 0;
        }
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            return catalog.currentVersion();
        }
    }

    private long rows(String shard) throws SQLException {
        try (Connection c = shards.get(ShardId.of(shard)).getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM users")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long orders(String shard) throws SQLException {
        try (Connection c = shards.get(ShardId.of(shard)).getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
