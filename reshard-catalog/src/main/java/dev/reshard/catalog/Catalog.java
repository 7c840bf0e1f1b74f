package dev.reshard.catalog;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.migration.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reshard's durable metadata: shards, shard map versions, the directory, migrations with their
 * checkpoints, router registrations and stats history. Every method is one catalog transaction.
 * Compare-and-set operations throw {@link CatalogConflictException} when they lose.
 *
 * @see Catalogs
 */
public interface Catalog extends AutoCloseable {

    // ------------------------------------------------------------ shards

    /** Adds a shard; refuses an id that exists. */
    void addShard(ShardConfig shard);

    List<ShardConfig> shards();

    Optional<ShardConfig> shard(ShardId id);

    /**
     * Replaces the settings of a shard the catalog holds (URL, user, password reference,
     * capacity); refuses an id it does not hold. That the new settings reach the same database is
     * the caller's to check: the catalog cannot.
     */
    void updateShard(ShardConfig shard);

    /**
     * Removes a shard that nothing in use names: not the current map, not the maps of the current
     * routing state, not the maps of a migration that has not ended. Refuses, removing nothing,
     * naming what still names it.
     */
    void removeShard(ShardId id);

    // ------------------------------------------------------------ maps

    /** The highest published version, 0 when none is. */
    long currentVersion();

    /** The highest published map. */
    Optional<ShardMap> currentMap();

    /** A published map version; refuses a version that was never published. */
    ShardMap map(long version);

    /**
     * Publishes {@code map}, whose version must be {@code expectedCurrent + 1}, if and only if the
     * current version is still {@code expectedCurrent}. Of concurrent publishers of one version,
     * exactly one wins; the others get a {@link CatalogConflictException} naming the version.
     */
    void publish(ShardMap map, long expectedCurrent, String note);

    /**
     * Lists a tenant that the directory does not list yet on {@code proposed}, unless another
     * process listed it first; returns the shard it is listed on.
     */
    ShardId registerTenant(Key tenant, ShardId proposed);

    // ------------------------------------------------------------ routing epochs

    /** The highest published routing state, if any. */
    Optional<RoutingState> currentRouting();

    /**
     * Publishes {@code next} if its epoch is the current epoch + 1 (1 when none exists) and the maps
     * it names are published; of concurrent publishers exactly one wins.
     */
    void publishRouting(RoutingState next);

    // ------------------------------------------------------------ migrations and checkpoints

    /**
     * Creates a migration in phase {@code phase} with its first report (JSON, may be null) in one
     * transaction, so a crash never leaves a record without the state a resume needs; refuses an
     * id that exists.
     */
    MigrationRecord createMigration(String id, long fromVersion, long toVersion, Phase phase, String reportJson);

    Optional<MigrationRecord> migration(String id);

    List<MigrationRecord> migrations();

    /**
     * Moves a migration from {@code expected} to {@code next}: refuses a move that the phase table
     * does not allow ({@link Phase#requireMoveTo}), then compare-and-set on the phase (a {@link
     * CatalogConflictException} when the record is not in {@code expected}).
     */
    void transition(String id, Phase expected, Phase next);

    /** Stores the migration's report (JSON) and last error. */
    void recordReport(String id, String reportJson, String error);

    /**
     * Takes or renews the migration's lease for {@code owner} until now + {@code ttl}; true if
     * {@code owner} holds it afterwards. A lease held by another owner is taken only once lapsed.
     */
    boolean acquireLease(String id, String owner, Duration ttl);

    void releaseLease(String id, String owner);

    /** Upserts a checkpoint, keyed by migration, table, source and target. */
    void saveCheckpoint(Checkpoint checkpoint);

    List<Checkpoint> checkpoints(String migrationId);

    // ------------------------------------------------------------ routers

    /** Registers or heartbeats a router: its applied version and lease until now + {@code ttl}. */
    RouterRegistration heartbeat(String routerId, String host, long appliedVersion, Duration ttl);

    /**
     * {@link #heartbeat(String, String, long, Duration)} that also records what the router can
     * reach ({@link RouterRegistration.ShardsReport}); the barrier and the migration pre-flight
     * read it.
     */
    RouterRegistration heartbeat(
            String routerId, String host, long appliedVersion, Duration ttl, RouterRegistration.ShardsReport shards);

    List<RouterRegistration> routers();

    void removeRouter(String routerId);

    // ------------------------------------------------------------ stats

    void recordStats(ShardStats stats);

    List<ShardStats> statsHistory(ShardId shard, Instant since);

    /** The catalog's clock: every lease and timestamp is taken from it. */
    Instant now();

    @Override
    void close();
}
