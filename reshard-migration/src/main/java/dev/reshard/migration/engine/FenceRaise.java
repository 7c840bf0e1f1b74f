package dev.reshard.migration.engine;

import dev.reshard.catalog.Catalog;
import dev.reshard.core.ShardId;
import dev.reshard.jdbc.TableSpec;
import dev.reshard.jdbc.capture.ChangeCapture;
import dev.reshard.router.RouterSessions;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Raises the fences of a migration's shards to a new epoch without letting a frozen application
 * instance stall it.
 *
 * <p>A raise waits for the captured writes in flight, each attempt for a bounded time (the
 * capture's own retry loop, {@code FenceWait}). A router frozen inside a transaction (SIGSTOP, a
 * long GC, a partition) holds its shared lock for as long as it stays frozen. Once its lease has
 * lapsed in the catalog, its writes are refused by the fence anyway and it refuses to serve until
 * it reaches the catalog again, so ending its sessions loses no acknowledged write: its open
 * transaction rolls back and its caller sees an error. So before a raise, and again when a raise
 * gave up waiting, the engine ends the sessions of every router whose lease has lapsed, then
 * retries. It never ends a live router's sessions: if the holders are live, the raise's error,
 * which names them, ends the step, and resume retries it.
 *
 * <p>PostgreSQL finds a router's sessions by their application name; MariaDB sessions carry none,
 * but the server itself ends a router transaction idle longer than its idle timeout (the lease,
 * by default); H2's raise does not wait.
 */
final class FenceRaise {
    /** Rounds of (end the lapsed routers' sessions, raise) before the raise's error stands. */
    static final int ROUNDS = 3;

    private FenceRaise() {}

    static void raise(
            Catalog catalog,
            ShardAccess shards,
            Set<ShardId> fenced,
            long epoch,
            Predicate<ShardId> untagged,
            Consumer<String> event)
            throws SQLException {
        Map<ShardId, DataSource> sources = new LinkedHashMap<>();
        for (ShardId shard : fenced) {
            sources.put(shard, shards.dataSource(shard));
        }
        endLapsed(catalog, sources, event);
        for (ShardId shard : fenced) {
            boolean allow = untagged.test(shard);
            for (int round = 1; ; round++) {
                try {
                    shards.with(shard, c -> {
                        ChangeCapture capture = shards.capture(shard, c);
                        for (TableSpec spec : shards.specs(shard, c).values()) {
                            capture.raiseFence(c, spec, epoch, allow);
                        }
                        return null;
                    });
                    break;
                } catch (SQLException e) {
                    if (round >= ROUNDS || !"55P03".equals(e.getSQLState())) {
                        throw e;
                    }
                    if (endLapsed(catalog, sources, event) == 0) {
                        throw e;
                    }
                }
            }
        }
    }

    private static int endLapsed(Catalog catalog, Map<ShardId, DataSource> sources, Consumer<String> event)
            throws SQLException {
        Map<String, Integer> ended = RouterSessions.endLapsed(catalog, sources);
        int total = 0;
        for (Map.Entry<String, Integer> e : ended.entrySet()) {
            total += e.getValue();
            event.accept("ended " + e.getValue() + " session(s) of router " + e.getKey()
                    + " on the fenced shards: its lease had lapsed, and its open transactions would have"
                    + " stalled the fence raise");
        }
        return total;
    }
}
