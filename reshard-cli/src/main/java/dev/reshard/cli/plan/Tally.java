package dev.reshard.cli.plan;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Routes keys through the maps before and after an operation and counts, per shard, the keys each
 * map puts there and the keys that leave and arrive. Rows are the shards of the map before, then
 * the shards only the map after has.
 */
final class Tally {
    private final ShardMap before;
    private final ShardMap after;
    private final List<ShardId> shards;
    private final Map<ShardId, Integer> index = new HashMap<>();
    private final long[] keysBefore;
    private final long[] keysAfter;
    private final long[] movedOut;
    private final long[] movedIn;
    private long total;
    private long moved;

    Tally(ShardMap before, ShardMap after) {
        this.before = before;
        this.after = after;
        LinkedHashSet<ShardId> all = new LinkedHashSet<>(before.shards());
        all.addAll(after.shards());
        this.shards = List.copyOf(all);
        for (int i = 0; i < shards.size(); i++) {
            index.put(shards.get(i), i);
        }
        keysBefore = new long[shards.size()];
        keysAfter = new long[shards.size()];
        movedOut = new long[shards.size()];
        movedIn = new long[shards.size()];
    }

    void route(long key) {
        count(before.shardFor(key), after.shardFor(key), 1);
    }

    void route(String key) {
        count(before.shardFor(key), after.shardFor(key), 1);
    }

    void route(UUID key) {
        count(before.shardFor(key), after.shardFor(key), 1);
    }

    /** Routes {@code key} once and counts it {@code keys} times (rows sharing one shard key). */
    void route(Key key, long keys) {
        count(before.shardFor(key), after.shardFor(key), keys);
    }

    private void count(ShardId from, ShardId to, long keys) {
        int f = index.get(from);
        int t = index.get(to);
        keysBefore[f] += keys;
        keysAfter[t] += keys;
        total += keys;
        if (f != t) {
            movedOut[f] += keys;
            movedIn[t] += keys;
            moved += keys;
        }
    }

    List<ShardId> shards() {
        return shards;
    }

    long keysBefore(int row) {
        return keysBefore[row];
    }

    long keysBefore(ShardId shard) {
        Integer row = index.get(shard);
        return row == null ? 0 : keysBefore[row];
    }

    long keysAfter(int row) {
        return keysAfter[row];
    }

    long keysAfter(ShardId shard) {
        Integer row = index.get(shard);
        return row == null ? 0 : keysAfter[row];
    }

    long movedOut(int row) {
        return movedOut[row];
    }

    long movedIn(int row) {
        return movedIn[row];
    }

    long total() {
        return total;
    }

    long moved() {
        return moved;
    }
}
