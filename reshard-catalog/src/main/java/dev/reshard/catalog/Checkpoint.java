package dev.reshard.catalog;

import dev.reshard.core.ShardId;
import java.time.Instant;
import java.util.Optional;

/**
 * Backfill progress of one table between one source and one target shard: the keyset cursor (the
 * last primary key copied, as JSON) and the rows copied so far.
 */
public record Checkpoint(
        String migrationId,
        String table,
        ShardId source,
        ShardId target,
        Optional<String> cursor,
        long rowsCopied,
        boolean done,
        Instant updatedAt) {}
