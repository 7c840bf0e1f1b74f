package dev.reshard.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;
import javax.sql.DataSource;

/** After a copy taken mid-workload, replaying the changelog makes the target equal the source. */
class CatchUpIT {
    private static final Predicate<Object> MOVES = key -> ((Number) key).longValue() % 2 == 0;

    private static Map<Long, String> movingRows(DataSource ds) throws SQLException {
        Map<Long, String> out = new TreeMap<>();
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, balance FROM users")) {
            while (rs.next()) {
                if (rs.getLong(1) % 2 == 0) {
                    out.put(rs.getLong(1), String.valueOf(rs.getLong(2)));
                }
            }
        }
        return out;
    }

    @EachEngine
    void replay_afterACopyThatMissedUpdatesInsertsAndDeletes_convergesTheTarget(TestEngine engine) throws Exception {
        try (TestDatabase source = engine.newDatabase();
                TestDatabase target = engine.newDatabase()) {
            String ddl = "CREATE TABLE users (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)";
            try (Connection sc = source.connection();
                    Connection tc = target.connection();
                    Statement ss = sc.createStatement();
                    Statement ts = tc.createStatement()) {
                ss.execute(ddl);
                ts.execute(ddl);
                for (int id = 0; id < 200; id++) {
                    ss.execute("INSERT INTO users VALUES (" + id + ", 0)");
                }
                TableSpec s = Dialect.of(sc).tableSpec(sc, "users", "id");
                TableSpec t = Dialect.of(tc).tableSpec(tc, "users", "id");
                ChangeCapture capture = ChangeCapture.of(sc);
                capture.install(sc, s);
                // a "backfill" copies the moving rows as they are now...
                for (int id = 0; id < 200; id += 2) {
                    ts.execute("INSERT INTO users VALUES (" + id + ", 0)");
                }
                // ...while writers keep going: updates, inserts, deletes, on moving and staying keys
                SplittableRandom random = new SplittableRandom(7);
                for (int i = 0; i < 500; i++) {
                    int id = random.nextInt(260);
                    switch (random.nextInt(3)) {
                        case 0 -> ss.executeUpdate("UPDATE users SET balance = balance + 1 WHERE id = " + id);
                        case 1 -> ss.executeUpdate("DELETE FROM users WHERE id = " + id);
                        default -> {
                            ss.executeUpdate("DELETE FROM users WHERE id = " + id);
                            ss.executeUpdate("INSERT INTO users VALUES (" + id + ", " + i + ")");
                        }
                    }
                }
                CatchUp catchUp = new CatchUp(capture, new SyncFromSource(Dialect.of(sc), Dialect.of(tc)));
                Map<String, TableSpec[]> tables = Map.of("users", new TableSpec[] {s, t});
                long position = 0;
                int passes = 0;
                CatchUp.Pass pass;
                do {
                    pass = catchUp.replay(sc, tc, tables, position, 100, MOVES);
                    position = pass.lastId();
                    passes++;
                } while (pass.entries() > 0);
                assertThat(passes).isGreaterThan(5);
                assertThat(movingRows(target.dataSource())).isEqualTo(movingRows(source.dataSource()));
                // a second full replay changes nothing
                CatchUp.Pass again = catchUp.replay(sc, tc, tables, 0, 100_000, MOVES);
                assertThat(again.outcome().upserted() + again.outcome().deleted())
                        .isZero();
            }
        }
    }
}
