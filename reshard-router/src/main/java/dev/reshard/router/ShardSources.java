package dev.reshard.router;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.RouterRegistration;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.catalog.ShardReach;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * Two kinds. FIXED: the application gave the router its DataSources; nothing is opened or closed
 * here, and a shard missing from them is reported (the engine's pre-flight and barrier refuse to
 * go on without it). CATALOG: a ShardConnector opens a DataSource from the catalog's settings the
 * first time a published map or the routing state names a shard, and closes it once none names
 * the shard (after the view that used it has no write left in flight).
 *
 * Opening and closing run on the router's refresh (its background thread, or a request that
 * refreshes after a fence rejection or a lapsed lease); connection probes run on a thread of their
 * own, so a shard that does not answer never delays the heartbeat. The request path reads one
 * ConcurrentHashMap entry and, once per successful connection, one volatile boolean.
 */
/** The DataSources a router uses, per shard, and what it last knew about reaching each. */
final class ShardSources implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardSources.class);

    private final String routerId;
    private final Catalog catalog;
    private final ShardConnector connector;
    private final Map<ShardId, Source> open = new ConcurrentHashMap<>();
    private final Map<ShardId, String> missing = new ConcurrentHashMap<>();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();

    /** One shard's DataSource and the outcome of the last connection attempt to it. */
    static final class Source {
        final DataSource dataSource;
        private volatile boolean reachable;
        private volatile String problem = "no connection attempted yet";

        Source(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        void reached() {
            if (!reachable) {
                reachable = true;
                problem = "";
            }
        }

        void failed(SQLException e) {
            reachable = false;
            problem = "last connection attempt failed: " + e.getMessage();
        }

        boolean reachable() {
            return reachable;
        }
    }

    private ShardSources(String routerId, Catalog catalog, ShardConnector connector, Map<ShardId, DataSource> fixed) {
        this.routerId = routerId;
        this.catalog = catalog;
        this.connector = connector;
        fixed.forEach((k, v) -> open.put(k, new Source(v)));
    }

    static ShardSources fixed(String routerId, Map<ShardId, DataSource> dataSources) {
        return new ShardSources(routerId, null, null, dataSources);
    }

    static ShardSources fromCatalog(String routerId, Catalog catalog, ShardConnector connector) {
        return new ShardSources(routerId, catalog, connector, Map.of());
    }

    RouterRegistration.Source kind() {
        return connector == null ? RouterRegistration.Source.FIXED : RouterRegistration.Source.CATALOG;
    }

    /** The shard's source, or a refusal that says why the router has none. */
    Source source(ShardId shard) {
        Source s = open.get(shard);
        if (s == null) {
            throw new ReshardException(
                    "router " + routerId + ": no connection settings for shard " + shard + "; " + whyMissing(shard));
        }
        return s;
    }

    private String whyMissing(ShardId shard) {
        if (connector == null) {
            return "give the router a DataSource for every shard of the map, or build it with a ShardConnector"
                    + " (e.g. ShardPools.connector(n)) so that it learns shards from the catalog";
        }
        return missing.getOrDefault(shard, "no map this router has seen names it yet");
    }

    /** The DataSources open now (for the schema pre-flight). */
    Map<ShardId, DataSource> dataSources() {
        Map<ShardId, DataSource> out = new LinkedHashMap<>();
        open.forEach((k, v) -> out.put(k, v.dataSource));
        return out;
    }

    /** Opens a DataSource for every shard of {@code named} that has none (catalog kind only). */
    void openFor(Set<ShardId> named) {
        if (connector == null) {
            return;
        }
        for (ShardId shard : named) {
            if (open.containsKey(shard)) {
                continue;
            }
            Optional<ShardConfig> config = catalog.shard(shard);
            if (config.isEmpty()) {
                missing.put(shard, "the catalog has no settings for it; register the shard in the catalog");
                continue;
            }
            try {
                DataSource ds = connector.open(config.get(), routerId);
                open.put(shard, new Source(ds));
                missing.remove(shard);
                opened.incrementAndGet();
                log.info("router {}: opened a DataSource for shard {}", routerId, shard);
            } catch (RuntimeException e) {
                missing.put(shard, "its settings cannot be used: " + e.getMessage());
                log.warn("router {}: cannot open a DataSource for shard {}: {}", routerId, shard, e.getMessage());
            }
        }
    }

    /** Closes the DataSources of shards not in {@code named} (catalog kind only); returns how many. */
    int closeExcept(Set<ShardId> named) {
        if (connector == null) {
            return 0;
        }
        int n = 0;
        for (ShardId shard : List.copyOf(open.keySet())) {
            if (named.contains(shard)) {
                continue;
            }
            Source s = open.remove(shard);
            if (s != null) {
                closeQuietly(shard, s.dataSource);
                closed.incrementAndGet();
                n++;
                log.info("router {}: closed the DataSource of shard {}: no map names it any more", routerId, shard);
            }
        }
        missing.keySet().retainAll(named);
        return n;
    }

    /** Tries one connection to each shard of {@code named} not known to be reachable. */
    void probe(Set<ShardId> named) {
        for (ShardId shard : named) {
            Source s = open.get(shard);
            if (s == null || s.reachable()) {
                continue;
            }
            try (Connection c = s.dataSource.getConnection()) {
                if (c.isValid(5)) {
                    s.reached();
                }
            } catch (SQLException e) {
                s.failed(e);
            } catch (RuntimeException e) {
                s.failed(new SQLException(e.getMessage(), e));
            }
        }
    }

    /** The heartbeat's report on the shards of {@code named}. */
    RouterRegistration.ShardsReport report(long knownMapVersion, Set<ShardId> named) {
        List<ShardReach> out = new ArrayList<>();
        for (ShardId shard : named) {
            Source s = open.get(shard);
            if (s == null) {
                out.add(new ShardReach(shard, false, false, "no connection settings: " + whyMissing(shard)));
            } else {
                out.add(new ShardReach(shard, true, s.reachable(), s.reachable() ? "" : s.problem));
            }
        }
        return new RouterRegistration.ShardsReport(kind(), knownMapVersion, out);
    }

    long opened() {
        return opened.get();
    }

    long closed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (connector == null) {
            return;
        }
        for (ShardId shard : List.copyOf(open.keySet())) {
            Source s = open.remove(shard);
            if (s != null) {
                closeQuietly(shard, s.dataSource);
            }
        }
    }

    private void closeQuietly(ShardId shard, DataSource ds) {
        if (ds instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("router {}: closing the DataSource of shard {} failed: {}", routerId, shard, e.getMessage());
            }
        }
    }
}
