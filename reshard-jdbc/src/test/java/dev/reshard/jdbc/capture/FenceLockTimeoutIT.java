package dev.reshard.jdbc.capture;

import static dev.reshard.jdbc.TestTables.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.jdbc.TableSpec;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL: a fence raise that waits for a transaction that never finishes (an application
 * instance frozen inside it) must not make every other writer of the table queue behind it, and
 * gives up naming the session it waited for.
 */
class FenceLockTimeoutIT {

    @Test
    void raiseFence_behindAFrozenWriter_letsOtherWritersPass_andNamesTheFrozenSession() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (TestDatabase db = TestEngine.POSTGRESQL.newDatabase();
                Connection frozen = db.unpooledConnection();
                Connection other = db.unpooledConnection();
                Connection admin = db.unpooledConnection()) {
            TableSpec accounts = ChangeCaptureIT.accountsWithCapture(admin);
            ChangeCapture capture = ChangeCapture.of(admin);
            capture.raiseFence(admin, accounts, 3, true);
            update(frozen, "SET application_name = 'reshard-router:frozen'");
            frozen.setAutoCommit(false);
            update(frozen, "INSERT INTO accounts VALUES (1, 10, 'a', 0)"); // holds the table's shared lock

            CompletableFuture<Void> raise = CompletableFuture.runAsync(
                    () -> {
                        try {
                            capture.raiseFence(admin, accounts, 4, true);
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    pool);
            // another writer, arriving while the raise waits: it must not wait for the frozen one
            CompletableFuture<Void> write = CompletableFuture.runAsync(
                    () -> {
                        try {
                            update(other, "INSERT INTO accounts VALUES (2, 10, 'b', 0)");
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    pool);
            write.get(30, TimeUnit.SECONDS);
            assertThat(raise).as("the raise still waits for the frozen writer").isNotDone();

            assertThatThrownBy(() -> raise.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasStackTraceContaining(
                            "raising the fence of table " + accounts.table().name() + " to epoch 4")
                    .hasStackTraceContaining("application_name 'reshard-router:frozen'");
            frozen.rollback();
            capture.raiseFence(admin, accounts, 4, true);
        } finally {
            pool.shutdownNow();
        }
    }
}
