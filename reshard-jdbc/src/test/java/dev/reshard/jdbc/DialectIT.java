package dev.reshard.jdbc;

import static dev.reshard.jdbc.TestTables.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

class DialectIT {

    @EachEngine
    void engine_isDetectedFromTheConnectionAndItsUrl(TestEngine testEngine) throws SQLException {
        try (TestDatabase db = testEngine.newDatabase();
                Connection c = db.connection()) {
            assertThat(Engine.detect(c).name()).isEqualTo(testEngine.name());
            assertThat(Engine.fromJdbcUrl(db.jdbcUrl()).name()).isEqualTo(testEngine.name());
            assertThat(Dialect.of(c).engine().name()).isEqualTo(testEngine.name());
        }
    }

    @EachEngine
    void describe_readsColumnsTypesAndPrimaryKey_inTheCatalogsCase(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createItems(c);
            Dialect dialect = Dialect.of(c);

            TableMetadata items =
                    dialect.describe(c, Identifier.parse("table", "items")).orElseThrow();

            assertThat(items.columnNames()).map(String::toLowerCase).containsExactly("line", "order_id", "sku");
            assertThat(items.primaryKey()).map(String::toLowerCase).containsExactly("order_id", "line");
            assertThat(items.column("SKU").orElseThrow().type()).contains("20");
            assertThat(items.table().schema()).isPresent();
            assertThat(dialect.describe(c, Identifier.parse("table", "no_such_table")))
                    .isEmpty();
        }
    }

    @EachEngine
    void tableSpec_refusesAMissingTableAndAMissingShardKey(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createAccounts(c, "accounts");
            Dialect dialect = Dialect.of(c);

            assertThatThrownBy(() -> dialect.tableSpec(c, "acounts", "tenant_id"))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("tables[acounts].name: \"acounts\" does not exist in schema ");
            assertThatThrownBy(() -> dialect.tableSpec(c, "accounts", "tenant"))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("tables[")
                    .hasMessageContaining(".shardKey: \"tenant\" is not a column of ");
            assertThatThrownBy(() -> dialect.tableSpec(c, "accounts; DROP TABLE accounts", "tenant_id"))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("is not a valid SQL name");
        }
    }

    @EachEngine
    void upsert_insertsThenReplacesTheNonKeyColumns(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createAccounts(c, "accounts");
            Dialect dialect = Dialect.of(c);
            TableSpec accounts = dialect.tableSpec(c, "accounts", "tenant_id");

            write(c, dialect.upsert(accounts), 1L, 10L, "a@x", new BigDecimal("1.50"));
            write(c, dialect.upsert(accounts), 1L, 10L, "b@x", new BigDecimal("2.50"));

            assertThat(rows(c)).containsExactly(List.of(1L, 10L, "b@x", new BigDecimal("2.50")));
        }
    }

    @EachEngine
    void insertIfAbsent_keepsTheExistingRow(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createAccounts(c, "accounts");
            Dialect dialect = Dialect.of(c);
            TableSpec accounts = dialect.tableSpec(c, "accounts", "tenant_id");

            write(c, dialect.insertIfAbsent(accounts), 1L, 10L, "a@x", new BigDecimal("1.50"));
            write(c, dialect.insertIfAbsent(accounts), 1L, 10L, "b@x", new BigDecimal("2.50"));
            write(c, dialect.insertIfAbsent(accounts), 2L, 10L, "c@x", new BigDecimal("0.00"));

            assertThat(rows(c))
                    .containsExactly(
                            List.of(1L, 10L, "a@x", new BigDecimal("1.50")),
                            List.of(2L, 10L, "c@x", new BigDecimal("0.00")));
        }
    }

    @EachEngine
    void deleteByKey_andSelectForUpdate_useThePrimaryKey(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createItems(c);
            Dialect dialect = Dialect.of(c);
            TableSpec items = dialect.tableSpec(c, "items", "order_id");
            update(c, "INSERT INTO items (order_id, line, sku) VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c')");
            c.setAutoCommit(false);

            List<String> skus = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(dialect.selectForUpdate(items, 3))) {
                bind(select, 2L, 1, 1L, 2, 9L, 9);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        skus.add(rows.getString(items.columns().indexOf(sku(items)) + 1));
                    }
                }
            }
            assertThat(skus).containsExactly("b", "c");

            write(c, dialect.deleteByKey(items), 1L, 2);
            c.commit();
            try (PreparedStatement select = c.prepareStatement(dialect.selectForUpdate(items, 1))) {
                bind(select, 1L, 2);
                try (ResultSet rows = select.executeQuery()) {
                    assertThat(rows.next()).isFalse();
                }
            }
            c.commit();
        }
    }

    @EachEngine
    void stats_reportSizeAndRows_andPostgresKeepsLoadCounters(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createAccounts(c, "accounts");
            Dialect dialect = Dialect.of(c);
            TableSpec accounts = dialect.tableSpec(c, "accounts", "tenant_id");
            for (int id = 1; id <= 50; id++) {
                update(c, "INSERT INTO accounts VALUES (" + id + ", 1, 'someone@example.com', 1)");
            }

            TableStats stats = dialect.stats(c, accounts);

            assertThat(stats.bytes()).isPositive();
            assertThat(stats.estimatedRows()).isBetween(engine == TestEngine.MARIADB ? 0L : 50L, 50L);
            if (engine == TestEngine.POSTGRESQL) {
                assertThat(dialect.load(c, accounts)).isPresent();
            }
            if (engine == TestEngine.H2) {
                assertThat(dialect.load(c, accounts)).isEmpty();
            }
        }
    }

    @EachEngine
    void quotedKeywordNames_workAsTableAndColumnNames(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            Dialect dialect = Dialect.of(c);
            String table = engine == TestEngine.H2 ? "SELECT" : "select";
            String column = engine == TestEngine.H2 ? "ORDER" : "order";
            update(
                    c,
                    "CREATE TABLE " + dialect.quote(table) + " (id BIGINT PRIMARY KEY, " + dialect.quote(column)
                            + " BIGINT NOT NULL)");
            TableSpec spec = dialect.tableSpec(c, "select", "order");

            write(c, dialect.upsert(spec), 1L, 2L);

            assertThat(spec.shardKey()).isEqualTo(column);
            assertThat(dialect.stats(c, spec).estimatedRows()).isBetween(0L, 1L);
        }
    }

    private static String sku(TableSpec items) {
        return items.columns().stream()
                .filter(c -> c.equalsIgnoreCase("sku"))
                .findFirst()
                .orElseThrow();
    }

    private static void write(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, values);
            statement.executeUpdate();
        }
    }

    private static void bind(PreparedStatement statement, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i]);
        }
    }

    private static List<List<Object>> rows(Connection c) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (PreparedStatement select =
                        c.prepareStatement("SELECT id, tenant_id, email, balance FROM accounts ORDER BY id");
                ResultSet result = select.executeQuery()) {
            while (result.next()) {
                rows.add(List.of(result.getLong(1), result.getLong(2), result.getString(3), result.getBigDecimal(4)));
            }
        }
        return rows;
    }
}
