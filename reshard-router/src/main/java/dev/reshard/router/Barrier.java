package dev.reshard.router;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.RouterRegistration;
import dev.reshard.core.ReshardException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The router barrier: after publishing a routing epoch, wait until every router with a live lease
 * has applied it. A router that died is waited out: its lease lapses, after which it refuses writes
 * on its own, so it no longer counts.
 */
public final class Barrier {
    private final Catalog catalog;
    private final Clock clock;
    private final Duration pollInterval;

    public Barrier(Catalog catalog, Clock clock, Duration pollInterval) {
        this.catalog = catalog;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    /** The live routers that have not applied {@code epoch} yet. */
    public List<RouterRegistration> laggards(long epoch) {
        Instant now = catalog.now();
        return catalog.routers().stream()
                .filter(r -> r.isLive(now) && r.appliedVersion() < epoch)
                .toList();
    }

    /**
     * Returns when every live router has applied {@code epoch}; throws after {@code timeout},
     * naming the routers still behind.
     */
    public void awaitAllRouters(long epoch, Duration timeout) {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            List<RouterRegistration> behind = laggards(epoch);
            if (behind.isEmpty()) {
                return;
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new ReshardException(
                        "barrier for epoch " + epoch + " timed out after " + timeout.toMillis() + " ms; "
                                + behind.size() + " live router(s) still behind: "
                                + behind.stream()
                                        .map(r -> r.id() + "@" + r.host() + " at epoch " + r.appliedVersion()
                                                + " (lease until " + r.leaseExpiresAt() + ")")
                                        .toList());
            }
            LockSupport.parkNanos(pollInterval.toNanos());
        }
    }
}
