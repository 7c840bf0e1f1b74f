package dev.reshard.core.strategy;

import dev.reshard.core.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;

/** The four sharding strategies, by the name used in config, the catalog and the CLI. */
public enum StrategyKind {
    RING("ring"),
    VIRTUAL("virtual"),
    DIRECTORY("directory"),
    RANGE("range");

    private final String label;

    StrategyKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static StrategyKind parse(String field, String text) {
        String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (StrategyKind kind : values()) {
            if (kind.label.equals(wanted)) {
                return kind;
            }
        }
        throw InvalidInputException.of(
                field,
                text,
                "is not a strategy",
                "use one of " + Arrays.stream(values()).map(StrategyKind::label).toList());
    }

    @Override
    public String toString() {
        return label;
    }
}
