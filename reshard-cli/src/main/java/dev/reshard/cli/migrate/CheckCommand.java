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
import java.time.Duration;
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

    @Option(names = "--storage", paramLabel = "SHARE", defaultValue = "0.8", description = "default ${DEFAULT-VALUE}")
    double storage;

    @Option(names = "--load", paramLabel = "RATIO", defaultValue = "1.5", description = "default ${DEFAULT-VALUE}")
    double load;

    @Option(
            names = "--growth-horizon",
            paramLabel = "DURATION",
            defaultValue = "90d",
            description = "default ${DEFAULT-VALUE}")
    String horizon;

    @Option(names = "--spread", paramLabel = "SHARE", defaultValue = "0.3", description = "default ${DEFAULT-VALUE}")
    double spread;

    @Option(
            names = "--growth-window",
            paramLabel = "DURATION",
            defaultValue = "30d",
            description = "history the growth fit uses (default ${DEFAULT-VALUE})")
    String window;

    @Option(
            names = "--growth-min-samples",
            paramLabel = "N",
            defaultValue = "6",
            description = "fewest samples to fit (default ${DEFAULT-VALUE})")
    int minSamples;

    @Option(
            names = "--growth-min-span",
            paramLabel = "DURATION",
            defaultValue = "1d",
            description = "shortest history to fit (default ${DEFAULT-VALUE})")
    String minSpan;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Mixin
    ConfigOption config;

    /** Exit code of a check that found a trigger firing. */
    static final int FIRES = 1;

    @Override
    public Integer call() {
        Thresholds t = new Thresholds(
                storage,
                load,
                duration("--growth-horizon", horizon),
                spread,
                duration("--growth-window", window),
                minSamples,
                duration("--growth-min-span", minSpan));
        MigrateConfig cfg = config.read(spec);
        PrintWriter out = spec.commandLine().getOut();
        try (Orchestrator o = Orchestrator.administering(cfg, false, false)) {
            Catalog catalog = o.catalog();
            Instant now = catalog.now();
            Optional<ShardMap> map = catalog.currentMap();
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

    private static Duration duration(String field, String text) {
        Duration d = ConfigReader.parseDuration(StatusView.JSON.getNodeFactory().textNode(text));
        if (d == null) {
            throw InvalidInputException.of(field, text, "is not a duration", "use e.g. 1d, 30d or 12h");
        }
        return d;
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
            List<String> wrapped = wrap(v.reason(), Text.WIDTH - indent);
            lines.add(first + wrapped.get(0));
            for (int i = 1; i < wrapped.size(); i++) {
                lines.add(" ".repeat(indent) + wrapped.get(i));
            }
        }
        return lines;
    }

    private static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        out.add(line.toString());
        return out;
    }
}
