package dev.reshard.migration.engine;

import dev.reshard.catalog.Barrier;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.MigrationRecord;
import dev.reshard.catalog.RoutingState;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.jdbc.DatabaseIdentity;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.SchemaCheck;
import dev.reshard.jdbc.SchemaProblem;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.TableStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/*
 * Design notes
 *
 * Pre-flight runs before anything is written and collects every reason not to start (an operator
 * fixes them all at once, rather than one per attempt): the id, the maps, the routing state (one
 * migration in flight at a time: the routing state carries one), every shard reachable with
 * connection settings, the tables and columns equal on every shard involved, one engine on both
 * sides (verification compares in-database hashes), and capacity: each target's configured
 * capacity against what its tables use now plus what moves there.
 *
 * The rows that move are counted exactly, by streaming the shard-key column of each source table
 * through the routing rule (the rule is a hash for most strategies: the database cannot evaluate
 * it). That is one pass over an index-sized column, and it gives the progress estimates.
 *
 * On MariaDB the same pass reads a table's AUTO_INCREMENT column too, to refuse a move that would
 * drag a shard's id counter into another shard's id range (see "MariaDB id ranges" below).
 */
/** The checks a migration must pass before it starts. */
final class Preflight {
    private final Catalog catalog;
    private final Map<ShardId, DataSource> dataSources;
    private final MigrationOptions options;
    private final boolean allowNonDurable;

    Preflight(
            Catalog catalog, Map<ShardId, DataSource> dataSources, MigrationOptions options, boolean allowNonDurable) {
        this.catalog = catalog;
        this.dataSources = dataSources;
        this.options = options;
        this.allowNonDurable = allowNonDurable;
    }

    /** Every reason {@code request} cannot start; fills the estimates of {@code report} when it can. */
    List<InvalidInputException> check(MigrationRequest request, MigrationReport report) {
        List<InvalidInputException> out = new ArrayList<>();
        String id = request.id();
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")) {
            out.add(InvalidInputException.of(
                    "migration.id", id, "is not a valid migration id", "use letters, digits, '_', '-' or '.'"));
        } else if (catalog.migration(id).isPresent()) {
            out.add(InvalidInputException.of(
                    "migration.id",
                    id,
                    "already exists",
                    "resume it with `reshard migrate resume " + id + "`, or choose a new id"));
        }
        for (MigrationRecord m : catalog.migrations()) {
            Phase p = m.phase();
            if (!p.isTerminal()) {
                out.add(InvalidInputException.of(
                        "migration",
                        id,
                        "overlaps migration " + m.id() + " (v" + m.fromVersion() + " -> v" + m.toVersion() + ", " + p
                                + "): one migration runs at a time",
                        "finish it (`reshard migrate resume " + m.id() + "`) or roll it back first"));
            }
        }
        Optional<ShardMap> from = map("from", request.fromVersion(), out);
        Optional<ShardMap> to = map("to", request.toVersion(), out);
        RoutingState routing =
                catalog.currentRouting().orElse(RoutingState.stable(0, Math.max(1, catalog.currentVersion())));
        if (routing.isMigrating() && out.stream().noneMatch(e -> e.field().equals("migration"))) {
            out.add(InvalidInputException.of(
                    "migration",
                    id,
                    "overlaps migration " + routing.migrationId().get() + " that routers are following",
                    "finish or roll it back first"));
        } else if (routing.mapVersion() != request.fromVersion()) {
            out.add(InvalidInputException.of(
                    "from",
                    request.fromVersion(),
                    "is not the map routers use now (v" + routing.mapVersion() + ")",
                    "migrate from v" + routing.mapVersion()));
        }
        if (request.tables().isEmpty()) {
            out.add(InvalidInputException.of("tables", "[]", "is empty", "list the sharded tables that move"));
        }
        if (from.isEmpty() || to.isEmpty()) {
            return out;
        }
        if (request.toVersion() <= request.fromVersion()) {
            out.add(InvalidInputException.of(
                    "to",
                    request.toVersion(),
                    "is not a map published after v" + request.fromVersion(),
                    "publish the target map (it gets the next version), then migrate to it"));
            return out;
        }
        if (ShardMaps.diff(from.get(), to.get()).isEmpty()) {
            out.add(InvalidInputException.of(
                    "to",
                    request.toVersion(),
                    "moves no key from v" + request.fromVersion(),
                    "publish a map that differs"));
            return out;
        }
        Set<ShardId> known = new LinkedHashSet<>();
        catalog.shards().forEach(s -> known.add(s.id()));
        Set<ShardId> involved = new LinkedHashSet<>(from.get().shards());
        involved.addAll(to.get().shards());
        Map<ShardId, DataSource> reachable = new LinkedHashMap<>();
        Set<Engine> engines = new LinkedHashSet<>();
        for (ShardId shard : involved) {
            if (!known.isEmpty() && !known.contains(shard)) {
                out.add(InvalidInputException.of(
                        "shards[" + shard + "]",
                        shard,
                        "is not a known shard (map v"
                                + (to.get().shards().contains(shard) ? request.toVersion() : request.fromVersion())
                                + " names it)",
                        "add it with its connection settings first; known shards: " + known));
                continue;
            }
            DataSource ds = dataSources.get(shard);
            if (ds == null) {
                out.add(InvalidInputException.of(
                        "shards[" + shard + "]", shard, "has no connection settings", "configure a JDBC URL for it"));
                continue;
            }
            try (Connection c = ds.getConnection()) {
                if (!c.isValid(5)) {
                    throw new SQLException("connection is not valid");
                }
                engines.add(Engine.detect(c));
                reachable.put(shard, ds);
            } catch (SQLException | RuntimeException e) {
                out.add(InvalidInputException.of(
                        "shards[" + shard + "]",
                        shard,
                        "is not reachable: " + e.getMessage(),
                        "start the database or fix its connection settings"));
            }
        }
        if (engines.size() > 1) {
            out.add(InvalidInputException.of(
                    "shards",
                    engines,
                    "mix database engines",
                    "migrate between shards of one engine (verification compares in-database hashes)"));
        }
        out.addAll(routersReach(to.get()));
        if (reachable.size() < involved.size()) {
            return out;
        }
        sameDatabases(reachable, allowNonDurable, out);
        if (!out.isEmpty()) {
            return out;
        }
        for (MigratedTable t : request.tables()) {
            try {
                for (SchemaProblem p : SchemaCheck.check(t.name(), t.shardKey(), reachable)) {
                    out.add(InvalidInputException.of(
                            "tables[" + t.name() + "]"
                                    + p.column().map(c -> "." + c).orElse(""),
                            p.shard(),
                            p.message(),
                            "make the table identical on every shard (same columns, types and primary key)"));
                }
            } catch (SQLException | RuntimeException e) {
                out.add(InvalidInputException.of(
                        "tables[" + t.name() + "]", t.name(), "cannot be checked: " + e.getMessage(), "fix the table"));
            }
        }
        if (!out.isEmpty()) {
            return out;
        }
        estimate(request, from.get(), to.get(), report, out);
        return out;
    }

    /**
     * Two shard ids whose connections reach one database (as the server reports it) would copy rows
     * onto themselves, and cleanup would delete them from the only place they are. An in-memory
     * shard loses what is copied there when its process ends, after cleanup deleted the originals.
     */
    private static void sameDatabases(
            Map<ShardId, DataSource> reachable, boolean allowNonDurable, List<InvalidInputException> out) {
        Map<ShardId, DatabaseIdentity> seen = new LinkedHashMap<>();
        for (Map.Entry<ShardId, DataSource> e : reachable.entrySet()) {
            DatabaseIdentity identity;
            try (Connection c = e.getValue().getConnection()) {
                identity = DatabaseIdentity.of(c);
            } catch (SQLException | RuntimeException ex) {
                out.add(InvalidInputException.of(
                        "shards[" + e.getKey() + "]",
                        e.getKey(),
                        "cannot say which database it is: " + ex.getMessage(),
                        "check its connection settings"));
                continue;
            }
            if (!identity.durable() && !allowNonDurable) {
                out.add(InvalidInputException.of(
                        "shards[" + e.getKey() + "]",
                        e.getKey(),
                        "is an in-memory database (" + identity.describe()
                                + "): what is moved there vanishes when its process ends",
                        "give " + e.getKey() + " a durable database (a file or a server)"));
            }
            for (Map.Entry<ShardId, DatabaseIdentity> other : seen.entrySet()) {
                if (other.getValue().sameAs(identity)) {
                    out.add(InvalidInputException.of(
                            "shards[" + e.getKey() + "]",
                            e.getKey(),
                            "is the same database as " + other.getKey() + " (" + identity.describe() + ")",
                            "give " + e.getKey() + " a database of its own, or keep " + other.getKey() + " only"));
                }
            }
            seen.put(e.getKey(), identity);
        }
    }

    private Optional<ShardMap> map(String field, long version, List<InvalidInputException> out) {
        try {
            return Optional.of(catalog.map(version));
        } catch (RuntimeException e) {
            out.add(InvalidInputException.of(
                    field, version, "is not a published map version", "use 1.." + catalog.currentVersion()));
            return Optional.empty();
        }
    }

    /** Counts the moving rows and bytes, and checks each target's capacity. */
    private void estimate(
            MigrationRequest request,
            ShardMap from,
            ShardMap to,
            MigrationReport report,
            List<InvalidInputException> out) {
        Map<ShardId, Long> incoming = new LinkedHashMap<>();
        try {
            // One scan per source table, each row counted for the target it moves to.
            Set<ShardId> sources = new LinkedHashSet<>();
            Pair.of(from, to).forEach(p -> sources.add(p.source()));
            List<IdRange> idRanges = new ArrayList<>();
            for (ShardId source : sources) {
                try (Connection c = dataSources.get(source).getConnection()) {
                    Dialect dialect = Dialect.of(c);
                    Set<ShardId> targets = new LinkedHashSet<>();
                    List<Moving> generated = new ArrayList<>();
                    for (MigratedTable t : request.tables()) {
                        TableSpec spec = dialect.tableSpec(c, t.name(), t.shardKey());
                        Optional<String> auto =
                                dialect.engine() == Engine.MARIADB ? autoIncrementColumn(c, spec) : Optional.empty();
                        Moving moving = countMoving(c, dialect, t, spec, source, from, to, auto);
                        TableStats stats = dialect.stats(c, spec);
                        long avg = stats.estimatedRows() > 0 ? stats.bytes() / stats.estimatedRows() : 0;
                        for (Map.Entry<ShardId, Long> m : moving.rows().entrySet()) {
                            report.estimatedRows.merge(t.key(), m.getValue(), Long::sum);
                            incoming.merge(m.getKey(), m.getValue() * avg, Long::sum);
                            targets.add(m.getKey());
                        }
                        if (auto.isPresent()) {
                            generated.add(moving);
                        }
                    }
                    for (Moving m : generated) {
                        IdSeries series = IdSeries.of(c, m.spec());
                        for (ShardId target : targets) {
                            // Rows written during the migration move too: the source's counter counts.
                            long highest = Math.max(m.maxId().getOrDefault(target, 0L), series.next() - 1);
                            idRanges.add(new IdRange(m.table(), m.column().get(), source, target, highest, series));
                        }
                    }
                }
            }
            idRangeCollisions(idRanges, out);
            for (Map.Entry<ShardId, Long> e : incoming.entrySet()) {
                report.estimatedBytes.put(e.getKey().value(), e.getValue());
                Optional<ShardConfig> config = catalog.shard(e.getKey());
                if (config.isEmpty()) {
                    continue;
                }
                long used = 0;
                try (Connection c = dataSources.get(e.getKey()).getConnection()) {
                    Dialect dialect = Dialect.of(c);
                    for (MigratedTable t : request.tables()) {
                        used += dialect.stats(c, dialect.tableSpec(c, t.name(), t.shardKey()))
                                .bytes();
                    }
                }
                long capacity = config.get().capacityBytes();
                long after = used + e.getValue();
                if (after > options.capacityThreshold() * capacity) {
                    out.add(InvalidInputException.of(
                            "shards[" + e.getKey() + "].capacity",
                            capacity,
                            "would be " + Math.round(100.0 * after / capacity) + " % used after the move (" + used
                                    + " B now + " + e.getValue() + " B moving), above the "
                                    + Math.round(options.capacityThreshold() * 100) + " % threshold",
                            "add a shard or move fewer keys to " + e.getKey() + ", or raise its configured capacity"));
                }
            }
        } catch (SQLException | RuntimeException e) {
            out.add(InvalidInputException.of(
                    "shards", "", "could not be measured: " + e.getMessage(), "check the shards"));
        }
    }

    /**
     * Every live router must have connection settings for, and reach, every shard of the target
     * map (routers report it in their heartbeats; see {@link Barrier#unreachable}). Waits a little
     * for routers that have not reported the target map yet (they poll the catalog), then names
     * each router (id, host) and shard that is not ready.
     */
    private List<InvalidInputException> routersReach(ShardMap to) {
        Barrier barrier = new Barrier(catalog, java.time.Clock.systemUTC(), java.time.Duration.ofMillis(100));
        java.time.Duration wait = options.barrierTimeout().compareTo(java.time.Duration.ofSeconds(5)) < 0
                ? options.barrierTimeout()
                : java.time.Duration.ofSeconds(5);
        try {
            barrier.awaitReachable(to.version(), to.shards(), wait);
            return List.of();
        } catch (dev.reshard.core.ReshardException e) {
            List<InvalidInputException> out = new ArrayList<>();
            for (String problem : barrier.unreachable(to.version(), to.shards())) {
                out.add(InvalidInputException.of(
                        "routers",
                        "live routers",
                        problem,
                        "give each application's router the new shard (build it with a ShardConnector such as"
                                + " ShardPools.connector(n) to learn shards from the catalog) and network access to"
                                + " it, or stop that instance and let its lease lapse"));
            }
            return out;
        }
    }

    /**
     * Rows of {@code spec} on {@code source} that move, by the shard they move to; with {@code
     * idColumn} (a MariaDB AUTO_INCREMENT column) also the largest value of it that moves to each.
     */
    private static Moving countMoving(
            Connection c,
            Dialect dialect,
            MigratedTable table,
            TableSpec spec,
            ShardId source,
            ShardMap from,
            ShardMap to,
            Optional<String> idColumn)
            throws SQLException {
        boolean auto = c.getAutoCommit();
        if (dialect.engine() == Engine.POSTGRESQL) {
            c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
        }
        // With the id column: still one pass over an index (InnoDB's secondary indexes hold the key).
        String columns = dialect.quote(spec.shardKey())
                + idColumn.map(col -> ", " + dialect.quote(col)).orElse("");
        try (PreparedStatement ps = c.prepareStatement("SELECT " + columns + " FROM " + dialect.quote(spec.table()))) {
            ps.setFetchSize(10_000);
            Map<ShardId, Long> out = new LinkedHashMap<>();
            Map<ShardId, Long> maxId = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object value = rs.getObject(1);
                    if (value == null) {
                        continue;
                    }
                    dev.reshard.core.Key key = dev.reshard.core.Key.ofJdbc(value);
                    ShardId target = to.shardFor(key);
                    if (!target.equals(source) && from.shardFor(key).equals(source)) {
                        out.merge(target, 1L, Long::sum);
                        if (idColumn.isPresent()) {
                            maxId.merge(target, asLong(rs.getObject(2)), Math::max);
                        }
                    }
                }
            }
            return new Moving(table, spec, idColumn, out, maxId);
        } finally {
            if (dialect.engine() == Engine.POSTGRESQL) {
                c.commit();
                c.setAutoCommit(auto);
            }
        }
    }

    /** What moves out of one source table: rows and (for a generated id column) the largest id, per target. */
    private record Moving(
            MigratedTable table,
            TableSpec spec,
            Optional<String> column,
            Map<ShardId, Long> rows,
            Map<ShardId, Long> maxId) {}

    // ------------------------------------------------------------------ MariaDB id ranges

    /*
     * MariaDB (InnoDB) moves a table's AUTO_INCREMENT past any explicit id inserted into it; the
     * engine copies rows with their ids. Shards that generate ids from disjoint ranges (shard i from
     * i * 10^12, as DemoSchema does) keep them apart only while rows move from lower ranges to
     * higher ones: a row copied from a higher range into a lower one drags the lower shard's counter
     * into the higher shard's range, and from then on both generate the same ids (seen in
     * StrategiesIT: ~100 duplicated orders after a two-way directory move). Sequences.movePast
     * leaves such counters alone (ids SAME_RANGE or more ahead are another shard's range) but
     * MariaDB does not. So pre-flight refuses such a move: it cannot be undone once a row landed
     * (MariaDB never moves a counter below the largest id in the table).
     *
     * Refused only when it would corrupt generated ids: a MariaDB AUTO_INCREMENT column, a pair with
     * rows to move, the source's highest id (of the rows that move, or the next one it generates:
     * rows written during the migration move too) SAME_RANGE or more above the target's counter,
     * and the two shards not interleaving their ids (same auto_increment_increment > 1, different
     * auto_increment_offset: then their generated ids never meet, whatever the counters).
     * PostgreSQL sequences and H2 identities do not move on explicit inserts.
     */

    /** The AUTO_INCREMENT column of a MariaDB table, if it has one. */
    private static Optional<String> autoIncrementColumn(Connection c, TableSpec spec) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?"
                + " AND LOWER(EXTRA) LIKE '%auto_increment%'")) {
            ps.setString(1, spec.table().schema().orElse(null));
            ps.setString(2, spec.table().name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * A MariaDB table's id generator on one shard: the next AUTO_INCREMENT value (0 when unknown)
     * and the session's auto_increment_increment and auto_increment_offset (the server's settings
     * unless the connection overrides them).
     */
    private record IdSeries(long next, long increment, long offset) {
        static IdSeries of(Connection c, TableSpec spec) throws SQLException {
            long next = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT AUTO_INCREMENT FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?")) {
                ps.setString(1, spec.table().schema().orElse(null));
                ps.setString(2, spec.table().name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        next = asLong(rs.getObject(1));
                    }
                }
            }
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT @@auto_increment_increment, @@auto_increment_offset");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                long increment = Math.max(1, rs.getLong(1));
                long offset = rs.getLong(2);
                // MariaDB ignores an offset larger than the increment.
                return new IdSeries(next, increment, offset > increment ? 1 : offset);
            }
        }

        /** Whether this series and {@code other} can never generate the same id. */
        boolean interleavesWith(IdSeries other) {
            return increment > 1 && increment == other.increment && offset % increment != other.offset % increment;
        }
    }

    /** Ids that move from {@code source} to {@code target}: the highest, and the source's generator. */
    private record IdRange(
            MigratedTable table, String column, ShardId source, ShardId target, long highest, IdSeries series) {}

    private void idRangeCollisions(List<IdRange> ranges, List<InvalidInputException> out) throws SQLException {
        Map<String, IdSeries> targets = new LinkedHashMap<>();
        for (IdRange r : ranges) {
            String key = r.target().value() + "/" + r.table().key();
            IdSeries target = targets.get(key);
            if (target == null) {
                try (Connection c = dataSources.get(r.target()).getConnection()) {
                    Dialect dialect = Dialect.of(c);
                    TableSpec spec =
                            dialect.tableSpec(c, r.table().name(), r.table().shardKey());
                    target = IdSeries.of(c, spec);
                }
                targets.put(key, target);
            }
            if (target.next() <= 0
                    || r.highest() < target.next()
                    || r.highest() - target.next() < Sequences.SAME_RANGE
                    || r.series().interleavesWith(target)) {
                continue;
            }
            out.add(InvalidInputException.of(
                    "tables[" + r.table().name() + "]." + r.column(),
                    r.highest(),
                    "is the highest " + r.table().name() + "." + r.column() + " that " + r.source()
                            + " holds or generates next, and keys move from " + r.source() + " to " + r.target()
                            + ", whose AUTO_INCREMENT is " + target.next() + " (" + (r.highest() - target.next())
                            + " lower: ids 2^32 or more apart are another shard's id range). MariaDB moves a"
                            + " table's AUTO_INCREMENT past every id inserted into it, so once rows are copied "
                            + r.target() + " would generate " + r.table().name() + " ids from " + (r.highest() + 1)
                            + " on, inside " + r.source() + "'s range, and they would collide with the ids "
                            + r.source() + " generates (a counter cannot be moved back below the ids in a table)",
                    "give the shards interleaved ids instead of ranges (the same auto_increment_increment on"
                            + " every shard, at least the number of shards, and a different auto_increment_offset"
                            + " on each, in the server configuration), or generate "
                            + r.table().name() + "."
                            + r.column() + " in the application (e.g. UUIDs or snowflake ids) instead of"
                            + " AUTO_INCREMENT; or move keys only from shards with lower id ranges to shards"
                            + " with higher ones"));
        }
    }

    private static long asLong(Object value) {
        if (value instanceof java.math.BigInteger b && b.bitLength() > 63) {
            return Long.MAX_VALUE;
        }
        return value instanceof Number n ? n.longValue() : 0;
    }
}
