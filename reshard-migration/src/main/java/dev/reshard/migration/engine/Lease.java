package dev.reshard.migration.engine;

import dev.reshard.catalog.MigrationRecord;
import dev.reshard.core.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * One orchestrator per migration: the engine takes the migration's lease in the catalog, renews it
 * at a third of its TTL, and the run stops (changing nothing more) once a renewal fails.
 */
final class Lease {
    private final Steps s;

    Lease(Steps s) {
        this.s = s;
    }

    void acquire(String id) {
        Instant deadline = s.clock.instant().plus(s.options.leaseTtl()).plusSeconds(1);
        while (!s.catalog.acquireLease(id, s.owner, s.options.leaseTtl())) {
            MigrationRecord r = s.record(id);
            if (!s.clock.instant().isBefore(deadline)) {
                throw new MigrationRefusedException(
                        "migration " + id,
                        List.of(InvalidInputException.of(
                                "migration",
                                id,
                                "is being run by " + r.owner().orElse("another orchestrator") + " (lease until "
                                        + r.leaseExpiresAt()
                                                .map(Instant::toString)
                                                .orElse("?") + ")",
                                "wait for it to finish, or stop that process; its lease lapses "
                                        + s.options.leaseTtl().toSeconds() + " s after it stops renewing")));
            }
            Steps.sleep(Duration.ofMillis(200));
        }
    }

    /** Renews the lease of {@code run} until the returned executor is shut down; marks the run when it is lost. */
    ScheduledExecutorService renew(MigrationRun run) {
        String id = run.id;
        ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reshard-lease-" + id);
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, s.options.leaseTtl().toMillis() / 3);
        renewer.scheduleWithFixedDelay(
                () -> {
                    try {
                        if (!s.catalog.acquireLease(id, s.owner, s.options.leaseTtl())) {
                            run.leaseLost = true;
                        }
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(MigrationEngine.class)
                                .warn("migration {}: lease renewal failed: {}", id, e.getMessage());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        return renewer;
    }
}
