package dev.reshard.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The database engines a test can run against. Each constant makes a fresh, empty database with
 * {@link #newDatabase()}; {@link EachEngine} runs one test body over every selected engine.
 *
 * <p>The selection defaults to all three and can be narrowed with the system property {@code
 * reshard.test.engines}, e.g. {@code -Dreshard.test.engines=h2,postgresql}.
 */
public enum TestEngine {
    /** H2 in memory, one named database per call; always available. */
    H2,
    /** Embedded PostgreSQL (zonky), one server per JVM, one database per call; always available. */
    POSTGRESQL,
    /**
     * The machine's MariaDB on 127.0.0.1:3306 (root, empty password), one database per call. Skips
     * the test when the server is down, or fails it when {@code CI=true}.
     */
    MARIADB;

    /** The system property that narrows the engines {@link EachEngine} runs over. */
    public static final String SELECTION_PROPERTY = "reshard.test.engines";

    /** A fresh, empty database on this engine. Close it to release its pool (and drop it). */
    public TestDatabase newDatabase() {
        return switch (this) {
            case H2 -> TestDatabases.h2();
            case POSTGRESQL -> TestDatabases.postgres();
            case MARIADB -> TestDatabases.mariadb();
        };
    }

    /** The engines selected by {@value #SELECTION_PROPERTY}, all of them by default. */
    public static List<TestEngine> selected() {
        String property = System.getProperty(SELECTION_PROPERTY, "").trim();
        if (property.isEmpty()) {
            return List.of(values());
        }
        List<TestEngine> engines = new ArrayList<>();
        for (String name : property.split(",")) {
            String trimmed = name.trim().toUpperCase(Locale.ROOT);
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                engines.add(valueOf(trimmed));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        SELECTION_PROPERTY + ": \"" + name.trim() + "\" is not an engine; use a comma-separated"
                                + " list of h2, postgresql, mariadb",
                        e);
            }
        }
        return List.copyOf(engines);
    }
}
