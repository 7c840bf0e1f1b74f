package dev.reshard.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fresh databases on real engines for tests. Every call makes a new, empty database with its own
 * small pool; close the returned {@link TestDatabase} when done (whatever is left open is closed
 * at JVM exit).
 *
 * <ul>
 *   <li>{@link #h2()}: {@code jdbc:h2:mem:<name>;DB_CLOSE_DELAY=-1}, a new name per call.
 *   <li>{@link #postgres()}: a new database ({@code CREATE DATABASE}) on one embedded PostgreSQL
 *       server per JVM, started on first use and stopped at JVM exit.
 *   <li>{@link #mariadb()}: a new database {@code reshard_test_<random>} on the machine's server at
 *       127.0.0.1:3306 (root, empty password), dropped at close or JVM exit. When the server is
 *       down the test is skipped, or fails if the environment variable {@code CI} is {@code true}.
 *   <li>{@link #startPostgresServer()}: a separate PostgreSQL server that the test owns and may stop
 *       and restart (a shard that goes down).
 * </ul>
 */
public final class TestDatabases {
    private static final AtomicInteger H2_DATABASES = new AtomicInteger();

    private TestDatabases() {}

    /** A fresh database on {@code engine}. */
    public static TestDatabase create(TestEngine engine) {
        return engine.newDatabase();
    }

    /** A fresh in-memory H2 database (regular mode). */
    public static TestDatabase h2() {
        return h2(TestDatabase.DEFAULT_POOL_SIZE);
    }

    /** A fresh in-memory H2 database with a pool of {@code poolSize} connections. */
    public static TestDatabase h2(int poolSize) {
        String name = "reshard_test_" + H2_DATABASES.incrementAndGet();
        String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
        TestDatabase database =
                new TestDatabase(TestEngine.H2, name, url, "sa", "", poolSize, TestDatabases::shutdownH2);
        ExitCleanup.register(database);
        return database;
    }

    /** A fresh database on the JVM's shared embedded PostgreSQL server. */
    public static TestDatabase postgres() {
        return SharedPostgres.SERVER.newDatabase();
    }

    /** A fresh database on the shared embedded PostgreSQL server with a pool of {@code poolSize}. */
    public static TestDatabase postgres(int poolSize) {
        return SharedPostgres.SERVER.newDatabase(poolSize);
    }

    /** A fresh database on the machine's MariaDB server. */
    public static TestDatabase mariadb() {
        return MariaDbServer.newDatabase(TestDatabase.DEFAULT_POOL_SIZE);
    }

    /** A fresh database on the machine's MariaDB server with a pool of {@code poolSize}. */
    public static TestDatabase mariadb(int poolSize) {
        return MariaDbServer.newDatabase(poolSize);
    }

    /**
     * Starts a separate embedded PostgreSQL server owned by the caller, who may {@link
     * EmbeddedPostgresServer#stop() stop} and {@link EmbeddedPostgresServer#restart() restart} it.
     * Close it to delete its data; it is closed at JVM exit otherwise.
     */
    public static EmbeddedPostgresServer startPostgresServer() {
        return EmbeddedPostgresServer.start(Map.of(), false);
    }

    /** As {@link #startPostgresServer()}, with extra server settings, e.g. {@code wal_level=logical}. */
    public static EmbeddedPostgresServer startPostgresServer(Map<String, String> serverConfig) {
        return EmbeddedPostgresServer.start(serverConfig, false);
    }

    private static void shutdownH2(TestDatabase database) throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), "");
                Statement statement = connection.createStatement()) {
            statement.execute("SHUTDOWN");
        }
    }

    /** Lazily started, stopped by the testkit's JVM shutdown hook. */
    private static final class SharedPostgres {
        static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.start(Map.of(), true);
    }
}
