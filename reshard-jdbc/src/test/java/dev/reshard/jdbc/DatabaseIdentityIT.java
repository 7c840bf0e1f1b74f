package dev.reshard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseIdentityIT {
    @TempDir
    Path dir;

    @EachEngine
    void of_oneDatabaseTwice_isTheSame_andAnotherDatabaseIsNot(TestEngine engine) throws SQLException {
        try (TestDatabase a = engine.newDatabase();
                TestDatabase b = engine.newDatabase();
                Connection a1 = a.unpooledConnection();
                Connection a2 = a.unpooledConnection();
                Connection b1 = b.unpooledConnection()) {
            DatabaseIdentity first = DatabaseIdentity.of(a1);

            assertThat(first.sameAs(DatabaseIdentity.of(a2)))
                    .as(first.describe())
                    .isTrue();
            assertThat(first.sameAs(DatabaseIdentity.of(b1))).isFalse();
            assertThat(first.engine().name()).isEqualTo(engine.name());
        }
    }

    @Test
    void of_h2File_isCanonical_throughASymbolicLinkAndDotDot() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        try (Connection direct = DriverManager.getConnection("jdbc:h2:file:" + real.resolve("db"), "sa", "");
                Connection viaLink = DriverManager.getConnection(
                        "jdbc:h2:file:" + link.resolve("../link/db") + ";AUTO_SERVER=FALSE", "sa", "")) {
            DatabaseIdentity a = DatabaseIdentity.of(direct);
            DatabaseIdentity b = DatabaseIdentity.of(viaLink);

            assertThat(a.durable()).isTrue();
            assertThat(a.sameAs(b)).as(a.describe() + " / " + b.describe()).isTrue();
        }
    }

    @Test
    void of_h2InMemory_isNotDurable() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:identity_it", "sa", "")) {
            assertThat(DatabaseIdentity.of(c).durable()).isFalse();
        }
    }
}
