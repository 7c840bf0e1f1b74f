package dev.reshard.cli.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.Strategy;
import dev.reshard.core.strategy.StrategyKind;
import dev.reshard.core.strategy.VirtualShardMap;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a plan found, rendered by {@link PlanTable} or as JSON ({@link #toJson()}). Fractions are of
 * all synthetic keys; {@code unit} names what {@code unitsBefore}/{@code unitsAfter} count per shard
 * (ring points, virtual shards, listed tenants, ranges). {@code ratio} is moved/optimum, absent when
 * the optimum is to move nothing.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PlanReport(
        String strategy,
        String operation,
        Keys keys,
        MapVersion before,
        MapVersion after,
        String unit,
        List<ShardRow> shards,
        Totals totals,
        double movedFraction,
        double optimalFraction,
        String optimalBasis,
        Double ratio,
        double largestOverMeanBefore,
        double largestOverMeanAfter,
        MoveSummary units) {

    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    record Keys(long count, String type, long seed, String description) {}

    record MapVersion(long version, String map) {}

    record ShardRow(
            String shard,
            long keysBefore,
            long keysAfter,
            long movedOut,
            long movedIn,
            int unitsBefore,
            int unitsAfter) {}

    record Totals(long keysBefore, long keysAfter, long movedOut, long movedIn, int unitsBefore, int unitsAfter) {}

    /** Routes the scenario's keys through both maps and measures the move. */
    static PlanReport of(Scenario scenario) {
        ShardMap before = scenario.before();
        ShardMap after = scenario.after();
        MoveSet moves = ShardMaps.diff(before, after);
        Tally tally = new Tally(before, after);
        scenario.keys().routeAll(tally);

        Map<ShardId, Integer> unitsBefore = unitCounts(before.strategy());
        Map<ShardId, Integer> unitsAfter = unitCounts(after.strategy());
        List<ShardRow> rows = new ArrayList<>();
        int totalUnitsBefore = 0;
        int totalUnitsAfter = 0;
        for (int i = 0; i < tally.shards().size(); i++) {
            ShardId shard = tally.shards().get(i);
            int ub = unitsBefore.getOrDefault(shard, 0);
            int ua = unitsAfter.getOrDefault(shard, 0);
            totalUnitsBefore += ub;
            totalUnitsAfter += ua;
            rows.add(new ShardRow(
                    shard.value(),
                    tally.keysBefore(i),
                    tally.keysAfter(i),
                    tally.movedOut(i),
                    tally.movedIn(i),
                    ub,
                    ua));
        }
        long total = tally.total();
        double moved = (double) tally.moved() / total;
        double optimal = scenario.optimum().fraction(tally);
        Double ratio = optimal > 0 ? Double.valueOf(moved / optimal) : tally.moved() == 0 ? Double.valueOf(1.0) : null;
        SyntheticKeys keys = scenario.keys();
        return new PlanReport(
                before.strategy().kind().label(),
                scenario.operation(),
                new Keys(keys.count(), keys.type().toString(), keys.seed(), keys.describe()),
                new MapVersion(before.version(), before.strategy().describe()),
                new MapVersion(after.version(), after.strategy().describe()),
                unitName(before.strategy().kind()),
                rows,
                new Totals(total, total, tally.moved(), tally.moved(), totalUnitsBefore, totalUnitsAfter),
                moved,
                optimal,
                scenario.optimum().basis(),
                ratio,
                largestOverMean(before, tally, true),
                largestOverMean(after, tally, false),
                MoveSummary.of(moves, tally.shards()));
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(this) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double largestOverMean(ShardMap map, Tally tally, boolean before) {
        long largest = 0;
        for (ShardId shard : map.shards()) {
            largest = Math.max(largest, before ? tally.keysBefore(shard) : tally.keysAfter(shard));
        }
        return largest * (double) map.shards().size() / tally.total();
    }

    static String unitName(StrategyKind kind) {
        return switch (kind) {
            case RING -> "points";
            case VIRTUAL -> "vshards";
            case DIRECTORY -> "tenants";
            case RANGE -> "ranges";
        };
    }

    /** Per shard: ring points, virtual shards, listed tenants or ranges. */
    static Map<ShardId, Integer> unitCounts(Strategy strategy) {
        Map<ShardId, Integer> counts = new HashMap<>();
        if (strategy instanceof ConsistentHashRing ring) {
            for (int i = 0; i < ring.pointCount(); i++) {
                counts.merge(ring.ownerOfToken(i), 1, Integer::sum);
            }
        } else if (strategy instanceof VirtualShardMap virtual) {
            int[] c = virtual.counts();
            for (int i = 0; i < c.length; i++) {
                counts.put(virtual.shards().get(i), c[i]);
            }
        } else if (strategy instanceof Directory directory) {
            int[] c = directory.tenantCounts();
            for (int i = 0; i < c.length; i++) {
                counts.put(directory.shards().get(i), c[i]);
            }
        } else if (strategy instanceof RangeMap ranges) {
            for (RangeMap.Range r : ranges.ranges()) {
                counts.merge(r.shard(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
