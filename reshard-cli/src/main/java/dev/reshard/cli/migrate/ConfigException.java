package dev.reshard.cli.migrate;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration refused before anything was written, with every problem found (each names the
 * field, the value, the problem and the fix), so that an operator fixes them all at once. Exits 2.
 */
public final class ConfigException extends ReshardException {
    private static final long serialVersionUID = 1L;
    private final transient List<InvalidInputException> reasons;

    public ConfigException(String what, List<InvalidInputException> reasons) {
        super(what + " refused (" + reasons.size() + " problem" + (reasons.size() == 1 ? "" : "s") + "):\n"
                + reasons.stream().map(r -> "  - " + r.getMessage()).collect(Collectors.joining("\n")));
        this.reasons = List.copyOf(reasons);
    }

    public List<InvalidInputException> reasons() {
        return reasons;
    }
}
