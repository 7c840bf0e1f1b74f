package dev.reshard.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Chunked in-database checksums find exactly the differing keys; sync-from-source repairs them. */
class VerifierIT {
    /** Ids from 1000 up move to the target. */
    private static final Predicate<Object> MOVES = id -> ((Number) id).longValue() >= 1000;

    @EachEngine
    void compare_namesStaleMissingAndResurrectedKeys_ignoresTheTargetsOwnRows_andIsCleanAfterRepair(TestEngine engine)
            throws Exception {
        try (TestDatabase source = engine.newDatabase();
                TestDatabase target = engine.newDatabase();
                Connection sc = source.connection();
                Connection tc = target.connection();
                Statement ss = sc.createStatement();
                Statement ts = tc.createStatement()) {
            String ddl = "CREATE TABLE users (id BIGINT PRIMARY KEY, balance BIGINT, note VARCHAR(100))";
            ss.execute(ddl);
            ts.execute(ddl);
            for (int id = 990; id < 1300; id++) {
                String row = "(" + id + ", " + (id % 7) + ", " + (id % 3 == 0 ? "NULL" : "'n" + id + "'") + ")";
                ss.execute("INSERT INTO users VALUES " + row);
                if (id >= 1000) {
                    ts.execute("INSERT INTO users VALUES " + row);
                }
            }
            ts.execute("INSERT INTO users VALUES (5, 5, 'the target shard''s own row')");
            ts.execute("UPDATE users SET balance = 99 WHERE id = 1010"); // stale
            ts.execute("UPDATE users SET note = 'null' WHERE id = 1011"); // NULL on the source, 'null' here
            ts.execute("DELETE FROM users WHERE id = 1150"); // missing
            ts.execute("INSERT INTO users VALUES (1400, 1, 'deleted on the source')"); // resurrected
            TableSpec s = Dialect.of(sc).tableSpec(sc, "users", "id");
            TableSpec t = Dialect.of(tc).tableSpec(tc, "users", "id");
            Verifier verifier = new Verifier(Dialect.of(sc), Dialect.of(tc));

            Verifier.Report report = verifier.compare(sc, tc, s, t, 64, MOVES);
            assertThat(report.mismatchedKeys())
                    .containsExactlyInAnyOrder(List.of(1010L), List.of(1011L), List.of(1150L), List.of(1400L));
            assertThat(report.sourceRows()).isEqualTo(300);
            assertThat(report.chunks()).isEqualTo(310 / 64 + 1);
            assertThat(report.mismatchedChunks()).isBetween(3, 4);

            // With the moving rows as a SQL condition: the in-database count and sum differ, so the
            // chunked compare runs and names the same keys.
            Verifier.Report pushedDown = verifier.compare(sc, tc, s, t, 64, MOVES, Optional.of("id >= 1000"));
            assertThat(pushedDown.mismatchedKeys()).containsExactlyInAnyOrderElementsOf(report.mismatchedKeys());

            new SyncFromSource(Dialect.of(sc), Dialect.of(tc)).sync(sc, tc, s, t, report.mismatchedKeys(), MOVES);
            Verifier.Report after = verifier.compare(sc, tc, s, t, 64, MOVES);
            assertThat(after.clean()).isTrue();
            assertThat(after.targetRows()).isEqualTo(300);
            Verifier.Report afterPushedDown = verifier.compare(sc, tc, s, t, 64, MOVES, Optional.of("id >= 1000"));
            assertThat(afterPushedDown.clean()).isTrue();
            assertThat(afterPushedDown.chunks())
                    .as("one aggregate per side, no chunk read")
                    .isEqualTo(1);
            assertThat(afterPushedDown.sourceRows()).isEqualTo(300);

            // A difference the aggregate alone must see: one value changed on the target.
            ts.execute("UPDATE users SET balance = balance + 1 WHERE id = 1299");
            assertThat(verifier.compare(sc, tc, s, t, 64, MOVES, Optional.of("id >= 1000"))
                            .mismatchedKeys())
                    .containsExactly(List.of(1299L));
        }
    }

    /**
     * PostgreSQL hashes each column with its type's own hash function: a change in any one column of
     * any of these types, two values of equal type swapped between columns, and NULL against an
     * empty or zero value are each seen.
     */
    @Test
    void compare_onPostgres_seesAChangeInEveryColumnType_swappedColumns_andNullAgainstEmpty() throws Exception {
        String ddl = "CREATE TABLE wide (id bigint PRIMARY KEY, s smallint, i integer, t text, v varchar(20),"
                + " c char(4), n numeric(12,3), u uuid, ts timestamp, tz timestamptz, f float8, r real,"
                + " j jsonb, b bytea, flag boolean, d date, a text, z text)";
        String row = "(%d, 1, 2, 'x', 'y', 'abcd', 1.5, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
                + " '2024-02-29 12:00:00', '2024-02-29 12:00:00+01', 2.5, 3.5, '{\"k\": [1, 2]}', '\\x0102',"
                + " true, '2024-02-29', 'left', 'right')";
        List<String> changes = List.of(
                "s = 9",
                "i = 9",
                "t = 'X'",
                "v = 'Y'",
                "c = 'abce'",
                "n = 1.501",
                "u = 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
                "ts = '2024-02-29 12:00:01'",
                "tz = '2024-02-29 12:00:00+02'",
                "f = 2.25",
                "r = 3.25",
                "j = '{\"k\": [2, 1]}'",
                "b = '\\x0201'",
                "flag = false",
                "d = '2024-03-01'",
                "a = 'right', z = 'left'",
                "t = NULL",
                "t = ''",
                "s = NULL",
                "s = 0");
        try (TestDatabase source = dev.reshard.testkit.TestDatabases.postgres();
                TestDatabase target = dev.reshard.testkit.TestDatabases.postgres();
                Connection sc = source.connection();
                Connection tc = target.connection();
                Statement ss = sc.createStatement();
                Statement ts = tc.createStatement()) {
            ss.execute(ddl);
            ts.execute(ddl);
            for (int id = 1000; id < 1000 + changes.size() + 5; id++) {
                ss.execute("INSERT INTO wide VALUES " + row.formatted(id));
                ts.execute("INSERT INTO wide VALUES " + row.formatted(id));
            }
            // NULL against '' and 0: those rows hold '' and 0 on the source.
            ss.execute("UPDATE wide SET t = '' WHERE id = " + (1000 + changes.indexOf("t = NULL")));
            ss.execute("UPDATE wide SET s = 0 WHERE id = " + (1000 + changes.indexOf("s = NULL")));
            ts.execute("UPDATE wide SET t = '' WHERE id = " + (1000 + changes.indexOf("t = NULL")));
            ts.execute("UPDATE wide SET s = 0 WHERE id = " + (1000 + changes.indexOf("s = NULL")));
            for (int k = 0; k < changes.size(); k++) {
                ts.execute("UPDATE wide SET " + changes.get(k) + " WHERE id = " + (1000 + k));
            }
            TableSpec s = Dialect.of(sc).tableSpec(sc, "wide", "id");
            TableSpec t = Dialect.of(tc).tableSpec(tc, "wide", "id");

            Verifier.Report report = new Verifier(Dialect.of(sc), Dialect.of(tc)).compare(sc, tc, s, t, 7, MOVES);

            List<List<Object>> expected = new java.util.ArrayList<>();
            for (int k = 0; k < changes.size(); k++) {
                expected.add(List.of((long) (1000 + k)));
            }
            assertThat(report.mismatchedKeys()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(report.sourceRows()).isEqualTo(changes.size() + 5);
        }
    }
}
