package dev.reshard.core.rebalance;

import dev.reshard.core.rebalance.Verdict.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/*
 * Design notes
 *
 * A pure function of the shards' histories, the thresholds and the time: the same input gives the
 * same verdicts, and nothing is guessed. A trigger that lacks what it needs (no sample, a history
 * too short to fit, counters a database does not keep, a counter that went back because its server
 * restarted) is NOT_MEASURED with the reason, never CLEAR: an operator must be able to tell "fine"
 * from "unknown".
 *
 * - storage: the newest size over the configured capacity.
 * - load: each shard's operation rate between its two newest samples, over the mean rate of the
 *   shards that have one (at least two shards must).
 * - growth: a least-squares line through the sizes of the last window; the days until it reaches
 *   the storage threshold (storage x capacity), so it warns before the storage trigger fires. The
 *   fit's slope error and R² are reported with it.
 * - distribution: the newest size's distance from the mean of the newest sizes, over that mean.
 */
/** The guide's four rebalance triggers over measured shard histories. */
public final class Triggers {
    private Triggers() {}

    /** Every trigger for every shard: four verdicts per shard, shards in the order given. */
    public static List<Verdict> evaluate(List<ShardHistory> shards, Thresholds t, Instant now) {
        List<Verdict> out = new ArrayList<>();
        Map<ShardHistory, OptionalDouble> rates = new LinkedHashMap<>();
        Map<ShardHistory, String> noRate = new LinkedHashMap<>();
        for (ShardHistory h : shards) {
            rate(h, rates, noRate);
        }
        double meanRate = rates.values().stream()
                .filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble)
                .average()
                .orElse(Double.NaN);
        long withRate =
                rates.values().stream().filter(OptionalDouble::isPresent).count();
        double meanSize = shards.stream()
                .filter(h -> h.latest().isPresent())
                .mapToLong(h -> h.latest().get().sizeBytes())
                .average()
                .orElse(Double.NaN);
        long withSize = shards.stream().filter(h -> h.latest().isPresent()).count();
        for (ShardHistory h : shards) {
            out.add(storage(h, t));
            out.add(load(h, t, rates.get(h), noRate.get(h), meanRate, withRate));
            out.add(growth(h, t, now));
            out.add(distribution(h, t, meanSize, withSize));
        }
        return out;
    }

    private static Verdict storage(ShardHistory h, Thresholds t) {
        if (h.latest().isEmpty()) {
            return notMeasured(Trigger.STORAGE, h, t.storage(), "no statistics yet; run `reshard stats collect`");
        }
        Sample s = h.latest().get();
        double used = (double) s.sizeBytes() / h.capacityBytes();
        boolean fires = used > t.storage();
        return new Verdict(
                Trigger.STORAGE,
                h.shard(),
                fires ? Status.FIRES : Status.CLEAR,
                used,
                t.storage(),
                String.format(
                        Locale.ROOT,
                        "%s of %s capacity used (%s), %s the %s threshold",
                        bytes(s.sizeBytes()),
                        bytes(h.capacityBytes()),
                        percent(used),
                        fires ? "above" : "within",
                        percent(t.storage())));
    }

    /**
     * Operations per second between {@code h}'s two newest samples that have counters (the load
     * trigger's rate); empty when they do not give one.
     */
    public static OptionalDouble operationRate(ShardHistory h) {
        Map<ShardHistory, OptionalDouble> rates = new LinkedHashMap<>();
        rate(h, rates, new LinkedHashMap<>());
        return rates.get(h);
    }

    /** Operations per second between the two newest samples that have counters. */
    private static void rate(ShardHistory h, Map<ShardHistory, OptionalDouble> rates, Map<ShardHistory, String> why) {
        List<Sample> counted =
                h.samples().stream().filter(s -> s.operations() >= 0).toList();
        if (counted.size() < 2) {
            rates.put(h, OptionalDouble.empty());
            why.put(
                    h,
                    h.samples().isEmpty()
                            ? "no statistics yet; run `reshard stats collect`"
                            : counted.isEmpty()
                                    ? "its database keeps no operation counters Reshard reads"
                                    : "one sample with counters; the rate needs two (collect again later)");
            return;
        }
        Sample a = counted.get(counted.size() - 2);
        Sample b = counted.get(counted.size() - 1);
        double seconds = Duration.between(a.at(), b.at()).toMillis() / 1000.0;
        if (b.operations() < a.operations()) {
            rates.put(h, OptionalDouble.empty());
            why.put(
                    h,
                    "its operation counter went back between the two newest samples (server restarted?);"
                            + " collect again later");
            return;
        }
        if (seconds <= 0) {
            rates.put(h, OptionalDouble.empty());
            why.put(h, "its two newest samples have the same time");
            return;
        }
        rates.put(h, OptionalDouble.of((b.operations() - a.operations()) / seconds));
    }

    private static Verdict load(
            ShardHistory h, Thresholds t, OptionalDouble rate, String noRate, double meanRate, long withRate) {
        if (rate.isEmpty()) {
            return notMeasured(Trigger.LOAD, h, t.load(), noRate);
        }
        if (withRate < 2) {
            return notMeasured(Trigger.LOAD, h, t.load(), "only one shard has a measured rate; load compares shards");
        }
        double r = rate.getAsDouble();
        if (meanRate == 0) {
            return new Verdict(Trigger.LOAD, h.shard(), Status.CLEAR, 0, t.load(), "no shard served operations");
        }
        double ratio = r / meanRate;
        boolean fires = ratio > t.load();
        return new Verdict(
                Trigger.LOAD,
                h.shard(),
                fires ? Status.FIRES : Status.CLEAR,
                ratio,
                t.load(),
                String.format(
                        Locale.ROOT,
                        "%.1f operations/s, %s of the average %.1f/s, %s the %s threshold",
                        r,
                        percent(ratio),
                        meanRate,
                        fires ? "above" : "within",
                        percent(t.load())));
    }

    /**
     * The growth fit the growth trigger uses for {@code h}: a line through the samples of the
     * window, or empty when the window has too few samples or too short a span.
     */
    static java.util.Optional<GrowthFit> growthFit(ShardHistory h, Thresholds t, Instant now) {
        Instant since = now.minus(t.growthWindow());
        List<Sample> window =
                h.samples().stream().filter(s -> !s.at().isBefore(since)).toList();
        if (window.size() < t.growthMinSamples() || window.size() < 2) {
            return java.util.Optional.empty();
        }
        double spanDays = Duration.between(
                                window.get(0).at(),
                                window.get(window.size() - 1).at())
                        .toMillis()
                / 86_400_000.0;
        if (spanDays < t.growthMinSpan().toMillis() / 86_400_000.0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(GrowthFit.of(window));
    }

    private static Verdict growth(ShardHistory h, Thresholds t, Instant now) {
        double horizon = t.growthHorizon().toHours() / 24.0;
        Instant since = now.minus(t.growthWindow());
        List<Sample> window =
                h.samples().stream().filter(s -> !s.at().isBefore(since)).toList();
        double spanDays = window.size() < 2
                ? 0
                : Duration.between(
                                        window.get(0).at(),
                                        window.get(window.size() - 1).at())
                                .toMillis()
                        / 86_400_000.0;
        double needDays = t.growthMinSpan().toMillis() / 86_400_000.0;
        if (window.size() < t.growthMinSamples() || spanDays < needDays) {
            return notMeasured(
                    Trigger.GROWTH,
                    h,
                    horizon,
                    String.format(
                            Locale.ROOT,
                            "%d samples over %s in the last %s; growth needs at least %d over %s",
                            window.size(),
                            span(spanDays),
                            span(t.growthWindow().toMillis() / 86_400_000.0),
                            t.growthMinSamples(),
                            span(needDays)));
        }
        GrowthFit fit = GrowthFit.of(window);
        double limit = t.storage() * h.capacityBytes();
        double days = fit.daysTo(limit);
        boolean fires = days < horizon;
        String when = Double.isInfinite(days)
                ? "not growing, so never"
                : days == 0 ? "there already" : String.format(Locale.ROOT, "in %.0f days", days);
        return new Verdict(
                Trigger.GROWTH,
                h.shard(),
                fires ? Status.FIRES : Status.CLEAR,
                days,
                horizon,
                String.format(
                        Locale.ROOT,
                        "%s/day (±%s, R² %.2f, %d samples over %s): reaches %s (%s of capacity) %s; %s the %.0f-day horizon",
                        signedBytes(fit.slopePerDay()),
                        Double.isNaN(fit.slopeStdError()) ? "?" : bytes((long) fit.slopeStdError()),
                        fit.rSquared(),
                        fit.samples(),
                        span(fit.spanDays()),
                        bytes((long) limit),
                        percent(t.storage()),
                        when,
                        fires ? "inside" : "beyond",
                        horizon));
    }

    private static Verdict distribution(ShardHistory h, Thresholds t, double meanSize, long withSize) {
        if (h.latest().isEmpty()) {
            return notMeasured(Trigger.DISTRIBUTION, h, t.spread(), "no statistics yet; run `reshard stats collect`");
        }
        if (withSize < 2) {
            return notMeasured(
                    Trigger.DISTRIBUTION, h, t.spread(), "only one shard is measured; spread compares shards");
        }
        long size = h.latest().get().sizeBytes();
        if (meanSize == 0) {
            return new Verdict(Trigger.DISTRIBUTION, h.shard(), Status.CLEAR, 0, t.spread(), "every shard is empty");
        }
        double off = (size - meanSize) / meanSize;
        boolean fires = Math.abs(off) > t.spread();
        return new Verdict(
                Trigger.DISTRIBUTION,
                h.shard(),
                fires ? Status.FIRES : Status.CLEAR,
                off,
                t.spread(),
                String.format(
                        Locale.ROOT,
                        "%s, %s%s from the average %s, %s the ±%s threshold",
                        bytes(size),
                        off >= 0 ? "+" : "-",
                        percent(Math.abs(off)),
                        bytes((long) meanSize),
                        fires ? "outside" : "within",
                        percent(t.spread())));
    }

    private static Verdict notMeasured(Trigger trigger, ShardHistory h, double threshold, String why) {
        return new Verdict(trigger, h.shard(), Status.NOT_MEASURED, Double.NaN, threshold, why);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }

    static String bytes(long n) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
        double v = n;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + "B" : String.format(Locale.ROOT, "%.1f%s", v, units[u]);
    }

    private static String signedBytes(double n) {
        return (n >= 0 ? "+" : "-") + bytes((long) Math.abs(n));
    }

    private static String span(double days) {
        if (days >= 2) {
            return String.format(Locale.ROOT, "%.0fd", days);
        }
        double hours = days * 24;
        return hours >= 1
                ? String.format(Locale.ROOT, "%.0fh", hours)
                : String.format(Locale.ROOT, "%.0fm", hours * 60);
    }
}
