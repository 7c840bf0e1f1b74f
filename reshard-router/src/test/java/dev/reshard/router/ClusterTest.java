package dev.reshard.router;

import dev.reshard.testkit.TestEngine;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** Closes what a test opened, newest first; gives each test a fresh {@link Cluster}. */
abstract class ClusterTest {
    protected final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    protected Cluster cluster(TestEngine engine) throws SQLException {
        Cluster c = Cluster.of(engine, resources);
        resources.add(c);
        return c;
    }
}
