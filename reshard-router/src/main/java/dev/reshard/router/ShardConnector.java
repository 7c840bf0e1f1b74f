package dev.reshard.router;

import dev.reshard.catalog.ShardConfig;
import javax.sql.DataSource;

/**
 * Opens a DataSource for a shard from the catalog's settings for it. A router built with one
 * ({@link Router.Builder#connector(ShardConnector)}, or {@link ShardPools#connector(int)}) learns
 * shards from the catalog: it opens a DataSource the first time a published map or routing state
 * names a shard, and closes it (when it is {@link AutoCloseable}) once no map names the shard any
 * more. So adding a shard restarts no application.
 *
 * <p>Supply your own for pools built your way; resolve the password with {@code
 * shard.password().resolve()} and never log it. Called from the router's background thread, never
 * on a request.
 */
@FunctionalInterface
public interface ShardConnector {

    /**
     * A DataSource for {@code shard}; {@code routerId} may name its connections (e.g. a pool name
     * or a PostgreSQL application name). Throw, with a message fit to show an operator and no
     * secret in it, when the settings cannot be used (e.g. the password's environment variable is
     * not set): the router reports it in its heartbeat.
     */
    DataSource open(ShardConfig shard, String routerId);
}
