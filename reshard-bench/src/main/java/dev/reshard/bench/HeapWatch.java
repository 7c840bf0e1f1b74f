package dev.reshard.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Locale;

/**
 * The heap a step of a driver needed, to show that it streams. Two figures: the highest heap in use
 * (sampled every 5 ms from {@code MemoryMXBean}, garbage included, so it mostly shows how far the
 * collector let the heap fill) and the highest heap left after a collection (the sum over heap
 * pools of {@code MemoryPoolMXBean.getCollectionUsage()}: what the step kept alive).
 */
final class HeapWatch implements AutoCloseable {
    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    private final Thread sampler;
    private volatile boolean stop;
    private volatile long maxUsed;
    private volatile long maxAfterGc;

    HeapWatch() {
        sampler = new Thread(this::sample, "heap-watch");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        while (!stop) {
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long afterGc = 0;
            for (MemoryPoolMXBean p : heapPools) {
                MemoryUsage u = p.getCollectionUsage();
                afterGc += u == null ? 0 : u.getUsed();
            }
            synchronized (this) {
                maxUsed = Math.max(maxUsed, used);
                maxAfterGc = Math.max(maxAfterGc, afterGc);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Starts a new step: forgets the peaks so far (a collection first, so the step starts clean). */
    synchronized void reset() {
        System.gc();
        maxUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        maxAfterGc = 0;
    }

    /** The peaks since {@link #reset()}. */
    synchronized Peak peak() {
        long gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
        return new Peak(maxUsed, maxAfterGc, gcs);
    }

    record Peak(long maxUsed, long maxAfterGc, long collections) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "peak heap used %.1f MiB, peak after GC %.1f MiB",
                    maxUsed / 1048576.0,
                    maxAfterGc / 1048576.0);
        }
    }

    @Override
    public void close() {
        stop = true;
        sampler.interrupt();
    }
}
