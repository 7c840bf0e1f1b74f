package dev.reshard.jdbc.copy;

import static dev.reshard.jdbc.TestTables.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.Identifier;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.copy.PgBinaryCopy.CopyBatch;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestDatabases;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The binary COPY backfill against embedded PostgreSQL, compared with plain references: the source
 * rows read through JDBC ({@code getObject} for keys, {@code row::text} for whole rows) and filtered
 * in Java by the same predicate.
 */
class PgBinaryCopyIT {
    private static final int MAX_BATCHES = 1_000;

    private static TestDatabase source;
    private static TestDatabase target;

    private final PgBinaryCopy copy = new PgBinaryCopy();

    @BeforeAll
    static void createDatabases() {
        source = TestDatabases.postgres();
        target = TestDatabases.postgres();
    }

    @AfterAll
    static void dropDatabases() {
        source.close();
        target.close();
    }

    @Test
    void copyBatch_copiesExactlyTheMovingRows_batchAfterBatchUntilDone() throws SQLException {
        createAccounts("accounts");
        Predicate<Object> moves = tenant -> (Long) tenant < 0;

        List<CopyBatch> batches = copyAll("accounts", "tenant_id", 64, moves);

        assertThat(batches).hasSize(8);
        assertThat(batches).extracting(CopyBatch::read).containsExactly(64, 64, 64, 64, 64, 64, 64, 52);
        assertThat(batches)
                .extracting(CopyBatch::done)
                .containsExactly(false, false, false, false, false, false, false, true);
        assertThat(batches).extracting(CopyBatch::fellBack).containsOnly(false);
        assertThat(batches)
                .extracting(batch -> batch.cursor().orElseThrow())
                .containsExactly(
                        List.of(-137L),
                        List.of(-73L),
                        List.of(-9L),
                        List.of(55L),
                        List.of(119L),
                        List.of(183L),
                        List.of(247L),
                        List.of(299L));
        List<String> expected = movingRows("accounts", "tenant_id", "id", moves);
        assertThat(batches.stream().mapToInt(CopyBatch::copied).sum()).isEqualTo(expected.size());
        assertThat(expected).hasSizeBetween(100, 400);
        assertThat(rows(target, "accounts", "id")).containsExactlyElementsOf(expected);
    }

    @Test
    void copyBatch_walksACompositeKey_andAnEmptyLastPageKeepsTheCursor() throws SQLException {
        createOnBoth("CREATE TABLE orders (tenant_id bigint, id bigint, item text NOT NULL,"
                + " PRIMARY KEY (tenant_id, id))");
        execute(
                source,
                "INSERT INTO orders SELECT t, i, 'item ' || t || '/' || i"
                        + " FROM generate_series(1, 3) t, generate_series(1, 40) i");
        Predicate<Object> moves = tenant -> tenant.equals(2L);

        List<CopyBatch> batches = copyAll("orders", "tenant_id", 40, moves);

        assertThat(batches).extracting(CopyBatch::read).containsExactly(40, 40, 40, 0);
        assertThat(batches).extracting(CopyBatch::copied).containsExactly(0, 40, 0, 0);
        assertThat(batches).extracting(CopyBatch::done).containsExactly(false, false, false, true);
        assertThat(batches)
                .extracting(batch -> batch.cursor().orElseThrow())
                .containsExactly(List.of(1L, 40L), List.of(2L, 40L), List.of(3L, 40L), List.of(3L, 40L));
        assertThat(rows(target, "orders", "tenant_id, id"))
                .containsExactlyElementsOf(movingRows("orders", "tenant_id", "tenant_id, id", moves));
    }

    /** A key type and values for it (SQL literals), in no particular order. */
    record KeyType(String sql, List<String> values) {
        @Override
        public String toString() {
            return sql;
        }
    }

    static Stream<KeyType> keyTypes() {
        return Stream.of(
                new KeyType("smallint", List.of("-32768", "-1", "0", "7", "32767")),
                new KeyType("integer", List.of("-2147483648", "-5", "0", "42", "2147483647")),
                new KeyType("bigint", List.of("-9223372036854775808", "-1", "0", "1", "9223372036854775807")),
                new KeyType(
                        "text", List.of("''", "'a'", "'B'", "'ünï ☃ 😀'", "'it''s'", "'back\\slash'", "'back\\\\two'")),
                new KeyType("varchar(20)", List.of("'x'", "'it''s'", "'ö'", "'back\\slash'")),
                new KeyType("char(6)", List.of("'a'", "'ab'", "'a b'", "'abcdef'")),
                new KeyType(
                        "uuid",
                        List.of(
                                "'00000000-0000-0000-0000-000000000000'",
                                "'123e4567-e89b-12d3-a456-426614174000'",
                                "'80000000-0000-0000-0000-000000000001'",
                                "'ffffffff-ffff-ffff-ffff-ffffffffffff'")),
                new KeyType(
                        "numeric",
                        List.of(
                                "-123456789012345678901234567890.123456789",
                                "-10000.0000",
                                "-0.5",
                                "0.000",
                                "0.0001",
                                "0.000000001",
                                "1.50",
                                "9999",
                                "10000",
                                "12345678.87654321",
                                "100000000000000000000",
                                "'NaN'",
                                "'Infinity'",
                                "'-Infinity'")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyTypes")
    void copyBatch_decodesKeysAndShardKeysAsGetObjectDoes(KeyType type) throws SQLException {
        String table = "keyed_" + type.sql().replaceAll("\\W", "_");
        createOnBoth("CREATE TABLE " + table + " (k " + type.sql() + " PRIMARY KEY, s " + type.sql()
                + " NOT NULL, note text)");
        List<String> values = type.values();
        for (int i = 0; i < values.size(); i++) {
            execute(
                    source,
                    "INSERT INTO " + table + " VALUES (" + values.get(i) + ", " + values.get(values.size() - 1 - i)
                            + ", 'row " + i + "')");
        }
        List<Object> seen = new ArrayList<>();
        Predicate<Object> everySecond = shardKey -> seen.add(shardKey) && seen.size() % 2 == 1;

        List<CopyBatch> batches = copyAll(table, "s", 3, everySecond);

        List<Object> keys = column(table, "k");
        List<Object> shardKeys = column(table, "s");
        assertThat(seen).containsExactlyElementsOf(shardKeys);
        assertThat(seen).extracting(Object::getClass).containsExactlyElementsOf(classes(shardKeys));
        List<List<Object>> cursors = IntStream.range(0, batches.size())
                .mapToObj(batch -> List.of(keys.get(Math.min(3 * batch + 3, keys.size()) - 1)))
                .toList();
        assertThat(batches).extracting(batch -> batch.cursor().orElseThrow()).containsExactlyElementsOf(cursors);
        assertThat(batches.get(0).cursor().orElseThrow())
                .extracting(Object::getClass)
                .containsExactlyElementsOf(classes(keys.subList(2, 3)));
        List<String> sourceRows = rows(source, table, "k");
        List<String> everySecondRow = IntStream.range(0, sourceRows.size())
                .filter(i -> i % 2 == 0)
                .mapToObj(sourceRows::get)
                .toList();
        assertThat(rows(target, table, "k")).containsExactlyElementsOf(everySecondRow);
    }

    @Test
    void copyBatch_decodesNegativeAndLargeNumericShardKeys() throws SQLException {
        createOnBoth("CREATE TABLE ledger (id integer PRIMARY KEY, amount numeric NOT NULL)");
        execute(
                source,
                "INSERT INTO ledger SELECT g, (g - 50) * 1234567890123456789.000001 / 7"
                        + " FROM generate_series(1, 100) g");
        Predicate<Object> negative = amount -> ((BigDecimal) amount).signum() < 0;

        copyAll("ledger", "amount", 30, negative);

        assertThat(rows(target, "ledger", "id"))
                .containsExactlyElementsOf(rowsWhere(source, "ledger", "amount < 0", "id"));
        assertThat(rows(target, "ledger", "id")).hasSize(49);
    }

    @Test
    void copyBatch_afterACollision_skipsTheKeysTheTargetHas_withoutFallingBack() throws SQLException {
        createAccounts("known_dual_written");
        execute(
                target,
                "INSERT INTO known_dual_written (id, tenant_id, name) VALUES"
                        + " (-190, -1, 'newer, from the router'), (-170, -1, 'newer, too')");
        List<String> newer = rows(target, "known_dual_written", "id");

        List<CopyBatch> batches = copyAll("known_dual_written", "tenant_id", 20, tenant -> true);

        // The first page collides with -190 and goes through staging; from then on the target's keys
        // are read before each page, so -170 is skipped and the second page streams.
        assertThat(batches)
                .extracting(CopyBatch::fellBack)
                .startsWith(true, false)
                .containsOnlyOnce(true);
        assertThat(batches.get(1).copied()).isEqualTo(20);
        List<String> expected = new ArrayList<>(rows(source, "known_dual_written", "id"));
        expected.set(10, newer.get(0));
        expected.set(30, newer.get(1));
        assertThat(rows(target, "known_dual_written", "id")).containsExactlyElementsOf(expected);
    }

    @Test
    void copyBatch_aCollisionInTheMiddleOfAStreamedPage_replaysThePageThroughStaging() throws SQLException {
        createOnBoth("CREATE TABLE wide (id bigint PRIMARY KEY, note text NOT NULL)");
        execute(source, "INSERT INTO wide SELECT g, repeat(md5(g::text), 64) FROM generate_series(1, 400) g");
        // The dual-written key 150 collides after ~300 KB of the page were streamed.
        execute(target, "INSERT INTO wide SELECT g, 'own' FROM generate_series(-250, -1) g");
        execute(target, "INSERT INTO wide VALUES (150, 'newer, from the router')");

        List<CopyBatch> batches;
        try (Connection sc = source.connection();
                Connection tc = target.connection()) {
            TableSpec sourceTable = Dialect.of(sc).tableSpec(sc, "wide", "id");
            TableSpec targetTable = Dialect.of(tc).tableSpec(tc, "wide", "id");
            CopyBatch first = copy.copyBatch(sc, tc, sourceTable, targetTable, Optional.empty(), 200, id -> true);
            CopyBatch second = copy.copyBatch(sc, tc, sourceTable, targetTable, first.cursor(), 200, id -> true);
            CopyBatch third = copy.copyBatch(sc, tc, sourceTable, targetTable, second.cursor(), 200, id -> true);
            batches = List.of(first, second, third);
        }

        assertThat(batches).extracting(CopyBatch::fellBack).containsExactly(true, false, false);
        assertThat(batches).extracting(CopyBatch::read).containsExactly(200, 200, 0);
        assertThat(batches.get(2).done()).isTrue();
        assertThat(rowsWhere(target, "wide", "id = 150", "id")).containsExactly("(150,\"newer, from the router\")");
        assertThat(rowsWhere(target, "wide", "id > 0 AND id <> 150", "id"))
                .containsExactlyElementsOf(rowsWhere(source, "wide", "id <> 150", "id"));
        assertThat(rowsWhere(target, "wide", "id < 0", "id")).hasSize(250);
    }

    @Test
    void copyBatch_keepsTheRowADualWritePut_andCopiesTheRestThroughStaging() throws SQLException {
        createAccounts("dual_written");
        execute(target, "INSERT INTO dual_written (id, tenant_id, name) VALUES (-190, -1, 'newer, from the router')");
        String newer = rows(target, "dual_written", "id").get(0);
        Predicate<Object> moves = tenant -> true;

        List<CopyBatch> batches;
        try (Connection sc = source.connection();
                Connection tc = target.connection()) {
            TableSpec sourceTable = Dialect.of(sc).tableSpec(sc, "dual_written", "tenant_id");
            TableSpec targetTable = Dialect.of(tc).tableSpec(tc, "dual_written", "tenant_id");
            CopyBatch first = copy.copyBatch(sc, tc, sourceTable, targetTable, Optional.empty(), 20, moves);
            tc.setAutoCommit(false);
            CopyBatch second = copy.copyBatch(sc, tc, sourceTable, targetTable, first.cursor(), 20, moves);
            assertThat(tc.getAutoCommit()).isFalse();
            tc.setAutoCommit(true);
            batches = List.of(first, second);
            assertThat(sc.getAutoCommit()).isTrue();
        }

        assertThat(batches).extracting(CopyBatch::fellBack).containsExactly(true, false);
        assertThat(batches).extracting(CopyBatch::copied).containsExactly(20, 20);
        List<String> expected = new ArrayList<>(rowsWhere(source, "dual_written", "id < -160", "id"));
        expected.set(10, newer);
        assertThat(rows(target, "dual_written", "id")).containsExactlyElementsOf(expected);
    }

    @Test
    void pipe_copiesEveryRowExactly() throws SQLException {
        createAccounts("piped");

        long piped;
        try (Connection sc = source.connection();
                Connection tc = target.connection()) {
            TableSpec table = Dialect.of(sc).tableSpec(sc, "piped", "tenant_id");
            piped = PgBinaryCopy.pipe(
                    sc, tc, "SELECT * FROM piped ORDER BY id", Identifier.parse("table", "piped"), table.columns());
            assertThat(tc.getAutoCommit()).isTrue();
        }

        assertThat(piped).isEqualTo(500);
        assertThat(rows(target, "piped", "id")).containsExactlyElementsOf(rows(source, "piped", "id"));
    }

    @Test
    void supports_onlyKeysItCanDecode_andCopyBatchRefusesTheOthers() throws SQLException {
        createOnBoth("CREATE TABLE events (at timestamptz PRIMARY KEY, tenant_id bigint NOT NULL)");
        createOnBoth("CREATE TABLE tagged (id bigint PRIMARY KEY, tags text[] NOT NULL)");
        createOnBoth("CREATE TABLE plain (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, doc jsonb)");

        try (Connection sc = source.connection();
                Connection tc = target.connection();
                TestDatabase h2 = TestDatabases.h2();
                Connection hc = h2.connection()) {
            Dialect dialect = Dialect.of(sc);
            TableSpec events = dialect.tableSpec(sc, "events", "tenant_id");
            assertThat(PgBinaryCopy.supports(sc, dialect.tableSpec(sc, "plain", "tenant_id")))
                    .isTrue();
            assertThat(PgBinaryCopy.supports(sc, events)).isFalse();
            assertThat(PgBinaryCopy.supports(sc, dialect.tableSpec(sc, "tagged", "tags")))
                    .isFalse();
            execute(hc, "CREATE TABLE plain (id BIGINT PRIMARY KEY, tenant_id BIGINT NOT NULL)");
            assertThat(PgBinaryCopy.supports(hc, Dialect.of(hc).tableSpec(hc, "plain", "tenant_id")))
                    .isFalse();

            assertThatThrownBy(() -> copy.copyBatch(sc, tc, events, events, Optional.empty(), 10, key -> true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key column at of public.events has type timestamp with time zone; binary COPY"
                            + " decodes keys of type smallint, integer, bigint, text, character varying, character,"
                            + " uuid, numeric, use the JDBC backfill");
        }
    }

    @Test
    void copyBatch_refusesDifferentColumnTypes_andOneConnectionForBothSides() throws SQLException {
        execute(source, "CREATE TABLE measures (id bigint PRIMARY KEY, v integer)");
        execute(target, "CREATE TABLE measures (id bigint PRIMARY KEY, v real)");
        execute(source, "INSERT INTO measures VALUES (1, 1)");

        try (Connection sc = source.connection();
                Connection tc = target.connection()) {
            TableSpec sourceTable = Dialect.of(sc).tableSpec(sc, "measures", "id");
            TableSpec targetTable = Dialect.of(tc).tableSpec(tc, "measures", "id");

            assertThatThrownBy(
                            () -> copy.copyBatch(sc, tc, sourceTable, targetTable, Optional.empty(), 10, key -> true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("column 2 is v integer on the source but v real on the target; binary COPY needs"
                            + " equal types, run the schema check");
            assertThatThrownBy(
                            () -> copy.copyBatch(sc, sc, sourceTable, sourceTable, Optional.empty(), 10, key -> true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("source and target are the same connection");
        }
        assertThat(rows(target, "measures", "id")).isEmpty();
    }

    /** accounts-like table on both sides, 500 rows on the source: every column type, NULLs in non-keys. */
    private static void createAccounts(String table) throws SQLException {
        createOnBoth("CREATE TABLE " + table + " (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, name text,"
                + " balance numeric(24,4), created timestamp, avatar bytea, profile jsonb, active boolean)");
        execute(
                source,
                "INSERT INTO " + table + " SELECT g, g % 7 - 3,"
                        + " CASE WHEN g % 5 = 0 THEN NULL ELSE 'name ' || g || ' ✓ ''q'' \\' END,"
                        + " CASE WHEN g % 4 = 0 THEN NULL ELSE g * 1234567.8912 END,"
                        + " CASE WHEN g % 3 = 0 THEN NULL ELSE timestamp '2024-02-29 12:00' + g * interval '1 day 1.5 s' END,"
                        + " CASE WHEN g % 6 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END,"
                        + " CASE WHEN g % 8 = 0 THEN NULL ELSE jsonb_build_object('g', g, 'tags', jsonb_build_array('a', g)) END,"
                        + " CASE WHEN g % 9 = 0 THEN NULL ELSE g % 2 = 0 END"
                        + " FROM generate_series(-200, 299) g");
    }

    private List<CopyBatch> copyAll(String table, String shardKey, int batchSize, Predicate<Object> moves)
            throws SQLException {
        List<CopyBatch> batches = new ArrayList<>();
        try (Connection sc = source.connection();
                Connection tc = target.connection()) {
            TableSpec sourceTable = Dialect.of(sc).tableSpec(sc, table, shardKey);
            TableSpec targetTable = Dialect.of(tc).tableSpec(tc, table, shardKey);
            Optional<List<Object>> cursor = Optional.empty();
            CopyBatch batch;
            do {
                batch = copy.copyBatch(sc, tc, sourceTable, targetTable, cursor, batchSize, moves);
                batches.add(batch);
                cursor = batch.cursor();
            } while (!batch.done() && batches.size() < MAX_BATCHES);
            assertThat(tc.getAutoCommit()).isTrue();
            assertThat(sc.getAutoCommit()).isTrue();
        }
        return batches;
    }

    private static void createOnBoth(String ddl) throws SQLException {
        execute(source, ddl);
        execute(target, ddl);
    }

    /** The reference: the source's rows as text, in key order, whose shard key passes {@code moves}. */
    private static List<String> movingRows(String table, String shardKey, String orderBy, Predicate<Object> moves)
            throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = source.connection();
                Statement statement = c.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT " + shardKey + ", t::text FROM " + table + " t ORDER BY " + orderBy)) {
            while (rs.next()) {
                if (moves.test(rs.getObject(1))) {
                    rows.add(rs.getString(2));
                }
            }
        }
        return rows;
    }

    /** Every row of {@code table} as its text form, in {@code orderBy} order. */
    private static List<String> rows(TestDatabase database, String table, String orderBy) throws SQLException {
        return rowsWhere(database, table, "true", orderBy);
    }

    /** The rows of {@code table} that satisfy {@code condition}, as text, in {@code orderBy} order. */
    private static List<String> rowsWhere(TestDatabase database, String table, String condition, String orderBy)
            throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.connection();
                Statement statement = c.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT t::text FROM " + table + " t WHERE " + condition + " ORDER BY " + orderBy)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    /** One column of the source table through JDBC {@code getObject}, in key order. */
    private static List<Object> column(String table, String column) throws SQLException {
        List<Object> values = new ArrayList<>();
        try (Connection c = source.connection();
                Statement statement = c.createStatement();
                ResultSet rs = statement.executeQuery("SELECT " + column + " FROM " + table + " ORDER BY k")) {
            while (rs.next()) {
                values.add(rs.getObject(1));
            }
        }
        return values;
    }

    private static List<Class<?>> classes(List<Object> values) {
        return values.stream().<Class<?>>map(Object::getClass).toList();
    }
}
