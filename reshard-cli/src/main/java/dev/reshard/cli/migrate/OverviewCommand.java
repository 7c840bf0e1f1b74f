package dev.reshard.cli.migrate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.RouterRegistration;
import dev.reshard.catalog.RoutingState;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.rebalance.Sample;
import dev.reshard.core.rebalance.ShardHistory;
import dev.reshard.core.rebalance.Thresholds;
import dev.reshard.core.rebalance.Triggers;
import dev.reshard.core.rebalance.Verdict;
import dev.reshard.migration.engine.MigrationStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reshard status}: the whole system at a glance, from the catalog alone (it opens no shard):
 * the current map and what routers follow, each shard of it with its newest statistics, % of
 * capacity and the triggers that fire (the guide's defaults, as {@code check}), the routers live
 * and lapsed, and the migrations with their progress. Read-only; {@code --json}.
 */
@Command(
        name = "status",
        description = {
            "The whole system at a glance, from the catalog: the map routers use, each shard's newest size, rows,"
                    + " load, %% of capacity and firing triggers, the routers (live and lapsed), the migrations.",
            "Reads only; sizes are the newest `reshard stats collect`. Details: `reshard check`, `reshard migrate"
                    + " status ID`."
        })
public final class OverviewCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        MigrateConfig cfg = config.read(spec);
        PrintWriter out = spec.commandLine().getOut();
        try (Orchestrator o = Orchestrator.reading(cfg)) {
            Catalog catalog = o.catalog();
            Instant now = catalog.now();
            Optional<ShardMap> map = catalog.currentMap();
            Optional<RoutingState> routing = catalog.currentRouting();
            Thresholds t = Thresholds.DEFAULTS;
            List<ShardHistory> histories = CheckCommand.histories(catalog, map, t, now);
            Map<ShardId, List<Verdict>> fired = new LinkedHashMap<>();
            if (!histories.isEmpty()) {
                for (Verdict v : Triggers.evaluate(histories, t, now)) {
                    if (v.fires()) {
                        fired.computeIfAbsent(v.shard(), s -> new ArrayList<>()).add(v);
                    }
                }
            }
            List<RouterRegistration> routers = catalog.routers();
            List<MigrationStatus> migrations = o.engine().statuses();
            if (json) {
                out.print(StatusView.write(
                        json(map, routing, catalog.shards(), histories, fired, routers, migrations, now)));
            } else {
                text(map, routing, catalog.shards(), histories, fired, routers, migrations, now)
                        .forEach(out::println);
            }
        }
        out.flush();
        return ReshardCommand.OK;
    }

    private static List<String> text(
            Optional<ShardMap> map,
            Optional<RoutingState> routing,
            List<ShardConfig> shards,
            List<ShardHistory> histories,
            Map<ShardId, List<Verdict>> fired,
            List<RouterRegistration> routers,
            List<MigrationStatus> migrations,
            Instant now) {
        List<String> lines = new ArrayList<>();
        lines.add(
                map.map(m -> "map v" + m.version() + " (" + m.strategy().kind().label() + ", "
                                        + m.strategy().shards().size() + " shards)")
                                .orElse("no shard map yet (`reshard map init`)")
                        + routing.map(r -> "; " + MapView.routing(r)).orElse(""));
        String format = "%-12s %9s %13s %9s %6s  %-10s %s";
        lines.add(String.format(Locale.ROOT, format, "SHARD", "SIZE", "ROWS", "OPS/S", "%CAP", "MEASURED", "FIRES")
                .stripTrailing());
        Map<ShardId, ShardConfig> registered = new LinkedHashMap<>();
        shards.forEach(s -> registered.put(s.id(), s));
        for (ShardHistory h : histories) {
            Optional<Sample> last = h.latest();
            List<Verdict> fires = fired.getOrDefault(h.shard(), List.of());
            lines.add(String.format(
                            Locale.ROOT,
                            format,
                            Text.cut(h.shard().value(), 12),
                            last.map(s -> Text.bytes(s.sizeBytes())).orElse("-"),
                            last.map(s -> String.format(Locale.ROOT, "%,d", s.rows()))
                                    .orElse("-"),
                            String.format(Locale.ROOT, "%.1f", UnitScan.rate(h)),
                            last.map(s -> Text.percent((double) s.sizeBytes() / h.capacityBytes()))
                                    .orElse("-"),
                            last.map(s -> ago(s.at(), now)).orElse("never"),
                            fires.isEmpty()
                                    ? "-"
                                    : String.join(
                                            ", ",
                                            fires.stream()
                                                    .map(v -> v.trigger().toString())
                                                    .toList()))
                    .stripTrailing());
        }
        if (histories.isEmpty()) {
            lines.add("(no shard registered: `reshard shards add`)");
        } else if (histories.stream().allMatch(h -> h.latest().isEmpty())) {
            lines.add("(nothing measured yet: `reshard stats collect`)");
        }
        long live = routers.stream().filter(r -> r.isLive(now)).count();
        lines.add("routers: " + live + " live, " + (routers.size() - live) + " lapsed");
        for (RouterRegistration r : routers) {
            lines.add(String.format(
                            Locale.ROOT,
                            "  %-16s %-16s epoch %-5d %s%s",
                            Text.cut(r.id(), 16),
                            Text.cut(r.host(), 16),
                            r.appliedVersion(),
                            r.isLive(now) ? "live" : "lapsed " + ago(r.leaseExpiresAt(), now),
                            unreachable(r))
                    .stripTrailing());
        }
        lines.add("migrations:");
        StatusView.table(migrations).forEach(l -> lines.add("  " + l));
        return lines;
    }

    /** ", cannot reach shard_2" for a router whose report names shards it lacks or cannot reach. */
    private static String unreachable(RouterRegistration r) {
        List<String> bad = r.shards()
                .map(s -> s.shards().stream()
                        .filter(reach -> !reach.ok())
                        .map(reach -> reach.shard().value())
                        .toList())
                .orElse(List.of());
        return bad.isEmpty() ? "" : "; cannot reach " + String.join(", ", bad);
    }

    private static String ago(Instant at, Instant now) {
        Duration d = Duration.between(at, now);
        if (d.isNegative()) {
            return "just now";
        }
        if (d.toDays() > 0) {
            return d.toDays() + "d ago";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h ago";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + "m ago";
        }
        return d.toSeconds() + "s ago";
    }

    private static ObjectNode json(
            Optional<ShardMap> map,
            Optional<RoutingState> routing,
            List<ShardConfig> shards,
            List<ShardHistory> histories,
            Map<ShardId, List<Verdict>> fired,
            List<RouterRegistration> routers,
            List<MigrationStatus> migrations,
            Instant now) {
        ObjectNode root = StatusView.JSON.createObjectNode();
        root.put("at", now.toString());
        map.ifPresent(m -> {
            root.put("map", m.version());
            root.put("strategy", m.strategy().kind().label());
        });
        routing.ifPresent(r -> MapView.routingJson(root, r));
        ArrayNode list = root.putArray("shards");
        for (ShardHistory h : histories) {
            ObjectNode n = list.addObject();
            n.put("id", h.shard().value());
            n.put("capacityBytes", h.capacityBytes());
            h.latest().ifPresent(s -> {
                n.put("sizeBytes", s.sizeBytes());
                n.put("rows", s.rows());
                n.put("measuredAt", s.at().toString());
                n.put("capacityShare", (double) s.sizeBytes() / h.capacityBytes());
            });
            n.put("operationsPerSecond", UnitScan.rate(h));
            ArrayNode fires = n.putArray("fires");
            for (Verdict v : fired.getOrDefault(h.shard(), List.of())) {
                fires.addObject().put("trigger", v.trigger().toString()).put("reason", v.reason());
            }
        }
        ArrayNode rs = root.putArray("routers");
        for (RouterRegistration r : routers) {
            ObjectNode n = rs.addObject();
            n.put("id", r.id());
            n.put("host", r.host());
            n.put("epoch", r.appliedVersion());
            n.put("live", r.isLive(now));
            n.put("leaseExpiresAt", r.leaseExpiresAt().toString());
            n.put("heartbeatAt", r.heartbeatAt().toString());
            ArrayNode bad = n.putArray("cannotReach");
            r.shards()
                    .ifPresent(s -> s.shards().stream()
                            .filter(reach -> !reach.ok())
                            .forEach(reach -> bad.add(reach.shard().value())));
        }
        root.set("migrations", StatusView.json(migrations).get("migrations"));
        return root;
    }
}
