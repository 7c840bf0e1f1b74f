package dev.reshard.cli.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reshard.catalog.RoutingState;
import dev.reshard.catalog.ShardMapCodec;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.Strategy;
import dev.reshard.core.strategy.VirtualShardMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Shard maps as {@code reshard map} shows them: per shard what it owns (virtual shards, share of
 * the ring, listed tenants, ranges), and a diff as per shard what leaves and what arrives.
 */
final class MapView {
    private static final ShardMapCodec CODEC = new ShardMapCodec();

    private MapView() {}

    /** What {@code shard} owns in {@code map}, in words: "21 virtual shards", "33.3% of the ring". */
    static String owns(ShardMap map, ShardId shard) {
        Strategy s = map.strategy();
        int i = s.shards().indexOf(shard);
        if (s instanceof VirtualShardMap v) {
            return v.counts()[i] + " of " + v.virtualShardCount() + " virtual shards";
        }
        if (s instanceof ConsistentHashRing r) {
            return Text.percent(r.ownership()[i]) + " of the ring (weight " + r.weight(shard) + ")";
        }
        if (s instanceof Directory d) {
            return Text.count(d.tenantCounts()[i]) + " listed tenants";
        }
        List<String> ranges = new ArrayList<>();
        for (RangeMap.Range r : ((RangeMap) s).ranges()) {
            if (r.shard().equals(shard)) {
                ranges.add(
                        "[" + r.start() + ", " + (r.end().isPresent() ? r.end().getAsLong() : "+inf") + ")");
            }
        }
        return ranges.isEmpty() ? "no range" : String.join(" ", ranges);
    }

    static List<String> show(ShardMap map, Optional<RoutingState> routing) {
        List<String> lines = new ArrayList<>();
        lines.add(Text.cut("map v" + map.version() + ": " + map.strategy().describe(), Text.WIDTH));
        for (ShardId shard : map.strategy().shards()) {
            lines.add("  " + Text.cut(String.format(Locale.ROOT, "%-12s %s", shard, owns(map, shard)), Text.WIDTH - 2));
        }
        lines.add(routing.map(MapView::routing).orElse("routers: no routing state; they follow the newest map"));
        return lines;
    }

    static String routing(RoutingState r) {
        return "routers: map v" + r.mapVersion() + " (epoch " + r.epoch() + ")"
                + r.migrationId()
                        .map(m ->
                                ", migration " + m + " to v" + r.targetVersion().getAsLong() + " in "
                                        + r.phase().orElseThrow())
                        .orElse("");
    }

    static ObjectNode json(ShardMap map, Optional<RoutingState> routing) {
        ObjectNode root = StatusView.JSON.createObjectNode();
        root.put("version", map.version());
        root.put("strategy", map.strategy().kind().label());
        ArrayNode shards = root.putArray("shards");
        for (ShardId shard : map.strategy().shards()) {
            shards.addObject().put("id", shard.value()).put("owns", owns(map, shard));
        }
        routing.ifPresent(r -> routingJson(root, r));
        try {
            root.set("body", StatusView.JSON.readTree(CODEC.encode(map)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read back the encoding of " + map, e);
        }
        if (map.strategy() instanceof Directory d) {
            ObjectNode tenants = root.putObject("tenants");
            d.forEachTenant((k, s) -> tenants.put(ShardMapCodec.tenantText(k), s.value()));
        }
        return root;
    }

    /** {@code "routing": {epoch, mapVersion, targetVersion?, migration?, phase?}} under {@code root}. */
    static void routingJson(ObjectNode root, RoutingState r) {
        ObjectNode n = root.putObject("routing");
        n.put("epoch", r.epoch());
        n.put("mapVersion", r.mapVersion());
        r.targetVersion().ifPresent(t -> n.put("targetVersion", t));
        r.migrationId().ifPresent(m -> n.put("migration", m));
        r.phase().ifPresent(p -> n.put("phase", p.name()));
    }

    /** Per pair of shards, the units that move between them. */
    record Flow(ShardId from, ShardId to, int units, double hashFraction, List<String> sample) {}

    static List<Flow> flows(MoveSet moves) {
        Map<List<ShardId>, List<MoveSet.Move>> byPair = new LinkedHashMap<>();
        for (MoveSet.Move m : moves.moves()) {
            byPair.computeIfAbsent(List.of(m.from(), m.to()), k -> new ArrayList<>())
                    .add(m);
        }
        List<Flow> flows = new ArrayList<>();
        byPair.forEach((pair, list) -> {
            double fraction = 0;
            for (MoveSet.Move m : list) {
                if (m.unit() instanceof MoveSet.HashArc a) {
                    fraction += a.fraction();
                } else if (m.unit() instanceof MoveSet.VirtualShard
                        && moves.from().strategy() instanceof VirtualShardMap v) {
                    fraction += 1.0 / v.virtualShardCount();
                }
            }
            List<String> sample =
                    list.stream().limit(8).map(m -> m.unit().toString()).toList();
            flows.add(new Flow(pair.get(0), pair.get(1), list.size(), fraction, sample));
        });
        return flows;
    }

    /** The diff, one line per pair of shards that exchange units, then per shard what it gains and loses. */
    static List<String> diff(MoveSet moves) {
        List<String> lines = new ArrayList<>();
        ShardMap from = moves.from();
        ShardMap to = moves.to();
        lines.add("map v" + from.version() + " -> v" + to.version());
        lines.add("  " + Text.cut("v" + from.version() + ": " + from.strategy().describe(), Text.WIDTH - 2));
        lines.add("  " + Text.cut("v" + to.version() + ": " + to.strategy().describe(), Text.WIDTH - 2));
        if (moves.perKey()) {
            lines.add("  every key is checked, one by one: " + moves.perKeyReason());
        } else if (moves.isEmpty()) {
            lines.add("  nothing moves");
        }
        String unit = unitName(from);
        if (!moves.isEmpty()) {
            lines.add("  moves " + units(moves.moves().size(), unit)
                    + moves.hashFraction().stream()
                            .mapToObj(f -> " (" + Text.percent(f) + " of the keys)")
                            .findFirst()
                            .orElse(""));
        }
        for (Flow f : flows(moves)) {
            String share = f.hashFraction() > 0 ? " (" + Text.percent(f.hashFraction()) + " of the keys)" : "";
            lines.add("  "
                    + Text.cut(
                            f.from() + " -> " + f.to() + ": " + units(f.units(), unit) + share + ": "
                                    + String.join(", ", f.sample())
                                    + (f.units() > f.sample().size() ? ", ..." : ""),
                            Text.WIDTH - 2));
        }
        for (ShardId shard : to.strategy().shards()) {
            if (!from.strategy().shards().contains(shard)) {
                lines.add("  " + shard + ": new in v" + to.version());
            }
        }
        for (ShardId shard : from.strategy().shards()) {
            if (!to.strategy().shards().contains(shard)) {
                lines.add("  " + shard + ": left out of v" + to.version() + " (drained)");
            }
        }
        for (ShardId shard : to.strategy().shards()) {
            lines.add("  "
                    + Text.cut(
                            String.format(Locale.ROOT, "v%d %-12s %s", to.version(), shard, owns(to, shard)),
                            Text.WIDTH - 2));
        }
        return lines;
    }

    static ObjectNode json(MoveSet moves) {
        ObjectNode root = StatusView.JSON.createObjectNode();
        root.put("from", moves.from().version());
        root.put("to", moves.to().version());
        root.put("strategy", moves.to().strategy().kind().label());
        root.put("perKey", moves.perKey());
        if (moves.perKey()) {
            root.put("perKeyReason", moves.perKeyReason());
        }
        root.put("units", moves.moves().size());
        moves.hashFraction().ifPresent(f -> root.put("keyFraction", f));
        ArrayNode flows = root.putArray("flows");
        for (Flow f : flows(moves)) {
            ObjectNode n = flows.addObject();
            n.put("from", f.from().value());
            n.put("to", f.to().value());
            n.put("units", f.units());
            if (f.hashFraction() > 0) {
                n.put("keyFraction", f.hashFraction());
            }
        }
        ArrayNode shards = root.putArray("shards");
        for (ShardId shard : moves.to().strategy().shards()) {
            shards.addObject().put("id", shard.value()).put("owns", owns(moves.to(), shard));
        }
        return root;
    }

    private static String units(int n, String unit) {
        return Text.count(n) + " " + unit + (n == 1 ? "" : "s");
    }

    private static String unitName(ShardMap map) {
        return switch (map.strategy().kind()) {
            case VIRTUAL -> "virtual shard";
            case RING -> "ring arc";
            case DIRECTORY -> "tenant";
            case RANGE -> "range";
        };
    }
}
