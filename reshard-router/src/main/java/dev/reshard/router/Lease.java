package dev.reshard.router;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A router's lease on the catalog as the router itself sees it: valid until the start time of its
 * last successful heartbeat plus the TTL, by the router's own clock (conservative: the catalog
 * records a later expiry). The deadline is one volatile field; checking it costs a volatile read
 * and a clock read, nothing else.
 */
final class Lease {
    private final Duration ttl;
    private final Clock clock;
    private volatile Instant validUntil = Instant.MIN;

    Lease(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Renews the lease for a heartbeat that started at {@code heartbeatStarted}. */
    void renew(Instant heartbeatStarted) {
        validUntil = heartbeatStarted.plus(ttl);
    }

    Instant validUntil() {
        return validUntil;
    }

    Duration ttl() {
        return ttl;
    }

    Instant now() {
        return clock.instant();
    }

    /** One reading of the lease: the deadline and the clock, each read once. */
    record Reading(Instant until, Instant now) {
        boolean valid() {
            return !now.isAfter(until);
        }
    }

    /**
     * Reads the deadline once, then the clock. A deadline renewed while the clock was read is
     * taken, so a refresh landing in between never turns into a refusal, and the decision and the
     * numbers of its message always come from the same reading.
     */
    Reading read() {
        Instant until = validUntil;
        Instant now = clock.instant();
        if (now.isAfter(until)) {
            Instant renewed = validUntil;
            if (!now.isAfter(renewed)) {
                until = renewed;
            }
        }
        return new Reading(until, now);
    }

    /** True while {@code until}, the deadline of a valid reading, still holds. */
    boolean holds(Instant until) {
        return !clock.instant().isAfter(until);
    }

    /** The refusal for a lapsed reading. */
    LeaseExpiredException lapsed(String routerId, String what, Reading r) {
        boolean never = r.until().equals(Instant.MIN);
        String since = never ? "it started" : String.valueOf(r.until().minus(ttl));
        long ago = never ? 0 : Duration.between(r.until(), r.now()).toMillis();
        return new LeaseExpiredException("router " + routerId + " has not reached the catalog since " + since
                + " (lease " + ttl.toMillis() + " ms lapsed " + ago + " ms ago); refusing " + what + " until it does");
    }
}
