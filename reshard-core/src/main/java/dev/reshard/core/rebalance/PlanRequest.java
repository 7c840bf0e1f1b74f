package dev.reshard.core.rebalance;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.strategy.Strategy;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@link Planner#plan} reads: the current map, the measured units, each shard's
 * capacity in bytes (a shard missing here takes the capacity of its {@link ShardHistory}), the
 * shards' histories for growth (may be empty: growth is then not planned for), the thresholds,
 * the time the growth window ends at, and the what-if.
 */
public record PlanRequest(
        Strategy map,
        List<UnitStats> units,
        Map<ShardId, Long> capacities,
        List<ShardHistory> histories,
        Thresholds thresholds,
        Instant now,
        WhatIf whatIf) {

    public PlanRequest {
        InvalidInputException.require(map != null, "map", null, "is missing", "give the current shard map");
        InvalidInputException.require(
                units != null, "units", null, "is missing", "give the per-unit statistics (`reshard stats collect`)");
        InvalidInputException.require(
                thresholds != null, "thresholds", null, "is missing", "use Thresholds.DEFAULTS or your own");
        InvalidInputException.require(now != null, "now", null, "is missing", "give the time of the newest samples");
        units = List.copyOf(units);
        capacities =
                capacities == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(capacities));
        histories = List.copyOf(histories == null ? List.of() : histories);
        whatIf = whatIf == null ? WhatIf.NONE : whatIf;
    }

    /** A request with no growth history, the guide's thresholds and no what-if. */
    public static PlanRequest of(Strategy map, List<UnitStats> units, Map<ShardId, Long> capacities) {
        return new PlanRequest(map, units, capacities, List.of(), Thresholds.DEFAULTS, Instant.EPOCH, WhatIf.NONE);
    }

    public PlanRequest withHistories(List<ShardHistory> histories, Instant now) {
        return new PlanRequest(map, units, capacities, histories, thresholds, now, whatIf);
    }

    public PlanRequest withThresholds(Thresholds thresholds) {
        return new PlanRequest(map, units, capacities, histories, thresholds, now, whatIf);
    }

    public PlanRequest withWhatIf(WhatIf whatIf) {
        return new PlanRequest(map, units, capacities, histories, thresholds, now, whatIf);
    }
}
