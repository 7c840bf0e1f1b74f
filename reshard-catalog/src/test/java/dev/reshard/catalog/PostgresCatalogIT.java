package dev.reshard.catalog;

import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;

/** The catalog contract on a real PostgreSQL (embedded binaries, one fresh database per test). */
class PostgresCatalogIT extends CatalogContract {
    private final List<TestDatabase> databases = new ArrayList<>();

    @Override
    protected DataSource freshDatabase() {
        TestDatabase db = TestDatabases.postgres(8);
        databases.add(db);
        return db.dataSource();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabase::close);
    }
}
