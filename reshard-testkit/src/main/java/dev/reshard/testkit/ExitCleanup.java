package dev.reshard.testkit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Closes what tests left open when the JVM exits: first every test database (pools, then drops),
 * then every embedded PostgreSQL server. One hook, so the order holds.
 */
final class ExitCleanup {
    private static final Set<TestDatabase> DATABASES = new LinkedHashSet<>();
    private static final Set<EmbeddedPostgresServer> SERVERS = new LinkedHashSet<>();
    private static boolean hookInstalled;
    private static volatile boolean exiting;

    private ExitCleanup() {}

    static synchronized void register(TestDatabase database) {
        installHook();
        DATABASES.add(database);
    }

    static synchronized void unregister(TestDatabase database) {
        DATABASES.remove(database);
    }

    static synchronized void register(EmbeddedPostgresServer server) {
        installHook();
        SERVERS.add(server);
    }

    static synchronized void unregister(EmbeddedPostgresServer server) {
        SERVERS.remove(server);
    }

    private static void installHook() {
        if (!hookInstalled) {
            hookInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::run, "reshard-testkit-cleanup"));
        }
    }

    /** True while the JVM exits: a server that goes away with the JVM need not drop its databases. */
    static boolean exiting() {
        return exiting;
    }

    private static void run() {
        exiting = true;
        List<TestDatabase> databases;
        List<EmbeddedPostgresServer> servers;
        synchronized (ExitCleanup.class) {
            databases = new ArrayList<>(DATABASES);
            servers = new ArrayList<>(SERVERS);
        }
        databases.forEach(TestDatabase::closeQuietly);
        servers.forEach(EmbeddedPostgresServer::closeQuietly);
    }
}
