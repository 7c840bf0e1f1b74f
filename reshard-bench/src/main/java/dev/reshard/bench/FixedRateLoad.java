package dev.reshard.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongToIntFunction;

/*
 * Design notes
 *
 * An open-loop workload, as pgbench --rate runs one: every thread has a schedule (one operation
 * every threads/rate seconds) and an operation's latency is measured from its scheduled start, not
 * from when the thread got to it. A stall (a cutover freeze, a checkpoint) therefore shows in every
 * operation that was due during it, not only in the one that hit it; a closed loop would hide them
 * (coordinated omission). Each record keeps the wall-clock time the operation was due, so a driver
 * can cut the run into windows by the engine's phase timestamps afterwards. Before its schedule
 * starts, each thread runs a few hundred unrecorded operations back to back, so that a cold JIT or
 * pool does not start the run with a backlog the schedule never works off.
 */
/** Runs an operation at a fixed rate on a few threads and records every latency with its time. */
final class FixedRateLoad implements AutoCloseable {
    /** Operations each thread runs back to back, unrecorded, before its schedule starts (JIT, pools). */
    static final int WARMUP_OPS = 200;

    /** One operation on a key; any exception counts as an error. */
    @FunctionalInterface
    interface Op {
        void run(long key) throws Exception;
    }

    /** Picks the key of the next operation. */
    @FunctionalInterface
    interface Keys {
        long next(SplittableRandom random);
    }

    private final List<Worker> workers = new ArrayList<>();
    private final long wallBase = System.currentTimeMillis();
    private final long nanoBase = System.nanoTime();
    private volatile boolean stop;
    private final CountDownLatch scheduled;

    /**
     * @param opsPerSecond the total rate over all threads; 0 = closed loop (each thread runs its next
     *     operation as soon as the last one returns, latency measured from its actual start): the
     *     throughput at saturation
     * @param tag classifies an operation by its key (e.g. 1 = a moving key), kept with its record
     */
    FixedRateLoad(String name, int threads, double opsPerSecond, Keys keys, LongToIntFunction tag, Op op) {
        long interval = opsPerSecond > 0 ? (long) (threads * 1e9 / opsPerSecond) : 0;
        scheduled = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            workers.add(new Worker(
                    name + "-" + t,
                    interval,
                    interval * t / threads,
                    new SplittableRandom(31L * t + 7),
                    keys,
                    tag,
                    op));
        }
    }

    /** Starts the threads and returns once every one finished its warm-up and runs on its schedule. */
    FixedRateLoad start() throws InterruptedException {
        workers.forEach(w -> w.thread.start());
        scheduled.await();
        return this;
    }

    /** Stops the threads (each finishes its operation in flight) and waits for them. */
    void stop() {
        stop = true;
        for (Worker w : workers) {
            try {
                w.thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Wall-clock milliseconds of a {@code System.nanoTime()} reading. */
    long wallMillis(long nanos) {
        return wallBase + (nanos - nanoBase) / 1_000_000;
    }

    /** Latencies of operations due in [fromMillis, toMillis) wall-clock, with {@code tag} (or any, when negative). */
    Summary window(long fromMillis, long toMillis, int tag) {
        List<long[]> parts = new ArrayList<>();
        long errors = 0;
        for (Worker w : workers) {
            synchronized (w) {
                int n = 0;
                long[] out = new long[w.size];
                for (int i = 0; i < w.size; i++) {
                    long at = wallMillis(w.due[i]);
                    if (at >= fromMillis && at < toMillis && (tag < 0 || w.tags[i] == tag)) {
                        if (w.failed[i]) {
                            errors++;
                        } else {
                            out[n++] = w.latency[i];
                        }
                    }
                }
                parts.add(Arrays.copyOf(out, n));
            }
        }
        long[] all = parts.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(all);
        return new Summary(all, errors, (toMillis - fromMillis) / 1000.0);
    }

    long errors() {
        long n = 0;
        for (Worker w : workers) {
            synchronized (w) {
                for (int i = 0; i < w.size; i++) {
                    n += w.failed[i] ? 1 : 0;
                }
            }
        }
        return n;
    }

    List<String> errorSamples() {
        List<String> out = new ArrayList<>();
        workers.forEach(w -> out.addAll(w.errorSamples));
        return out;
    }

    /** Latency percentiles of a window, in milliseconds. */
    record Summary(long[] sortedNanos, long errors, double seconds) {
        int count() {
            return sortedNanos.length;
        }

        double percentile(double p) {
            if (sortedNanos.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
            return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
        }

        double max() {
            return sortedNanos.length == 0 ? Double.NaN : sortedNanos[sortedNanos.length - 1] / 1e6;
        }

        double rate() {
            return seconds <= 0 ? 0 : sortedNanos.length / seconds;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%d ops (%.0f/s), p50 %.2f ms, p95 %.2f, p99 %.2f, max %.1f, errors %d",
                    count(),
                    rate(),
                    percentile(50),
                    percentile(95),
                    percentile(99),
                    max(),
                    errors);
        }
    }

    private final class Worker {
        final Thread thread;
        long[] due = new long[1 << 14];
        long[] latency = new long[1 << 14];
        int[] tags = new int[1 << 14];
        boolean[] failed = new boolean[1 << 14];
        int size;
        final List<String> errorSamples = Collections.synchronizedList(new ArrayList<>());

        Worker(
                String name,
                long interval,
                long offset,
                SplittableRandom random,
                Keys keys,
                LongToIntFunction tag,
                Op op) {
            thread = new Thread(() -> run(interval, offset, random, keys, tag, op), name);
            thread.setDaemon(true);
        }

        private void run(long interval, long offset, SplittableRandom random, Keys keys, LongToIntFunction tag, Op op) {
            for (int i = 0; i < WARMUP_OPS && !stop; i++) {
                try {
                    op.run(keys.next(random));
                } catch (Exception e) {
                    // warm-up only: errors count from the schedule on
                }
            }
            scheduled.countDown();
            long next = System.nanoTime() + offset;
            while (!stop) {
                if (interval == 0) {
                    next = System.nanoTime(); // closed loop: no schedule
                }
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                long key = keys.next(random);
                boolean ok = true;
                try {
                    op.run(key);
                } catch (Exception e) {
                    ok = false;
                    if (errorSamples.size() < 5) {
                        errorSamples.add(e.toString());
                    }
                }
                record(next, System.nanoTime() - next, tag.applyAsInt(key), !ok);
                next += interval;
            }
        }

        private synchronized void record(long dueNanos, long latencyNanos, int tag, boolean fail) {
            if (size == due.length) {
                due = Arrays.copyOf(due, size * 2);
                latency = Arrays.copyOf(latency, size * 2);
                tags = Arrays.copyOf(tags, size * 2);
                failed = Arrays.copyOf(failed, size * 2);
            }
            due[size] = dueNanos;
            latency[size] = latencyNanos;
            tags[size] = tag;
            failed[size] = fail;
            size++;
        }
    }
}
