package dev.reshard.cli.migrate;

import dev.reshard.catalog.MigrationRecord;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.rebalance.ShardHistory;
import dev.reshard.core.rebalance.Triggers;
import dev.reshard.core.rebalance.UnitStats;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.migration.engine.MigratedTable;
import dev.reshard.migration.engine.MigrationReport;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/*
 * Design notes
 *
 * What the planner needs per unit (a virtual shard, a tenant) is its rows, bytes and load. Rows are
 * counted exactly: one pass over the shard-key column of each sharded table on each shard (an
 * index-sized read, the same pass pre-flight makes), each value routed through the current map to
 * its unit. Bytes are not stored per row by any of the engines, so each shard's database size (as
 * `stats collect` reads it) is split over its units by rows: exact when rows are of one size,
 * skewed by as much as row sizes differ between units. Load per unit is not counted by the routers
 * yet: each shard's operation rate over its two newest stats samples is split by rows too, and
 * where there are not two samples the load is 0 (the planner then balances bytes alone). Every
 * such approximation is in the basis lines the command prints.
 *
 * A row found on a shard the map does not place it on is counted apart (misplaced) and left out.
 */
/** Measures the units of a virtual-shard or directory map on its shards, for {@code reshard map plan}. */
final class UnitScan {
    /** Rows fetched per round trip while streaming a shard-key column. */
    private static final int FETCH = 10_000;

    private UnitScan() {}

    /** The units with their statistics, and how they were measured. */
    record Result(List<UnitStats> units, List<String> basis, long misplaced) {}

    static Result measure(
            ShardMap map, List<ShardConfig> registered, List<MigratedTable> tables, List<ShardHistory> histories) {
        Map<ShardId, ShardConfig> byId = new LinkedHashMap<>();
        registered.forEach(s -> byId.put(s.id(), s));
        Map<ShardId, ShardHistory> history = new HashMap<>();
        histories.forEach(h -> history.put(h.shard(), h));
        Map<MoveSet.Unit, long[]> rows = new LinkedHashMap<>();
        Map<ShardId, Long> shardRows = new LinkedHashMap<>();
        Map<ShardId, Long> shardBytes = new LinkedHashMap<>();
        long misplaced = 0;
        List<String> missing = new ArrayList<>();
        for (ShardId shard : map.strategy().shards()) {
            ShardConfig config = byId.get(shard);
            if (config == null) {
                throw InvalidInputException.of(
                        "shards", shard, "is in the map but not registered", "register it with `reshard shards add`");
            }
            long total = 0;
            try (Connection c = DriverManager.getConnection(
                    config.jdbcUrl(), config.username(), config.password().resolve())) {
                Dialect dialect = Dialect.of(c);
                for (MigratedTable t : tables) {
                    TableSpec spec;
                    try {
                        spec = dialect.tableSpec(c, t.name(), t.shardKey());
                    } catch (SQLException | RuntimeException e) {
                        missing.add(shard + "." + t.name());
                        continue;
                    }
                    long[] counted = scan(c, dialect, spec, map, shard, rows);
                    total += counted[0];
                    misplaced += counted[1];
                }
                shardBytes.put(
                        shard,
                        ShardMeasurement.of(
                                        c,
                                        tables.stream().map(MigratedTable::name).toList(),
                                        false)
                                .sizeBytes());
            } catch (SQLException e) {
                throw InvalidInputException.of(
                        "shards[" + shard + "]",
                        shard,
                        "cannot be measured: " + Orchestrator.cause(e),
                        "make it reachable (`reshard shards list`), then plan again");
            }
            shardRows.put(shard, total);
        }
        List<UnitStats> out = new ArrayList<>();
        forEachUnit(map, (unit, owner) -> rows.putIfAbsent(unit, new long[1]));
        for (Map.Entry<MoveSet.Unit, long[]> e : rows.entrySet()) {
            ShardId owner = ownerOf(map, e.getKey());
            long unitRows = e.getValue()[0];
            long total = shardRows.getOrDefault(owner, 0L);
            double share = total == 0 ? 0 : (double) unitRows / total;
            long bytes = Math.round(shardBytes.getOrDefault(owner, 0L) * share);
            double load = rate(history.get(owner)) * share;
            out.add(new UnitStats(e.getKey(), owner, bytes, unitRows, load));
        }
        List<String> basis = new ArrayList<>();
        basis.add("rows per unit: counted exactly, one pass over the shard-key column of "
                + tables.stream().map(MigratedTable::name).toList() + " on each shard");
        basis.add("bytes per unit: each shard's database size split by rows (row sizes assumed even)");
        boolean loads = map.strategy().shards().stream().anyMatch(s -> rate(history.get(s)) > 0);
        basis.add(
                loads
                        ? "load per unit: each shard's operations/s over its two newest stats samples, split by rows"
                        : "load per unit: not measured (fewer than two stats samples with operation counters): bytes"
                                + " alone are balanced; run `reshard stats collect` twice, some time apart");
        if (!missing.isEmpty()) {
            basis.add("not found, counted as empty: " + missing);
        }
        return new Result(out, basis, misplaced);
    }

    /** Streams the shard-key column; returns {rows counted, rows misplaced}. */
    private static long[] scan(
            Connection c, Dialect dialect, TableSpec spec, ShardMap map, ShardId shard, Map<MoveSet.Unit, long[]> rows)
            throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
        long counted = 0;
        long misplaced = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + dialect.quote(spec.shardKey()) + " FROM " + dialect.quote(spec.table()))) {
            ps.setFetchSize(FETCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Key key = Key.ofJdbc(rs.getObject(1));
                    if (!map.shardFor(key).equals(shard)) {
                        misplaced++;
                        continue;
                    }
                    rows.computeIfAbsent(unitOf(map, key), u -> new long[1])[0]++;
                    counted++;
                }
            }
        } finally {
            c.rollback();
            c.setAutoCommit(auto);
        }
        return new long[] {counted, misplaced};
    }

    static MoveSet.Unit unitOf(ShardMap map, Key key) {
        if (map.strategy() instanceof VirtualShardMap v) {
            int id;
            if (key instanceof Key.LongKey l) {
                id = v.virtualShardOf(l.value());
            } else if (key instanceof Key.StringKey s) {
                id = v.virtualShardOf(s.value());
            } else {
                id = v.virtualShardOf(((Key.UuidKey) key).value());
            }
            return new MoveSet.VirtualShard(id);
        }
        return new MoveSet.Tenant(key);
    }

    private static ShardId ownerOf(ShardMap map, MoveSet.Unit unit) {
        if (unit instanceof MoveSet.VirtualShard v) {
            return ((VirtualShardMap) map.strategy()).ownerOf(v.id());
        }
        if (unit instanceof MoveSet.Tenant t) {
            return map.shardFor(t.key());
        }
        throw new IllegalStateException("no owner for " + unit);
    }

    /** Every unit the map itself names (all virtual shards; a directory's listed tenants). */
    private static void forEachUnit(ShardMap map, java.util.function.BiConsumer<MoveSet.Unit, ShardId> visit) {
        if (map.strategy() instanceof VirtualShardMap v) {
            for (int i = 0; i < v.virtualShardCount(); i++) {
                visit.accept(new MoveSet.VirtualShard(i), v.ownerOf(i));
            }
        } else if (map.strategy() instanceof Directory d) {
            d.forEachTenant((k, s) -> visit.accept(new MoveSet.Tenant(k), s));
        }
    }

    /** The load trigger's operation rate of {@code h}; 0 when unknown. */
    static double rate(ShardHistory h) {
        return h == null ? 0 : Triggers.operationRate(h).orElse(0);
    }

    /** A backfill rate a finished migration recorded. */
    record Rate(double rowsPerSecond, String migration) {}

    /** The backfill rate of the newest migration that recorded one, for an estimate; empty if none. */
    static Optional<Rate> recordedRate(List<MigrationRecord> migrations) {
        for (int i = migrations.size() - 1; i >= 0; i--) {
            MigrationRecord record = migrations.get(i);
            if (record.report().isEmpty()) {
                continue;
            }
            try {
                MigrationReport.Backfill b =
                        MigrationReport.fromJson(record.report().get()).backfill;
                if (b.startedAt != null && b.finishedAt != null && b.rowsCopied > 0) {
                    double seconds = Duration.between(Instant.parse(b.startedAt), Instant.parse(b.finishedAt))
                                    .toMillis()
                            / 1000.0;
                    if (seconds > 0) {
                        return Optional.of(new Rate(b.rowsCopied / seconds, record.id()));
                    }
                }
            } catch (RuntimeException ignored) {
                // a report this version cannot read gives no rate
            }
        }
        return Optional.empty();
    }
}
