package dev.reshard.jdbc.capture;

import static dev.reshard.jdbc.TestTables.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.reshard.jdbc.TableSpec;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

class FenceIT {

    @EachEngine
    void writeWithAnOlderEpoch_isRefusedWith40001AndTheFenceMessage(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TableSpec accounts = ChangeCaptureIT.accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            capture.raiseFence(c, accounts, 4, false);
            capture.setEpoch(c, 3);

            assertThatThrownBy(() -> update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0)"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(sqlState(e)).isEqualTo("40001"))
                    .hasMessageContaining(
                            Fence.olderEpoch(3, 4, accounts.table().name()));
            assertThat(count(c)).isZero();
            assertThat(capture.changesAfter(c, 0, 10)).isEmpty();
        }
    }

    @EachEngine
    void writeWithTheCurrentOrANewerEpoch_isAccepted(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TableSpec accounts = ChangeCaptureIT.accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            capture.raiseFence(c, accounts, 4, false);

            capture.setEpoch(c, 4);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0)");
            capture.setEpoch(c, 5);
            update(c, "UPDATE accounts SET balance = 1 WHERE id = 1");
            update(c, "DELETE FROM accounts WHERE id = 1");

            assertThat(capture.changesAfter(c, 0, 10))
                    .extracting(ChangeEntry::op)
                    .containsExactly(ChangeOp.INSERT, ChangeOp.UPDATE, ChangeOp.DELETE);
        }
    }

    @EachEngine
    void untaggedWrite_isAcceptedOrRefusedPerAllowUntagged(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TableSpec accounts = ChangeCaptureIT.accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            capture.setEpoch(c, 9);
            capture.clearEpoch(c);

            capture.raiseFence(c, accounts, 4, true);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0)");

            capture.raiseFence(c, accounts, 4, false);
            assertThatThrownBy(() -> update(c, "INSERT INTO accounts VALUES (2, 10, 'b', 0)"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(sqlState(e)).isEqualTo("40001"))
                    .hasMessageContaining(Fence.untagged(4, accounts.table().name()));
            assertThat(count(c)).isEqualTo(1);
        }
    }

    @EachEngine
    void shardKeyChange_fromARouterBehindTheFence_isRefusedAsAShardKeyChange_notRetriable(TestEngine engine)
            throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TableSpec accounts = ChangeCaptureIT.accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            capture.raiseFence(c, accounts, 4, false);
            capture.setEpoch(c, 4);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0)");
            capture.setEpoch(c, 3);

            assertThatThrownBy(() -> update(c, "UPDATE accounts SET tenant_id = 11 WHERE id = 1"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(sqlState(e)).isEqualTo(ShardKeyGuard.SQLSTATE))
                    .hasMessageContaining(ShardKeyGuard.message(accounts.table().name(), accounts.shardKey(), 10, 11));
            assertThatThrownBy(() -> update(c, "UPDATE accounts SET balance = 1 WHERE id = 1"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(sqlState(e)).isEqualTo(Fence.SQLSTATE));
        }
    }

    @EachEngine
    void installedCapture_withoutARaisedFence_acceptsEveryWrite(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            ChangeCaptureIT.accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);

            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0)");
            capture.setEpoch(c, 0);
            update(c, "INSERT INTO accounts VALUES (2, 10, 'b', 0)");

            assertThat(count(c)).isEqualTo(2);
        }
    }

    @EachEngine
    void raiseFence_refusesToLowerTheEpoch(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TableSpec accounts = ChangeCaptureIT.accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            capture.raiseFence(c, accounts, 5, false);

            assertThatThrownBy(() -> capture.raiseFence(c, accounts, 4, true))
                    .isInstanceOf(FenceException.class)
                    .hasMessage("fence on table " + accounts.table().name() + " is at epoch 5; refusing to lower it"
                            + " to 4 (fences only go up; publish a newer map instead)");
            assertThatThrownBy(() -> capture.setEpoch(c, -1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** The paused-router window: a write in flight when the fence goes up is waited for, later ones refused. */
    @EachEngine
    void raiseFence_waitsForAWriteInFlight_andRefusesTheWritersNextWrite(TestEngine engine) throws Exception {
        assumeThat(engine)
                .as("H2 takes no lock in its fence check (see H2ChangeCapture)")
                .isNotEqualTo(TestEngine.H2);
        ExecutorService orchestrator = Executors.newSingleThreadExecutor();
        try (TestDatabase db = engine.newDatabase();
                Connection writer = db.unpooledConnection();
                Connection admin = db.unpooledConnection()) {
            TableSpec accounts = ChangeCaptureIT.accountsWithCapture(admin);
            ChangeCapture capture = ChangeCapture.of(admin);
            capture.raiseFence(admin, accounts, 3, false);
            capture.setEpoch(writer, 3);
            writer.setAutoCommit(false);
            update(writer, "INSERT INTO accounts VALUES (1, 10, 'a', 0)");

            CompletableFuture<Void> raise = CompletableFuture.runAsync(
                    () -> {
                        try {
                            capture.raiseFence(admin, accounts, 4, false);
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    orchestrator);
            // The raise is seen waiting on a lock (the writer's) and has not finished.
            try (Connection observer = db.unpooledConnection()) {
                org.awaitility.Awaitility.await()
                        .atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> raise.isDone() || lockWaits(engine, observer) > 0);
            }
            assertThat(raise).as("raiseFence must wait for the write in flight").isNotDone();

            writer.commit();
            raise.get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> update(writer, "INSERT INTO accounts VALUES (2, 10, 'b', 0)"))
                    .hasMessageContaining(
                            Fence.olderEpoch(3, 4, accounts.table().name()));
            writer.rollback();
            assertThat(count(admin)).isEqualTo(1);
        } finally {
            orchestrator.shutdownNow();
        }
    }

    /** Under REPEATABLE READ the writer's snapshot predates the fence; the check must not trust it. */
    @EachEngine
    void repeatableReadWriter_whoseSnapshotPredatesTheFence_isRefused(TestEngine engine) throws Exception {
        assumeThat(engine)
                .as("H2 reads the fence from the snapshot (see H2ChangeCapture)")
                .isNotEqualTo(TestEngine.H2);
        try (TestDatabase db = engine.newDatabase();
                Connection writer = db.unpooledConnection();
                Connection admin = db.unpooledConnection()) {
            TableSpec accounts = ChangeCaptureIT.accountsWithCapture(admin);
            ChangeCapture capture = ChangeCapture.of(admin);
            capture.raiseFence(admin, accounts, 3, false);
            capture.setEpoch(writer, 3);
            writer.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            writer.setAutoCommit(false);
            assertThat(count(writer)).isZero();
            readFence(writer);

            capture.raiseFence(admin, accounts, 4, false);

            assertThatThrownBy(() -> update(writer, "INSERT INTO accounts VALUES (1, 10, 'a', 0)"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(sqlState(e)).isEqualTo("40001"));
            writer.rollback();
            assertThat(count(admin)).isZero();
        }
    }

    private static void readFence(Connection c) throws SQLException {
        try (Statement statement = c.createStatement();
                ResultSet rows = statement.executeQuery("SELECT epoch FROM reshard_fence")) {
            assertThat(rows.next()).isTrue();
        }
    }

    private static long count(Connection c) throws SQLException {
        try (Statement statement = c.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM accounts")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The SQLSTATE of the exception or, where a driver wraps it, of its first cause that has one. */
    static String sqlState(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && !sql.getSQLState().startsWith("HY")) {
                return sql.getSQLState();
            }
        }
        return e.getSQLState();
    }

    /** Sessions waiting for a lock now: an advisory lock (PostgreSQL) or a row lock (MariaDB). */
    private static int lockWaits(TestEngine engine, Connection c) throws SQLException {
        String sql = engine == TestEngine.POSTGRESQL
                ? "SELECT count(*) FROM pg_catalog.pg_locks WHERE NOT granted"
                : "SELECT count(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'";
        try (java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
