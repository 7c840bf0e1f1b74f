package dev.reshard.migration.engine;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A migration the engine will not start or continue, with every reason (each names the field, the
 * value, the problem and the fix). Nothing was written when this is thrown.
 */
public final class MigrationRefusedException extends ReshardException {
    private static final long serialVersionUID = 1L;
    private final transient List<InvalidInputException> reasons;

    public MigrationRefusedException(String what, List<InvalidInputException> reasons) {
        super(what + " refused (" + reasons.size() + " reason" + (reasons.size() == 1 ? "" : "s") + "):\n"
                + reasons.stream().map(r -> "  - " + r.getMessage()).collect(Collectors.joining("\n")));
        this.reasons = List.copyOf(reasons);
    }

    public List<InvalidInputException> reasons() {
        return reasons;
    }
}
