package dev.reshard.jdbc.capture;

import java.util.List;
import java.util.Objects;

/**
 * One changelog row: a row of {@code table} with primary key {@code primaryKey} was inserted,
 * updated or deleted by transaction {@code transactionId}. The entry carries the key only; readers
 * re-read the row's current state (sync-from-source), so entries may be replayed in any number.
 *
 * @param id the changelog's own, increasing id (insertion order, not commit order)
 * @param table the table name as the catalog stores it
 * @param primaryKey the primary-key values in key order, decoded from the stored JSON array: {@code
 *     Long} or {@code BigDecimal} for numbers, {@code String} for text (and for dates, UUIDs and
 *     other types, in the engine's text form), {@code Boolean}
 * @param op what happened; a primary-key change is logged as DELETE of the old key and INSERT of
 *     the new one
 * @param transactionId the writing transaction's id, as the database assigned it
 */
public record ChangeEntry(long id, String table, List<Object> primaryKey, ChangeOp op, long transactionId) {
    public ChangeEntry {
        Objects.requireNonNull(table, "table");
        primaryKey = List.copyOf(primaryKey);
        Objects.requireNonNull(op, "op");
    }
}
