package dev.reshard.router;

import java.util.concurrent.atomic.LongAdder;

/**
 * Reads, writes, errors and latency of one shard as seen by one router; the load trigger and the
 * metrics read them. Lock-free counters, one add per request.
 */
public final class ShardCounters {
    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder mirrorFailures = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    void read(long elapsedNanos) {
        reads.increment();
        nanos.add(elapsedNanos);
    }

    void write(long elapsedNanos) {
        writes.increment();
        nanos.add(elapsedNanos);
    }

    void error() {
        errors.increment();
    }

    void mirrorFailure() {
        mirrorFailures.increment();
    }

    /** A consistent-enough copy of the counters. */
    public Snapshot snapshot() {
        long r = reads.sum();
        long w = writes.sum();
        return new Snapshot(r, w, errors.sum(), mirrorFailures.sum(), r + w == 0 ? 0 : nanos.sum() / (r + w));
    }

    /** Counters at one instant; latency is the mean over all requests so far. */
    public record Snapshot(long reads, long writes, long errors, long mirrorFailures, long meanLatencyNanos) {}
}
