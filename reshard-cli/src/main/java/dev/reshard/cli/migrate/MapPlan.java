package dev.reshard.cli.migrate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.rebalance.Plan;
import dev.reshard.core.rebalance.PlanRequest;
import dev.reshard.core.rebalance.Planner;
import dev.reshard.core.rebalance.ShardHistory;
import dev.reshard.core.rebalance.Thresholds;
import dev.reshard.core.rebalance.WhatIf;
import dev.reshard.core.strategy.StrategyKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code reshard map plan}: the next map the guide's triggers call for, from the catalog's current
 * map and statistics and a measurement of its units on the shards (UnitScan), by the core's
 * planner. It writes nothing to the catalog or the shards; {@code --save FILE} writes the target
 * map in the form {@code reshard map publish FILE} takes, which refuses it if the current map
 * changed since.
 */
@Command(
        name = "plan",
        sortOptions = false,
        description = {
            "Plan the next map from measured data: what the triggers (storage, load, growth, spread) call for, or what"
                    + " --add / --drain would take, with the fewest bytes moved.",
            "Reads the catalog's current map and stats history and counts each unit's rows on the shards (one pass over"
                    + " the shard-key columns); writes nothing. Virtual-shard and directory maps.",
            "Exit 0 when there is a plan (or nothing to do), 1 when no placement clears the triggers."
        })
final class MapPlan implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--add",
            paramLabel = "ID",
            description = "what if: plan with this registered shard added (repeatable)")
    List<String> add = new ArrayList<>();

    @Option(
            names = "--drain",
            paramLabel = "ID",
            description = "what if: plan with this shard emptied and removed (repeatable)")
    List<String> drain = new ArrayList<>();

    @Option(
            names = "--fixed-shards",
            description = "never propose shards beyond the map's and --add's (default: propose what the triggers need)")
    boolean fixedShards;

    @Option(names = "--save", paramLabel = "FILE", description = "write the target map for `reshard map publish FILE`")
    Path save;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Mixin
    ThresholdOptions limits;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        Thresholds t = limits.thresholds();
        MigrateConfig cfg = config.read(spec);
        PrintWriter out = spec.commandLine().getOut();
        try (Orchestrator o = Orchestrator.administering(cfg, false, false)) {
            Catalog catalog = o.catalog();
            ShardMap base = MapCommand.current(catalog);
            StrategyKind kind = base.strategy().kind();
            InvalidInputException.require(
                    kind == StrategyKind.VIRTUAL || kind == StrategyKind.DIRECTORY,
                    "map",
                    "v" + base.version() + " (" + kind.label() + ")",
                    "is not planned from measured units yet (virtual-shard and directory maps are)",
                    kind == StrategyKind.RING
                            ? "add a node with `reshard map add-shard ID --weight W`"
                            : "split a range with `reshard map split-range AT --to ID`");
            Instant now = catalog.now();
            List<ShardHistory> histories = CheckCommand.histories(catalog, Optional.of(base), t, now);
            Map<ShardId, Long> registered = new LinkedHashMap<>();
            for (ShardConfig s : catalog.shards()) {
                registered.put(s.id(), s.capacityBytes());
            }
            List<ShardId> adding = add.isEmpty() ? List.of() : MapCommand.shardIds("--add", add);
            Map<ShardId, Long> capacities = new LinkedHashMap<>();
            for (ShardId s : base.strategy().shards()) {
                if (registered.containsKey(s)) {
                    capacities.put(s, registered.get(s));
                }
            }
            for (ShardId s : adding) {
                InvalidInputException.require(
                        registered.containsKey(s),
                        "--add",
                        s,
                        "is not a registered shard",
                        "register it with `reshard shards add` first");
                capacities.put(s, registered.get(s));
            }
            UnitScan.Result scan = UnitScan.measure(base, catalog.shards(), cfg.tables(), histories);
            WhatIf whatIf = new WhatIf(
                    adding, drain.isEmpty() ? List.of() : MapCommand.shardIds("--drain", drain), !fixedShards);
            Plan plan = Planner.plan(PlanRequest.of(base.strategy(), scan.units(), capacities)
                    .withHistories(histories, now)
                    .withThresholds(t)
                    .withWhatIf(whatIf));
            Optional<UnitScan.Rate> rate = UnitScan.recordedRate(catalog.migrations());
            Optional<ShardMap> next =
                    plan.status() == Plan.Status.PLANNED && !plan.moves().isEmpty()
                            ? Optional.of(base.next(plan.target()))
                            : Optional.empty();
            if (save != null && next.isPresent()) {
                ObjectNode file = MapView.json(next.get(), Optional.empty());
                file.put("version", base.version()); // the map it was planned from: publish checks it
                try {
                    Files.writeString(save, StatusView.write(file));
                } catch (IOException e) {
                    throw InvalidInputException.of(
                            "--save", save.toString(), "cannot be written: " + e.getMessage(), "give a writable path");
                }
            }
            if (json) {
                out.print(StatusView.write(json(base, plan, scan, rate)));
            } else {
                text(base, plan, scan, rate, next).forEach(out::println);
            }
            out.flush();
            return plan.status() == Plan.Status.IMPOSSIBLE ? CheckCommand.FIRES : ReshardCommand.OK;
        }
    }

    private List<String> text(
            ShardMap base, Plan plan, UnitScan.Result scan, Optional<UnitScan.Rate> rate, Optional<ShardMap> next) {
        List<String> lines = new ArrayList<>();
        lines.add("map v" + base.version() + " (" + base.strategy().kind().label() + "): "
                + plan.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        String format = "%-12s %9s %12s %9s %6s   %9s %12s %9s %6s";
        lines.add(String.format(
                        Locale.ROOT,
                        format,
                        "SHARD",
                        "BYTES",
                        "ROWS",
                        "OPS/S",
                        "%CAP",
                        "AFTER",
                        "ROWS",
                        "OPS/S",
                        "%CAP")
                .stripTrailing());
        Map<ShardId, Plan.ShardState> after = new LinkedHashMap<>();
        plan.after().forEach(s -> after.put(s.shard(), s));
        Map<ShardId, Plan.ShardState> before = new LinkedHashMap<>();
        plan.before().forEach(s -> before.put(s.shard(), s));
        List<ShardId> shards = new ArrayList<>(before.keySet());
        after.keySet().stream().filter(s -> !shards.contains(s)).forEach(shards::add);
        for (ShardId s : shards) {
            Plan.ShardState b = before.get(s);
            Plan.ShardState a = after.get(s);
            lines.add(String.format(
                    Locale.ROOT,
                    format,
                    Text.cut(s.value(), 12),
                    b == null ? "-" : Text.bytes(b.bytes()),
                    b == null ? "-" : String.format(Locale.ROOT, "%,d", b.rows()),
                    b == null ? "-" : String.format(Locale.ROOT, "%.1f", b.load()),
                    b == null ? "-" : percent(b.capacityShare()),
                    a == null ? "(gone)" : Text.bytes(a.bytes()),
                    a == null ? "" : String.format(Locale.ROOT, "%,d", a.rows()),
                    a == null ? "" : String.format(Locale.ROOT, "%.1f", a.load()),
                    a == null ? "" : percent(a.capacityShare())));
        }
        if (!plan.moves().isEmpty()) {
            lines.addAll(Text.wrap(
                    "moves: " + plan.moves().size() + " " + unitName(base) + ", " + Text.bytes(plan.bytesToCopy())
                            + " and " + String.format(Locale.ROOT, "%,d", plan.rowsToCopy()) + " rows to copy"
                            + (plan.provenMinimal() ? " (the fewest bytes that clear the triggers)" : "")
                            + rate.map(r -> "; about " + eta(plan.rowsToCopy(), r.rowsPerSecond()) + " at the "
                                            + Math.round(r.rowsPerSecond()) + " rows/s backfill migration "
                                            + r.migration()
                                            + " recorded")
                                    .orElse("; no migration has recorded a backfill rate yet, so no duration estimate"),
                    Text.WIDTH));
        }
        if (!plan.added().isEmpty()) {
            lines.add("shards to add: " + plan.added());
        }
        lines.add("why:");
        plan.explanation().forEach(e -> bullet(lines, e));
        lines.add("measured:");
        scan.basis().forEach(b -> bullet(lines, b));
        if (scan.misplaced() > 0) {
            bullet(lines, scan.misplaced() + " rows were found on a shard the map does not place them on; left out");
        }
        if (next.isPresent()) {
            List<ShardId> unregistered = new ArrayList<>(plan.added());
            unregistered.removeIf(s -> add.contains(s.value()));
            lines.add("next:");
            if (!unregistered.isEmpty()) {
                lines.add("  reshard shards add  (register " + unregistered + " first)");
            }
            lines.add(
                    save != null
                            ? "  reshard map publish " + save + "  (publishes v"
                                    + next.get().version() + ")"
                            : "  reshard map plan ... --save FILE, then reshard map publish FILE");
            lines.add("  reshard migrate start --id ID --from " + base.version() + " --to "
                    + next.get().version());
        }
        return lines;
    }

    private static ObjectNode json(ShardMap base, Plan plan, UnitScan.Result scan, Optional<UnitScan.Rate> rate) {
        ObjectNode root = StatusView.JSON.createObjectNode();
        root.put("map", base.version());
        root.put("strategy", base.strategy().kind().label());
        root.put("status", plan.status().name());
        root.put("bytesToCopy", plan.bytesToCopy());
        root.put("rowsToCopy", plan.rowsToCopy());
        root.put("provenMinimal", plan.provenMinimal());
        rate.ifPresent(r -> {
            ObjectNode n = root.putObject("estimate");
            n.put("rowsPerSecond", r.rowsPerSecond());
            n.put("fromMigration", r.migration());
            n.put("seconds", r.rowsPerSecond() > 0 ? plan.rowsToCopy() / r.rowsPerSecond() : 0);
        });
        ArrayNode added = root.putArray("added");
        plan.added().forEach(s -> added.add(s.value()));
        ArrayNode drained = root.putArray("drained");
        plan.drained().forEach(s -> drained.add(s.value()));
        ArrayNode moves = root.putArray("moves");
        for (Plan.Move m : plan.moves()) {
            moves.addObject()
                    .put("unit", m.unit().toString())
                    .put("from", m.from().value())
                    .put("to", m.to().value())
                    .put("bytes", m.bytes())
                    .put("rows", m.rows())
                    .put("load", m.load())
                    .put("reason", m.reason());
        }
        shards(root.putArray("before"), plan.before());
        shards(root.putArray("after"), plan.after());
        ArrayNode why = root.putArray("explanation");
        plan.explanation().forEach(why::add);
        ArrayNode basis = root.putArray("measured");
        scan.basis().forEach(basis::add);
        root.put("misplacedRows", scan.misplaced());
        return root;
    }

    private static void shards(ArrayNode into, List<Plan.ShardState> states) {
        for (Plan.ShardState s : states) {
            ObjectNode n = into.addObject()
                    .put("shard", s.shard().value())
                    .put("bytes", s.bytes())
                    .put("rows", s.rows())
                    .put("load", s.load())
                    .put("capacityBytes", s.capacityBytes())
                    .put("capacityShare", s.capacityShare())
                    .put("projectedShare", s.projectedShare());
            ArrayNode fires = n.putArray("fires");
            s.fires().forEach(f -> fires.add(f.toString()));
        }
    }

    private static void bullet(List<String> lines, String text) {
        List<String> wrapped = Text.wrap(text, Text.WIDTH - 4);
        lines.add("  - " + wrapped.get(0));
        for (int i = 1; i < wrapped.size(); i++) {
            lines.add("    " + wrapped.get(i));
        }
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static String unitName(ShardMap base) {
        return base.strategy().kind() == StrategyKind.VIRTUAL ? "virtual shards" : "tenants";
    }

    private static String eta(long rows, double perSecond) {
        if (perSecond <= 0) {
            return "?";
        }
        Duration d = Duration.ofMillis(Math.round(rows / perSecond * 1000));
        return d.toHours() > 0
                ? d.toHours() + " h " + d.toMinutesPart() + " min"
                : d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s" : d.toSecondsPart() + " s";
    }
}
