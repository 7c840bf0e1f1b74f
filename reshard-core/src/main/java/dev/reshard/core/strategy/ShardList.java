package dev.reshard.core.strategy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An ordered list of distinct shard ids with an index, shared by the strategies. */
final class ShardList {
    /** Owner indexes are stored as {@code short}. */
    static final int MAX_SHARDS = Short.MAX_VALUE;

    final ShardId[] ids;
    final List<ShardId> list;
    private final Map<ShardId, Integer> index;

    private ShardList(ShardId[] ids) {
        this.ids = ids;
        this.list = List.of(ids);
        this.index = new HashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            index.put(ids[i], i);
        }
    }

    /** Validates {@code shards} (named {@code field} in messages): present, distinct, not too many. */
    static ShardList of(String field, List<ShardId> shards) {
        InvalidInputException.require(shards != null, field, null, "is missing", "list at least one shard id");
        InvalidInputException.require(
                shards.size() <= MAX_SHARDS,
                field,
                shards.size() + " shards",
                "is more than the " + MAX_SHARDS + " a map can hold",
                "use fewer, larger shards");
        Map<ShardId, Integer> seen = new HashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            ShardId id = shards.get(i);
            InvalidInputException.require(
                    id != null, field + "[" + i + "]", null, "is missing", "give every shard an id such as shard_" + i);
            Integer first = seen.putIfAbsent(id, i);
            if (first != null) {
                throw InvalidInputException.of(
                        field + "[" + i + "]",
                        id.value(),
                        "is listed twice (also at " + field + "[" + first + "])",
                        "give each shard a distinct id");
            }
        }
        return new ShardList(shards.toArray(new ShardId[0]));
    }

    int size() {
        return ids.length;
    }

    boolean contains(ShardId id) {
        return index.containsKey(id);
    }

    /** The index of {@code id}, or -1. */
    int indexOf(ShardId id) {
        Integer i = index.get(id);
        return i == null ? -1 : i;
    }

    /** The index of {@code id}; refuses an unknown shard, naming {@code field}. */
    int require(String field, ShardId id) {
        int i = indexOf(id);
        if (i < 0) {
            throw InvalidInputException.of(
                    field,
                    id == null ? null : id.value(),
                    "is not a shard of this map " + list,
                    "add the shard to the map first, or name one of its shards");
        }
        return i;
    }

    ShardList with(String field, ShardId id) {
        if (contains(id)) {
            throw InvalidInputException.of(
                    field, id.value(), "is already a shard of this map " + list, "choose a new shard id");
        }
        ShardId[] more = Arrays.copyOf(ids, ids.length + 1);
        more[ids.length] = id;
        return of(field, List.of(more));
    }

    ShardList without(String field, ShardId id) {
        int at = require(field, id);
        List<ShardId> fewer = new ArrayList<>(list);
        fewer.remove(at);
        return of(field, fewer);
    }
}
