package dev.reshard.faults;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.core.ShardId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Where a run's catalog and shards are, as every process of the run is told on its command line:
 * {@code --catalog h2:<dir>} (an embedded H2 file catalog, shared across JVMs by H2's auto-server)
 * or {@code --catalog pg:<jdbc url>}, {@code --user}, {@code --password}, and one {@code --shard
 * id=url} per shard.
 */
record Topology(String catalog, String user, String password, Map<ShardId, String> shards) {

    static Topology from(Args args) {
        Map<ShardId, String> shards = new LinkedHashMap<>();
        for (String s : args.all("shard")) {
            int eq = s.indexOf('=');
            shards.put(ShardId.of(s.substring(0, eq)), s.substring(eq + 1));
        }
        return new Topology(args.get("catalog"), args.get("user"), args.get("password", ""), shards);
    }

    List<String> args() {
        List<String> out = new ArrayList<>(List.of("--catalog", catalog, "--user", user, "--password", password));
        shards.forEach((id, url) -> {
            out.add("--shard");
            out.add(id.value() + "=" + url);
        });
        return out;
    }

    /** The catalog and what to close after it (its pool, for a PostgreSQL catalog). */
    record OpenCatalog(Catalog catalog, Runnable pool) implements AutoCloseable {
        @Override
        public void close() {
            catalog.close();
            pool.run();
        }
    }

    OpenCatalog openCatalog() {
        if (catalog.startsWith("h2:")) {
            return new OpenCatalog(Catalogs.embedded(Path.of(catalog.substring(3))), () -> {});
        }
        if (catalog.startsWith("pg:")) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("faults-catalog");
            config.setJdbcUrl(catalog.substring(3));
            config.setUsername(user);
            config.setPassword(password);
            config.setMaximumPoolSize(4);
            HikariDataSource pool = new HikariDataSource(config);
            return new OpenCatalog(Catalogs.open(pool, Clock.systemUTC()), pool::close);
        }
        throw new IllegalArgumentException("--catalog must be h2:<dir> or pg:<url>, got " + catalog);
    }

    /** One pool per shard, of {@code size} connections. */
    Map<ShardId, DataSource> pools(String name, int size, List<AutoCloseable> closing) {
        Map<ShardId, DataSource> out = new LinkedHashMap<>();
        shards.forEach((id, url) -> {
            HikariConfig config = new HikariConfig();
            config.setPoolName(name + "-" + id.value());
            config.setJdbcUrl(url);
            config.setUsername(user);
            config.setPassword(password);
            config.setMaximumPoolSize(size);
            config.setMinimumIdle(0);
            config.setConnectionTimeout(10_000);
            HikariDataSource pool = new HikariDataSource(config);
            closing.add(pool);
            out.put(id, pool);
        });
        return out;
    }

    /** A plain connection to {@code shard}, outside every pool (the checker's). */
    Connection connect(ShardId shard) throws SQLException {
        return DriverManager.getConnection(shards.get(shard), user, password);
    }

    boolean postgres() {
        return shards.values().iterator().next().startsWith("jdbc:postgresql:");
    }
}
