package dev.reshard.migration;

import dev.reshard.core.InvalidInputException;
import java.time.Duration;
import java.util.function.LongSupplier;

/*
 * Design notes
 *
 * A byte- or row-rate cap alone does not protect the live workload: measured on this machine, a
 * copy throttled to 11-29 % of full speed still tripled the workload's p99 (performance-anchors.md,
 * M7). The cap has to react to what the source is going through. This throttle paces batches to a
 * rows/s rate and adapts that rate to the latency of a probe the engine measures on the source (a
 * point query, or the router's own write latency):
 *
 * - latency above the guardrail: multiplicative decrease (rate x 0.5), never below the floor, so
 *   the copy keeps making progress (M8: at least 10 % of its unthrottled rate);
 * - latency below it: additive increase (+ step per batch), never above the configured maximum;
 * - latency above pauseAbove: pause until it recovers, re-probing every 4 guardrails, at most 50
 *   times per batch; then the rate is halved as above and the copy goes on.
 *
 * AIMD converges to the highest rate the guardrail tolerates and backs off fast when the workload
 * spikes. With no configured ceiling (an infinite maximum) the first batch's own rate, unpaced,
 * becomes the ceiling: the guardrail alone then paces the copy, between that rate and a tenth of it. Time and sleeping are injected (nanosecond clock, sleeper) so tests run without waiting.
 */
/** Paces a copy to a rows/s rate that adapts to the source's latency. */
public final class Throttle {

    /** Sleeps for a number of nanoseconds; injected so tests do not wait. */
    @FunctionalInterface
    public interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    /**
     * A pause re-probes at most this often (each after 4 guardrails) before the batch goes on at the
     * floor rate: a shard that stays slow, or a guardrail set below its idle latency, slows the copy
     * down to the floor but never stops it.
     */
    private static final int MAX_PAUSE_PROBES = 50;

    private final double floorFraction;
    private double maxRate;
    private double floorRate;
    private double step;
    private final long guardrailNanos;
    private final long pauseNanos;
    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private double rate;
    private long nextStart;
    private long slowdowns;
    private long pausedNanos;
    private long lastReturn;

    /**
     * @param maxRowsPerSecond the ceiling (and starting rate); {@code Double.POSITIVE_INFINITY}: the
     *     rate of the first batch, measured
     * @param floorFraction the lowest rate as a fraction of the ceiling, e.g. 0.1
     * @param guardrail source latency above which the rate is halved
     * @param pauseAbove source latency above which copying pauses
     */
    public Throttle(
            double maxRowsPerSecond,
            double floorFraction,
            Duration guardrail,
            Duration pauseAbove,
            LongSupplier nanoClock,
            Sleeper sleeper) {
        InvalidInputException.require(
                maxRowsPerSecond > 0, "throttle.maxRowsPerSecond", maxRowsPerSecond, "must be positive", "e.g. 50000");
        InvalidInputException.require(
                floorFraction > 0 && floorFraction <= 1,
                "throttle.floor",
                floorFraction,
                "must be in (0, 1]",
                "e.g. 0.1 keeps at least 10 % of the maximum rate");
        InvalidInputException.require(
                pauseAbove.compareTo(guardrail) > 0,
                "throttle.pauseAbove",
                pauseAbove,
                "must be above the guardrail " + guardrail,
                "pause only when latency is well past the guardrail, e.g. 4x it");
        this.floorFraction = floorFraction;
        setCeiling(maxRowsPerSecond);
        this.guardrailNanos = guardrail.toNanos();
        this.pauseNanos = pauseAbove.toNanos();
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.nextStart = nanoClock.getAsLong();
        this.lastReturn = nextStart;
    }

    private void setCeiling(double maxRowsPerSecond) {
        this.maxRate = maxRowsPerSecond;
        this.floorRate = maxRowsPerSecond * floorFraction;
        this.step = maxRowsPerSecond / 50; // +2 % per good batch: back to the ceiling in ~45 batches
        this.rate = maxRowsPerSecond;
    }

    /** How often the guardrail halved the rate. */
    public long slowdowns() {
        return slowdowns;
    }

    /** Time spent paused because the source was over the pause threshold, in nanoseconds. */
    public long pausedNanos() {
        return pausedNanos;
    }

    /** The current target rate in rows per second. */
    public double rate() {
        return rate;
    }

    /**
     * Call after copying {@code rows} with the source's latency observed now: adapts the rate, then
     * waits until the batch is paid for (and while the source is over the pause threshold).
     *
     * @param probe measures the source's latency in nanoseconds again while paused
     */
    public void afterBatch(int rows, long observedLatencyNanos, LongSupplier probe) throws InterruptedException {
        if (Double.isInfinite(maxRate)) {
            long took = Math.max(1, nanoClock.getAsLong() - lastReturn);
            setCeiling(Math.max(1, rows * 1e9 / took));
            nextStart = nanoClock.getAsLong() - (long) (rows / rate * 1e9); // this batch is paid for
        }
        long latency = observedLatencyNanos;
        for (int probes = 0; latency > pauseNanos && probes < MAX_PAUSE_PROBES; probes++) {
            long pause = guardrailNanos * 4;
            sleeper.sleepNanos(pause);
            pausedNanos += pause;
            latency = probe.getAsLong();
        }
        if (latency > guardrailNanos) {
            slowdowns++;
            rate = Math.max(floorRate, rate * 0.5);
        } else {
            rate = Math.min(maxRate, rate + step);
        }
        nextStart += (long) (rows / rate * 1e9);
        long now = nanoClock.getAsLong();
        if (nextStart > now) {
            sleeper.sleepNanos(nextStart - now);
        } else {
            nextStart = now; // do not bank credit from a slow batch
        }
        lastReturn = nanoClock.getAsLong();
    }
}
