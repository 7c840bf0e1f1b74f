package dev.reshard.catalog;

import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
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
     * What keeps the live routers from reaching every shard of {@code shards}, one line per router
     * and shard ("router r1@host-a: shard shard_2: no connection settings: ..."); empty when every
     * live router reported every one of them reachable. A router counts only once it has seen map
     * {@code mapVersion} (it opens and reports the shards of the newest published map).
     */
    public List<String> unreachable(long mapVersion, Collection<ShardId> shards) {
        Instant now = catalog.now();
        List<String> out = new ArrayList<>();
        for (RouterRegistration r : catalog.routers()) {
            if (!r.isLive(now)) {
                continue;
            }
            String who = "router " + r.id() + "@" + r.host();
            if (r.shards().isEmpty()) {
                out.add(who + ": reports no shards (a router of an older release? upgrade or restart it with"
                        + " every shard)");
                continue;
            }
            RouterRegistration.ShardsReport report = r.shards().get();
            if (report.knownMapVersion() < mapVersion) {
                out.add(who + ": has not seen map v" + mapVersion + " yet (knows v" + report.knownMapVersion() + ")");
                continue;
            }
            for (ShardId shard : shards) {
                Optional<ShardReach> reach = r.reach(shard);
                if (reach.isEmpty()) {
                    out.add(who + ": shard " + shard + ": not reported");
                } else if (!reach.get().hasSettings()) {
                    out.add(who + ": shard " + shard + ": " + reach.get().problem()
                            + (report.source() == RouterRegistration.Source.FIXED
                                    ? " (the router has fixed DataSources: restart it with one for " + shard
                                            + ", or build it with a ShardConnector)"
                                    : ""));
                } else if (!reach.get().reachable()) {
                    out.add(who + ": shard " + shard + ": cannot reach it ("
                            + reach.get().problem() + ")");
                }
            }
        }
        return out;
    }

    /**
     * Returns when every live router reports every shard of {@code shards} reachable, having seen
     * map {@code mapVersion}; throws after {@code timeout}, naming each router (id, host) and shard
     * that is not. Call it before publishing DUAL_WRITE and READ_NEW with the target map's shards.
     */
    public void awaitReachable(long mapVersion, Collection<ShardId> shards, Duration timeout) {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            List<String> problems = unreachable(mapVersion, shards);
            if (problems.isEmpty()) {
                return;
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new ReshardException("routers cannot reach every shard of map v" + mapVersion + " after "
                        + timeout.toMillis() + " ms (" + problems.size() + " problem"
                        + (problems.size() == 1 ? "" : "s") + "):\n  - " + String.join("\n  - ", problems)
                        + "\ngive those routers the shards' settings (or a ShardConnector) and network access,"
                        + " or wait for their leases to lapse");
            }
            LockSupport.parkNanos(pollInterval.toNanos());
        }
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
