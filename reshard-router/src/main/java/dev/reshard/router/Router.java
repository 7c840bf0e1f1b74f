package dev.reshard.router;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.RoutingState;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * Propagation: a background task polls the catalog's routing state every pollInterval, loads the
 * maps of a new epoch (cached by version), swaps the immutable RoutingView in one volatile write,
 * then heartbeats the epoch it applied. The barrier (Barrier) waits for every live router to report
 * an epoch before the orchestrator takes its next step.
 *
 * Lease (Lease): the router reads and writes only while its lease holds: the start time of the
 * last successful heartbeat plus the TTL, by the router's own clock and conservative (the catalog
 * records a later expiry). An operation that finds it lapsed refreshes from the catalog first and
 * goes on under the view it gets; a router cut off from the catalog (or with its refresh paused)
 * refuses instead, so an orchestrator that waited the lease out may proceed without it. The check
 * is a volatile read and a clock read; only a lapsed lease costs a catalog round trip.
 *
 * Reads: a read is served only if, when it finished, the lease it started under still held and the
 * view it used was still the router's. Then, for the whole read, the catalog showed this router
 * live at that view's epoch or an older one, so no barrier past that epoch can have completed: the
 * read overlapped at most the one epoch change the phases are designed for. Otherwise (the process
 * stalled mid-read, or the view changed) the read is retried. During a migration a read also
 * reads the table's fence on the shard in the same transaction; a fence ahead of the view means
 * the orchestrator moved on without this router: refresh and retry, as a fenced write does.
 *
 * Fence: each pooled connection carries the epoch of the view it last wrote with, set only when the
 * router's epoch changes. The shard's capture trigger refuses a write with an epoch below the
 * fence (SQLSTATE 40001) inside the write's transaction; the router then refreshes from the catalog
 * and retries. This is what makes a router with a paused refresh harmless. At a cutover the fence
 * is raised before the catalog names the new epoch (the freeze), so a refused write keeps
 * refreshing and retrying, a few ms apart, until the epoch arrives or freezeTimeout passes.
 *
 * Dual-write (DualWrite): the application's work runs once, on the primary; the rows it changed are
 * found through the capture triggers' transaction id and mirrored to the other side.
 */
/**
 * The router an application embeds: sends every read and write to the right shard for the current
 * shard map and the phase of any migration in flight. Thread-safe; one per process is enough.
 *
 * <pre>{@code
 * try (Router router = Router.builder(catalog).shards(pools).table(users).build()) {
 *     long balance = router.read("users", userId, c -> ...);
 *     router.write("users", userId, c -> { ...; return null; });
 * }
 * }</pre>
 */
public final class Router implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final String id;
    private final String host;
    private final Catalog catalog;
    private final ShardSources sources;
    private final Map<String, ShardedTable> tables;
    private final Map<ShardId, ShardSql> sql = new ConcurrentHashMap<>();
    private final Map<ShardId, ShardCounters> counters = new ConcurrentHashMap<>();
    private final Duration pollInterval;
    private final Duration leaseTtl;
    private final Duration freezeTimeout;
    private final Duration idleInTransactionTimeout;
    private final Lease lease;
    private final ScheduledExecutorService poller;
    private final ExecutorService prober;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final Map<Long, ShardMap> maps = new ConcurrentHashMap<>();
    private final Map<Object, Long> connectionEpochs = Collections.synchronizedMap(new WeakHashMap<>());
    private final DualWrite dualWrite;
    private final MirrorCommitter mirrorCommitter;

    private volatile RoutingView view;
    /** The newest published map this router has seen; its shards are opened and reported too. */
    private volatile ShardMap newestMap;
    /** System.nanoTime() of the last refresh that failed, 0 after one succeeds. */
    private volatile long refreshFailedAt;

    private volatile boolean refreshPaused;
    private volatile boolean closed;

    private Router(Builder b) {
        this.id = b.id;
        this.host = b.host;
        this.catalog = b.catalog;
        this.sources = b.connector != null
                ? ShardSources.fromCatalog(b.id, b.catalog, b.connector)
                : ShardSources.fixed(b.id, Map.copyOf(b.shards));
        Map<String, ShardedTable> byName = new LinkedHashMap<>();
        b.tables.values().forEach(t -> byName.put(t.name().toLowerCase(java.util.Locale.ROOT), t));
        this.tables = Map.copyOf(byName);
        this.pollInterval = b.pollInterval;
        this.leaseTtl = b.leaseTtl;
        this.freezeTimeout = b.freezeTimeout;
        this.idleInTransactionTimeout = b.idleInTransactionTimeout != null ? b.idleInTransactionTimeout : b.leaseTtl;
        this.lease = new Lease(b.leaseTtl, b.clock);
        this.dualWrite = new DualWrite(this);
        this.mirrorCommitter = new MirrorCommitter(id, 2);
        this.prober = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "reshard-router-" + id + "-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            refresh();
            if (b.connector != null && b.preflight) {
                sources.probe(named(view));
                b.preflight(sources.dataSources());
            }
        } catch (RuntimeException e) {
            prober.shutdownNow();
            mirrorCommitter.close();
            sources.close();
            try {
                catalog.removeRouter(id);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reshard-router-" + id);
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::poll, pollInterval.toNanos(), pollInterval.toNanos(), TimeUnit.NANOSECONDS);
    }

    public static Builder builder(Catalog catalog) {
        return new Builder(catalog);
    }

    // ------------------------------------------------------------ the API

    public <T> T write(String table, long key, SqlWork<T> work) {
        return write(table, Key.of(key), work);
    }

    public <T> T write(String table, String key, SqlWork<T> work) {
        return write(table, Key.of(key), work);
    }

    public <T> T write(String table, UUID key, SqlWork<T> work) {
        return write(table, Key.of(key), work);
    }

    /**
     * Runs {@code work} as one write transaction for {@code key}: on its shard, or during a
     * migration on the primary with the changed rows mirrored as the phase says.
     */
    public <T> T write(String table, Key key, SqlWork<T> work) {
        ShardedTable t = table(table);
        long deadline = 0;
        while (true) {
            Instant until = requireLease("writes");
            RoutingView v = enterView();
            FenceRejection rejected;
            try {
                return writeOnce(t, key, work, v, until);
            } catch (FenceRejection e) {
                rejected = e;
            } finally {
                v.exit();
            }
            // The shard's fence is ahead of this router: refresh and retry. During a cutover freeze
            // the fence is raised before the catalog publishes the epoch it names, so the refresh
            // may not bring it yet: wait (briefly, repeatedly) until it does or the freeze timeout
            // passes. Nothing was committed by the refused attempt.
            deadline = afterFence(rejected, v, "write", key, deadline);
        }
    }

    /**
     * After a fence rejection: refreshes (waiting a little between attempts once the first one did
     * not help) and returns the retry deadline, or throws once it has passed.
     */
    private long afterFence(FenceRejection rejected, RoutingView v, String what, Key key, long deadline) {
        long now = System.nanoTime();
        if (deadline == 0) {
            deadline = now + freezeTimeout.toNanos();
            log.info(
                    "router {}: shard {} fenced epoch {} ({}); refreshing and retrying",
                    id,
                    rejected.shard,
                    v.epoch(),
                    rejected.getMessage());
        } else if (now - deadline > 0) {
            throw new ReshardException(
                    "router " + id + ": shard " + rejected.shard + " refused the " + what + " of key " + key + " for "
                            + freezeTimeout.toMillis() + " ms: " + rejected.getMessage()
                            + "; the shard's fence is ahead of the catalog's routing epoch " + view.epoch()
                            + " (a cutover whose orchestrator stopped? resume or roll back the migration)",
                    rejected);
        } else {
            LockSupport.parkNanos(Math.min(pollInterval.toNanos(), 20_000_000L));
        }
        refresh();
        return deadline;
    }

    /**
     * The current view, registered as having one more write in flight. Re-checked after
     * registering, so that a refresh that swapped the view in between waits for this write or this
     * write runs under the new view.
     */
    private RoutingView enterView() {
        while (true) {
            RoutingView v = view;
            v.enter();
            if (view == v) {
                return v;
            }
            v.exit();
        }
    }

    public <T> T read(String table, long key, SqlWork<T> work) {
        return read(table, Key.of(key), work);
    }

    public <T> T read(String table, String key, SqlWork<T> work) {
        return read(table, Key.of(key), work);
    }

    public <T> T read(String table, UUID key, SqlWork<T> work) {
        return read(table, Key.of(key), work);
    }

    /**
     * Runs {@code work} in a read transaction on the shard that serves reads of {@code key}. The
     * work may run more than once: a read that cannot be shown to be current (see the design notes)
     * is retried; keep it free of side effects.
     */
    public <T> T read(String table, Key key, SqlWork<T> work) {
        ShardedTable t = table(table);
        long deadline = 0;
        while (true) {
            Instant until = requireLease("reads");
            RoutingView v = view;
            RoutingView.Route route = v.route(key);
            ShardId shard = route.read();
            if (!shard.equals(route.primary()) && mirrorCommitter.pending() > 0) {
                // Reads moved to the mirror side (READ_NEW) while best-effort mirror commits of the
                // previous epoch are still landing: wait for them, so this router reads its own writes.
                mirrorCommitter.drain();
            }
            long start = System.nanoTime();
            T result;
            try {
                result = readOnce(shard, t, v, work);
            } catch (FenceRejection e) {
                deadline = afterFence(e, v, "read", key, deadline);
                continue;
            } catch (SQLException e) {
                counters(shard).error();
                if (view != v) {
                    continue; // e.g. the shard's pool was closed under a view that no longer names it
                }
                throw new ReshardException(
                        "router " + id + ": read of key " + key + " on " + shard + " failed: " + e.getMessage(), e);
            }
            if (view == v && lease.holds(until)) {
                counters(shard).read(System.nanoTime() - start);
                return result;
            }
            // The view changed or the lease lapsed while the read ran (a stalled process): the
            // orchestrator may have moved on; read again under what the router has now.
        }
    }

    private <T> T readOnce(ShardId shard, ShardedTable table, RoutingView v, SqlWork<T> work) throws SQLException {
        if (v.to.isEmpty()) {
            return inTransaction(shard, v.epoch(), work);
        }
        try (Connection c = connection(shard, v.epoch())) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                long fence = sql(shard).fenceEpoch(c, table, v.epoch());
                c.commit();
                if (fence > v.epoch()) {
                    throw new FenceRejection(
                            shard,
                            new SQLException("reshard fence: map epoch " + v.epoch() + " is older than the fence "
                                    + fence + " on table " + table.name()
                                    + " (read); refresh the shard map and retry"));
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Runs {@code work} on every shard of the current map (and the target map, if migrating). */
    public <T> Map<ShardId, T> scatter(SqlWork<T> work) {
        requireLease("reads");
        RoutingView v = view;
        Set<ShardId> all = new LinkedHashSet<>(v.from.shards());
        v.to.ifPresent(m -> all.addAll(m.shards()));
        Map<ShardId, T> out = new LinkedHashMap<>();
        for (ShardId shard : all) {
            try (Connection c = connection(shard, v.epoch())) {
                out.put(shard, work.run(c));
            } catch (SQLException e) {
                counters(shard).error();
                throw new ReshardException(
                        "router " + id + ": scatter query on " + shard + " failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The routing epoch this router applied. */
    public long appliedEpoch() {
        return view.epoch();
    }

    /** The routing state this router applied. */
    public RoutingState routing() {
        return view.state;
    }

    public String id() {
        return id;
    }

    /** Per-shard counters of this router. */
    public Map<ShardId, ShardCounters.Snapshot> counters() {
        Map<ShardId, ShardCounters.Snapshot> out = new LinkedHashMap<>();
        counters.forEach((k, c) -> out.put(k, c.snapshot()));
        return out;
    }

    /** Loads the latest routing state from the catalog now and heartbeats it. */
    public synchronized void refresh() {
        try {
            refreshNow();
            refreshFailedAt = 0;
        } catch (RuntimeException e) {
            refreshFailedAt = Math.max(1, System.nanoTime());
            throw e;
        }
    }

    private void refreshNow() {
        Instant started = lease.now();
        RoutingState state = catalog.currentRouting().orElseGet(() -> {
            long v = catalog.currentVersion();
            if (v == 0) {
                throw new ReshardException("router " + id + ": the catalog has no shard map; publish one first");
            }
            return RoutingState.stable(0, v);
        });
        long newest = catalog.currentVersion();
        if (newestMap == null || newestMap.version() != newest) {
            newestMap = map(newest);
        }
        if (view == null || state.epoch() != view.epoch()) {
            ShardMap from = map(state.mapVersion());
            Optional<ShardMap> to = state.targetVersion().isPresent()
                    ? Optional.of(map(state.targetVersion().getAsLong()))
                    : Optional.empty();
            RoutingView next = new RoutingView(state, from, to);
            sources.openFor(named(next));
            RoutingView old = view;
            view = next;
            // Report the new epoch only when nothing of the old one is left: its writes have
            // finished and their best-effort mirrors have landed (DualWrite, point 6).
            // A write of the old view may be waiting on a shard's locks (behind a fence raise, say):
            // meanwhile keep the lease with the old epoch, so the wait never lapses it.
            while (old != null && !old.awaitQuiescent(pollInterval.toNanos())) {
                Instant beat = lease.now();
                catalog.heartbeat(id, host, old.epoch(), leaseTtl);
                lease.renew(beat);
            }
            mirrorCommitter.drain();
            log.info("router {}: applied {}", id, state);
        }
        Set<ShardId> named = named(view);
        sources.openFor(named);
        sources.closeExcept(named);
        catalog.heartbeat(id, host, view.epoch(), leaseTtl, sources.report(newest, named));
        lease.renew(started);
        probeLater(named);
    }

    /** The shards of the view's maps and of the newest published map: those to keep open. */
    private Set<ShardId> named(RoutingView v) {
        Set<ShardId> out = new LinkedHashSet<>(v.from.shards());
        v.to.ifPresent(m -> out.addAll(m.shards()));
        ShardMap newest = newestMap;
        if (newest != null) {
            out.addAll(newest.shards());
        }
        return out;
    }

    /** Tries to reach the shards not known to be reachable, on the probe thread, one run at a time. */
    private void probeLater(Set<ShardId> named) {
        if (closed || !probing.compareAndSet(false, true)) {
            return;
        }
        try {
            prober.execute(() -> {
                try {
                    sources.probe(named);
                } finally {
                    probing.set(false);
                }
            });
        } catch (RuntimeException e) {
            probing.set(false);
        }
    }

    private void poll() {
        if (refreshPaused || closed) {
            return;
        }
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn(
                    "router {}: cannot refresh from the catalog ({}); lease valid until {}",
                    id,
                    e.getMessage(),
                    lease.validUntil());
        }
    }

    /**
     * Waits until every best-effort mirror commit this router has started has finished. Mirrors
     * before READ_NEW commit after the request returns; the router also drains them before it
     * applies a new routing epoch.
     */
    public void awaitMirrors() {
        mirrorCommitter.drain();
    }

    /**
     * Stops (or resumes) polling the catalog, as a paused or partitioned process would; writes go
     * on with the map it has, and a shard's fence sends them back through {@link #refresh()}. For
     * fault-injection tests and drills; an application never needs it.
     */
    public void pauseRefresh(boolean paused) {
        this.refreshPaused = paused;
    }

    /** How many DataSources this router opened for shards a map named, and closed once none did. */
    public PoolCounts pools() {
        return new PoolCounts(
                sources.kind().name().toLowerCase(java.util.Locale.ROOT), sources.opened(), sources.closed());
    }

    /**
     * The router's DataSource bookkeeping: {@code source} is "catalog" (opened from the catalog's
     * settings) or "fixed" (given by the application; then both counts stay 0).
     */
    public record PoolCounts(String source, long opened, long closed) {}

    @Override
    public void close() {
        closed = true;
        poller.shutdownNow();
        prober.shutdownNow();
        mirrorCommitter.close();
        sources.close();
        try {
            catalog.removeRouter(id);
        } catch (RuntimeException e) {
            log.warn("router {}: could not deregister ({}); its lease will lapse", id, e.getMessage());
        }
    }

    // ------------------------------------------------------------ internals

    private <T> T writeOnce(ShardedTable table, Key key, SqlWork<T> work, RoutingView v, Instant until) {
        RoutingView.Route route = v.route(key);
        if (route.mirror().isPresent() || v.mirrors(route.primary())) {
            return dualWrite.run(key, work, v, route, until);
        }
        ShardId shard = route.primary();
        long start = System.nanoTime();
        try {
            T result = inTransaction(shard, v.epoch(), work, c -> beforeCommit(shard, until));
            counters(shard).write(System.nanoTime() - start);
            return result;
        } catch (SQLException e) {
            counters(shard).error();
            if (sql(shard).isShardKeyChange(e)) {
                throw new ShardKeyChangeException(
                        "router " + id + ": write of key " + key + " refused: " + e.getMessage());
            }
            if (sql(shard).isFenceRejection(e)) {
                throw new FenceRejection(shard, e);
            }
            retryIfLapsed(shard, until, e);
            throw new ReshardException(
                    "router " + id + ": write of key " + key + " on " + shard + " failed: " + e.getMessage()
                            + " (SQLState " + e.getSQLState() + ")",
                    e);
        } catch (FenceRejection e) {
            throw e;
        } catch (RuntimeException e) {
            retryIfLapsed(shard, until, e);
            throw e;
        }
    }

    /**
     * A write's work failed (and was rolled back) after its lease lapsed: it may have run against
     * a placement the orchestrator has moved past (an UPDATE that found no row on the old shard,
     * say), so its failure says nothing about the key. Retried like a fenced write instead.
     */
    void retryIfLapsed(ShardId shard, Instant until, Exception failure) {
        if (failure instanceof CommitFailed) {
            return; // the server may have committed it: retrying could apply it twice
        }
        if (!lease.holds(until)) {
            FenceRejection retry = new FenceRejection(
                    shard,
                    new SQLException("router " + id + ": its lease lapsed while the write ran (the process stalled);"
                            + " its failure (" + failure.getMessage() + ") may come from a stale placement;"
                            + " retrying under the current routing"));
            retry.addSuppressed(failure);
            throw retry;
        }
    }

    /** Runs {@code work} in one transaction on {@code shard}: commit on return, roll back on a throw. */
    private <T> T inTransaction(ShardId shard, long epoch, SqlWork<T> work) throws SQLException {
        return inTransaction(shard, epoch, work, c -> {});
    }

    /** As above, with {@code check} run in the transaction just before the commit. */
    private <T> T inTransaction(ShardId shard, long epoch, SqlWork<T> work, PreCommit check) throws SQLException {
        try (Connection c = connection(shard, epoch)) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                check.run(c);
                try {
                    c.commit();
                } catch (SQLException e) {
                    throw new CommitFailed(e);
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
        }
    }

    /** A commit that failed: its outcome is unknown (the server may have committed), so never retried. */
    static final class CommitFailed extends SQLException {
        private static final long serialVersionUID = 1L;

        CommitFailed(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
        }
    }

    /** A check a write runs in its transaction just before it commits. */
    @FunctionalInterface
    interface PreCommit {
        void run(Connection c) throws SQLException;
    }

    /**
     * Before a write commits: if the lease it started under has lapsed (the process stalled inside
     * the transaction: a SIGSTOP, a long pause), the orchestrator may have gone past its epoch
     * without waiting for it (the barrier waits for live routers only) — even finished the
     * migration and removed the fences, so no fence would refuse it. The write is not committed:
     * it is rolled back and retried under the routing the router has after a refresh (as a write a
     * fence refused). Where the engine's fence raise waits for writes in flight (PostgreSQL,
     * MariaDB) the lapsed router's transaction is ended or refused anyway; this check is what
     * protects a shard whose raise does not wait (H2), except for a stall between the check and
     * the commit.
     */
    void beforeCommit(ShardId shard, Instant until) {
        if (!lease.holds(until)) {
            throw new FenceRejection(
                    shard,
                    new SQLException("router " + id + ": its lease lapsed while the write ran (the process stalled);"
                            + " not committed, retrying under the current routing"));
        }
    }

    /**
     * Returns the lease deadline the operation runs under. A lapsed lease is renewed by a refresh
     * first, unless the refresh is paused or failed less than a poll interval ago (then the
     * operation is refused at once, rather than every request waiting on a catalog that is away).
     */
    Instant requireLease(String what) {
        Lease.Reading r = lease.read();
        if (r.valid()) {
            return r.until();
        }
        long failedAt = refreshFailedAt;
        boolean recentlyFailed = failedAt != 0 && System.nanoTime() - failedAt < pollInterval.toNanos();
        if (!refreshPaused && !closed && !recentlyFailed) {
            try {
                refresh();
            } catch (RuntimeException e) {
                LeaseExpiredException refused = lease.lapsed(id, what, lease.read());
                refused.addSuppressed(e);
                throw refused;
            }
            r = lease.read();
            if (r.valid()) {
                return r.until();
            }
        }
        throw lease.lapsed(id, what, r);
    }

    /** A pooled connection to {@code shard} tagged with {@code epoch} (set only when it changed). */
    Connection connection(ShardId shard, long epoch) throws SQLException {
        ShardSources.Source source = sources.source(shard);
        Connection c;
        try {
            c = source.dataSource.getConnection();
        } catch (SQLException e) {
            source.failed(e);
            throw e;
        }
        source.reached();
        try {
            Object physical = physical(c);
            Long tagged = connectionEpochs.get(physical);
            if (tagged == null || tagged != epoch) {
                if (tagged == null) {
                    sql(shard).tagSession(c, id, idleInTransactionTimeout);
                }
                sql(shard).setEpoch(c, epoch);
                connectionEpochs.put(physical, epoch);
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static Object physical(Connection c) {
        try {
            return c.isWrapperFor(Connection.class) ? c.unwrap(Connection.class) : c;
        } catch (SQLException e) {
            return c;
        }
    }

    ShardSql sql(ShardId shard) {
        return sql.computeIfAbsent(shard, s -> {
            try (Connection c = sources.source(s).dataSource.getConnection()) {
                return ShardSql.forConnection(c);
            } catch (SQLException e) {
                throw new ReshardException("router " + id + ": cannot reach shard " + s + ": " + e.getMessage(), e);
            }
        });
    }

    ShardCounters counters(ShardId shard) {
        return counters.computeIfAbsent(shard, s -> new ShardCounters());
    }

    ShardedTable table(String name) {
        ShardedTable t = name == null ? null : tables.get(name.toLowerCase(java.util.Locale.ROOT));
        if (t == null) {
            throw InvalidInputException.of(
                    "table",
                    name,
                    "is not a sharded table of this router",
                    "declare it with Router.builder().table(...); known: " + tables.keySet());
        }
        return t;
    }

    Map<String, ShardedTable> tables() {
        return tables;
    }

    MirrorCommitter mirrorCommitter() {
        return mirrorCommitter;
    }

    String routerId() {
        return id;
    }

    private ShardMap map(long version) {
        return maps.computeIfAbsent(version, catalog::map);
    }

    /** A write refused by a shard's fence; carries the shard for the log line. */
    static final class FenceRejection extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final ShardId shard;

        FenceRejection(ShardId shard, SQLException cause) {
            super(cause.getMessage(), cause);
            this.shard = shard;
        }
    }

    /** Configures a router. */
    public static final class Builder {
        private final Catalog catalog;
        private final Map<ShardId, DataSource> shards = new LinkedHashMap<>();
        private ShardConnector connector;
        private Duration idleInTransactionTimeout;
        private final Map<String, ShardedTable> tables = new LinkedHashMap<>();
        private String id = "router-" + UUID.randomUUID().toString().substring(0, 8);
        private String host = hostName();
        private Duration pollInterval = Duration.ofMillis(200);
        private Duration leaseTtl = Duration.ofSeconds(10);
        private Duration freezeTimeout = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();
        private boolean preflight = true;

        private Builder(Catalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
        }

        public Builder shard(ShardId shard, DataSource dataSource) {
            shards.put(Objects.requireNonNull(shard, "shard"), Objects.requireNonNull(dataSource, "dataSource"));
            return this;
        }

        public Builder shards(Map<ShardId, ? extends DataSource> all) {
            all.forEach(this::shard);
            return this;
        }

        /**
         * Learn shards from the catalog: open a DataSource with {@code connector} for each shard the
         * first time a published map or the routing state names it, and close it once none does.
         * Adding a shard then needs no restart. Use instead of {@link #shards}; e.g. {@code
         * connector(ShardPools.connector(10))}.
         */
        public Builder connector(ShardConnector connector) {
            this.connector = Objects.requireNonNull(connector, "connector");
            return this;
        }

        /**
         * PostgreSQL shards: the router's sessions carry {@code idle_in_transaction_session_timeout}
         * of this (default: the lease TTL), so a frozen application instance cannot hold row locks
         * that stall a migration and the other instances for longer. Zero turns it off.
         */
        public Builder idleInTransactionTimeout(Duration timeout) {
            InvalidInputException.require(
                    !timeout.isNegative(),
                    "router.idleInTransactionTimeout",
                    timeout,
                    "is negative",
                    "use a duration longer than the application's longest transaction, or 0 to turn it off");
            this.idleInTransactionTimeout = timeout;
            return this;
        }

        public Builder table(ShardedTable table) {
            if (tables.putIfAbsent(table.name(), table) != null) {
                throw InvalidInputException.of(
                        "tables", table.name(), "is declared twice", "declare each sharded table once");
            }
            return this;
        }

        public Builder id(String id) {
            InvalidInputException.require(
                    id != null && id.matches("[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}"),
                    "router.id",
                    id,
                    "is not a valid router id",
                    "use letters, digits, '_', '-', '.' or ':'");
            this.id = id;
            return this;
        }

        public Builder pollInterval(Duration interval) {
            InvalidInputException.require(
                    !interval.isNegative() && !interval.isZero() && interval.compareTo(Duration.ofMinutes(1)) <= 0,
                    "router.pollInterval",
                    interval,
                    "is out of range",
                    "use between 1 ms and 1 minute; the default is 200 ms");
            this.pollInterval = interval;
            return this;
        }

        public Builder leaseTtl(Duration ttl) {
            InvalidInputException.require(
                    ttl.compareTo(pollInterval.multipliedBy(3)) >= 0,
                    "router.leaseTtl",
                    ttl,
                    "is shorter than three poll intervals ("
                            + pollInterval.multipliedBy(3).toMillis() + " ms)",
                    "use a lease of several poll intervals, e.g. 10s");
            this.leaseTtl = ttl;
            return this;
        }

        /**
         * How long a write refused by a shard's fence keeps refreshing and retrying while the
         * catalog has not yet published the epoch the fence names (a cutover freeze); default 10 s.
         */
        public Builder freezeTimeout(Duration timeout) {
            InvalidInputException.require(
                    !timeout.isNegative() && !timeout.isZero(),
                    "router.freezeTimeout",
                    timeout,
                    "must be positive",
                    "use a few seconds, longer than a cutover's budget; the default is 10s");
            this.freezeTimeout = timeout;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Skips the schema pre-flight at {@link #build()} (for a process that must start while a
         * shard is down). The pre-flight is on by default.
         */
        public Builder skipPreflight() {
            this.preflight = false;
            return this;
        }

        /**
         * Builds the router. Unless skipped, first checks that every shard has every declared table
         * with the same columns, types and primary key, and refuses to start naming each mismatch.
         */
        public Router build() {
            InvalidInputException.require(
                    !tables.isEmpty(), "tables", "[]", "is empty", "declare the sharded tables the router serves");
            InvalidInputException.require(
                    connector == null || shards.isEmpty(),
                    "shards",
                    shards.keySet(),
                    "are given along with a connector",
                    "give either fixed DataSources (shard/shards) or a connector, not both");
            InvalidInputException.require(
                    connector != null || !shards.isEmpty(),
                    "shards",
                    "[]",
                    "is empty",
                    "give a connector (e.g. ShardPools.connector(10)) or a DataSource for every shard of the map");
            if (preflight && connector == null) {
                preflight(shards);
            }
            return new Router(this);
        }

        private void preflight(Map<ShardId, DataSource> dataSources) {
            List<String> problems = Preflight.problems(tables.values(), dataSources);
            if (!problems.isEmpty()) {
                throw new ReshardException("router " + id + ": the shards' schemas do not match ("
                        + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  - "
                        + String.join("\n  - ", problems)
                        + "\nfix the schemas, or start with skipPreflight() while a shard is down");
            }
        }

        private static String hostName() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                return "unknown";
            }
        }
    }
}
