package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.RoutingState;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.migration.Phase;
import dev.reshard.router.Router;
import dev.reshard.router.ShardedTable;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import dev.reshard.workload.IntegrityReport;
import dev.reshard.workload.Writers;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * The grants README's "Grants" section lists are enough. PostgreSQL: the tables belong to an
 * owner role; the engine logs in as a member of it with CREATE on the schema and
 * pg_signal_backend; the application (its routers) has only SELECT, INSERT, UPDATE, DELETE on its
 * tables and USAGE on their sequences. MariaDB: the engine has SELECT, INSERT, UPDATE, DELETE,
 * CREATE, ALTER, INDEX, TRIGGER and DELETE HISTORY on the database, the application SELECT,
 * INSERT, UPDATE, DELETE on it, both SELECT on mysql.transaction_registry. A migration with
 * writers running reaches DONE with no writer error and an intact ledger; a step that needed more
 * fails this test with the permission error. On PostgreSQL the catalog is a PostgreSQL database
 * too: the engine's user creates and owns its schema, the routers' user has SELECT on it and
 * INSERT, UPDATE, DELETE on reshard_routers.
 */
class LeastPrivilegeIT {
    private static final AtomicInteger RUNS = new AtomicInteger();

    @EachEngine
    void migrationRunsWithTheDocumentedGrants(TestEngine engine) throws Exception {
        Assumptions.assumeTrue(engine != TestEngine.H2, "H2 has no roles to speak of");
        String suffix = ProcessHandle.current().pid() + "_" + RUNS.incrementAndGet();
        String owner = "rs_owner_" + suffix;
        String engineRole = "rs_engine_" + suffix;
        String app = "rs_app_" + suffix;
        List<AutoCloseable> closing = new ArrayList<>();
        try (EngineCluster c = new EngineCluster(engine, 3)) {
            try {
                run(c, owner, engineRole, app, closing);
            } finally {
                for (AutoCloseable a : closing) {
                    a.close();
                }
                dropRoles(c, owner, engineRole, app);
            }
        }
    }

    private static void run(EngineCluster c, String owner, String engineRole, String app, List<AutoCloseable> closing)
            throws Exception {
        EngineCluster.Move move = c.twoToThree(600);
        boolean postgres = c.engine == TestEngine.POSTGRESQL;
        try (Connection conn = c.databases.get(c.shard(0)).dataSource().getConnection();
                Statement s = conn.createStatement()) {
            if (postgres) {
                s.execute("CREATE ROLE " + owner + " NOLOGIN");
                s.execute("CREATE ROLE " + engineRole + " LOGIN PASSWORD 'engine-pw' IN ROLE " + owner);
                s.execute("GRANT pg_signal_backend TO " + engineRole);
                s.execute("CREATE ROLE " + app + " LOGIN PASSWORD 'app-pw'");
            } else {
                s.execute("CREATE USER '" + engineRole + "'@'%' IDENTIFIED BY 'engine-pw'");
                s.execute("CREATE USER '" + app + "'@'%' IDENTIFIED BY 'app-pw'");
                for (String user : List.of(engineRole, app)) {
                    s.execute("GRANT SELECT ON mysql.transaction_registry TO '" + user + "'@'%'");
                }
            }
        }
        Map<ShardId, DataSource> enginePools = new LinkedHashMap<>();
        Map<ShardId, DataSource> appPools = new LinkedHashMap<>();
        for (Map.Entry<ShardId, TestDatabase> e : c.databases.entrySet()) {
            try (Connection conn = e.getValue().dataSource().getConnection();
                    Statement s = conn.createStatement()) {
                if (postgres) {
                    for (String table : List.of("users", "orders")) {
                        s.execute("ALTER TABLE " + table + " OWNER TO " + owner);
                        s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO " + app);
                    }
                    s.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + app);
                    s.execute("GRANT CREATE ON SCHEMA public TO " + engineRole);
                } else {
                    String db = "`" + e.getValue().name() + "`.*";
                    s.execute("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, TRIGGER, DELETE HISTORY ON "
                            + db + " TO '" + engineRole + "'@'%'");
                    s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + db + " TO '" + app + "'@'%'");
                }
            }
            enginePools.put(e.getKey(), pool(e.getValue(), engineRole, "engine-pw", closing));
            appPools.put(e.getKey(), pool(e.getValue(), app, "app-pw", closing));
        }
        Catalog engineCatalog = c.catalog;
        Catalog routerCatalog = c.catalog;
        if (postgres) {
            // The catalog on PostgreSQL too: the engine's user creates and owns its schema; the
            // routers' user reads it and writes its own heartbeat row.
            TestDatabase catalogDb = TestEngine.POSTGRESQL.newDatabase();
            closing.add(catalogDb);
            try (Connection conn = catalogDb.dataSource().getConnection();
                    Statement s = conn.createStatement()) {
                s.execute("GRANT CREATE ON SCHEMA public TO " + engineRole);
            }
            engineCatalog = Catalogs.open(pool(catalogDb, engineRole, "engine-pw", closing), Clock.systemUTC());
            for (ShardMap map : List.of(move.from(), move.to())) {
                engineCatalog.publish(map, engineCatalog.currentVersion(), "test");
            }
            engineCatalog.publishRouting(RoutingState.stable(1, move.from().version()));
            try (Connection conn =
                            pool(catalogDb, engineRole, "engine-pw", closing).getConnection();
                    Statement s = conn.createStatement()) {
                s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + app);
                s.execute("GRANT INSERT, UPDATE, DELETE ON reshard_routers TO " + app);
            }
            routerCatalog = Catalogs.open(pool(catalogDb, app, "app-pw", closing), Clock.systemUTC());
        }
        Router router = Router.builder(routerCatalog)
                .id("app")
                .shards(appPools)
                .table(ShardedTable.of("users", "id", "id"))
                .table(ShardedTable.of("orders", "user_id", "id"))
                .pollInterval(Duration.ofMillis(50))
                .leaseTtl(Duration.ofSeconds(5))
                .build();
        closing.add(0, router);
        Writers writers = new Writers(router, c.ledger, 1200, 400).start(3);
        closing.add(0, writers);
        EngineCluster.awaitMoreWrites(writers);

        MigrationStatus done = MigrationEngine.builder(engineCatalog)
                .shards(enginePools)
                .options(EngineCluster.fastOptions())
                .allowNonDurableShards(true)
                .build()
                .start(move.request("m1"));

        assertThat(done.phase()).isEqualTo(Phase.DONE);
        EngineCluster.awaitMoreWrites(writers);
        writers.stop();
        assertThat(writers.errors())
                .as("writer errors: %s", writers.errorSamples())
                .isZero();
        IntegrityReport report = c.integrity(move.to());
        assertThat(report.intact()).as(report.toString()).isTrue();
    }

    /** Roles outlive the test's databases: drop what they own, then them. */
    private static void dropRoles(EngineCluster c, String... roles) throws SQLException {
        if (c.engine == TestEngine.MARIADB) {
            try (Connection conn = c.databases.get(c.shard(0)).dataSource().getConnection();
                    Statement s = conn.createStatement()) {
                for (String role : roles) {
                    s.execute("DROP USER IF EXISTS '" + role + "'@'%'");
                }
            }
            return;
        }
        String list = String.join(", ", roles);
        for (TestDatabase db : c.databases.values()) {
            try (Connection conn = db.dataSource().getConnection();
                    Statement s = conn.createStatement()) {
                s.execute("DROP OWNED BY " + list + " CASCADE");
            }
        }
        try (Connection conn = c.databases.get(c.shard(0)).dataSource().getConnection();
                Statement s = conn.createStatement()) {
            for (String role : roles) {
                s.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    private static DataSource pool(TestDatabase db, String user, String password, List<AutoCloseable> closing)
            throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        HikariDataSource pool = new HikariDataSource(config);
        closing.add(0, pool);
        return pool;
    }
}
