package dev.reshard.jdbc;

/**
 * The database's own cumulative per-table counters since its statistics were last reset. Compare
 * two readings to get a rate. Where the engine keeps no per-table counters (H2; MariaDB without
 * {@code userstat=ON}), {@link Dialect#load} returns empty.
 *
 * @param rowsWritten rows inserted, updated and deleted
 * @param rowsRead rows read by scans and index look-ups
 */
public record TableLoad(long rowsWritten, long rowsRead) {}
