package dev.reshard.migration.engine;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.core.ShardId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A migration engine in its own JVM, for the kill -9 test: {@code catalogDir fromVersion toVersion
 * user password url0 url1 ...}. It runs a throttled migration and prints each event, so the test
 * can kill it mid-backfill.
 */
public final class EngineProcess {
    private EngineProcess() {}

    public static void main(String[] args) {
        Catalog catalog = Catalogs.embedded(Path.of(args[0]));
        Map<ShardId, DataSource> shards = new LinkedHashMap<>();
        for (int i = 5; i < args.length; i++) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(args[i]);
            config.setUsername(args[3]);
            config.setPassword(args[4]);
            config.setMaximumPoolSize(4);
            shards.put(ShardId.of("shard_" + (i - 5)), new HikariDataSource(config));
        }
        MigrationOptions options = EngineCluster.fastOptions().toBuilder()
                .batchRows(100)
                .copyPageRows(100)
                .maxRowsPerSecond(400)
                .build();
        MigrationEngine engine = MigrationEngine.builder(catalog)
                .shards(shards)
                .owner("child")
                .options(options)
                .listener(e -> {
                    System.out.println("EVENT " + e.phase() + " " + e.message());
                    System.out.flush();
                })
                .build();
        engine.start(
                new MigrationRequest("m1", Long.parseLong(args[1]), Long.parseLong(args[2]), EngineCluster.TABLES));
        System.out.println("FINISHED");
        Duration.ofMillis(1).toMillis();
    }
}
