package dev.reshard.workload;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.router.Router;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/*
 * Design notes
 *
 * Live writers for the demo and the end-to-end tests. Each thread owns the user ids congruent to
 * its index (so "the last acknowledged value" of a key is well defined: one writer, in order) and
 * mixes inserts, updates, deletes of users and inserts and deletes of their orders, all through
 * the router. A write that returns is recorded in the Ledger; one that throws has an unknown
 * outcome and marks its user uncertain. After each write the thread reads the key back through
 * the router: a different answer breaks read-your-writes (invariant 4) and is counted.
 */
/** Threads writing through a router and recording what they were told in a {@link Ledger}. */
public final class Writers implements AutoCloseable {
    private final Router router;
    private final Ledger ledger;
    private final long keySpace;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final LongAdder writes = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder staleReads = new LongAdder();
    private final AtomicLong maxLatencyNanos = new AtomicLong();
    private final List<String> errorSamples = java.util.Collections.synchronizedList(new ArrayList<>());
    private final long pauseNanos;

    /**
     * @param keySpace user ids are drawn from [0, keySpace)
     * @param opsPerSecondPerThread 0: as fast as possible
     */
    public Writers(Router router, Ledger ledger, long keySpace, double opsPerSecondPerThread) {
        this.router = router;
        this.ledger = ledger;
        this.keySpace = keySpace;
        this.pauseNanos = opsPerSecondPerThread <= 0 ? 0 : (long) (1e9 / opsPerSecondPerThread);
    }

    /** Loads {@code users} users (ids 0..users-1) with {@code ordersPerUser} orders each, straight onto their shards. */
    public static void load(
            Map<ShardId, DataSource> shards, ShardMap map, Ledger ledger, int users, int ordersPerUser, long seed)
            throws SQLException {
        SplittableRandom random = new SplittableRandom(seed);
        Map<ShardId, List<long[]>> byShard = new java.util.HashMap<>();
        for (long id = 0; id < users; id++) {
            byShard.computeIfAbsent(map.shardFor(Key.of(id)), k -> new ArrayList<>())
                    .add(new long[] {id, random.nextLong(1_000_000)});
        }
        String note = "x".repeat(120);
        for (Map.Entry<ShardId, List<long[]>> e : byShard.entrySet()) {
            try (Connection c = shards.get(e.getKey()).getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement u =
                                c.prepareStatement("INSERT INTO users (id, balance, note) VALUES (?, ?, ?)");
                        PreparedStatement o = c.prepareStatement(
                                "INSERT INTO orders (user_id, amount, note) VALUES (?, ?, ?)",
                                Statement.RETURN_GENERATED_KEYS)) {
                    int n = 0;
                    for (long[] user : e.getValue()) {
                        u.setLong(1, user[0]);
                        u.setLong(2, user[1]);
                        u.setString(3, note);
                        u.addBatch();
                        ledger.userWritten(user[0], user[1]);
                        if (++n % 1000 == 0) {
                            u.executeBatch();
                        }
                    }
                    u.executeBatch();
                    List<long[]> orders = new ArrayList<>();
                    for (long[] user : e.getValue()) {
                        for (int i = 0; i < ordersPerUser; i++) {
                            long amount = random.nextLong(10_000);
                            o.setLong(1, user[0]);
                            o.setLong(2, amount);
                            o.setString(3, note);
                            o.addBatch();
                            orders.add(new long[] {user[0], amount});
                            if (orders.size() % 1000 == 0) {
                                record(o, orders, ledger);
                            }
                        }
                    }
                    record(o, orders, ledger);
                }
                c.commit();
            }
        }
    }

    private static void record(PreparedStatement o, List<long[]> pending, Ledger ledger) throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        o.executeBatch();
        try (ResultSet keys = o.getGeneratedKeys()) {
            int i = 0;
            while (keys.next()) {
                long[] order = pending.get(i++);
                ledger.orderWritten(keys.getLong(1), order[0], order[1]);
            }
        }
        pending.clear();
    }

    /** Starts {@code count} writer threads that own every key between them. */
    public Writers start(int count) {
        return start(0, count, count);
    }

    /**
     * Starts writer threads {@code first .. first + count - 1} of {@code total} (writers on other
     * routers run the rest): thread i owns the user ids congruent to i modulo total.
     */
    public Writers start(int first, int count, int total) {
        for (int t = first; t < first + count; t++) {
            int index = t;
            Thread thread = new Thread(() -> run(index, total), "writer-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        return this;
    }

    private void run(int index, int count) {
        SplittableRandom random = new SplittableRandom(index * 7919L + 17);
        List<Long> myOrders = new ArrayList<>();
        long next = System.nanoTime();
        while (!stop.get()) {
            long user = random.nextLong(keySpace / count) * count + index;
            int op = random.nextInt(100);
            long start = System.nanoTime();
            try {
                if (op < 45) {
                    long balance = random.nextLong(1_000_000);
                    router.write("users", user, c -> {
                        try (PreparedStatement up = c.prepareStatement("UPDATE users SET balance = ? WHERE id = ?")) {
                            up.setLong(1, balance);
                            up.setLong(2, user);
                            if (up.executeUpdate() == 0) {
                                try (PreparedStatement in = c.prepareStatement(
                                        "INSERT INTO users (id, balance, note) VALUES (?, ?, 'live')")) {
                                    in.setLong(1, user);
                                    in.setLong(2, balance);
                                    in.executeUpdate();
                                }
                            }
                        }
                        return null;
                    });
                    ledger.userWritten(user, balance);
                    Long seen = router.read("users", user, c -> balanceOf(c, user));
                    if (seen == null || seen != balance) {
                        staleReads.increment();
                    }
                } else if (op < 55) {
                    router.write("users", user, c -> {
                        try (PreparedStatement del = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
                            del.setLong(1, user);
                            del.executeUpdate();
                        }
                        return null;
                    });
                    ledger.userDeleted(user);
                    if (router.read("users", user, c -> balanceOf(c, user)) != null) {
                        staleReads.increment();
                    }
                } else if (op < 85 || myOrders.isEmpty()) {
                    long amount = random.nextLong(10_000);
                    long id = router.write("orders", user, c -> {
                        try (PreparedStatement in = c.prepareStatement(
                                "INSERT INTO orders (user_id, amount, note) VALUES (?, ?, 'live')",
                                Statement.RETURN_GENERATED_KEYS)) {
                            in.setLong(1, user);
                            in.setLong(2, amount);
                            in.executeUpdate();
                            try (ResultSet keys = in.getGeneratedKeys()) {
                                keys.next();
                                return keys.getLong(1);
                            }
                        }
                    });
                    ledger.orderWritten(id, user, amount);
                    myOrders.add(id);
                    myOrders.add(user);
                } else {
                    int at = random.nextInt(myOrders.size() / 2) * 2;
                    long id = myOrders.get(at);
                    long owner = myOrders.get(at + 1);
                    router.write("orders", owner, c -> {
                        try (PreparedStatement del = c.prepareStatement("DELETE FROM orders WHERE id = ?")) {
                            del.setLong(1, id);
                            del.executeUpdate();
                        }
                        return null;
                    });
                    ledger.orderDeleted(id);
                    myOrders.remove(at + 1);
                    myOrders.remove(at);
                }
                writes.increment();
            } catch (RuntimeException e) {
                errors.increment();
                ledger.uncertain(user);
                if (errorSamples.size() < 5) {
                    errorSamples.add(e.toString());
                }
            }
            long took = System.nanoTime() - start;
            maxLatencyNanos.accumulateAndGet(took, Math::max);
            if (pauseNanos > 0) {
                next += pauseNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                } else {
                    next = System.nanoTime();
                }
            }
        }
    }

    private static Long balanceOf(Connection c, long user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM users WHERE id = ?")) {
            ps.setLong(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    public long writes() {
        return writes.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public List<String> errorSamples() {
        return List.copyOf(errorSamples);
    }

    /** Reads after an acknowledged write that did not return it (invariant 4). */
    public long staleReads() {
        return staleReads.sum();
    }

    public long maxLatencyMillis() {
        return maxLatencyNanos.get() / 1_000_000;
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops the threads and waits for them. */
    public void stop() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
