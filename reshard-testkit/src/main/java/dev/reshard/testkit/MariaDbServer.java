package dev.reshard.testkit;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's MariaDB server: 127.0.0.1:3306, user root, empty password. Each database gets a
 * random name, because builds of several modules may share the server at once.
 */
final class MariaDbServer {
    static final String HOST = "127.0.0.1";
    static final int PORT = 3306;
    static final String USER = "root";
    static final String PASSWORD = "";
    static final String START_COMMAND = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static String unreachable;
    private static boolean checked;

    private MariaDbServer() {}

    static String jdbcUrl(String database) {
        return "jdbc:mariadb://" + HOST + ":" + PORT + "/" + database;
    }

    static TestDatabase newDatabase(int poolSize) {
        requireReachable();
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        String name = "reshard_test_" + HexFormat.of().formatHex(suffix);
        try (Connection connection = adminConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "MariaDB on " + HOST + ":" + PORT + ": could not create database " + name + ": " + e.getMessage(),
                    e);
        }
        TestDatabase database = new TestDatabase(
                TestEngine.MARIADB, name, jdbcUrl(name), USER, PASSWORD, poolSize, MariaDbServer::drop);
        ExitCleanup.register(database);
        return database;
    }

    private static void drop(TestDatabase database) throws SQLException {
        try (Connection connection = adminConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database.name());
        }
    }

    private static Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl("") + "?connectTimeout=3000", USER, PASSWORD);
    }

    /**
     * Checks once per JVM, with a real login, that the server answers. When it does not, the
     * calling test is skipped, or fails when the environment variable {@code CI} is {@code true}.
     */
    static void requireReachable() {
        String problem = probe();
        if (problem == null) {
            return;
        }
        String message = "MariaDB is not reachable on " + HOST + ":" + PORT + " as " + USER
                + " with an empty password (" + problem + "); start it with `" + START_COMMAND + "`";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message);
        }
        Assumptions.abort(message + ", or set CI=true to make this a failure");
    }

    private static synchronized String probe() {
        if (!checked) {
            checked = true;
            try (Connection connection = adminConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("SELECT 1");
            } catch (SQLException e) {
                unreachable = e.getMessage();
            }
        }
        return unreachable;
    }
}
