package dev.reshard.catalog;

import dev.reshard.core.migration.Phase;
import java.nio.file.Path;

/**
 * A child process for {@link EmbeddedCatalogIT}: opens the embedded catalog in {@code args[0]},
 * records a migration and moves it through {@code args[1]} phases, says so on stdout, and halts at
 * once (no shutdown hooks, no close: as a kill -9 right after the last commit would).
 */
public final class HaltAfterCommit {
    private HaltAfterCommit() {}

    public static void main(String[] args) {
        Catalog catalog = Catalogs.embedded(Path.of(args[0]));
        int steps = Integer.parseInt(args[1]);
        catalog.createMigration("m1", 1, 2, Phase.PLANNED, "{\"tables\":[\"users\"]}");
        Phase phase = Phase.PLANNED;
        for (int i = 0; i < steps; i++) {
            Phase next = phase.forwardNext().orElseThrow();
            catalog.transition("m1", phase, next);
            phase = next;
        }
        System.out.println("committed " + phase);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
