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
import java.util.function.Predicate;

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

            new SyncFromSource(Dialect.of(sc), Dialect.of(tc)).sync(sc, tc, s, t, report.mismatchedKeys(), MOVES);
            Verifier.Report after = verifier.compare(sc, tc, s, t, 64, MOVES);
            assertThat(after.clean()).isTrue();
            assertThat(after.targetRows()).isEqualTo(300);
        }
    }
}
