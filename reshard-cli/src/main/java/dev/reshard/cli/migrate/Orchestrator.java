package dev.reshard.cli.migrate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.SecretRef;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.jdbc.DatabaseIdentity;
import dev.reshard.jdbc.Engine;
import dev.reshard.jdbc.JdbcUrls;
import dev.reshard.migration.engine.MigrationEngine;
import dev.reshard.migration.engine.MigrationEvent;
import dev.reshard.router.ShardPools;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What one {@code reshard migrate} run holds: the catalog, the shard pools of the engine and the
 * engine itself. Opening checks before it writes: an embedded catalog must exist, each shard is a
 * database of its own, and a shard the catalog knows must have the settings the config gives it;
 * the config's new shards are seen by pre-flight but written only at the run's first write.
 */
final class Orchestrator implements AutoCloseable {
    private final Catalog catalog;
    private final HikariDataSource catalogPool;
    private final ShardPools pools;
    private final MigrationEngine engine;

    private Orchestrator(Catalog catalog, HikariDataSource catalogPool, ShardPools pools, MigrationEngine engine) {
        this.catalog = catalog;
        this.catalogPool = catalogPool;
        this.pools = pools;
        this.engine = engine;
    }

    /** For {@code status}: the catalog only, nothing registered, no shard connections. */
    static Orchestrator reading(MigrateConfig config) {
        Opened opened = openCatalog(config, true);
        try {
            MigrationEngine engine = MigrationEngine.builder(opened.catalog())
                    .owner(owner())
                    .options(config.options())
                    .build();
            return new Orchestrator(opened.catalog(), opened.pool(), null, engine);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /**
     * For the shard and map commands: the catalog only, no engine, no pools. With {@code vet}, the
     * config's shards are checked first as {@code start} checks them (secrets, reachable, durable,
     * each a database of its own); with {@code create}, an embedded catalog that does not exist
     * yet is created.
     */
    static Orchestrator administering(MigrateConfig config, boolean vet, boolean create) {
        if (vet) {
            requireSecrets(config);
        }
        Opened opened = create && config.catalog() instanceof MigrateConfig.Embedded embedded
                ? new Opened(Catalogs.embedded(embedded.dir()), null)
                : openCatalog(config, !create);
        try {
            if (vet) {
                sameDatabases(config, opened);
            }
            return new Orchestrator(opened.catalog(), opened.pool(), null, null);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** Which database {@code shard}'s settings reach, as its server says; a failure says the driver's cause. */
    static DatabaseIdentity identify(ShardConfig shard) throws SQLException {
        try (Connection c = DriverManager.getConnection(
                shard.jdbcUrl(), shard.username(), shard.password().resolve())) {
            return DatabaseIdentity.of(c);
        }
    }

    /** For {@code start}, {@code resume} and {@code rollback}: registers new shards, opens their pools. */
    static Orchestrator running(MigrateConfig config, Consumer<MigrationEvent> listener) {
        requireSecrets(config);
        Opened opened = openCatalog(config, false);
        ShardPools pools = null;
        try {
            sameDatabases(config, opened);
            Catalog catalog = PendingShards.wrap(opened.catalog(), newShards(opened.catalog(), config));
            int poolSize = Math.max(4, config.options().parallelism() * 2 + 2);
            pools = ShardPools.open(catalog, poolSize);
            MigrationEngine engine = MigrationEngine.builder(catalog)
                    .shards(pools.dataSources())
                    .owner(owner())
                    .options(config.options())
                    .listener(listener)
                    .build();
            return new Orchestrator(catalog, opened.pool(), pools, engine);
        } catch (RuntimeException e) {
            if (pools != null) {
                pools.close();
            }
            opened.close();
            throw e;
        }
    }

    MigrationEngine engine() {
        return engine;
    }

    Catalog catalog() {
        return catalog;
    }

    /** A catalog and, for a catalog database, the pool it runs on (null for the embedded one). */
    private record Opened(Catalog catalog, HikariDataSource pool) {
        void close() {
            catalog.close();
            if (pool != null) {
                pool.close();
            }
        }
    }

    /** With {@code existing}, a catalog database that holds no catalog yet is refused rather than created. */
    private static Opened openCatalog(MigrateConfig config, boolean existing) {
        if (config.catalog() instanceof MigrateConfig.Embedded embedded) {
            InvalidInputException.require(
                    Files.isRegularFile(embedded.file()),
                    "catalog.path",
                    embedded.dir().toString(),
                    "holds no Reshard catalog (no " + embedded.file().getFileName() + ")",
                    "fix the path (relative paths start at the config file's directory), or create one there with"
                            + " `reshard shards add`");
            return new Opened(Catalogs.embedded(embedded.dir()), null);
        }
        MigrateConfig.Jdbc jdbc = (MigrateConfig.Jdbc) config.catalog();
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("reshard-catalog");
        hikari.setJdbcUrl(jdbc.url());
        hikari.setUsername(jdbc.user());
        hikari.setPassword(jdbc.password().resolve());
        hikari.setMaximumPoolSize(4);
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new ReshardException("catalog.url " + JdbcUrls.mask(jdbc.url()) + " is not reachable: " + cause(e)
                    + "; start the catalog database or fix catalog.url, user and password");
        }
        try {
            if (existing && !holdsCatalog(pool)) {
                throw InvalidInputException.of(
                        "catalog.url",
                        JdbcUrls.mask(jdbc.url()),
                        "holds no Reshard catalog (no reshard_schema_history table in its current schema)",
                        "fix catalog.url, or create one there with `reshard shards add`");
            }
            return new Opened(Catalogs.open(pool, Clock.systemUTC()), pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Refuses (writing nothing) a config whose shards cannot be reached, or in which two shard ids
     * name one physical database, or a shard is the catalog's database, or a shard is not durable:
     * each identity as the server reports it ({@link DatabaseIdentity}), not as the URLs read.
     */
    private static void sameDatabases(MigrateConfig config, Opened opened) {
        List<InvalidInputException> problems = new ArrayList<>();
        DatabaseIdentity catalogIdentity = catalogIdentity(config, opened, problems);
        Map<Integer, DatabaseIdentity> identities = new LinkedHashMap<>();
        for (int i = 0; i < config.shards().size(); i++) {
            ShardConfig shard = config.shards().get(i);
            String field = "shards[" + i + "].url";
            if (catalogIdentity != null
                    && catalogIdentity.engine() == Engine.H2
                    && h2File(shard.jdbcUrl())
                            .filter(catalogIdentity.database()::equals)
                            .isPresent()) {
                problems.add(InvalidInputException.of(
                        field,
                        JdbcUrls.mask(shard.jdbcUrl()),
                        "is the catalog's database file (" + catalogIdentity.database() + ")",
                        "keep the catalog in a database of its own (catalog.path or catalog.url)"));
                continue;
            }
            try {
                DatabaseIdentity identity = identify(shard);
                if (!identity.durable()) {
                    problems.add(InvalidInputException.of(
                            field,
                            JdbcUrls.mask(shard.jdbcUrl()),
                            "is an in-memory database (" + identity.describe() + ")",
                            "use a database that outlives the process"));
                    continue;
                }
                for (Map.Entry<Integer, DatabaseIdentity> e : identities.entrySet()) {
                    if (e.getValue().sameAs(identity)) {
                        ShardId other = config.shards().get(e.getKey()).id();
                        problems.add(InvalidInputException.of(
                                field,
                                JdbcUrls.mask(shard.jdbcUrl()),
                                "reaches the same database as shards[" + e.getKey() + "] (" + other + "): "
                                        + identity.describe() + "; " + shard.id() + " and " + other
                                        + " would be one database under two ids, and cleanup would delete the"
                                        + " rows a migration copied into it",
                                "give " + shard.id() + " its own database, or remove it and keep " + other));
                    }
                }
                if (catalogIdentity != null && sameDatabase(catalogIdentity, identity)) {
                    problems.add(InvalidInputException.of(
                            field,
                            JdbcUrls.mask(shard.jdbcUrl()),
                            "reaches the catalog's database (" + identity.describe() + ")",
                            "keep the catalog in a database of its own (catalog.path or catalog.url)"));
                }
                identities.put(i, identity);
            } catch (SQLException | RuntimeException e) {
                problems.add(InvalidInputException.of(
                        field,
                        JdbcUrls.mask(shard.jdbcUrl()),
                        "cannot be reached for " + shard.id() + ": " + cause(e),
                        "start the database or fix the shard's url, user and password"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("config " + config.file(), problems);
        }
    }

    /** The canonical file of an H2 URL on this machine ({@code jdbc:h2:file:} or a path), if it is one. */
    private static Optional<String> h2File(String url) {
        if (!url.regionMatches(true, 0, "jdbc:h2:", 0, 8)) {
            return Optional.empty();
        }
        String where = url.substring(8);
        int semi = where.indexOf(';');
        where = semi < 0 ? where : where.substring(0, semi);
        if (where.regionMatches(true, 0, "file:", 0, 5)) {
            where = where.substring(5);
        } else if (where.matches("[A-Za-z][A-Za-z0-9]+:.*")) {
            return Optional.empty();
        }
        if (where.startsWith("~")) {
            where = System.getProperty("user.home") + where.substring(1);
        }
        return Optional.of(DatabaseIdentity.canonical(where));
    }

    /** The catalog and a shard are one database when the engine, server and database are: schemas aside. */
    private static boolean sameDatabase(DatabaseIdentity a, DatabaseIdentity b) {
        return a.engine() == b.engine()
                && a.server().equals(b.server())
                && a.database().equals(b.database());
    }

    private static DatabaseIdentity catalogIdentity(
            MigrateConfig config, Opened opened, List<InvalidInputException> problems) {
        if (config.catalog() instanceof MigrateConfig.Embedded embedded) {
            String file = embedded.file().toString();
            String path = file.substring(0, file.length() - ".mv.db".length());
            return new DatabaseIdentity(Engine.H2, "file", DatabaseIdentity.canonical(path), "PUBLIC", true);
        }
        try (Connection c = opened.pool().getConnection()) {
            return DatabaseIdentity.of(c);
        } catch (SQLException | RuntimeException e) {
            problems.add(InvalidInputException.of(
                    "catalog.url",
                    JdbcUrls.mask(((MigrateConfig.Jdbc) config.catalog()).url()),
                    "cannot be asked which database it is: " + cause(e),
                    "check the catalog database"));
            return null;
        }
    }

    /** The driver's own reason, innermost first: authentication failed, SSL, a missing class, a refused connection. */
    static String cause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root == e || root.getMessage() == null
                ? String.valueOf(e.getMessage())
                : root.getMessage()
                        + (e.getMessage() == null || e.getMessage().equals(root.getMessage())
                                ? ""
                                : " (" + Text.cut(e.getMessage(), 160) + ")");
        return root.getClass().getSimpleName() + ": " + Text.cut(message, 300);
    }

    private static boolean holdsCatalog(HikariDataSource pool) {
        try (Connection c = pool.getConnection();
                ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", null)) {
            while (rs.next()) {
                if ("reshard_schema_history".equalsIgnoreCase(rs.getString("TABLE_NAME"))) {
                    return true;
                }
            }
            return false;
        } catch (SQLException e) {
            throw new ReshardException("catalog database: cannot list its tables: " + cause(e));
        }
    }

    /** Refuses, before connecting anywhere, password references of the config that do not resolve. */
    private static void requireSecrets(MigrateConfig config) {
        List<InvalidInputException> unreadable = new ArrayList<>();
        if (config.catalog() instanceof MigrateConfig.Jdbc jdbc) {
            requireSecret("catalog.password", jdbc.password(), unreadable);
        }
        for (int i = 0; i < config.shards().size(); i++) {
            requireSecret("shards[" + i + "].password", config.shards().get(i).password(), unreadable);
        }
        if (!unreadable.isEmpty()) {
            throw new ConfigException("config " + config.file(), unreadable);
        }
    }

    private static void requireSecret(String field, SecretRef secret, List<InvalidInputException> out) {
        try {
            secret.resolve();
        } catch (ReshardException e) {
            out.add(InvalidInputException.of(field, secret.reference(), "cannot be read", e.getMessage()));
        }
    }

    /**
     * Refuses (writing nothing) when the catalog holds one of the config's shards with other
     * settings; else the shards the catalog does not know, written at the run's first write (after
     * pre-flight passed: {@link PendingShards}).
     */
    private static List<ShardConfig> newShards(Catalog catalog, MigrateConfig config) {
        List<InvalidInputException> conflicts = new ArrayList<>();
        List<ShardConfig> absent = new ArrayList<>();
        for (int i = 0; i < config.shards().size(); i++) {
            ShardConfig wanted = config.shards().get(i);
            Optional<ShardConfig> known = catalog.shard(wanted.id());
            if (known.isEmpty()) {
                absent.add(wanted);
                continue;
            }
            ShardConfig have = known.get();
            String fix = "the catalog keeps one setting per shard id: change the config to the catalog's value, or"
                    + " store the config's with `reshard shards update " + wanted.id() + "`";
            for (String field : ShardsCommand.differences(wanted, have)) {
                conflicts.add(InvalidInputException.of(
                        "shards[" + i + "]." + field,
                        ShardsCommand.value(wanted, field),
                        "differs from the catalog's " + ShardsCommand.value(have, field) + " for " + wanted.id(),
                        fix));
            }
        }
        if (!conflicts.isEmpty()) {
            throw new ConfigException("config " + config.file(), conflicts);
        }
        return absent;
    }

    /** Who holds the migration's lease: {@code reshard-cli@host:pid}. */
    private static String owner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost");
        }
        return "reshard-cli@" + host + ":" + ProcessHandle.current().pid();
    }

    @Override
    public void close() {
        if (pools != null) {
            pools.close();
        }
        catalog.close();
        if (catalogPool != null) {
            catalogPool.close();
        }
    }
}
