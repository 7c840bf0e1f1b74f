package dev.reshard.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.SecretRef;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.ShardId;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardPoolsIT {

    @Test
    void poolsAreBuiltFromTheCatalog_withThePasswordReadFromItsSecretFile(@TempDir Path dir) throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:poolscatalog;DB_CLOSE_DELAY=-1");
        try (TestDatabase pg = TestDatabases.postgres();
                Catalog catalog = Catalogs.open(ds, Clock.systemUTC())) {
            Path secret = dir.resolve("pg-password");
            Files.writeString(secret, "unused-with-trust-auth\n");
            catalog.addShard(new ShardConfig(
                    ShardId.of("shard_0"),
                    pg.jdbcUrl(),
                    pg.user(),
                    SecretRef.parse("password", "file:" + secret),
                    1L << 30));
            try (ShardPools pools = ShardPools.open(catalog, 2);
                    Connection c =
                            pools.dataSources().get(ShardId.of("shard_0")).getConnection();
                    ResultSet rs = c.createStatement().executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(pools.dataSources().get(ShardId.of("shard_0")).getPoolName())
                        .isEqualTo("reshard-shard_0");
            }
        }
    }
}
