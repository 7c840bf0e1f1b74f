package dev.reshard.catalog;

import dev.reshard.core.ShardId;
import java.time.Instant;

/** One sample of a shard's size and load, kept as history for the growth and load triggers. */
public record ShardStats(
        ShardId shard, Instant takenAt, long sizeBytes, long rowCount, long reads, long writes, long errors) {}
