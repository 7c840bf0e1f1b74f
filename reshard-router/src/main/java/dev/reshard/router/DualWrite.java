package dev.reshard.router;

import dev.reshard.core.Key;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.migration.Phase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes (DESIGN.md section 4, "Dual-write = mirror the transaction's changes")
 *
 * 1. The application's work runs once, on the primary, in an open transaction.
 * 2. Still inside it, the capture triggers' changelog rows carrying this transaction's id name every
 *    row it changed, whatever SQL it ran (relative updates, generated keys, multi-row changes).
 * 3. For each changed row the current image is read on the primary; the row's shard key says where
 *    it lives in the target map. A row whose shard key now routes to another primary is refused:
 *    shard keys do not change through the router.
 * 4. The images are written to each mirror shard in a mirror transaction that first locks the rows
 *    (upsert or delete). A deleted row's shard key is gone from the primary, so the delete is sent
 *    only to a mirror that holds that primary key on a row whose own shard key moves from this
 *    primary to that mirror: a same-key row of an unrelated key is never touched.
 * 5. Commit the primary, then the mirrors. The mirror's row locks are held across the primary's
 *    commit, so mirrors receive writes in the primary's lock order and a catch-up replay (which
 *    re-reads the source under lock) cannot be overtaken by a late mirror.
 *
 * 6. With BEST_EFFORT (before READ_NEW) nobody reads the mirror, so its commit is handed to the
 *    router's mirror committer and the request returns after the primary's commit. The mirror's
 *    row locks were taken before the primary committed, so the order of point 5 holds; the router
 *    drains pending mirror commits before it applies (and reports) a new epoch, so by the time the
 *    barrier lets READ_NEW begin every mirror of the earlier phases has landed or failed.
 *
 * Failure: with BEST_EFFORT (before READ_NEW) a failed mirror is rolled back and the request
 * succeeds; the change is in the source's changelog and catch-up will carry it. With STRICT
 * (READ_NEW, where reads are served by the mirror) a mirror failure before the primary commit rolls
 * both back and fails the request; a mirror commit failure after the primary committed is re-synced
 * from the primary, and if that fails too the caller gets OutcomeUnknownException.
 */
final class DualWrite {
    private static final Logger log = LoggerFactory.getLogger(DualWrite.class);

    private final Router router;

    DualWrite(Router router) {
        this.router = router;
    }

    /** A row image bound for one mirror shard: null image = delete. */
    private record Image(ShardedTable table, List<Object> primaryKey, Map<String, Object> row) {}

    <T> T run(Key key, SqlWork<T> work, RoutingView view, RoutingView.Route route, java.time.Instant until) {
        ShardId primary = route.primary();
        Phase.Mirror mode = route.mirror().isPresent()
                ? route.mode()
                : view.state.phase().orElseThrow().mirror();
        long start = System.nanoTime();
        Connection p;
        try {
            p = router.connection(primary, view.epoch());
        } catch (SQLException e) {
            router.counters(primary).error();
            throw new ReshardException(
                    "router " + router.routerId() + ": cannot connect to " + primary + ": " + e.getMessage(), e);
        }
        Map<ShardId, Connection> mirrors = new LinkedHashMap<>();
        Map<ShardId, List<Image>> images = new LinkedHashMap<>();
        boolean primaryCommitted = false;
        try {
            p.setAutoCommit(false);
            T result = work.run(p);
            images = changedRows(p, primary, view);
            try {
                for (Map.Entry<ShardId, List<Image>> e : images.entrySet()) {
                    Connection m = router.connection(e.getKey(), view.epoch());
                    mirrors.put(e.getKey(), m);
                    m.setAutoCommit(false);
                    apply(m, e.getKey(), e.getValue(), primary, view);
                }
            } catch (SQLException | RuntimeException mirrorFailure) {
                rollbackAll(mirrors);
                Optional<ShardId> fenced = fencedMirror(mirrorFailure, images.keySet());
                if (fenced.isPresent()) {
                    // The mirror shard is fenced ahead of this router (a cutover): nothing commits;
                    // the router refreshes and retries under the new epoch.
                    p.rollback();
                    throw new Router.FenceRejection(fenced.get(), (SQLException) mirrorFailure);
                }
                if (mode == Phase.Mirror.STRICT) {
                    p.rollback();
                    throw new ReshardException(
                            "router " + router.routerId() + ": write of key " + key
                                    + " was not committed: its mirror on " + images.keySet() + " failed ("
                                    + mirrorFailure.getMessage() + ") while reads are served from there",
                            mirrorFailure);
                }
                images.keySet().forEach(s -> router.counters(s).mirrorFailure());
                log.warn(
                        "router {}: mirror of key {} to {} failed ({}); left to the changelog",
                        router.routerId(),
                        key,
                        images.keySet(),
                        mirrorFailure.getMessage());
                mirrors.clear();
                images.clear();
            }
            router.beforeCommit(primary, until); // a lapsed lease: rolled back below, and retried
            try {
                p.commit();
            } catch (SQLException e) {
                throw new Router.CommitFailed(e); // outcome unknown: never retried
            }
            primaryCommitted = true;
            router.counters(primary).write(System.nanoTime() - start);
            if (mode == Phase.Mirror.BEST_EFFORT && !mirrors.isEmpty()) {
                Map<ShardId, Connection> handed = new LinkedHashMap<>(mirrors);
                Map<ShardId, List<Image>> carried = images;
                mirrors.clear(); // the committer closes them
                router.mirrorCommitter().submit(() -> {
                    try {
                        commitMirrors(handed, carried, key, primary, mode, view);
                    } finally {
                        handed.values().forEach(DualWrite::close);
                    }
                });
            } else {
                commitMirrors(mirrors, images, key, primary, mode, view);
            }
            return result;
        } catch (SQLException e) {
            router.counters(primary).error();
            if (!primaryCommitted) {
                rollback(p);
                rollbackAll(mirrors);
            }
            if (router.sql(primary).isShardKeyChange(e)) {
                throw new ShardKeyChangeException(
                        "router " + router.routerId() + ": write of key " + key + " refused: " + e.getMessage());
            }
            if (router.sql(primary).isFenceRejection(e)) {
                throw new Router.FenceRejection(primary, e);
            }
            if (!primaryCommitted) {
                router.retryIfLapsed(primary, until, e);
            }
            throw new ReshardException(
                    "router " + router.routerId() + ": write of key " + key + " on " + primary + " failed: "
                            + e.getMessage() + " (SQLState " + e.getSQLState() + ")",
                    e);
        } catch (RuntimeException e) {
            if (!primaryCommitted) {
                rollback(p);
                rollbackAll(mirrors);
                if (!(e instanceof Router.FenceRejection)) {
                    router.retryIfLapsed(primary, until, e);
                }
            }
            throw e;
        } finally {
            close(p);
            mirrors.values().forEach(DualWrite::close);
        }
    }

    /** The mirror shard whose fence refused {@code failure}, if that is what it was. */
    private Optional<ShardId> fencedMirror(Exception failure, java.util.Set<ShardId> shards) {
        if (failure instanceof SQLException e) {
            for (ShardId s : shards) {
                if (router.sql(s).isFenceRejection(e)) {
                    return Optional.of(s);
                }
            }
        }
        return Optional.empty();
    }

    /** The images of every row this transaction changed, grouped by the mirror shard they go to. */
    private Map<ShardId, List<Image>> changedRows(Connection p, ShardId primary, RoutingView view) throws SQLException {
        ShardSql sql = router.sql(primary);
        Map<ShardId, List<Image>> out = new LinkedHashMap<>();
        Map<String, ShardedTable> tables = router.tables();
        for (ShardSql.Change change : dedupe(sql.changesOfCurrentTransaction(p))) {
            String name = change.table().toLowerCase(java.util.Locale.ROOT);
            ShardedTable table = tables.get(name.substring(name.lastIndexOf('.') + 1));
            if (table == null) {
                continue; // captured but not declared to this router: catch-up replays it
            }
            int keyAt = table.shardKeyIndexInPrimaryKey();
            if (keyAt >= 0 && change.op() != 'D') {
                // the primary key holds the shard key: route without reading the row
                RoutingView.Route rowRoute =
                        view.route(keyOf(change.primaryKey().get(keyAt), table));
                requireSamePrimary(table, change, rowRoute, primary);
                if (rowRoute.mirror().isEmpty()) {
                    continue;
                }
            }
            Map<String, Object> row = change.op() == 'D' ? null : sql.readRow(p, table, change.primaryKey());
            if (row == null) {
                for (ShardId target : view.targetsOf(primary)) {
                    out.computeIfAbsent(target, k -> new ArrayList<>())
                            .add(new Image(table, change.primaryKey(), null));
                }
                continue;
            }
            RoutingView.Route rowRoute =
                    view.route(keyOf(row.get(table.shardKey().toLowerCase(java.util.Locale.ROOT)), table));
            requireSamePrimary(table, change, rowRoute, primary);
            rowRoute.mirror()
                    .ifPresent(target -> out.computeIfAbsent(target, k -> new ArrayList<>())
                            .add(new Image(table, change.primaryKey(), row)));
        }
        return out;
    }

    private static void requireSamePrimary(
            ShardedTable table, ShardSql.Change change, RoutingView.Route rowRoute, ShardId primary) {
        if (!rowRoute.primary().equals(primary)) {
            throw new ShardKeyChangeException("table " + table.name() + ", primary key " + change.primaryKey()
                    + ": the row now belongs on " + rowRoute.primary() + ", not " + primary
                    + "; changing a row's shard key is not supported, delete the row and insert it under the new key");
        }
    }

    private static List<ShardSql.Change> dedupe(List<ShardSql.Change> changes) {
        Map<String, ShardSql.Change> last = new LinkedHashMap<>();
        for (ShardSql.Change c : changes) {
            String id = c.table() + "\u0000" + c.primaryKey();
            last.remove(id);
            last.put(id, c);
        }
        return new ArrayList<>(last.values());
    }

    private void apply(Connection m, ShardId mirror, List<Image> images, ShardId primary, RoutingView view)
            throws SQLException {
        ShardSql sql = router.sql(mirror);
        for (Image image : images) {
            if (image.row() != null) {
                sql.upsert(m, image.table(), image.row()); // takes the row lock itself
                continue;
            }
            Map<String, Object> existing = sql.lockRow(m, image.table(), image.primaryKey());
            if (existing != null) {
                RoutingView.Route owner = view.route(keyOf(
                        existing.get(image.table().shardKey().toLowerCase(java.util.Locale.ROOT)), image.table()));
                if (owner.primary().equals(primary)
                        && owner.mirror().map(mirror::equals).orElse(false)) {
                    sql.delete(m, image.table(), image.primaryKey());
                }
            }
        }
    }

    private void commitMirrors(
            Map<ShardId, Connection> mirrors,
            Map<ShardId, List<Image>> images,
            Key key,
            ShardId primary,
            Phase.Mirror mode,
            RoutingView view) {
        for (Map.Entry<ShardId, Connection> e : mirrors.entrySet()) {
            try {
                e.getValue().commit();
            } catch (SQLException failure) {
                router.counters(e.getKey()).mirrorFailure();
                if (mode != Phase.Mirror.STRICT) {
                    log.warn(
                            "router {}: mirror commit of key {} on {} failed ({}); left to the changelog",
                            router.routerId(),
                            key,
                            e.getKey(),
                            failure.getMessage());
                    continue;
                }
                resync(e.getKey(), images.get(e.getKey()), key, primary, view, failure);
            }
        }
    }

    /** Sync-from-source for the rows a failed mirror commit carried: re-read under lock, upsert/delete. */
    private void resync(
            ShardId mirror, List<Image> images, Key key, ShardId primary, RoutingView view, SQLException cause) {
        try (Connection p = router.connection(primary, view.epoch());
                Connection m = router.connection(mirror, view.epoch())) {
            p.setAutoCommit(false);
            m.setAutoCommit(false);
            ShardSql ps = router.sql(primary);
            ShardSql ms = router.sql(mirror);
            for (Image image : images) {
                Map<String, Object> current = ps.lockRow(p, image.table(), image.primaryKey());
                ms.lockRow(m, image.table(), image.primaryKey());
                if (current != null) {
                    ms.upsert(m, image.table(), current);
                } else {
                    ms.delete(m, image.table(), image.primaryKey());
                }
            }
            m.commit();
            p.commit();
        } catch (SQLException | RuntimeException again) {
            again.addSuppressed(cause);
            throw new OutcomeUnknownException(
                    "router " + router.routerId() + ": write of key " + key + " committed on " + primary
                            + " but its mirror on " + mirror + ", where reads are served, could not be confirmed ("
                            + again.getMessage()
                            + "); read the key back before retrying",
                    again);
        }
    }

    static Key keyOf(Object value, ShardedTable table) {
        try {
            return Key.ofJdbc(value);
        } catch (IllegalArgumentException e) {
            throw new ReshardException(
                    "table " + table.name() + ": shard key column " + table.shardKey() + ": " + e.getMessage());
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; closing it returns nothing to the pool in use
        }
    }

    private static void rollbackAll(Map<ShardId, Connection> connections) {
        connections.values().forEach(DualWrite::rollback);
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already closed or broken
        }
    }
}
