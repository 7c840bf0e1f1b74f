package dev.reshard.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import javax.sql.DataSource;

/** Keyset backfill on a composite primary key: copies moving rows, keeps newer ones, resumes. */
class BackfillIT {
    /** Tenants 0..9; even tenants move. */
    private static final Predicate<Object> MOVES = tenant -> ((Number) tenant).longValue() % 2 == 0;

    private static Map<String, Long> rows(DataSource ds) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT tenant_id, id, amount FROM orders")) {
            while (rs.next()) {
                out.put(rs.getLong(1) + "/" + rs.getLong(2), rs.getLong(3));
            }
        }
        return out;
    }

    /** {@code orders} on both sides; on the source, tenants 0..9 with {@code perTenant} orders each. */
    private static void createOrders(Connection source, Connection target, int perTenant) throws SQLException {
        String ddl = "CREATE TABLE orders (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, amount BIGINT NOT NULL,"
                + " PRIMARY KEY (tenant_id, id))";
        try (Statement ss = source.createStatement();
                Statement ts = target.createStatement()) {
            ss.execute(ddl);
            ts.execute(ddl);
            for (int tenant = 0; tenant < 10; tenant++) {
                for (int id = 0; id < perTenant; id++) {
                    ss.execute("INSERT INTO orders VALUES (" + tenant + ", " + id + ", " + (tenant * 1000 + id) + ")");
                }
            }
        }
    }

    @EachEngine
    void batches_copyMovingRowsOnce_keepDualWrittenRows_andResumeFromTheCursor(TestEngine engine) throws Exception {
        try (TestDatabase source = engine.newDatabase();
                TestDatabase target = engine.newDatabase()) {
            try (Connection sc = source.connection();
                    Connection tc = target.connection();
                    Statement ts = tc.createStatement()) {
                createOrders(sc, tc, 50);
                ts.execute("INSERT INTO orders VALUES (4, 7, -1)"); // a dual-write got there first: newer
                TableSpec s = Dialect.of(sc).tableSpec(sc, "orders", "tenant_id");
                TableSpec t = Dialect.of(tc).tableSpec(tc, "orders", "tenant_id");
                Backfill backfill = new Backfill(Dialect.of(sc), Dialect.of(tc));

                Optional<List<Object>> cursor = Optional.empty();
                int batches = 0;
                int copied = 0;
                Backfill.Batch batch;
                do {
                    batch = backfill.copyBatch(sc, tc, s, t, cursor, 37, MOVES);
                    cursor = batch.cursor();
                    copied += batch.copied();
                    batches++;
                    if (batches == 4) {
                        // a crash after the 4th checkpoint: resume from the saved cursor, re-copy nothing
                        backfill = new Backfill(Dialect.of(sc), Dialect.of(tc));
                    }
                } while (!batch.done());
                assertThat(batches).isEqualTo(500 / 37 + 1);
                assertThat(copied).isEqualTo(250);
                Map<String, Long> after = rows(target.dataSource());
                assertThat(after).hasSize(250);
                assertThat(after.get("4/7"))
                        .as("insert-if-absent keeps the dual-written row")
                        .isEqualTo(-1L);
                assertThat(after.keySet()).allMatch(k -> Long.parseLong(k.split("/")[0]) % 2 == 0);
                assertThat(after.get("8/49")).isEqualTo(8049L);
            }
        }
    }

    /**
     * With the moving rows as a SQL condition the pages read only rows that match it, and the Java
     * rule still decides each one: the condition here (tenants 4 to 7) is wider than what moves
     * (even tenants), and tenants outside it are never read.
     */
    @EachEngine
    void aSourceCondition_narrowsThePages_andTheRuleStillDecidesEachRow(TestEngine engine) throws Exception {
        try (TestDatabase source = engine.newDatabase();
                TestDatabase target = engine.newDatabase()) {
            try (Connection sc = source.connection();
                    Connection tc = target.connection()) {
                createOrders(sc, tc, 20);
                TableSpec s = Dialect.of(sc).tableSpec(sc, "orders", "tenant_id");
                TableSpec t = Dialect.of(tc).tableSpec(tc, "orders", "tenant_id");
                Backfill backfill = new Backfill(Dialect.of(sc), Dialect.of(tc));
                Optional<String> condition = Optional.of("tenant_id BETWEEN 4 AND 7");

                Optional<List<Object>> cursor = Optional.empty();
                int read = 0;
                int copied = 0;
                Backfill.Batch batch;
                do {
                    batch = backfill.copyBatch(sc, tc, s, t, cursor, 15, MOVES, condition);
                    cursor = batch.cursor();
                    read += batch.read();
                    copied += batch.copied();
                } while (!batch.done());

                assertThat(read).as("only tenants 4..7 are read").isEqualTo(80);
                assertThat(copied).isEqualTo(40);
                assertThat(rows(target.dataSource()).keySet())
                        .allMatch(k -> k.startsWith("4/") || k.startsWith("6/"))
                        .hasSize(40);
            }
        }
    }
}
