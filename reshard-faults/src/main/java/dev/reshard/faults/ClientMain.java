package dev.reshard.faults;

import dev.reshard.catalog.Catalog;
import dev.reshard.core.Key;
import dev.reshard.core.map.ShardMap;
import dev.reshard.router.LeaseExpiredException;
import dev.reshard.router.Router;
import dev.reshard.router.ShardedTable;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client process: one {@link Router} (lease 2 s, poll 200 ms, fixed pools to the run's shards)
 * and {@code --threads} threads doing inserts, appends and reads, each logged to the process's
 * {@link OpLog} before it is sent and after it returns. Most appends and reads go to a hot set
 * of keys that the migration moves. Prints {@code READY} once the threads run; stops on a line
 * {@code stop} (or end of input) on stdin, prints {@code STOPPED} and exits.
 *
 * <p>{@code --process c0 --threads 4 --log FILE --seed S --rows N --from V --to V --hot K} plus
 * the {@link Topology} arguments.
 */
public final class ClientMain {
    /** Thrown by an append's work when its key has no row: the transaction rolls back (a definite fail). */
    static final class NoRowException extends RuntimeException {
        NoRowException(long key) {
            super("no-row: key " + key + " has no row on the shard the router chose");
        }
    }

    private ClientMain() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Topology topology = Topology.from(args);
        String process = args.get("process");
        int processIndex = Integer.parseInt(process.substring(1));
        int threads = args.getInt("threads", 4);
        long seed = args.getLong("seed", 1);
        int rows = args.getInt("rows", 3000);
        int hotCount = args.getInt("hot", 40);
        long pace = args.getLong("pace-ms", 5);
        List<AutoCloseable> closing = new ArrayList<>();
        Topology.OpenCatalog open = topology.openCatalog();
        Catalog catalog = open.catalog();
        ShardMap from = catalog.map(args.getLong("from", 1));
        ShardMap to = catalog.map(args.getLong("to", 2));
        List<Long> moving = new ArrayList<>();
        for (long id = 0; id < rows; id++) {
            if (!from.shardFor(Key.of(id)).equals(to.shardFor(Key.of(id)))) {
                moving.add(id);
            }
        }
        Random pick = new Random(seed);
        long[] hot = new long[Math.min(hotCount, moving.size())];
        for (int i = 0; i < hot.length; i++) {
            hot[i] = moving.get(pick.nextInt(moving.size()));
        }
        Router router = Router.builder(catalog)
                .id(process + "-" + ProcessHandle.current().pid())
                .shards(topology.pools(process, threads + 2, closing))
                .table(ShardedTable.of(Schema.TABLE, Schema.KEY, Schema.KEY))
                .pollInterval(Duration.ofMillis(200))
                .leaseTtl(Duration.ofSeconds(2))
                .build();
        OpLog log = new OpLog(Path.of(args.get("log")), process);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(router, log, stop, processIndex, t, rows, hot, pace, new Random(seed * 31 + t));
            Thread thread = new Thread(w, process + "-w" + t);
            thread.start();
            workers.add(thread);
        }
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !line.equals("stop")) {
                // wait for the driver
            }
        }
        stop.set(true);
        for (Thread t : workers) {
            t.join(30_000);
        }
        router.close();
        log.close();
        for (AutoCloseable c : closing) {
            c.close();
        }
        open.close();
        System.out.println("STOPPED");
        System.out.flush();
        System.exit(0);
    }

    private static final class Worker implements Runnable {
        private final Router router;
        private final OpLog log;
        private final AtomicBoolean stop;
        private final int processIndex;
        private final int thread;
        private final int rows;
        private final long[] hot;
        private final long pace;
        private final Random random;
        private final Deque<Long> recent = new ArrayDeque<>();
        private final List<Long> inserted = new ArrayList<>();
        private long seq;

        Worker(
                Router router,
                OpLog log,
                AtomicBoolean stop,
                int processIndex,
                int thread,
                int rows,
                long[] hot,
                long pace,
                Random random) {
            this.pace = pace;
            this.router = router;
            this.log = log;
            this.stop = stop;
            this.processIndex = processIndex;
            this.thread = thread;
            this.rows = rows;
            this.hot = hot;
            this.random = random;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                seq++;
                String value = "c" + processIndex + "t" + thread + "n" + seq;
                int r = random.nextInt(100);
                if (r < 45) {
                    append(appendKey(), value);
                } else if (r < 90) {
                    read(readKey(), value);
                } else {
                    insert((processIndex + 1) * 1_000_000_000L + thread * 10_000_000L + seq, value);
                }
                sleep(pace); // an application's pace, not a correctness wait
            }
        }

        private long uniform() {
            return random.nextInt(rows);
        }

        private long appendKey() {
            int r = random.nextInt(100);
            if (r < 55 && hot.length > 0) {
                return hot[random.nextInt(hot.length)];
            }
            if (r < 70 && !inserted.isEmpty()) {
                return inserted.get(random.nextInt(inserted.size()));
            }
            return uniform();
        }

        private long readKey() {
            int r = random.nextInt(100);
            if (r < 50 && hot.length > 0) {
                return hot[random.nextInt(hot.length)];
            }
            if (r < 75 && !recent.isEmpty()) {
                return List.copyOf(recent).get(random.nextInt(recent.size()));
            }
            if (r < 85 && !inserted.isEmpty()) {
                return inserted.get(random.nextInt(inserted.size()));
            }
            return uniform();
        }

        private void remember(long key) {
            recent.addLast(key);
            if (recent.size() > 16) {
                recent.removeFirst();
            }
        }

        private void append(long key, String value) {
            log.invoke(thread, seq, "append", key, value);
            try {
                router.write(Schema.TABLE, key, c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("UPDATE " + Schema.TABLE + " SET hist = hist || ? WHERE id = ?")) {
                        ps.setString(1, "," + value);
                        ps.setLong(2, key);
                        if (ps.executeUpdate() != 1) {
                            throw new NoRowException(key);
                        }
                    }
                    return null;
                });
                log.complete(thread, seq, "ok", "append", key, value, "");
                remember(key);
            } catch (RuntimeException e) {
                failed("append", key, value, e);
            }
        }

        private void insert(long key, String value) {
            log.invoke(thread, seq, "insert", key, value);
            try {
                router.write(Schema.TABLE, key, c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("INSERT INTO " + Schema.TABLE + " (id, hist) VALUES (?, ?)")) {
                        ps.setLong(1, key);
                        ps.setString(2, "," + value);
                        ps.executeUpdate();
                    }
                    return null;
                });
                log.complete(thread, seq, "ok", "insert", key, value, "");
                inserted.add(key);
                remember(key);
            } catch (RuntimeException e) {
                failed("insert", key, value, e);
            }
        }

        private void read(long key, String value) {
            log.invoke(thread, seq, "read", key, value);
            try {
                String hist = router.read(Schema.TABLE, key, c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("SELECT hist FROM " + Schema.TABLE + " WHERE id = ?")) {
                        ps.setLong(1, key);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getString(1) : null;
                        }
                    }
                });
                log.complete(thread, seq, "ok", "read", key, value, hist);
            } catch (RuntimeException e) {
                // A read changes nothing: whatever went wrong, it definitely did not happen.
                log.complete(thread, seq, "fail", "read", key, value, describe(e));
                pause();
            }
        }

        /**
         * Only two errors say for certain that a write did not happen: the router refused it for a
         * lapsed lease before running it, or our own work threw (no row) so it rolled back. Any
         * other error may have come after the commit: unknown.
         */
        private void failed(String kind, long key, String value, RuntimeException e) {
            boolean definite = false;
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof NoRowException || t instanceof LeaseExpiredException) {
                    definite = true;
                    break;
                }
            }
            log.complete(thread, seq, definite ? "fail" : "unknown", kind, key, value, describe(e));
            pause();
        }

        private static String describe(Throwable e) {
            StringBuilder b = new StringBuilder();
            for (Throwable t = e; t != null && b.length() < 600; t = t.getCause()) {
                if (b.length() > 0) {
                    b.append(" <- ");
                }
                b.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
            }
            return b.length() > 600 ? b.substring(0, 600) : b.toString();
        }

        private void pause() {
            sleep(20);
        }

        private void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
