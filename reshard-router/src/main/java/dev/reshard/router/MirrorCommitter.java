package dev.reshard.router;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits best-effort mirrors after the request has returned, and lets the router wait until none
 * is pending before it applies a new routing epoch (see DualWrite, point 6).
 */
final class MirrorCommitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MirrorCommitter.class);

    private final ExecutorService executor;
    private final AtomicLong pending = new AtomicLong();
    private final Object drained = new Object();

    MirrorCommitter(String routerId, int threads) {
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "reshard-mirror-" + routerId);
            t.setDaemon(true);
            return t;
        });
    }

    void submit(Runnable commit) {
        pending.incrementAndGet();
        try {
            executor.execute(() -> {
                try {
                    commit.run();
                } catch (RuntimeException e) {
                    log.warn("mirror commit failed ({}); left to the changelog", e.getMessage());
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        synchronized (drained) {
                            drained.notifyAll();
                        }
                    }
                }
            });
        } catch (RuntimeException rejected) {
            pending.decrementAndGet();
            commit.run();
        }
    }

    /** Returns once every mirror commit submitted so far has finished. */
    void drain() {
        synchronized (drained) {
            while (pending.get() > 0) {
                try {
                    drained.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    long pending() {
        return pending.get();
    }

    @Override
    public void close() {
        drain();
        executor.shutdown();
    }
}
