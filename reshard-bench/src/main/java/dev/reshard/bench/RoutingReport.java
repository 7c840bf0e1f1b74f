package dev.reshard.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link RoutingBenchmark} through JMH and prints the results as the markdown tables of
 * docs/BENCHMARKS.md: ns/op, ns/op minus the baseline of the same key type, B/op, ring ÷ jump
 * hash, and a verdict per target. Takes the benchmarks jar's command-line options, e.g. {@code -f
 * 1 -wi 3 -w 1 -i 5 -r 1 -prof gc} (without {@code -prof gc} the B/op column is empty); with no
 * benchmark pattern it runs the whole class.
 */
public final class RoutingReport {
    private static final String GC_NORM = "gc.alloc.rate.norm";
    /** Any real allocation is at least one 16-byte object; below this JMH is reporting noise. */
    private static final double NO_ALLOCATION = 1.0;

    /** Anchors first, then the strategies; within a benchmark by size, balanced before random. */
    private static final List<String> ORDER = List.of(
            "baselineLong",
            "baselineString",
            "xxh3Long",
            "xxh3String",
            "jumpHashLong",
            "ringLong",
            "ringString",
            "virtualLong",
            "virtualString",
            "directoryLong",
            "rangeLong");

    private RoutingReport() {}

    /** One benchmark with one parameter set. {@code bytes} is NaN without the gc profiler. */
    record Line(String method, Map<String, String> params, double ns, double error, double bytes) {
        boolean stringKey() {
            return method.endsWith("String");
        }

        boolean lookup() {
            return !method.startsWith("baseline") && !method.startsWith("xxh3") && !method.startsWith("jump");
        }

        String param(String name) {
            return params.getOrDefault(name, "");
        }
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder options = new OptionsBuilder();
        options.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            options.include(RoutingBenchmark.class.getName() + "\\.");
        }
        List<Line> lines = lines(new Runner(options.build()).run());
        System.out.println();
        System.out.print(report(lines));
    }

    static List<Line> lines(Collection<RunResult> results) {
        List<Line> lines = new ArrayList<>();
        for (RunResult r : results) {
            String benchmark = r.getParams().getBenchmark();
            Map<String, String> params = new LinkedHashMap<>();
            for (String key : r.getParams().getParamsKeys()) {
                params.put(key, r.getParams().getParam(key));
            }
            double bytes = allocation(r);
            lines.add(new Line(
                    benchmark.substring(benchmark.lastIndexOf('.') + 1),
                    params,
                    r.getPrimaryResult().getScore(),
                    r.getPrimaryResult().getScoreError(),
                    bytes));
        }
        lines.sort(Comparator.comparingInt(RoutingReport::order));
        return lines;
    }

    /** {@code gc.alloc.rate.norm} in B/op, or NaN when the gc profiler was not on. */
    private static double allocation(RunResult r) {
        for (String label : r.getSecondaryResults().keySet()) {
            if (label.endsWith(GC_NORM)) {
                return r.getSecondaryResults().get(label).getScore();
            }
        }
        return Double.NaN;
    }

    static String report(List<Line> lines) {
        StringBuilder out = new StringBuilder();
        double baseLong = baseline(lines, "baselineLong");
        double baseString = baseline(lines, "baselineString");

        out.append("| benchmark | what | ns/op ± 99.9% | ns/op − baseline | B/op | time target | verdict |\n");
        out.append("|---|---|---:|---:|---:|---|---|\n");
        for (Line l : lines) {
            double net = l.ns - (l.stringKey() ? baseString : baseLong);
            double target = timeTarget(l);
            List<String> misses = new ArrayList<>();
            if (!Double.isNaN(target) && !(net <= target)) {
                misses.add(String.format(Locale.ROOT, "%.1f ns > %.0f", net, target));
            }
            if (l.lookup() && l.bytes >= NO_ALLOCATION) {
                misses.add(String.format(Locale.ROOT, "%.1f B/op", l.bytes));
            }
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.2f ± %.2f | %s | %s | %s | %s |%n",
                    l.method + params(l),
                    what(l),
                    l.ns,
                    l.error,
                    l.method.startsWith("baseline") ? "—" : String.format(Locale.ROOT, "%.2f", net),
                    Double.isNaN(l.bytes) ? "n/a" : String.format(Locale.ROOT, "%.3f", l.bytes),
                    Double.isNaN(target) ? (l.lookup() ? "0 B/op" : "—") : "≤ " + (int) target + " ns, 0 B/op",
                    !l.lookup() ? "—" : misses.isEmpty() ? "met" : "NOT MET: " + String.join(", ", misses)));
        }

        out.append("\n| shards | placement | ring ns/op | jump ns/op | ring ÷ jump | ring ÷ jump, baseline-subtracted"
                + " | target | verdict |\n");
        out.append("|---:|---|---:|---:|---:|---:|---|---|\n");
        double worstRatio = Double.NaN;
        for (Line ring : select(lines, l -> l.method.equals("ringLong"))) {
            Optional<Line> jump = select(
                            lines,
                            l -> l.method.equals("jumpHashLong")
                                    && l.param("buckets").equals(ring.param("shards")))
                    .stream()
                    .findFirst();
            if (jump.isEmpty()) {
                continue;
            }
            double raw = ring.ns / jump.get().ns;
            double net = (ring.ns - baseLong) / (jump.get().ns - baseLong);
            worstRatio = Double.isNaN(worstRatio) ? Math.max(raw, net) : Math.max(worstRatio, Math.max(raw, net));
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.2f | %.2f | %.2f | %.2f | ≤ 3 | %s |%n",
                    ring.param("shards"),
                    ring.param("placement").toLowerCase(Locale.ROOT),
                    ring.ns,
                    jump.get().ns,
                    raw,
                    net,
                    Math.max(raw, net) <= 3 ? "met" : "NOT MET"));
        }

        out.append("\nTargets (on baseline-subtracted ns/op):\n\n");
        summary(out, "virtual shards, long key, <= 30 ns", worstNet(lines, "virtualLong", baseLong), 30, " ns");
        summary(
                out,
                "virtual shards, 36-char string key, <= 120 ns",
                worstNet(lines, "virtualString", baseString),
                120,
                " ns");
        summary(
                out,
                "every strategy, long key, <= 100 ns",
                select(lines, l -> l.lookup() && !l.stringKey()).stream()
                        .mapToDouble(l -> l.ns - baseLong)
                        .max()
                        .orElse(Double.NaN),
                100,
                " ns");
        summary(
                out,
                "0 B/op on every lookup (gc.alloc.rate.norm < 1)",
                select(lines, Line::lookup).stream()
                        .mapToDouble(l -> l.bytes)
                        .max()
                        .orElse(Double.NaN),
                NO_ALLOCATION - 1e-9,
                " B/op");
        summary(out, "ring within 3x of jump hash", worstRatio, 3, "x");
        return out.toString();
    }

    /** A target line; {@code worst} is NaN when nothing was measured for it. */
    private static void summary(StringBuilder out, String target, double worst, double limit, String unit) {
        out.append(
                Double.isNaN(worst)
                        ? String.format(Locale.ROOT, "- %s: not measured%n", target)
                        : String.format(
                                Locale.ROOT,
                                "- %s: %s (worst %.2f%s)%n",
                                target,
                                worst <= limit ? "met" : "NOT MET",
                                worst,
                                unit));
    }

    private static double worstNet(List<Line> lines, String method, double baseline) {
        return select(lines, l -> l.method.equals(method)).stream()
                .mapToDouble(l -> l.ns - baseline)
                .max()
                .orElse(Double.NaN);
    }

    private static double baseline(List<Line> lines, String method) {
        return select(lines, l -> l.method.equals(method)).stream()
                .mapToDouble(l -> l.ns)
                .findFirst()
                .orElse(Double.NaN);
    }

    private static List<Line> select(List<Line> lines, Predicate<Line> which) {
        return lines.stream().filter(which).toList();
    }

    private static double timeTarget(Line l) {
        return switch (l.method) {
            case "virtualLong" -> 30;
            case "virtualString" -> 120;
            case "ringLong", "directoryLong", "rangeLong" -> 100;
            default -> Double.NaN;
        };
    }

    private static int order(Line l) {
        int size = l.params.values().stream().mapToInt(RoutingReport::number).sum();
        return ORDER.indexOf(l.method) * 1_000_000
                + size * 2
                + (l.param("placement").equals("RANDOM") ? 1 : 0);
    }

    private static int number(String s) {
        return s.chars().allMatch(Character::isDigit) && !s.isEmpty() ? Math.min(Integer.parseInt(s), 100_000) : 0;
    }

    private static String params(Line l) {
        return l.params.isEmpty() ? "" : " " + l.params;
    }

    private static String what(Line l) {
        return switch (l.method) {
            case "baselineLong" -> "return the long key (loop + key load)";
            case "baselineString" -> "return the string key (loop + key load)";
            case "xxh3Long" -> "xxh3 of a long key";
            case "xxh3String" -> "xxh3 of a 36-char UUID string";
            case "jumpHashLong" -> "Guava consistentHash(xxh3(key), " + l.param("buckets") + ")";
            case "ringLong" ->
                "ring, " + l.param("shards") + " shards x 256 points, "
                        + l.param("placement").toLowerCase(Locale.ROOT);
            case "ringString" -> "ring, 64 shards x 256 points, balanced, string key";
            case "virtualLong" -> "virtual shards V=" + l.param("vshards") + ", 8 shards";
            case "virtualString" -> "virtual shards V=" + l.param("vshards") + ", 8 shards, string key";
            case "directoryLong" ->
                "directory, " + l.param("tenants") + " long tenants, key "
                        + (Boolean.parseBoolean(l.param("listed")) ? "listed" : "unlisted (xxh3 + jump)");
            case "rangeLong" -> "range map, " + l.param("ranges") + " ranges";
            default -> "";
        };
    }
}
