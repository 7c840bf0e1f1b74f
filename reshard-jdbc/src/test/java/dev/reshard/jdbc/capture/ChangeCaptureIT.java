package dev.reshard.jdbc.capture;

import static dev.reshard.jdbc.TestTables.execute;
import static dev.reshard.jdbc.TestTables.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.TestTables;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

class ChangeCaptureIT {

    @EachEngine
    void install_isIdempotent_andRemoveLeavesNoTrigger(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createAccounts(c, "accounts");
            ChangeCapture capture = ChangeCapture.of(c);
            TableSpec accounts = Dialect.of(c).tableSpec(c, "accounts", "tenant_id");

            assertThat(capture.isInstalled(c, accounts)).isFalse();
            capture.install(c, accounts);
            capture.install(c, accounts);
            assertThat(capture.isInstalled(c, accounts)).isTrue();
            assertThat(triggerCount(c, engine)).isEqualTo(engine == TestEngine.MARIADB ? 3 : 1);

            capture.remove(c, accounts);
            capture.remove(c, accounts);
            assertThat(capture.isInstalled(c, accounts)).isFalse();
            assertThat(triggerCount(c, engine)).isZero();
            update(c, "INSERT INTO accounts VALUES (1, 1, 'a@x', 0)");
            assertThat(capture.changesAfter(c, 0, 100)).isEmpty();
        }
    }

    @EachEngine
    void singleRowWrites_areLoggedWithOpKeyAndTheWritersTransactionId(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TableSpec accounts = accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            c.setAutoCommit(false);

            assertThat(capture.currentTransactionId(c)).isEmpty();
            assertThat(capture.changesOfCurrentTransaction(c)).isEmpty();
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a@x', 5.00)");
            update(c, "UPDATE accounts SET email = 'b@x' WHERE id = 1");
            update(c, "INSERT INTO accounts VALUES (2, 10, 'c@x', 0)");
            update(c, "DELETE FROM accounts WHERE id = 2");
            long tx = capture.currentTransactionId(c).orElseThrow();
            List<ChangeEntry> changes = capture.changesOf(c, tx);
            assertThat(capture.changesOfCurrentTransaction(c))
                    .as("one round trip, same answer")
                    .isEqualTo(changes);
            c.commit();

            assertThat(changes)
                    .extracting(
                            ChangeEntry::table, ChangeEntry::primaryKey, ChangeEntry::op, ChangeEntry::transactionId)
                    .containsExactly(
                            tuple(table(c, accounts), List.of(1L), ChangeOp.INSERT, tx),
                            tuple(table(c, accounts), List.of(1L), ChangeOp.UPDATE, tx),
                            tuple(table(c, accounts), List.of(2L), ChangeOp.INSERT, tx),
                            tuple(table(c, accounts), List.of(2L), ChangeOp.DELETE, tx));
            assertThat(capture.changesAfter(c, 0, 100)).isEqualTo(changes);
        }
    }

    @EachEngine
    void multiRowAndRelativeUpdates_logEveryChangedRow(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0), (2, 10, 'b', 0), (3, 20, 'c', 0)");
            long lastId = lastId(capture, c);
            c.setAutoCommit(false);

            assertThat(update(c, "UPDATE accounts SET balance = balance + 1 WHERE tenant_id = 10"))
                    .isEqualTo(2);
            update(c, "UPDATE accounts SET balance = balance + 1 WHERE id = 3");
            long tx = capture.currentTransactionId(c).orElseThrow();
            c.commit();

            List<ChangeEntry> changes = capture.changesAfter(c, lastId, 100);
            assertThat(changes)
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::op, ChangeEntry::transactionId)
                    .containsExactlyInAnyOrder(
                            tuple(List.of(1L), ChangeOp.UPDATE, tx),
                            tuple(List.of(2L), ChangeOp.UPDATE, tx),
                            tuple(List.of(3L), ChangeOp.UPDATE, tx));
            assertThat(changes.get(2).primaryKey()).isEqualTo(List.of(3L));
        }
    }

    @EachEngine
    void insertWithGeneratedId_logsTheGeneratedKey(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createEvents(c, engine);
            ChangeCapture capture = ChangeCapture.of(c);
            capture.install(c, Dialect.of(c).tableSpec(c, "events", "tenant_id"));
            c.setAutoCommit(false);

            long generated;
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO events (tenant_id, payload) VALUES (7, 'x')", new String[] {"id"})) {
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    generated = keys.getLong(1);
                }
            }
            long tx = capture.currentTransactionId(c).orElseThrow();
            List<ChangeEntry> changes = capture.changesOf(c, tx);
            c.commit();

            assertThat(changes)
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::op)
                    .containsExactly(tuple(List.of(generated), ChangeOp.INSERT));
        }
    }

    @EachEngine
    void primaryKeyChange_logsDeleteOfOldKeyAndInsertOfNewKey(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0)");
            long lastId = lastId(capture, c);

            update(c, "UPDATE accounts SET id = 100 WHERE id = 1");

            assertThat(capture.changesAfter(c, lastId, 100))
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::op)
                    .containsExactly(tuple(List.of(1L), ChangeOp.DELETE), tuple(List.of(100L), ChangeOp.INSERT));
        }
    }

    @EachEngine
    void compositeKey_isLoggedInKeyOrder(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createItems(c);
            ChangeCapture capture = ChangeCapture.of(c);
            capture.install(c, Dialect.of(c).tableSpec(c, "items", "order_id"));

            update(c, "INSERT INTO items (order_id, line, sku) VALUES (42, 1, 'sku \"one\"')");
            update(c, "UPDATE items SET line = 2 WHERE order_id = 42");

            assertThat(capture.changesAfter(c, 0, 100))
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::op)
                    .containsExactly(
                            tuple(List.of(42L, 1L), ChangeOp.INSERT),
                            tuple(List.of(42L, 1L), ChangeOp.DELETE),
                            tuple(List.of(42L, 2L), ChangeOp.INSERT));
        }
    }

    @EachEngine
    void textKey_roundTripsThroughTheJsonArray(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            execute(c, "CREATE TABLE tags (name VARCHAR(40) NOT NULL PRIMARY KEY, owner BIGINT NOT NULL)");
            ChangeCapture capture = ChangeCapture.of(c);
            capture.install(c, Dialect.of(c).tableSpec(c, "tags", "owner"));
            String awkward = "a \"quoted\" \\ back\tslash, \u00e9t\u00e9";

            try (PreparedStatement insert = c.prepareStatement("INSERT INTO tags VALUES (?, 1)")) {
                insert.setString(1, awkward);
                insert.executeUpdate();
            }

            assertThat(capture.changesAfter(c, 0, 10))
                    .extracting(ChangeEntry::primaryKey)
                    .containsExactly(List.of(awkward));
        }
    }

    @EachEngine
    void rolledBackTransaction_leavesNoChangelogRows(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            c.setAutoCommit(false);

            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0)");
            update(c, "UPDATE accounts SET balance = 3 WHERE id = 1");
            assertThat(capture.changesAfter(c, 0, 100)).hasSize(2);
            c.rollback();

            assertThat(capture.changesAfter(c, 0, 100)).isEmpty();
            assertThat(capture.currentTransactionId(c)).isEmpty();
            c.commit();
        }
    }

    @EachEngine
    void rollbackToSavepoint_keepsTheChangesBeforeIt_underTheSameTransactionId(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            c.setAutoCommit(false);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0)");
            long tx = capture.currentTransactionId(c).orElseThrow();
            Savepoint savepoint = c.setSavepoint();
            update(c, "INSERT INTO accounts VALUES (2, 10, 'b', 0)");
            c.rollback(savepoint);

            assertThat(capture.currentTransactionId(c)).hasValue(tx);
            assertThat(capture.changesOf(c, tx))
                    .extracting(ChangeEntry::primaryKey)
                    .containsExactly(List.of(1L));
            c.commit();
        }
    }

    @EachEngine
    void currentTransactionId_isEmptyAgainAfterCommit(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            c.setAutoCommit(false);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0)");
            long first = capture.currentTransactionId(c).orElseThrow();
            c.commit();

            assertThat(capture.currentTransactionId(c)).isEmpty();
            update(c, "UPDATE accounts SET balance = 1 WHERE id = 1");
            long second = capture.currentTransactionId(c).orElseThrow();
            c.commit();

            assertThat(second).isNotEqualTo(first);
            assertThat(capture.changesOf(c, second)).extracting(ChangeEntry::op).containsExactly(ChangeOp.UPDATE);
        }
    }

    @EachEngine
    void concurrentTransactions_getDistinctIds_andEachSeesOnlyItsOwnChanges(TestEngine engine) throws Exception {
        try (TestDatabase db = engine.newDatabase()) {
            List<Result> results = twoConcurrentTransactions(db);
            Result one = results.get(0);
            Result two = results.get(1);

            assertThat(one.tx()).isNotEqualTo(two.tx());
            assertThat(one.changes())
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::transactionId)
                    .containsExactly(tuple(List.of(1L), one.tx()), tuple(List.of(1001L), one.tx()));
            assertThat(two.changes())
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::transactionId)
                    .containsExactly(tuple(List.of(2L), two.tx()), tuple(List.of(1002L), two.tx()));
        }
    }

    @EachEngine
    void changesOfCurrentTransaction_underTwoConcurrentTransactions_listsOnlyItsOwn(TestEngine engine)
            throws Exception {
        try (TestDatabase db = engine.newDatabase()) {
            List<Result> results = twoConcurrentTransactions(db);
            Result one = results.get(0);
            Result two = results.get(1);

            assertThat(one.current())
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::transactionId)
                    .containsExactly(tuple(List.of(1L), one.tx()), tuple(List.of(1001L), one.tx()));
            assertThat(two.current())
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::transactionId)
                    .containsExactly(tuple(List.of(2L), two.tx()), tuple(List.of(1002L), two.tx()));
            assertThat(one.current()).isEqualTo(one.changes());
            assertThat(two.current()).isEqualTo(two.changes());
        }
    }

    /**
     * What each of two concurrent transactions reads: currentTransactionId, changesOf it, and
     * changesOfCurrentTransaction, with both transactions open.
     */
    private record Result(long tx, List<ChangeEntry> changes, List<ChangeEntry> current) {}

    private static List<Result> twoConcurrentTransactions(TestDatabase db) throws Exception {
        try (Connection c = db.connection()) {
            accountsWithCapture(c);
        }
        CyclicBarrier bothWritten = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Result> first =
                    CompletableFuture.supplyAsync(() -> writeAndRead(db, 1, bothWritten), threads);
            CompletableFuture<Result> second =
                    CompletableFuture.supplyAsync(() -> writeAndRead(db, 2, bothWritten), threads);
            return List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS));
        } finally {
            threads.shutdownNow();
        }
    }

    /** Both transactions are open, with one write each, when either reads its changes. */
    private static Result writeAndRead(TestDatabase db, int id, CyclicBarrier bothWritten) {
        try (Connection c = db.unpooledConnection()) {
            ChangeCapture capture = ChangeCapture.of(c);
            c.setAutoCommit(false);
            update(c, "INSERT INTO accounts VALUES (" + id + ", 10, 'x', 0)");
            bothWritten.await(30, TimeUnit.SECONDS);
            update(c, "INSERT INTO accounts VALUES (" + (1000 + id) + ", 10, 'y', 0)");
            OptionalLong tx = capture.currentTransactionId(c);
            List<ChangeEntry> changes = capture.changesOf(c, tx.orElseThrow());
            List<ChangeEntry> current = capture.changesOfCurrentTransaction(c);
            bothWritten.await(30, TimeUnit.SECONDS);
            c.commit();
            return new Result(tx.getAsLong(), changes, current);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @EachEngine
    void changesAfter_pagesInIdOrder_andTrimDeletesUpToAnId(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            for (int id = 1; id <= 5; id++) {
                update(c, "INSERT INTO accounts VALUES (" + id + ", 10, 'x', 0)");
            }

            List<ChangeEntry> firstPage = capture.changesAfter(c, 0, 3);
            List<ChangeEntry> secondPage =
                    capture.changesAfter(c, firstPage.get(2).id(), 3);
            assertThat(firstPage).extracting(e -> e.primaryKey().get(0)).containsExactly(1L, 2L, 3L);
            assertThat(secondPage).extracting(e -> e.primaryKey().get(0)).containsExactly(4L, 5L);

            assertThat(capture.trim(c, firstPage.get(2).id())).isEqualTo(3);
            assertThat(capture.changesAfter(c, 0, 10)).isEqualTo(secondPage);
        }
    }

    @EachEngine
    void updateThatChangesTheShardKey_isRefusedInTheStatement_andChangesNothing(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TableSpec accounts = accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            update(c, "INSERT INTO accounts VALUES (1500, 10, 'a@x', 5.00), (1501, 10, 'b@x', 0)");
            List<ChangeEntry> logged = capture.changesAfter(c, 0, 100);

            assertShardKeyChangeRefused(
                    c,
                    "UPDATE accounts SET tenant_id = 3 WHERE id = 1500",
                    ShardKeyGuard.message(name(accounts), accounts.shardKey(), 10, 3));
            assertShardKeyChangeRefused(
                    c,
                    "UPDATE accounts SET balance = 1, tenant_id = CASE WHEN id = 1501 THEN 11 ELSE tenant_id END",
                    ShardKeyGuard.message(name(accounts), accounts.shardKey(), 10, 11));

            assertThat(rows(c, "SELECT id, tenant_id, balance FROM accounts ORDER BY id"))
                    .containsExactly(List.of("1500", "10", "5.00"), List.of("1501", "10", "0.00"));
            assertThat(capture.changesAfter(c, 0, 100)).isEqualTo(logged);
        }
    }

    @EachEngine
    void updateThatKeepsTheShardKey_goesThrough_andIsLogged(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a@x', 5.00)");
            long lastId = lastId(capture, c);

            update(c, "UPDATE accounts SET email = 'b@x', balance = balance + 1 WHERE id = 1");
            update(c, "UPDATE accounts SET tenant_id = 10 WHERE id = 1");
            update(c, "UPDATE accounts SET id = 2 WHERE id = 1");

            assertThat(rows(c, "SELECT id, tenant_id, email, balance FROM accounts"))
                    .containsExactly(List.of("2", "10", "b@x", "6.00"));
            assertThat(capture.changesAfter(c, lastId, 100))
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::op)
                    .containsExactly(
                            tuple(List.of(1L), ChangeOp.UPDATE),
                            tuple(List.of(1L), ChangeOp.UPDATE),
                            tuple(List.of(1L), ChangeOp.DELETE),
                            tuple(List.of(2L), ChangeOp.INSERT));
        }
    }

    @EachEngine
    void shardKeyInThePrimaryKey_keyChangeThatKeepsItIsLogged_andOneThatChangesItIsRefused(TestEngine engine)
            throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createItems(c);
            TableSpec items = Dialect.of(c).tableSpec(c, "items", "order_id");
            assertThat(items.primaryKey()).hasSize(2).contains(items.shardKey());
            ChangeCapture capture = ChangeCapture.of(c);
            capture.install(c, items);
            update(c, "INSERT INTO items (order_id, line, sku) VALUES (42, 1, 'a')");
            long lastId = lastId(capture, c);

            update(c, "UPDATE items SET line = 2 WHERE order_id = 42");
            update(c, "UPDATE items SET sku = 'b' WHERE order_id = 42");
            List<ChangeEntry> logged = capture.changesAfter(c, lastId, 100);
            assertShardKeyChangeRefused(
                    c,
                    "UPDATE items SET order_id = 43, line = 3 WHERE order_id = 42",
                    ShardKeyGuard.message(name(items), items.shardKey(), 42, 43));

            assertThat(logged)
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::op)
                    .containsExactly(
                            tuple(List.of(42L, 1L), ChangeOp.DELETE),
                            tuple(List.of(42L, 2L), ChangeOp.INSERT),
                            tuple(List.of(42L, 2L), ChangeOp.UPDATE));
            assertThat(capture.changesAfter(c, lastId, 100)).isEqualTo(logged);
            assertThat(rows(c, "SELECT order_id, line, sku FROM items")).containsExactly(List.of("42", "2", "b"));
        }
    }

    @EachEngine
    void shardKeyChange_messageShowsNullAndCutsLongValues_andAChangeOfCaseCounts(TestEngine engine)
            throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            execute(c, "CREATE TABLE notes (id BIGINT NOT NULL PRIMARY KEY, owner VARCHAR(1000))");
            TableSpec notes = Dialect.of(c).tableSpec(c, "notes", "owner");
            ChangeCapture.of(c).install(c, notes);
            String longValue = "x".repeat(600);
            update(c, "INSERT INTO notes VALUES (1, NULL), (2, '" + longValue + "'), (3, 'eu')");

            assertShardKeyChangeRefused(
                    c,
                    "UPDATE notes SET owner = 'eu-1' WHERE id = 1",
                    ShardKeyGuard.message(name(notes), notes.shardKey(), null, "eu-1"));
            String cut = ShardKeyGuard.message(name(notes), notes.shardKey(), longValue, null);
            assertThat(cut)
                    .contains("x".repeat(ShardKeyGuard.SHOWN) + "... -> NULL")
                    .doesNotContain(longValue);
            assertShardKeyChangeRefused(c, "UPDATE notes SET owner = NULL WHERE id = 2", cut);
            assertShardKeyChangeRefused(
                    c,
                    "UPDATE notes SET owner = 'EU' WHERE id = 3",
                    ShardKeyGuard.message(name(notes), notes.shardKey(), "eu", "EU"));
            assertShardKeyChangeRefused(
                    c,
                    "UPDATE notes SET owner = 'eu ' WHERE id = 3",
                    ShardKeyGuard.message(name(notes), notes.shardKey(), "eu", "eu "));
            update(c, "UPDATE notes SET owner = NULL WHERE id = 1");
        }
    }

    @EachEngine
    void reinstallWithAnotherShardKey_movesTheGuardToThatColumn(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a@x', 0)");

            TableSpec byEmail = Dialect.of(c).tableSpec(c, "accounts", "email");
            capture.install(c, byEmail);

            update(c, "UPDATE accounts SET tenant_id = 11 WHERE id = 1");
            assertShardKeyChangeRefused(
                    c,
                    "UPDATE accounts SET email = 'b@x' WHERE id = 1",
                    ShardKeyGuard.message(name(byEmail), byEmail.shardKey(), "a@x", "b@x"));
            assertThat(rows(c, "SELECT tenant_id, email FROM accounts")).containsExactly(List.of("11", "a@x"));
        }
    }

    /** A fence table as installs before the shard-key guard left it, with a raised fence. */
    @EachEngine
    void installOverAnEarlierFenceTable_addsTheGuard_andKeepsTheFence(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            TestTables.createAccounts(c, "accounts");
            TableSpec accounts = Dialect.of(c).tableSpec(c, "accounts", "tenant_id");
            execute(
                    c,
                    "CREATE TABLE reshard_fence (table_name VARCHAR(128) PRIMARY KEY, epoch BIGINT NOT NULL,"
                            + " allow_untagged BOOLEAN NOT NULL)");
            update(c, "INSERT INTO reshard_fence VALUES ('" + name(accounts) + "', 3, TRUE)");
            ChangeCapture capture = ChangeCapture.of(c);

            capture.install(c, accounts);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a@x', 0)");

            assertShardKeyChangeRefused(
                    c,
                    "UPDATE accounts SET tenant_id = 11 WHERE id = 1",
                    ShardKeyGuard.message(name(accounts), accounts.shardKey(), 10, 11));
            assertThatThrownBy(() -> capture.raiseFence(c, accounts, 2, true))
                    .isInstanceOf(FenceException.class)
                    .hasMessageContaining("is at epoch 3");
        }
    }

    @EachEngine
    void changesOfCurrentTransaction_isEmptyBeforeAnyChange_alsoAfterEarlierTransactions(TestEngine engine)
            throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            assertThat(capture.changesOfCurrentTransaction(c)).isEmpty();
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0)");
            c.setAutoCommit(false);

            assertThat(capture.changesOfCurrentTransaction(c)).isEmpty();
            update(c, "UPDATE accounts SET balance = 1 WHERE id = 1");
            assertThat(capture.changesOfCurrentTransaction(c)).hasSize(1);
            c.commit();
            assertThat(capture.changesOfCurrentTransaction(c)).isEmpty();
            update(c, "UPDATE accounts SET balance = 2 WHERE id = 1");
            c.rollback();
            assertThat(capture.changesOfCurrentTransaction(c)).isEmpty();
            c.commit();
        }
    }

    @EachEngine
    void changesOfCurrentTransaction_equalsCurrentTransactionIdThenChangesOf(TestEngine engine) throws SQLException {
        try (TestDatabase db = engine.newDatabase();
                Connection c = db.connection()) {
            accountsWithCapture(c);
            ChangeCapture capture = ChangeCapture.of(c);
            update(c, "INSERT INTO accounts VALUES (1, 10, 'a', 0), (2, 10, 'b', 0)");
            c.setAutoCommit(false);

            update(c, "UPDATE accounts SET balance = balance + 1 WHERE tenant_id = 10");
            update(c, "UPDATE accounts SET id = 3 WHERE id = 2");
            Savepoint savepoint = c.setSavepoint();
            update(c, "INSERT INTO accounts VALUES (4, 10, 'c', 0)");
            c.rollback(savepoint);
            update(c, "DELETE FROM accounts WHERE id = 1");
            List<ChangeEntry> current = capture.changesOfCurrentTransaction(c);
            long tx = capture.currentTransactionId(c).orElseThrow();
            List<ChangeEntry> changes = capture.changesOf(c, tx);
            c.commit();

            assertThat(current).isEqualTo(changes);
            assertThat(current)
                    .extracting(ChangeEntry::primaryKey, ChangeEntry::op, ChangeEntry::transactionId)
                    .containsExactlyInAnyOrder(
                            tuple(List.of(1L), ChangeOp.UPDATE, tx),
                            tuple(List.of(2L), ChangeOp.UPDATE, tx),
                            tuple(List.of(2L), ChangeOp.DELETE, tx),
                            tuple(List.of(3L), ChangeOp.INSERT, tx),
                            tuple(List.of(1L), ChangeOp.DELETE, tx));
            assertThat(current).extracting(ChangeEntry::id).isSorted();
        }
    }

    /** The statement fails with the guard's SQLSTATE and exact message. */
    private static void assertShardKeyChangeRefused(Connection c, String sql, String message) {
        assertThatThrownBy(() -> update(c, sql))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(ShardKeyGuard.SQLSTATE))
                .hasMessageContaining(message);
    }

    /** Every row of the query, each as its columns' text (decimals as plain strings). */
    private static List<List<String>> rows(Connection c, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement statement = c.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    Object value = result.getObject(i);
                    row.add(value instanceof BigDecimal decimal ? decimal.toPlainString() : String.valueOf(value));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static String name(TableSpec spec) {
        return spec.table().name();
    }

    static TableSpec accountsWithCapture(Connection c) throws SQLException {
        TestTables.createAccounts(c, "accounts");
        TableSpec accounts = Dialect.of(c).tableSpec(c, "accounts", "tenant_id");
        ChangeCapture.of(c).install(c, accounts);
        return accounts;
    }

    private static String table(Connection c, TableSpec spec) {
        return spec.table().name();
    }

    private static long lastId(ChangeCapture capture, Connection c) throws SQLException {
        List<ChangeEntry> all = capture.changesAfter(c, 0, 10_000);
        return all.isEmpty() ? 0 : all.get(all.size() - 1).id();
    }

    private static long triggerCount(Connection c, TestEngine engine) throws SQLException {
        String sql = switch (engine) {
            case POSTGRESQL -> "SELECT count(*) FROM pg_catalog.pg_trigger WHERE NOT tgisinternal";
            case MARIADB -> "SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = DATABASE()";
            case H2 -> "SELECT COUNT(DISTINCT TRIGGER_NAME) FROM INFORMATION_SCHEMA.TRIGGERS";
        };
        try (Statement statement = c.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
