package dev.reshard.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;

/** Opens catalogs: an embedded H2 file by default, any JDBC database (PostgreSQL) for production. */
public final class Catalogs {
    private Catalogs() {}

    /**
     * The zero-set-up catalog: an H2 database file {@code reshard-catalog.mv.db} in {@code dir},
     * shared between processes on the same host through H2's auto-server mode.
     *
     * <p>WRITE_DELAY=0: every commit reaches the file before it returns. H2's default writes
     * committed changes in the background up to half a second later, so a kill -9 of the process
     * holding the file lost commits the engine had already acted on (a phase recorded, the shards'
     * fences raised, the catalog back at PLANNED).
     */
    public static Catalog embedded(Path dir) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("reshard-catalog");
        config.setJdbcUrl(
                "jdbc:h2:file:" + dir.toAbsolutePath().resolve("reshard-catalog") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0");
        config.setMaximumPoolSize(4);
        HikariDataSource pool = new HikariDataSource(config);
        return new JdbcCatalog(pool, Clock.systemUTC(), pool::close);
    }

    /** A catalog on a database the caller owns (and closes); the schema is migrated on open. */
    public static Catalog open(DataSource dataSource, Clock clock) {
        return new JdbcCatalog(dataSource, clock, () -> {});
    }
}
