package dev.reshard.jdbc.capture;

import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.TableSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;

/**
 * Trigger-based change capture and the in-shard fence (DESIGN.md §4), one implementation per
 * engine.
 *
 * <pre>
 * Design notes
 * ------------
 * What the triggers guarantee. install() puts AFTER INSERT/UPDATE/DELETE FOR EACH ROW triggers on
 * a sharded table. For every row a statement changes they run inside the writing transaction:
 *   1. the shard-key guard, on UPDATE: if the row's shard-key column (TableSpec.shardKey()) changes
 *      (OLD IS DISTINCT FROM NEW; on MariaDB compared as bytes, so a change of case or trailing
 *      spaces under a case-insensitive collation counts), refuse the statement with SQLSTATE 23514
 *      and "reshard: the shard key of a row cannot change while table T is migrating (column C,
 *      old -> new); delete the row and insert it under the new key" (ShardKeyGuard: why 23514).
 *      The row would move to another unit behind the router, and a migration would copy it to the
 *      wrong place. It runs first, so a write that the fence would also refuse gets the final
 *      answer rather than "retry";
 *   2. the fence check: read the table's row in reshard_fence (epoch E, allow_untagged) and the
 *      session's map epoch; refuse the write with SQLSTATE 40001 if the session epoch is below E,
 *      or absent while allow_untagged is false;
 *   3. append (table, pk as a JSON array, op, tx_id) to reshard_changelog; a primary-key change
 *      appends DELETE of the old key and INSERT of the new one. With the shard key in the primary
 *      key that is a change that keeps the shard key: one that changes it was refused in 1.
 * Because all of it happens in the writer's transaction, a changelog row exists if and only if its
 * change commits: a rollback (of the statement or the transaction) removes both, a crash loses
 * neither, and every writer is captured, routed or not. A refusal fails the whole statement (on
 * PostgreSQL it also aborts the transaction), so a multi-row UPDATE changes no row. The changelog
 * holds keys, never row images: readers re-read the current row (sync-from-source), so replaying
 * an entry twice, or in any order, converges. install() replaces what an earlier install put in
 * place, so re-installing brings the guard to a table captured before it existed and follows a
 * changed shard key (H2 keeps its trigger and reads the shard key from the fence row instead).
 *
 * Why the transaction id comes from the database. The router needs "the rows this transaction
 * changed" before it commits (dual-write mirrors them). Tagging each transaction from the client
 * costs a round trip per transaction (measured on PostgreSQL: ~24 % of a single-row update), and a
 * writer outside the router would not tag at all. So the trigger asks the database for the id of
 * the transaction it runs in: PostgreSQL pg_current_xact_id() (64-bit, never reused), H2
 * TRANSACTION_ID(), MariaDB the InnoDB transaction id written by system versioning into the
 * changelog row itself (see MariaDbChangeCapture for why not information_schema.innodb_trx).
 * currentTransactionId() returns the same value inside the open transaction, and changesOf(id)
 * then lists exactly that transaction's entries. changesOfCurrentTransaction() answers both in one
 * statement on every engine (the dual-write's hot path: one round trip instead of two).
 *
 * How the fence closes the paused-router window. A router tags its pooled connection with its map
 * epoch once (setEpoch, a session setting; nothing per write). To move writes off a shard, the
 * orchestrator raises the fence on the table to the new epoch. raiseFence takes the fence row (or,
 * on PostgreSQL, an advisory lock) exclusively, while every captured write holds it shared until
 * it commits: raising waits for writes in flight, and every write after it sees the new epoch and
 * fails with 40001 if its router is behind. A router that was paused (GC, SIGSTOP, partition)
 * across a map change therefore cannot land a write with its old map: it gets a retriable error,
 * refreshes its map and retries. Leases and barriers only shorten the window; this check closes
 * it. Writers without an epoch are let through or refused per table (allow_untagged).
 *
 * Changelog ids follow insertion, not commit, order: a transaction that started earlier can commit
 * a smaller id after a larger one was read. changesAfter() readers must re-read an overlap (e.g.
 * from the smallest id not older than the longest transaction) rather than trust "everything below
 * the last id was seen"; replays are idempotent, so the overlap is free of correctness cost.
 * </pre>
 *
 * <p>The bookkeeping tables {@code reshard_changelog} and {@code reshard_fence} are created in the
 * captured table's schema (MariaDB: database); the reading methods use the connection's current
 * schema, so use a connection whose current schema is the tables' schema.
 *
 * <p>Do not use this for tables that are not migrating: every captured write pays the trigger
 * (see docs/BENCHMARKS.md), and the changelog grows until {@link #trim}.
 */
public interface ChangeCapture {

    /** The capture for {@code engine}. */
    static ChangeCapture of(Engine engine) {
        return switch (engine) {
            case POSTGRESQL -> PostgresChangeCapture.INSTANCE;
            case MARIADB -> MariaDbChangeCapture.INSTANCE;
            case H2 -> H2ChangeCapture.INSTANCE;
        };
    }

    /** The capture for the engine behind {@code connection}. */
    static ChangeCapture of(Connection connection) throws SQLException {
        return of(Engine.detect(connection));
    }

    Engine engine();

    /**
     * Creates the bookkeeping tables if absent, a fence row for the table if absent (epoch 0,
     * untagged writes allowed, i.e. no restriction) and the table's capture triggers (replacing
     * earlier ones). Idempotent. Runs in its own transaction when the connection is in auto-commit
     * mode (DDL commits implicitly on MariaDB and H2 regardless).
     *
     * <p>From then on an UPDATE that changes a row's {@linkplain TableSpec#shardKey() shard key}
     * fails inside the writing statement with SQLSTATE 23514 and a message that contains "the shard
     * key of a row cannot change" (stable text: routers match it); delete the row and insert it
     * under the new key instead. Installing again with another shard key moves the guard to it.
     */
    void install(Connection connection, TableSpec table) throws SQLException;

    /** Drops the table's capture triggers and its fence row. Idempotent; the changelog is kept. */
    void remove(Connection connection, TableSpec table) throws SQLException;

    /** True when the table's capture triggers are in place. */
    boolean isInstalled(Connection connection, TableSpec table) throws SQLException;

    /**
     * Tags the session with the router's map epoch. Session-level: do it once per pooled connection
     * when the map version changes, not per write, and in auto-commit mode (on PostgreSQL a setting
     * made in a transaction that rolls back is undone).
     *
     * @throws IllegalArgumentException when the epoch is negative
     */
    void setEpoch(Connection connection, long epoch) throws SQLException;

    /** Removes the session's map epoch: its writes count as untagged. */
    void clearEpoch(Connection connection) throws SQLException;

    /**
     * Raises the table's fence to {@code epoch}: from then on, writes from sessions whose epoch is
     * lower fail with SQLSTATE 40001, and untagged writes fail unless {@code allowUntagged}. Waits
     * for captured writes in flight on the table to finish first (not on H2, see its capture).
     * Commits when the connection is in auto-commit mode.
     *
     * @throws FenceException when the fence is already above {@code epoch}: fences never go down
     */
    void raiseFence(Connection connection, TableSpec table, long epoch, boolean allowUntagged) throws SQLException;

    /**
     * The id the triggers record for the connection's open transaction, or empty when the
     * transaction has not changed any captured row yet (and so logged nothing).
     */
    OptionalLong currentTransactionId(Connection connection) throws SQLException;

    /** The entries transaction {@code transactionId} logged, in id order. */
    List<ChangeEntry> changesOf(Connection connection, long transactionId) throws SQLException;

    /**
     * The entries the connection's open transaction has logged, in id order; empty when it has
     * logged none. The same as {@link #currentTransactionId} then {@link #changesOf}, in one round
     * trip: the router's dual-write asks this on every write of a migrating shard. All three
     * engines answer it with one statement; this default, the two calls, is for an implementation
     * whose database cannot name its own transaction inside a query. Use the two calls when the
     * transaction id itself is needed.
     */
    default List<ChangeEntry> changesOfCurrentTransaction(Connection connection) throws SQLException {
        OptionalLong id = currentTransactionId(connection);
        return id.isPresent() ? changesOf(connection, id.getAsLong()) : List.of();
    }

    /**
     * Up to {@code limit} entries with id greater than {@code lastId}, in id order, for catch-up.
     * See the design notes on insertion versus commit order.
     */
    List<ChangeEntry> changesAfter(Connection connection, long lastId, int limit) throws SQLException;

    /** Deletes the entries with id up to {@code upToId}; returns how many. */
    int trim(Connection connection, long upToId) throws SQLException;
}
