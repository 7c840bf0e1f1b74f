package dev.reshard.migration.engine;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.MigrationRecord;
import dev.reshard.catalog.RoutingState;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
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
 */
/** The checks a migration must pass before it starts. */
final class Preflight {
    private final Catalog catalog;
    private final Map<ShardId, DataSource> dataSources;
    private final MigrationOptions options;

    Preflight(Catalog catalog, Map<ShardId, DataSource> dataSources, MigrationOptions options) {
        this.catalog = catalog;
        this.dataSources = dataSources;
        this.options = options;
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
            Phase p = Phase.parse("phase", m.phase());
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
        if (reachable.size() < involved.size()) {
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
            for (ShardId source : sources) {
                try (Connection c = dataSources.get(source).getConnection()) {
                    Dialect dialect = Dialect.of(c);
                    for (MigratedTable t : request.tables()) {
                        TableSpec spec = dialect.tableSpec(c, t.name(), t.shardKey());
                        Map<ShardId, Long> moving = countMoving(c, dialect, spec, source, from, to);
                        TableStats stats = dialect.stats(c, spec);
                        long avg = stats.estimatedRows() > 0 ? stats.bytes() / stats.estimatedRows() : 0;
                        for (Map.Entry<ShardId, Long> m : moving.entrySet()) {
                            report.estimatedRows.merge(t.key(), m.getValue(), Long::sum);
                            incoming.merge(m.getKey(), m.getValue() * avg, Long::sum);
                        }
                    }
                }
            }
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

    /** Rows of {@code spec} on {@code source} that move, by the shard they move to. */
    private static Map<ShardId, Long> countMoving(
            Connection c, Dialect dialect, TableSpec spec, ShardId source, ShardMap from, ShardMap to)
            throws SQLException {
        boolean auto = c.getAutoCommit();
        if (dialect.engine() == Engine.POSTGRESQL) {
            c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + dialect.quote(spec.shardKey()) + " FROM " + dialect.quote(spec.table()))) {
            ps.setFetchSize(10_000);
            Map<ShardId, Long> out = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object value = rs.getObject(1);
                    if (value == null) {
                        continue;
                    }
                    dev.reshard.core.Key key = Pair.keyOf(value);
                    ShardId target = to.shardFor(key);
                    if (!target.equals(source) && from.shardFor(key).equals(source)) {
                        out.merge(target, 1L, Long::sum);
                    }
                }
            }
            return out;
        } finally {
            if (dialect.engine() == Engine.POSTGRESQL) {
                c.commit();
                c.setAutoCommit(auto);
            }
        }
    }
}
