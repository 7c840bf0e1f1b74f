package dev.reshard.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PostgreSQL server run from the zonky binaries (PostgreSQL 18, linux x86_64), with its own data
 * directory and port. {@link TestDatabases#postgres()} uses one shared server per JVM; a fault test
 * starts its own with {@link TestDatabases#startPostgresServer()}, then {@link #stop()}s and {@link
 * #restart()}s it to play a shard that goes down and comes back with its data.
 *
 * <p>Servers run with {@code fsync=off} and {@code synchronous_commit=off}: fast, and a stop is a
 * clean shutdown, so no committed data is lost across {@link #stop()}/{@link #restart()}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    /** The superuser that test databases are reached with; the server trusts local connections. */
    public static final String USER = "postgres";

    private static final Map<String, String> DEFAULT_CONFIG =
            Map.of("fsync", "off", "synchronous_commit", "off", "full_page_writes", "off", "max_connections", "200");

    private final Path dataDirectory;
    private final Map<String, String> config;
    private final boolean shared;
    private final AtomicInteger databases = new AtomicInteger();
    private int port;
    private EmbeddedPostgres running;
    private boolean closed;

    private EmbeddedPostgresServer(Map<String, String> extraConfig, boolean shared) {
        this.shared = shared;
        Map<String, String> merged = new LinkedHashMap<>(DEFAULT_CONFIG);
        merged.putAll(extraConfig);
        this.config = Map.copyOf(merged);
        try {
            this.dataDirectory = Files.createTempDirectory("reshard-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a data directory for embedded PostgreSQL", e);
        }
    }

    static EmbeddedPostgresServer start(Map<String, String> extraConfig, boolean shared) {
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(extraConfig, shared);
        ExitCleanup.register(server);
        server.restart();
        return server;
    }

    /** Starts the server again on the same port and data directory; a no-op when it runs. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("embedded PostgreSQL in " + dataDirectory + " is closed");
        }
        if (running != null) {
            return;
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setPort(port);
        config.forEach(builder::setServerConfig);
        try {
            running = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not start embedded PostgreSQL in " + dataDirectory + " on port " + port, e);
        }
        port = running.getPort();
    }

    /**
     * Stops the server (fast shutdown: open sessions are cut, committed data stays). Connections
     * fail until {@link #restart()}. The shared server cannot be stopped.
     */
    public synchronized void stop() {
        if (shared) {
            throw new IllegalStateException("the shared embedded PostgreSQL cannot be stopped; start a server of"
                    + " your own with TestDatabases.startPostgresServer()");
        }
        stopRunning();
    }

    private void stopRunning() {
        if (running == null) {
            return;
        }
        try {
            running.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop embedded PostgreSQL on port " + port, e);
        } finally {
            running = null;
        }
    }

    public synchronized boolean isRunning() {
        return running != null;
    }

    /** The TCP port on localhost; stays the same across {@link #restart()}. */
    public synchronized int port() {
        return port;
    }

    /** A JDBC URL for a database on this server (user {@value #USER}, no password). */
    public synchronized String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    /** Creates a fresh database on this server, with a pool of {@link TestDatabase#DEFAULT_POOL_SIZE}. */
    public TestDatabase newDatabase() {
        return newDatabase(TestDatabase.DEFAULT_POOL_SIZE);
    }

    /** Creates a fresh database on this server with a pool of {@code poolSize} connections. */
    public TestDatabase newDatabase(int poolSize) {
        String name = "reshard_test_" + databases.incrementAndGet();
        execute("CREATE DATABASE " + name);
        TestDatabase database =
                new TestDatabase(TestEngine.POSTGRESQL, name, jdbcUrl(name), USER, "", poolSize, this::drop);
        ExitCleanup.register(database);
        return database;
    }

    private void drop(TestDatabase database) throws SQLException {
        synchronized (this) {
            if (running == null || ExitCleanup.exiting()) {
                return;
            }
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database.name() + " WITH (FORCE)");
        }
    }

    private void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "embedded PostgreSQL on port " + port() + ": " + sql + " failed: " + e.getMessage(), e);
        }
    }

    /** Stops the server and deletes its data directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ExitCleanup.unregister(this);
        try {
            stopRunning();
        } finally {
            deleteRecursively(dataDirectory);
        }
    }

    void closeQuietly() {
        try {
            close();
        } catch (RuntimeException ignored) {
            // JVM exit: nothing more can be done
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                    Files.delete(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }

    @Override
    public synchronized String toString() {
        return "embedded PostgreSQL on port " + port + (running == null ? " (stopped)" : "");
    }
}
