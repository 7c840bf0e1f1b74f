package dev.reshard.cli;

import dev.reshard.core.ReshardException;

/**
 * A command line that the core refused, re-worded to name the option the operator typed rather than
 * the core's field: {@code --vshards: 2 is fewer than the 4 physical shards ...; use ...}. Exits 2.
 */
public final class UsageException extends ReshardException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
