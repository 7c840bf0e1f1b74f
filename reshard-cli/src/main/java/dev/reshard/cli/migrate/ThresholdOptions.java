package dev.reshard.cli.migrate;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.rebalance.Thresholds;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The guide's four triggers' thresholds as flags, with its defaults ({@code check}, {@code map plan}). */
final class ThresholdOptions {
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

    Thresholds thresholds() {
        return new Thresholds(
                storage,
                load,
                duration("--growth-horizon", horizon),
                spread,
                duration("--growth-window", window),
                minSamples,
                duration("--growth-min-span", minSpan));
    }

    private static Duration duration(String field, String text) {
        Duration d = ConfigReader.parseDuration(StatusView.JSON.getNodeFactory().textNode(text));
        if (d == null) {
            throw InvalidInputException.of(field, text, "is not a duration", "use e.g. 1d, 30d or 12h");
        }
        return d;
    }
}
