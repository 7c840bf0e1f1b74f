package dev.reshard.catalog;

import java.time.Instant;

/** A router's row in the catalog: the map version it applied and until when its lease holds. */
public record RouterRegistration(
        String id, String host, long appliedVersion, Instant leaseExpiresAt, Instant startedAt, Instant heartbeatAt) {

    public boolean isLive(Instant now) {
        return leaseExpiresAt.isAfter(now);
    }
}
