package dev.reshard.catalog;

import dev.reshard.core.ShardId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A router's row in the catalog: the map version it applied, until when its lease holds, and what
 * it last reported about its shards ({@link ShardsReport}; empty for a router that never reported
 * them, e.g. one of an older release).
 */
public record RouterRegistration(
        String id,
        String host,
        long appliedVersion,
        Instant leaseExpiresAt,
        Instant startedAt,
        Instant heartbeatAt,
        Optional<ShardsReport> shards) {

    public RouterRegistration {
        Objects.requireNonNull(shards, "shards");
    }

    public RouterRegistration(
            String id,
            String host,
            long appliedVersion,
            Instant leaseExpiresAt,
            Instant startedAt,
            Instant heartbeatAt) {
        this(id, host, appliedVersion, leaseExpiresAt, startedAt, heartbeatAt, Optional.empty());
    }

    public boolean isLive(Instant now) {
        return leaseExpiresAt.isAfter(now);
    }

    /** What this router reported about {@code shard}, if it reported on it. */
    public Optional<ShardReach> reach(ShardId shard) {
        return shards.flatMap(
                r -> r.shards().stream().filter(s -> s.shard().equals(shard)).findFirst());
    }

    /**
     * A router's report on its shards: where its connection settings come from, the newest
     * published map version it has seen (the report covers that map's shards and those of its
     * routing state), and one entry per shard.
     */
    public record ShardsReport(Source source, long knownMapVersion, List<ShardReach> shards) {
        public ShardsReport {
            Objects.requireNonNull(source, "source");
            shards = List.copyOf(shards);
        }
    }

    /** Where a router's shard connection settings come from. */
    public enum Source {
        /** Pools opened from the catalog's shard settings, as maps name shards. */
        CATALOG,
        /** DataSources the application gave it when it started: a shard added later is missing. */
        FIXED
    }
}
