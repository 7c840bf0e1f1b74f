package dev.reshard.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * One fresh, empty database made for a test, with a small HikariCP pool in front of it. Closing it
 * closes the pool and drops the database (H2: shuts it down); databases a test leaves open are
 * closed at JVM exit.
 */
public final class TestDatabase implements AutoCloseable {
    /** Pool size unless a test asks for another one. */
    public static final int DEFAULT_POOL_SIZE = 4;

    private final TestEngine engine;
    private final String name;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final HikariDataSource pool;
    private final Dropper dropper;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** How a database is removed once its pool is closed. */
    @FunctionalInterface
    interface Dropper {
        void drop(TestDatabase database) throws SQLException;
    }

    TestDatabase(
            TestEngine engine,
            String name,
            String jdbcUrl,
            String user,
            String password,
            int poolSize,
            Dropper dropper) {
        this.engine = engine;
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.dropper = dropper;
        HikariConfig config = new HikariConfig();
        config.setPoolName("testkit-" + engine.name().toLowerCase(java.util.Locale.ROOT) + "-" + name);
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(-1);
        this.pool = new HikariDataSource(config);
    }

    /** The engine this database runs on. */
    public TestEngine engine() {
        return engine;
    }

    /** The database's name, e.g. {@code reshard_test_3}. */
    public String name() {
        return name;
    }

    /** A JDBC URL that reaches this database (without credentials). */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** The pooled data source; connections are in auto-commit mode when handed out. */
    public DataSource dataSource() {
        return pool;
    }

    /** A new pooled connection; close it to give it back. */
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /**
     * A new connection outside the pool, for tests that need a session of their own (session
     * settings, a connection that dies with its server).
     */
    public Connection unpooledConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    /** Closes the pool and drops the database. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ExitCleanup.unregister(this);
        pool.close();
        try {
            dropper.drop(this);
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop test database " + this + ": " + e.getMessage(), e);
        }
    }

    /** Closes without throwing; used at JVM exit, when the server may already be gone. */
    void closeQuietly() {
        try {
            close();
        } catch (RuntimeException ignored) {
            // the server is stopping too; nothing is left to clean up
        }
    }

    @Override
    public String toString() {
        return engine.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
    }
}
