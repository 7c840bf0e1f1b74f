package dev.reshard.cli.migrate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.catalog.ShardStats;
import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.rebalance.Sample;
import dev.reshard.core.rebalance.ShardHistory;
import dev.reshard.core.rebalance.Thresholds;
import dev.reshard.core.rebalance.Triggers;
import dev.reshard.core.rebalance.Verdict;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reshard check}: the guide's four rebalance triggers over the catalog's statistics. */
@Command(
        name = "check",
        sortOptions = false,
        description = {
            "Evaluate the rebalance triggers per shard of the current map from the statistics `reshard stats collect`"
                    + " recorded: storage (> 80 % of capacity), load (> 150 % of the average), growth (the storage"
                    + " threshold reached within 90 days at the fitted growth), distribution (> 30 % from the average).",
            "Exit 0: none fires; 1: one fires; 2: bad input, or nothing could be measured."
        })
public final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ThresholdOptions limits;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Mixin
    ConfigOption config;

    /** Exit code of a check that found a trigger firing. */
    static final int FIRES = 1;

    @Override
    public Integer call() {
        Thresholds t = limits.thresholds();
        MigrateConfig cfg = config.read(spec);
        PrintWriter out = spec.commandLine().getOut();
        try (Orchestrator o = Orchestrator.administering(cfg, false, false)) {
            Catalog catalog = o.catalog();
            Instant now = catalog.now();
            Optional<ShardMap> map = catalog.currentMap();
            List<ShardHistory> histories = histories(catalog, map, t, now);
            InvalidInputException.require(
                    !histories.isEmpty(),
                    "shards",
                    "(none)",
                    "no shard is registered"
                            + map.map(m -> " for map v" + m.version()).orElse(""),
                    "register them with `reshard shards add`, then `reshard stats collect`");
            List<Verdict> verdicts = Triggers.evaluate(histories, t, now);
            boolean fires = verdicts.stream().anyMatch(Verdict::fires);
            boolean measured = verdicts.stream().anyMatch(v -> v.status() != Verdict.Status.NOT_MEASURED);
            if (json) {
                ObjectNode root = StatusView.JSON.createObjectNode();
                root.put("at", now.toString());
                map.ifPresent(m -> root.put("map", m.version()));
                root.put("fires", fires);
                root.put("measured", measured);
                ArrayNode list = root.putArray("triggers");
                for (Verdict v : verdicts) {
                    ObjectNode n = list.addObject();
                    n.put("trigger", v.trigger().toString());
                    n.put("shard", v.shard().value());
                    n.put("status", v.status().name().toLowerCase(Locale.ROOT));
                    if (!Double.isNaN(v.value()) && !Double.isInfinite(v.value())) {
                        n.put("value", v.value());
                    }
                    n.put("threshold", v.threshold());
                    n.put("reason", v.reason());
                }
                out.print(StatusView.write(root));
            } else {
                lines(verdicts).forEach(out::println);
                out.println(
                        fires
                                ? "a trigger fires: plan a rebalance (`reshard map add-shard`, move-vshards, move-tenants,"
                                        + " split-range)"
                                : measured
                                        ? "no trigger fires"
                                        : "nothing could be measured: run `reshard stats collect` (again later for load"
                                                + " and growth)");
            }
            out.flush();
            if (!measured) {
                return ReshardCommand.BAD_INPUT;
            }
            return fires ? FIRES : ReshardCommand.OK;
        }
    }

    private static Sample sample(ShardId shard, ShardStats s) {
        try {
            long ops = s.reads() < 0 || s.writes() < 0 ? -1 : s.reads() + s.writes();
            return new Sample(s.takenAt(), s.sizeBytes(), s.rowCount(), ops);
        } catch (InvalidInputException e) {
            throw InvalidInputException.of(
                    "stats[" + shard + " at " + s.takenAt() + "]",
                    s.sizeBytes(),
                    "is not a measurement: " + e.getMessage(),
                    "collect the statistics again; the stored sample is broken");
        }
    }

    /** The stats history of every registered shard of {@code map} (all, without one) over the growth window. */
    static List<ShardHistory> histories(Catalog catalog, Optional<ShardMap> map, Thresholds t, Instant now) {
        List<ShardHistory> histories = new ArrayList<>();
        Instant since = now.minus(t.growthWindow());
        for (ShardConfig shard : catalog.shards()) {
            if (map.isPresent() && !map.get().shards().contains(shard.id())) {
                continue;
            }
            List<Sample> samples = new ArrayList<>();
            for (ShardStats s : catalog.statsHistory(shard.id(), since)) {
                samples.add(sample(shard.id(), s));
            }
            histories.add(new ShardHistory(shard.id(), shard.capacityBytes(), samples));
        }
        return histories;
    }

    static List<String> lines(List<Verdict> verdicts) {
        List<String> lines = new ArrayList<>();
        String format = "%-12s  %-12s  %-12s  %s";
        lines.add(String.format(Locale.ROOT, format, "SHARD", "TRIGGER", "VERDICT", "WHY")
                .stripTrailing());
        for (Verdict v : verdicts) {
            String verdict = switch (v.status()) {
                case FIRES -> "FIRES";
                case CLEAR -> "clear";
                case NOT_MEASURED -> "not measured";
            };
            String first =
                    String.format(Locale.ROOT, format, Text.cut(v.shard().value(), 12), v.trigger(), verdict, "");
            int indent = first.length();
            List<String> wrapped = Text.wrap(v.reason(), Text.WIDTH - indent);
            lines.add(first + wrapped.get(0));
            for (int i = 1; i < wrapped.size(); i++) {
                lines.add(" ".repeat(indent) + wrapped.get(i));
            }
        }
        return lines;
    }
}
