package dev.reshard.core.rebalance;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An operator's change to the shard list for {@link Planner#plan}: shards to add (each needs a
 * capacity), shards to drain (they end with nothing and leave the map), and whether the planner may
 * add further shards of its own when those are not enough to clear every trigger.
 */
public record WhatIf(List<ShardId> add, List<ShardId> drain, boolean addMoreIfNeeded) {

    /** No change to the shard list; the planner adds the shards the triggers need. */
    public static final WhatIf NONE = new WhatIf(List.of(), List.of(), true);

    /** Exactly the current shards: move units, add nothing. */
    public static final WhatIf FIXED_SHARDS = new WhatIf(List.of(), List.of(), false);

    public WhatIf {
        add = List.copyOf(add == null ? List.of() : add);
        drain = List.copyOf(drain == null ? List.of() : drain);
        Set<ShardId> seen = new HashSet<>();
        for (int i = 0; i < add.size(); i++) {
            InvalidInputException.require(
                    seen.add(add.get(i)),
                    "whatIf.add[" + i + "]",
                    add.get(i).value(),
                    "is listed twice",
                    "name each shard to add once");
        }
        for (int i = 0; i < drain.size(); i++) {
            ShardId d = drain.get(i);
            InvalidInputException.require(
                    !add.contains(d),
                    "whatIf.drain[" + i + "]",
                    d.value(),
                    "is also a shard to add",
                    "either add the shard or drain it");
            InvalidInputException.require(
                    seen.add(d), "whatIf.drain[" + i + "]", d.value(), "is listed twice", "name each shard once");
        }
    }

    public static WhatIf addShards(List<ShardId> shards) {
        return new WhatIf(shards, List.of(), true);
    }

    public static WhatIf drainShards(List<ShardId> shards) {
        return new WhatIf(List.of(), shards, true);
    }

    /** This what-if with the planner allowed (or not) to add shards beyond {@link #add}. */
    public WhatIf addingMoreIfNeeded(boolean allowed) {
        return new WhatIf(add, drain, allowed);
    }

    boolean changesShards() {
        return !add.isEmpty() || !drain.isEmpty();
    }
}
