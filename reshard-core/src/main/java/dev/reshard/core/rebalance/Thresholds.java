package dev.reshard.core.rebalance;

import dev.reshard.core.InvalidInputException;
import java.time.Duration;

/**
 * When the guide's triggers fire: storage above {@code storage} of capacity (0.8), load above
 * {@code load} times the average (1.5), the storage threshold reached within {@code growthHorizon}
 * at the fitted growth (90 days), a size further than {@code spread} from the average (0.3). The
 * growth fit uses the samples of the last {@code growthWindow} and needs at least {@code
 * growthMinSamples} of them spanning {@code growthMinSpan}.
 */
public record Thresholds(
        double storage,
        double load,
        Duration growthHorizon,
        double spread,
        Duration growthWindow,
        int growthMinSamples,
        Duration growthMinSpan) {

    public static final Thresholds DEFAULTS =
            new Thresholds(0.80, 1.50, Duration.ofDays(90), 0.30, Duration.ofDays(30), 6, Duration.ofDays(1));

    public Thresholds {
        InvalidInputException.require(
                storage > 0 && storage <= 1,
                "storage",
                storage,
                "is not a share of capacity",
                "use a number above 0 and at most 1, e.g. 0.8 for 80 %");
        InvalidInputException.require(
                load > 1 && load <= 100,
                "load",
                load,
                "is not a multiple of the average load above 1",
                "use e.g. 1.5 (150 % of the average); at most 100");
        InvalidInputException.require(
                growthHorizon != null
                        && growthHorizon.compareTo(Duration.ofDays(1)) >= 0
                        && growthHorizon.compareTo(Duration.ofDays(3650)) <= 0,
                "growthHorizon",
                growthHorizon,
                "is out of range",
                "use 1d to 3650d, e.g. 90d");
        InvalidInputException.require(
                spread > 0 && spread <= 10,
                "spread",
                spread,
                "is not a share of the average size",
                "use a number above 0, e.g. 0.3 for 30 %; at most 10");
        InvalidInputException.require(
                growthMinSamples >= 3 && growthMinSamples <= 100_000,
                "growthMinSamples",
                growthMinSamples,
                "is out of range",
                "use 3 to 100000; a straight line through two points says nothing of its error");
        InvalidInputException.require(
                growthMinSpan != null && !growthMinSpan.isNegative() && !growthMinSpan.isZero(),
                "growthMinSpan",
                growthMinSpan,
                "is not a positive duration",
                "use e.g. 1d");
        InvalidInputException.require(
                growthWindow != null && growthWindow.compareTo(growthMinSpan) >= 0,
                "growthWindow",
                growthWindow,
                "is shorter than growthMinSpan " + growthMinSpan,
                "use a window at least as long as the span the fit needs, e.g. 30d");
    }
}
