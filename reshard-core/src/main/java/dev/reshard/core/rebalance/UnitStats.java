package dev.reshard.core.rebalance;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import java.util.OptionalLong;

/**
 * What one unit of movement holds and serves, measured: a virtual shard, a tenant, a key range or
 * a hash arc, the shard it is on now, its bytes and rows, and its load in operations per second.
 */
public record UnitStats(MoveSet.Unit unit, ShardId shard, long bytes, long rows, double load) {
    public UnitStats {
        InvalidInputException.require(
                unit != null, "units[?]", null, "has no unit", "name the virtual shard, tenant, range or arc measured");
        String field = "units[" + unit + "]";
        InvalidInputException.require(
                shard != null, field + ".shard", null, "is missing", "give the shard the unit is on now");
        InvalidInputException.require(
                bytes >= 0,
                field + ".bytes",
                bytes,
                "is negative",
                "collect the statistics again; a negative size comes from a broken statistics view");
        InvalidInputException.require(
                rows >= 0,
                field + ".rows",
                rows,
                "is negative",
                "collect the statistics again; a negative row count comes from a broken statistics view");
        InvalidInputException.require(
                Double.isFinite(load) && load >= 0,
                field + ".load",
                load,
                "is not a non-negative rate",
                "give operations per second, 0 when the unit served none");
    }

    public static UnitStats virtualShard(int vshard, ShardId shard, long bytes, long rows, double load) {
        return new UnitStats(new MoveSet.VirtualShard(vshard), shard, bytes, rows, load);
    }

    public static UnitStats tenant(Key tenant, ShardId shard, long bytes, long rows, double load) {
        return new UnitStats(new MoveSet.Tenant(tenant), shard, bytes, rows, load);
    }

    /** The long keys {@code [start, end)}, no end for the last, open range. */
    public static UnitStats range(long start, OptionalLong end, ShardId shard, long bytes, long rows, double load) {
        return new UnitStats(new MoveSet.KeyRange(start, end), shard, bytes, rows, load);
    }
}
