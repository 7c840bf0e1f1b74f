package dev.reshard.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import javax.sql.DataSource;

/** Sync-from-source converges the target to the source for the keys given, on every engine. */
class SyncFromSourceIT {
    /** Keys from 1000 up move to the target. */
    private static final Predicate<Object> MOVES = key -> ((Number) key).longValue() >= 1000;

    private static void exec(DataSource ds, String... sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static Map<Long, String> rows(DataSource ds) throws SQLException {
        Map<Long, String> out = new TreeMap<>();
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, balance, note FROM users")) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getLong(2) + "|" + rs.getString(3));
            }
        }
        return out;
    }

    @EachEngine
    void sync_copiesMissing_updatesStale_deletesGone_andLeavesOtherKeysAlone(TestEngine engine) throws Exception {
        try (TestDatabase source = engine.newDatabase();
                TestDatabase target = engine.newDatabase()) {
            String ddl = "CREATE TABLE users (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL, note VARCHAR(100))";
            exec(
                    source.dataSource(),
                    ddl,
                    "INSERT INTO users VALUES (1000, 10, 'copy me')",
                    "INSERT INTO users VALUES (1001, 11, 'new value')",
                    "INSERT INTO users VALUES (5, 5, 'stays on source')");
            exec(
                    target.dataSource(),
                    ddl,
                    "INSERT INTO users VALUES (1001, 99, 'stale')",
                    "INSERT INTO users VALUES (1002, 12, 'deleted on source')",
                    "INSERT INTO users VALUES (6, 6, 'not ours')");
            SyncFromSource sync;
            TableSpec s;
            TableSpec t;
            try (Connection sc = source.connection();
                    Connection tc = target.connection()) {
                s = Dialect.of(sc).tableSpec(sc, "users", "id");
                t = Dialect.of(tc).tableSpec(tc, "users", "id");
                sync = new SyncFromSource(Dialect.of(sc), Dialect.of(tc));
                // keys as a changelog gives them: Long or BigDecimal
                List<List<Object>> keys = List.of(
                        List.of(1000L), List.of(new BigDecimal("1001")), List.of(1002L), List.of(5L), List.of(6L));
                SyncFromSource.Outcome first = sync.sync(sc, tc, s, t, keys, MOVES);
                assertThat(first).isEqualTo(new SyncFromSource.Outcome(2, 1, 2));
                SyncFromSource.Outcome again = sync.sync(sc, tc, s, t, keys, MOVES);
                assertThat(again).as("idempotent").isEqualTo(new SyncFromSource.Outcome(0, 0, 5));
                assertThat(sc.getAutoCommit()).isTrue();
            }
            assertThat(rows(target.dataSource()))
                    .containsExactly(
                            Map.entry(6L, "6|not ours"),
                            Map.entry(1000L, "10|copy me"),
                            Map.entry(1001L, "11|new value"));
            assertThat(rows(source.dataSource())).hasSize(3);
        }
    }
}
