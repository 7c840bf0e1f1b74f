package dev.reshard.router;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.RouterRegistration;
import dev.reshard.core.ShardId;
import dev.reshard.jdbc.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A router's sessions on the shards, found by the PostgreSQL application name every router session
 * carries ({@link #applicationName}). Ending the sessions of a router whose lease has lapsed is
 * safe: the shards' fences already refuse its writes, and its lease makes it refuse to serve until
 * it reaches the catalog again; but a frozen process's open transactions hold row locks that
 * would stall the migration's fence raise and, queued behind it, every other instance.
 *
 * <p>Do not use it on routers that are live: their requests fail. PostgreSQL only (elsewhere it
 * ends nothing); the database user needs the right to signal those backends (the same role, or
 * {@code pg_signal_backend}).
 */
public final class RouterSessions {
    private static final Logger log = LoggerFactory.getLogger(RouterSessions.class);
    /** PostgreSQL keeps 63 bytes of an application name. */
    private static final int MAX_NAME = 63;

    private RouterSessions() {}

    /** The application name of the sessions of router {@code routerId}. */
    public static String applicationName(String routerId) {
        String name = "reshard-router:" + routerId;
        return name.length() <= MAX_NAME ? name : name.substring(0, MAX_NAME);
    }

    /**
     * Ends, on every shard of {@code shards}, the sessions of every registered router whose lease
     * has lapsed in the catalog; returns the number ended per router id (routers with none left
     * out). One statement per PostgreSQL shard. Call it before raising a fence, and when a fence
     * raise timed out waiting for locks.
     */
    public static Map<String, Integer> endLapsed(Catalog catalog, Map<ShardId, DataSource> shards) throws SQLException {
        Instant now = catalog.now();
        Map<String, RouterRegistration> byName = new LinkedHashMap<>();
        for (RouterRegistration r : catalog.routers()) {
            if (!r.isLive(now)) {
                byName.put(applicationName(r.id()), r);
            }
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        if (byName.isEmpty()) {
            return out;
        }
        for (Map.Entry<ShardId, DataSource> shard : shards.entrySet()) {
            try (Connection c = shard.getValue().getConnection()) {
                if (Engine.detect(c) != Engine.POSTGRESQL) {
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT application_name,"
                        + " count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid))"
                        + " FROM pg_catalog.pg_stat_activity"
                        + " WHERE application_name = ANY (?) AND pid <> pg_catalog.pg_backend_pid()"
                        + " GROUP BY application_name")) {
                    ps.setArray(1, c.createArrayOf("text", byName.keySet().toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            RouterRegistration r = byName.get(rs.getString(1));
                            int ended = rs.getInt(2);
                            if (r == null || ended == 0) {
                                continue;
                            }
                            log.warn(
                                    "ended {} session(s) of router {}@{} on {}: its lease lapsed at {}",
                                    ended,
                                    r.id(),
                                    r.host(),
                                    shard.getKey(),
                                    r.leaseExpiresAt());
                            out.merge(r.id(), ended, Integer::sum);
                        }
                    }
                }
            }
        }
        return out;
    }
}
