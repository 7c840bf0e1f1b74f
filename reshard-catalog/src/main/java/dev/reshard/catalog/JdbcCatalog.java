package dev.reshard.catalog;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.Directory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * Compare-and-set on map versions is the primary key: publishing v+1 inserts the row (v+1); of two
 * concurrent publishers exactly one insert succeeds, the other gets a unique violation and a
 * CatalogConflictException, on every database, without relying on isolation levels. The check that
 * the current version is still v (in the same transaction) refuses a publisher that skipped ahead.
 *
 * The directory is a versioned table: a row is valid for map versions [valid_from, valid_to), with
 * valid_to = Long.MAX_VALUE for the open row, and a unique (tenant, valid_to) so a tenant has at
 * most one open row whatever races happen. A move closes the open row at the new version and opens
 * another, so every published version can still be loaded (a migration needs its "from" map).
 *
 * Leases use the catalog's injected Clock (hosts must keep their clocks in sync well within the
 * lease TTL). Timestamps are stored as TIMESTAMP WITH TIME ZONE in UTC.
 */
final class JdbcCatalog implements Catalog {
    private static final Logger log = LoggerFactory.getLogger(JdbcCatalog.class);
    private static final long OPEN = Long.MAX_VALUE;

    private final DataSource dataSource;
    private final Clock clock;
    private final Runnable onClose;
    private final ShardMapCodec codec = new ShardMapCodec();

    JdbcCatalog(DataSource dataSource, Clock clock, Runnable onClose) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.onClose = onClose;
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/reshard/" + vendor(dataSource))
                .failOnMissingLocations(true)
                .table("reshard_schema_history")
                .load()
                .migrate();
    }

    /** The folder of schema scripts for the catalog's database: h2 or postgresql. */
    private static String vendor(DataSource dataSource) {
        String product;
        try (Connection c = dataSource.getConnection()) {
            product = c.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new ReshardException("catalog: cannot connect to the catalog database: " + e.getMessage(), e);
        }
        if (product.equalsIgnoreCase("H2")) {
            return "h2";
        }
        if (product.equalsIgnoreCase("PostgreSQL")) {
            return "postgresql";
        }
        throw InvalidInputException.of(
                "catalog.url",
                product,
                "is not a supported catalog database",
                "use the embedded H2 catalog (the default) or PostgreSQL");
    }

    // ------------------------------------------------------------ plumbing

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T tx(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new ReshardException(
                    "catalog: " + what + " failed: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    private static boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s
                    && s.getSQLState() != null
                    && s.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }

    private static OffsetDateTime ts(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    // ------------------------------------------------------------ shards

    @Override
    public void addShard(ShardConfig shard) {
        tx("add shard " + shard.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO reshard_shards (id, jdbc_url, username, password_ref, capacity_bytes, created_at) VALUES (?,?,?,?,?,?)")) {
                ps.setString(1, shard.id().value());
                ps.setString(2, shard.jdbcUrl());
                ps.setString(3, shard.username());
                ps.setString(4, shard.password().reference());
                ps.setLong(5, shard.capacityBytes());
                ps.setObject(6, ts(now()));
                ps.executeUpdate();
            } catch (SQLException e) {
                if (isUniqueViolation(e)) {
                    throw InvalidInputException.of(
                            "shards[" + shard.id() + "]",
                            shard.id().value(),
                            "is already in the catalog",
                            "choose a new shard id");
                }
                throw e;
            }
            return null;
        });
    }

    @Override
    public void updateShard(ShardConfig shard) {
        tx("update shard " + shard.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE reshard_shards SET jdbc_url = ?, username = ?, password_ref = ?, capacity_bytes = ? WHERE id = ?")) {
                ps.setString(1, shard.jdbcUrl());
                ps.setString(2, shard.username());
                ps.setString(3, shard.password().reference());
                ps.setLong(4, shard.capacityBytes());
                ps.setString(5, shard.id().value());
                if (ps.executeUpdate() == 0) {
                    throw unknownShard(shard.id());
                }
            }
            return null;
        });
    }

    @Override
    public void removeShard(ShardId id) {
        tx("remove shard " + id, c -> {
            List<String> namedBy = new ArrayList<>();
            for (Map.Entry<Long, String> use : mapsInUse(c).entrySet()) {
                if (load(c, use.getKey()).shards().contains(id)) {
                    namedBy.add("map v" + use.getKey() + " (" + use.getValue() + ")");
                }
            }
            if (!namedBy.isEmpty()) {
                throw InvalidInputException.of(
                        "shard",
                        id.value(),
                        "is still named by " + String.join(", ", namedBy),
                        "move its data off first (a map without it, migrated to DONE), then remove it");
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM reshard_shards WHERE id = ?")) {
                ps.setString(1, id.value());
                if (ps.executeUpdate() == 0) {
                    throw unknownShard(id);
                }
            }
            return null;
        });
        log.info("catalog: removed shard {}", id);
    }

    private static InvalidInputException unknownShard(ShardId id) {
        return InvalidInputException.of(
                "shard", id.value(), "is not in the catalog", "list the shards it holds with `reshard shards list`");
    }

    /** The map versions in use, each with why: the current one, the routing state's, unfinished migrations'. */
    private static Map<Long, String> mapsInUse(Connection c) throws SQLException {
        Map<Long, String> inUse = new LinkedHashMap<>();
        long current = currentVersion(c);
        if (current > 0) {
            inUse.put(current, "the current map");
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT map_version, target_version FROM reshard_routing"
                        + " WHERE epoch = (SELECT MAX(epoch) FROM reshard_routing)");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                inUse.putIfAbsent(rs.getLong(1), "routers' map");
                long target = rs.getLong(2);
                if (!rs.wasNull()) {
                    inUse.putIfAbsent(target, "routers' target map");
                }
            }
        }
        try (PreparedStatement ps =
                        c.prepareStatement("SELECT id, from_version, to_version, phase FROM reshard_migrations");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (!Phase.valueOf(rs.getString(4)).isTerminal()) {
                    String why = "migration " + rs.getString(1) + ", in " + rs.getString(4);
                    inUse.putIfAbsent(rs.getLong(2), why);
                    inUse.putIfAbsent(rs.getLong(3), why);
                }
            }
        }
        return inUse;
    }

    @Override
    public List<ShardConfig> shards() {
        return tx("list shards", c -> {
            List<ShardConfig> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT id, jdbc_url, username, password_ref, capacity_bytes FROM reshard_shards ORDER BY id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ShardConfig(
                            ShardId.of(rs.getString(1)),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4) == null || rs.getString(4).isEmpty()
                                    ? SecretRef.NONE
                                    : new SecretRef(rs.getString(4)),
                            rs.getLong(5)));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<ShardConfig> shard(ShardId id) {
        return shards().stream().filter(s -> s.id().equals(id)).findFirst();
    }

    // ------------------------------------------------------------ maps

    @Override
    public long currentVersion() {
        return tx("read the current map version", JdbcCatalog::currentVersion);
    }

    private static long currentVersion(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(version) FROM reshard_maps");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public Optional<ShardMap> currentMap() {
        return tx("read the current map", c -> {
            long v = currentVersion(c);
            return v == 0 ? Optional.empty() : Optional.of(load(c, v));
        });
    }

    @Override
    public ShardMap map(long version) {
        return tx("read map v" + version, c -> load(c, version));
    }

    private ShardMap load(Connection c, long version) throws SQLException {
        String strategy;
        String body;
        try (PreparedStatement ps = c.prepareStatement("SELECT strategy, body FROM reshard_maps WHERE version = ?")) {
            ps.setLong(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw InvalidInputException.of(
                            "map version",
                            version,
                            "was never published",
                            "use a version from 1 to " + currentVersion(c));
                }
                strategy = rs.getString(1);
                body = rs.getString(2);
            }
        }
        Map<Key, ShardId> tenants = strategy.equals("directory") ? tenantsAt(c, version) : Map.of();
        return codec.decode(version, body, tenants);
    }

    private static Map<Key, ShardId> tenantsAt(Connection c, long version) throws SQLException {
        Map<Key, ShardId> tenants = new HashMap<>();
        Map<String, ShardId> shardIds = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT tenant, shard_id FROM reshard_directory WHERE valid_from <= ? AND valid_to > ?")) {
            ps.setLong(1, version);
            ps.setLong(2, version);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tenants.put(
                            ShardMapCodec.tenantKey(rs.getString(1)),
                            shardIds.computeIfAbsent(rs.getString(2), ShardId::of));
                }
            }
        }
        return tenants;
    }

    @Override
    public void publish(ShardMap map, long expectedCurrent, String note) {
        InvalidInputException.require(
                map.version() == expectedCurrent + 1,
                "map.version",
                map.version(),
                "does not follow the expected current version " + expectedCurrent,
                "publish version " + (expectedCurrent + 1) + ", built with ShardMap.next()");
        String body = codec.encode(map);
        tx("publish map v" + map.version(), c -> {
            long current = currentVersion(c);
            if (current != expectedCurrent) {
                throw new CatalogConflictException(
                        "map v" + map.version() + " was not published: the current version is " + current + ", not "
                                + expectedCurrent + "; reload the map and plan again");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO reshard_maps (version, strategy, body, published_at, note) VALUES (?,?,?,?,?)")) {
                ps.setLong(1, map.version());
                ps.setString(2, map.strategy().kind().label());
                ps.setString(3, body);
                ps.setObject(4, ts(now()));
                ps.setString(5, note);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (isUniqueViolation(e)) {
                    throw new CatalogConflictException(
                            "map v" + map.version()
                                    + " was not published: another process published that version first; reload the map and plan again");
                }
                throw e;
            }
            if (map.strategy() instanceof Directory d) {
                publishTenants(c, d, map.version());
            }
            return null;
        });
        log.info("catalog: published map {}", map);
    }

    private static void publishTenants(Connection c, Directory d, long version) throws SQLException {
        Map<String, String> open = new HashMap<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT tenant, shard_id FROM reshard_directory WHERE valid_to = ?")) {
            ps.setLong(1, OPEN);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    open.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        Map<String, String> changed = new LinkedHashMap<>();
        d.forEachTenant((k, s) -> {
            String t = ShardMapCodec.tenantText(k);
            if (!s.value().equals(open.get(t))) {
                changed.put(t, s.value());
            }
        });
        try (PreparedStatement close = c.prepareStatement(
                        "UPDATE reshard_directory SET valid_to = ? WHERE tenant = ? AND valid_to = ?");
                PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO reshard_directory (tenant, shard_id, valid_from, valid_to) VALUES (?,?,?,?)")) {
            int pending = 0;
            for (Map.Entry<String, String> e : changed.entrySet()) {
                if (open.containsKey(e.getKey())) {
                    close.setLong(1, version);
                    close.setString(2, e.getKey());
                    close.setLong(3, OPEN);
                    close.addBatch();
                }
                insert.setString(1, e.getKey());
                insert.setString(2, e.getValue());
                insert.setLong(3, version);
                insert.setLong(4, OPEN);
                insert.addBatch();
                if (++pending == 5_000) {
                    close.executeBatch();
                    insert.executeBatch();
                    pending = 0;
                }
            }
            close.executeBatch();
            insert.executeBatch();
        }
    }

    @Override
    public ShardId registerTenant(Key tenant, ShardId proposed) {
        String t = ShardMapCodec.tenantText(tenant);
        for (int attempt = 0; ; attempt++) {
            Optional<ShardId> listed = tx("register tenant " + tenant, c -> {
                Optional<ShardId> existing = openShard(c, t);
                if (existing.isPresent()) {
                    return existing;
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO reshard_directory (tenant, shard_id, valid_from, valid_to) VALUES (?,?,?,?)")) {
                    ps.setString(1, t);
                    ps.setString(2, proposed.value());
                    ps.setLong(3, Math.max(1, currentVersion(c)));
                    ps.setLong(4, OPEN);
                    ps.executeUpdate();
                    return Optional.of(proposed);
                } catch (SQLException e) {
                    if (isUniqueViolation(e)) {
                        return Optional.empty(); // someone else listed it: read theirs
                    }
                    throw e;
                }
            });
            if (listed.isPresent()) {
                return listed.get();
            }
            if (attempt == 3) {
                throw new CatalogConflictException("tenant " + tenant + " could not be registered after 4 attempts");
            }
        }
    }

    private static Optional<ShardId> openShard(Connection c, String tenant) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT shard_id FROM reshard_directory WHERE tenant = ? AND valid_to = ?")) {
            ps.setString(1, tenant);
            ps.setLong(2, OPEN);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(ShardId.of(rs.getString(1))) : Optional.empty();
            }
        }
    }

    // ------------------------------------------------------------ routing epochs

    @Override
    public Optional<RoutingState> currentRouting() {
        return tx("read the routing state", JdbcCatalog::currentRouting);
    }

    private static Optional<RoutingState> currentRouting(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch, map_version, target_version, migration_id, phase"
                        + " FROM reshard_routing WHERE epoch = (SELECT MAX(epoch) FROM reshard_routing)");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            long target = rs.getLong(3);
            boolean migrating = !rs.wasNull();
            return Optional.of(
                    migrating
                            ? RoutingState.migrating(
                                    rs.getLong(1),
                                    rs.getLong(2),
                                    target,
                                    rs.getString(4),
                                    Phase.valueOf(rs.getString(5)))
                            : RoutingState.stable(rs.getLong(1), rs.getLong(2)));
        }
    }

    @Override
    public void publishRouting(RoutingState next) {
        tx("publish routing epoch " + next.epoch(), c -> {
            long current = currentRouting(c).map(RoutingState::epoch).orElse(0L);
            if (next.epoch() != current + 1) {
                throw new CatalogConflictException(
                        "routing epoch " + next.epoch() + " was not published: the current epoch is " + current
                                + "; reload the routing state and retry");
            }
            long published = currentVersion(c);
            for (long v : new long[] {next.mapVersion(), next.targetVersion().orElse(next.mapVersion())}) {
                InvalidInputException.require(
                        v >= 1 && v <= published,
                        "routing.mapVersion",
                        v,
                        "is not a published map version",
                        "publish the map first (versions 1 to " + published + " exist)");
            }
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO reshard_routing (epoch, map_version, target_version,"
                            + " migration_id, phase, published_at) VALUES (?,?,?,?,?,?)")) {
                ps.setLong(1, next.epoch());
                ps.setLong(2, next.mapVersion());
                if (next.targetVersion().isPresent()) {
                    ps.setLong(3, next.targetVersion().getAsLong());
                } else {
                    ps.setNull(3, java.sql.Types.BIGINT);
                }
                ps.setString(4, next.migrationId().orElse(null));
                ps.setString(5, next.phase().map(Enum::name).orElse(null));
                ps.setObject(6, ts(now()));
                ps.executeUpdate();
            } catch (SQLException e) {
                if (isUniqueViolation(e)) {
                    throw new CatalogConflictException(
                            "routing epoch " + next.epoch()
                                    + " was not published: another process published it first; reload the routing state and retry");
                }
                throw e;
            }
            return null;
        });
        log.info("catalog: published routing {}", next);
    }

    // ------------------------------------------------------------ migrations

    @Override
    public MigrationRecord createMigration(
            String id, long fromVersion, long toVersion, Phase phase, String reportJson) {
        InvalidInputException.require(
                id != null && id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"),
                "migration.id",
                id,
                "is not a valid migration id",
                "use letters, digits, '_', '-' or '.', at most 100 characters");
        tx("create migration " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO reshard_migrations "
                    + "(id, from_version, to_version, phase, created_at, updated_at, report) VALUES (?,?,?,?,?,?,?)")) {
                ps.setString(1, id);
                ps.setLong(2, fromVersion);
                ps.setLong(3, toVersion);
                ps.setString(4, phase.name());
                ps.setObject(5, ts(now()));
                ps.setObject(6, ts(now()));
                ps.setString(7, reportJson);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (isUniqueViolation(e)) {
                    throw InvalidInputException.of(
                            "migration.id", id, "already exists", "resume it, or choose a new id");
                }
                throw e;
            }
            return null;
        });
        return migration(id).orElseThrow();
    }

    @Override
    public Optional<MigrationRecord> migration(String id) {
        return migrations(id).stream().findFirst();
    }

    @Override
    public List<MigrationRecord> migrations() {
        return migrations(null);
    }

    private List<MigrationRecord> migrations(String id) {
        return tx("read migrations", c -> {
            String sql =
                    "SELECT id, from_version, to_version, phase, owner, lease_expires_at, created_at, updated_at, report, error"
                            + " FROM reshard_migrations" + (id == null ? "" : " WHERE id = ?")
                            + " ORDER BY created_at, id";
            List<MigrationRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (id != null) {
                    ps.setString(1, id);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new MigrationRecord(
                                rs.getString("id"),
                                rs.getLong("from_version"),
                                rs.getLong("to_version"),
                                Phase.parse(
                                        "reshard_migrations.phase of migration " + rs.getString("id"),
                                        rs.getString("phase")),
                                Optional.ofNullable(rs.getString("owner")),
                                Optional.ofNullable(instant(rs, "lease_expires_at")),
                                instant(rs, "created_at"),
                                instant(rs, "updated_at"),
                                Optional.ofNullable(rs.getString("report")),
                                Optional.ofNullable(rs.getString("error"))));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void transition(String id, Phase expected, Phase next) {
        expected.requireMoveTo(next);
        String expectedPhase = expected.name();
        String newPhase = next.name();
        tx("move migration " + id + " to " + newPhase, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE reshard_migrations SET phase = ?, updated_at = ? WHERE id = ? AND phase = ?")) {
                ps.setString(1, newPhase);
                ps.setObject(2, ts(now()));
                ps.setString(3, id);
                ps.setString(4, expectedPhase);
                if (ps.executeUpdate() != 1) {
                    throw new CatalogConflictException("migration " + id + " is not in phase " + expectedPhase
                            + " (another orchestrator moved it, or it does not exist); reload it before acting");
                }
            }
            return null;
        });
    }

    @Override
    public void recordReport(String id, String reportJson, String error) {
        tx("record the report of migration " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE reshard_migrations SET report = ?, error = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, reportJson);
                ps.setString(2, error);
                ps.setObject(3, ts(now()));
                ps.setString(4, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean acquireLease(String id, String owner, Duration ttl) {
        return tx("lease migration " + id, c -> {
            Instant now = now();
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE reshard_migrations SET owner = ?, lease_expires_at = ?"
                            + " WHERE id = ? AND (owner IS NULL OR owner = ? OR lease_expires_at <= ?)")) {
                ps.setString(1, owner);
                ps.setObject(2, ts(now.plus(ttl)));
                ps.setString(3, id);
                ps.setString(4, owner);
                ps.setObject(5, ts(now));
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void releaseLease(String id, String owner) {
        tx("release the lease of migration " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE reshard_migrations SET owner = NULL, lease_expires_at = NULL WHERE id = ? AND owner = ?")) {
                ps.setString(1, id);
                ps.setString(2, owner);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void saveCheckpoint(Checkpoint cp) {
        tx("checkpoint " + cp.migrationId() + "/" + cp.table(), c -> {
            try (PreparedStatement up = c.prepareStatement(
                    "UPDATE reshard_checkpoints SET cursor_json = ?, rows_copied = ?,"
                            + " done = ?, updated_at = ? WHERE migration_id = ? AND table_name = ? AND source_shard = ? AND target_shard = ?")) {
                up.setString(1, cp.cursor().orElse(null));
                up.setLong(2, cp.rowsCopied());
                up.setBoolean(3, cp.done());
                up.setObject(4, ts(now()));
                up.setString(5, cp.migrationId());
                up.setString(6, cp.table());
                up.setString(7, cp.source().value());
                up.setString(8, cp.target().value());
                if (up.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement in = c.prepareStatement(
                    "INSERT INTO reshard_checkpoints (migration_id, table_name,"
                            + " source_shard, target_shard, cursor_json, rows_copied, done, updated_at) VALUES (?,?,?,?,?,?,?,?)")) {
                in.setString(1, cp.migrationId());
                in.setString(2, cp.table());
                in.setString(3, cp.source().value());
                in.setString(4, cp.target().value());
                in.setString(5, cp.cursor().orElse(null));
                in.setLong(6, cp.rowsCopied());
                in.setBoolean(7, cp.done());
                in.setObject(8, ts(now()));
                in.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<Checkpoint> checkpoints(String migrationId) {
        return tx("read checkpoints of " + migrationId, c -> {
            List<Checkpoint> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT table_name, source_shard, target_shard, cursor_json,"
                    + " rows_copied, done, updated_at FROM reshard_checkpoints WHERE migration_id = ?"
                    + " ORDER BY table_name, source_shard, target_shard")) {
                ps.setString(1, migrationId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Checkpoint(
                                migrationId,
                                rs.getString(1),
                                ShardId.of(rs.getString(2)),
                                ShardId.of(rs.getString(3)),
                                Optional.ofNullable(rs.getString(4)),
                                rs.getLong(5),
                                rs.getBoolean(6),
                                instant(rs, "updated_at")));
                    }
                }
            }
            return out;
        });
    }

    // ------------------------------------------------------------ routers

    @Override
    public RouterRegistration heartbeat(String routerId, String host, long appliedVersion, Duration ttl) {
        return heartbeat(routerId, host, appliedVersion, ttl, Optional.empty());
    }

    @Override
    public RouterRegistration heartbeat(
            String routerId, String host, long appliedVersion, Duration ttl, RouterRegistration.ShardsReport shards) {
        return heartbeat(routerId, host, appliedVersion, ttl, Optional.of(shards));
    }

    private RouterRegistration heartbeat(
            String routerId,
            String host,
            long appliedVersion,
            Duration ttl,
            Optional<RouterRegistration.ShardsReport> shards) {
        return tx("heartbeat of router " + routerId, c -> {
            Instant now = now();
            String report = "";
            if (shards.isPresent()) {
                report = ", shard_source = ?, known_map_version = ?, shards = ?";
            }
            try (PreparedStatement up = c.prepareStatement("UPDATE reshard_routers SET host = ?, applied_version = ?,"
                    + " lease_expires_at = ?, heartbeat_at = ?" + report + " WHERE id = ?")) {
                int i = 0;
                up.setString(++i, host);
                up.setLong(++i, appliedVersion);
                up.setObject(++i, ts(now.plus(ttl)));
                up.setObject(++i, ts(now));
                if (shards.isPresent()) {
                    i = bindReport(up, i, shards.get());
                }
                up.setString(++i, routerId);
                if (up.executeUpdate() == 0) {
                    try (PreparedStatement in = c.prepareStatement("INSERT INTO reshard_routers (id, host,"
                            + " applied_version, lease_expires_at, started_at, heartbeat_at, shard_source,"
                            + " known_map_version, shards) VALUES (?,?,?,?,?,?,?,?,?)")) {
                        in.setString(1, routerId);
                        in.setString(2, host);
                        in.setLong(3, appliedVersion);
                        in.setObject(4, ts(now.plus(ttl)));
                        in.setObject(5, ts(now));
                        in.setObject(6, ts(now));
                        if (shards.isPresent()) {
                            bindReport(in, 6, shards.get());
                        } else {
                            in.setNull(7, Types.VARCHAR);
                            in.setNull(8, Types.BIGINT);
                            in.setNull(9, Types.VARCHAR);
                        }
                        in.executeUpdate();
                    }
                }
            }
            return routers(c).stream()
                    .filter(r -> r.id().equals(routerId))
                    .findFirst()
                    .orElseThrow();
        });
    }

    private static int bindReport(PreparedStatement ps, int i, RouterRegistration.ShardsReport report)
            throws SQLException {
        ps.setString(++i, report.source().name().toLowerCase(Locale.ROOT));
        ps.setLong(++i, report.knownMapVersion());
        ps.setString(++i, encodeReach(report.shards()));
        return i;
    }

    /** One line per shard: id, settings (1/0), reachable (1/0), problem; tab-separated. */
    private static String encodeReach(List<ShardReach> shards) {
        StringBuilder out = new StringBuilder();
        for (ShardReach r : shards) {
            String problem = r.problem().replaceAll("[\\t\\r\\n]+", " ");
            if (problem.length() > 300) {
                problem = problem.substring(0, 300) + "...";
            }
            out.append(r.shard().value())
                    .append('\t')
                    .append(r.hasSettings() ? '1' : '0')
                    .append('\t')
                    .append(r.reachable() ? '1' : '0')
                    .append('\t')
                    .append(problem)
                    .append('\n');
        }
        return out.toString();
    }

    private static List<ShardReach> decodeReach(String text) {
        List<ShardReach> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split("\t", 4);
            if (f.length == 4) {
                out.add(new ShardReach(ShardId.of(f[0]), f[1].equals("1"), f[2].equals("1"), f[3]));
            }
        }
        return out;
    }

    @Override
    public List<RouterRegistration> routers() {
        return tx("list routers", JdbcCatalog::routers);
    }

    private static List<RouterRegistration> routers(Connection c) throws SQLException {
        List<RouterRegistration> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, host, applied_version, lease_expires_at, started_at,"
                        + " heartbeat_at, shard_source, known_map_version, shards FROM reshard_routers ORDER BY id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String source = rs.getString("shard_source");
                Optional<RouterRegistration.ShardsReport> shards = Optional.empty();
                if (source != null) {
                    String text = rs.getString("shards");
                    shards = Optional.of(new RouterRegistration.ShardsReport(
                            RouterRegistration.Source.valueOf(source.toUpperCase(Locale.ROOT)),
                            rs.getLong("known_map_version"),
                            decodeReach(text == null ? "" : text)));
                }
                out.add(new RouterRegistration(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        instant(rs, "lease_expires_at"),
                        instant(rs, "started_at"),
                        instant(rs, "heartbeat_at"),
                        shards));
            }
        }
        return out;
    }

    @Override
    public void removeRouter(String routerId) {
        tx("remove router " + routerId, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM reshard_routers WHERE id = ?")) {
                ps.setString(1, routerId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    // ------------------------------------------------------------ stats

    @Override
    public void recordStats(ShardStats s) {
        tx("record stats of " + s.shard(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO reshard_stats (shard_id, taken_at, size_bytes,"
                    + " row_count, reads, writes, errors) VALUES (?,?,?,?,?,?,?)")) {
                ps.setString(1, s.shard().value());
                ps.setObject(2, ts(s.takenAt()));
                ps.setLong(3, s.sizeBytes());
                ps.setLong(4, s.rowCount());
                ps.setLong(5, s.reads());
                ps.setLong(6, s.writes());
                ps.setLong(7, s.errors());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<ShardStats> statsHistory(ShardId shard, Instant since) {
        return tx("read stats of " + shard, c -> {
            List<ShardStats> out = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT taken_at, size_bytes, row_count, reads, writes, errors"
                            + " FROM reshard_stats WHERE shard_id = ? AND taken_at >= ? ORDER BY taken_at")) {
                ps.setString(1, shard.value());
                ps.setObject(2, ts(since));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ShardStats(
                                shard,
                                instant(rs, "taken_at"),
                                rs.getLong(2),
                                rs.getLong(3),
                                rs.getLong(4),
                                rs.getLong(5),
                                rs.getLong(6)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void close() {
        onClose.run();
    }
}
