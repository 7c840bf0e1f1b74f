package dev.reshard.cli.plan;

import dev.reshard.cli.UsageException;
import dev.reshard.core.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Which command-line option each field of the core's {@link InvalidInputException} comes from, so
 * that {@code virtual.count: 2 is fewer than ...} reads {@code --vshards: 2 is fewer than ...}.
 */
final class OptionNames {
    private final Map<Pattern, String> options = new LinkedHashMap<>();

    /** Pairs of a field pattern (a regex over the whole field) and the option it comes from. */
    static OptionNames of(String... fieldThenOption) {
        OptionNames names = new OptionNames();
        for (int i = 0; i + 1 < fieldThenOption.length; i += 2) {
            names.options.put(Pattern.compile(fieldThenOption[i]), fieldThenOption[i + 1]);
        }
        return names;
    }

    /** Runs {@code body}, re-wording a refusal whose field is known; others pass unchanged. */
    <T> T translating(Supplier<T> body) {
        try {
            return body.get();
        } catch (InvalidInputException e) {
            for (Map.Entry<Pattern, String> entry : options.entrySet()) {
                if (entry.getKey().matcher(e.field()).matches()) {
                    InvalidInputException renamed = e.withField(entry.getValue());
                    throw new UsageException(renamed.getMessage(), renamed);
                }
            }
            throw e;
        }
    }
}
