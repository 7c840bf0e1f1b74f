package dev.reshard.cli.migrate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.SecretRef;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.migration.engine.MigrationEngine;
import dev.reshard.migration.engine.MigrationEvent;
import dev.reshard.router.ShardPools;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What one {@code reshard migrate} run holds: the catalog, the shard pools of the engine and the
 * engine itself. Opening checks before it writes: an embedded catalog must exist, and a shard the
 * catalog knows must have the settings the config gives it; only then are the config's new shards
 * registered (so that the engine's capacity checks apply to them).
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
        Opened opened = openCatalog(config);
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

    /** For {@code start}, {@code resume} and {@code rollback}: registers new shards, opens their pools. */
    static Orchestrator running(MigrateConfig config, Consumer<MigrationEvent> listener) {
        requireSecrets(config);
        Opened opened = openCatalog(config);
        ShardPools pools = null;
        try {
            registerShards(opened.catalog(), config);
            int poolSize = Math.max(4, config.options().parallelism() * 2 + 2);
            pools = ShardPools.open(opened.catalog(), poolSize);
            MigrationEngine engine = MigrationEngine.builder(opened.catalog())
                    .shards(pools.dataSources())
                    .owner(owner())
                    .options(config.options())
                    .listener(listener)
                    .build();
            return new Orchestrator(opened.catalog(), opened.pool(), pools, engine);
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

    private static Opened openCatalog(MigrateConfig config) {
        if (config.catalog() instanceof MigrateConfig.Embedded embedded) {
            InvalidInputException.require(
                    Files.isRegularFile(embedded.file()),
                    "catalog.path",
                    embedded.dir().toString(),
                    "holds no Reshard catalog (no " + embedded.file().getFileName() + ")",
                    "fix the path (relative paths start at the config file's directory), or publish the shard maps"
                            + " into a catalog there first");
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
        HikariDataSource pool = new HikariDataSource(hikari);
        try {
            return new Opened(Catalogs.open(pool, Clock.systemUTC()), pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
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
     * settings, then adds the shards the catalog does not know.
     */
    private static void registerShards(Catalog catalog, MigrateConfig config) {
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
            String field = "shards[" + i + "]";
            String fix = "the catalog keeps one setting per shard id: change the config to the catalog's value";
            if (!wanted.jdbcUrl().equals(have.jdbcUrl())) {
                conflicts.add(InvalidInputException.of(
                        field + ".url",
                        wanted.jdbcUrl(),
                        "differs from the catalog's \"" + have.jdbcUrl() + "\" for " + wanted.id(),
                        fix));
            }
            if (!Objects.equals(wanted.username(), have.username())) {
                conflicts.add(InvalidInputException.of(
                        field + ".user",
                        String.valueOf(wanted.username()),
                        "differs from the catalog's \"" + have.username() + "\" for " + wanted.id(),
                        fix));
            }
            if (!wanted.password().equals(have.password())) {
                conflicts.add(InvalidInputException.of(
                        field + ".password",
                        wanted.password().toString(),
                        "differs from the catalog's reference " + have.password() + " for " + wanted.id(),
                        fix));
            }
            if (wanted.capacityBytes() != have.capacityBytes()) {
                conflicts.add(InvalidInputException.of(
                        field + ".capacity",
                        wanted.capacityBytes(),
                        "differs from the catalog's " + have.capacityBytes() + " bytes for " + wanted.id(),
                        fix));
            }
        }
        if (!conflicts.isEmpty()) {
            throw new ConfigException("config " + config.file(), conflicts);
        }
        absent.forEach(catalog::addShard);
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
