package dev.reshard.jdbc;

/**
 * A table's size as the database estimates it, cheaply: no full scan on PostgreSQL or MariaDB.
 *
 * @param bytes data plus indexes on disk (PostgreSQL {@code pg_total_relation_size}, MariaDB {@code
 *     data_length + index_length}; H2: an estimate)
 * @param estimatedRows the planner's row estimate (PostgreSQL {@code reltuples}, MariaDB {@code
 *     table_rows}, which InnoDB only approximates; H2: its row count)
 */
public record TableStats(long bytes, long estimatedRows) {}
