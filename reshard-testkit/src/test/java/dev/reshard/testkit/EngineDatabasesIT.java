package dev.reshard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class EngineDatabasesIT {

    @EachEngine
    void newDatabase_isEmptyAndSeparate(TestEngine engine) throws SQLException {
        try (TestDatabase first = engine.newDatabase();
                TestDatabase second = engine.newDatabase()) {
            assertThat(first.name()).isNotEqualTo(second.name());
            execute(first, "CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(20))");
            execute(first, "INSERT INTO t VALUES (1, 'one')");

            assertThat(count(first, "SELECT COUNT(*) FROM t")).isEqualTo(1);
            assertThatThrownBy(() -> count(second, "SELECT COUNT(*) FROM t")).isInstanceOf(SQLException.class);
        }
    }

    @EachEngine
    void close_isIdempotent(TestEngine engine) {
        TestDatabase database = engine.newDatabase();
        database.close();
        database.close();
    }

    @Test
    void postgresServer_keepsCommittedDataAcrossStopAndRestart() throws SQLException {
        try (EmbeddedPostgresServer server = TestDatabases.startPostgresServer()) {
            TestDatabase database = server.newDatabase();
            execute(database, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
            execute(database, "INSERT INTO t VALUES (1), (2)");
            int port = server.port();

            server.stop();
            assertThat(server.isRunning()).isFalse();
            assertThatThrownBy(database::unpooledConnection).isInstanceOf(SQLException.class);

            server.restart();
            assertThat(server.port()).isEqualTo(port);
            try (Connection connection = database.unpooledConnection();
                    Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM t")) {
                rows.next();
                assertThat(rows.getLong(1)).isEqualTo(2);
            }
        }
    }

    @Test
    void postgres_usesOneSharedServerPerJvm() {
        try (TestDatabase first = TestDatabases.postgres();
                TestDatabase second = TestDatabases.postgres()) {
            assertThat(port(first)).isEqualTo(port(second));
        }
    }

    private static String port(TestDatabase database) {
        return database.jdbcUrl().replaceAll("^jdbc:postgresql://localhost:(\\d+)/.*$", "$1");
    }

    private static void execute(TestDatabase database, String sql) throws SQLException {
        try (Connection connection = database.connection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long count(TestDatabase database, String sql) throws SQLException {
        try (Connection connection = database.connection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
