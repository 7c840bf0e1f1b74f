package dev.reshard.router;

import dev.reshard.core.ReshardException;

/**
 * A router whose lease on the catalog has lapsed refuses writes: it may hold an old map while the
 * orchestrator, which stopped waiting for it, has moved on.
 */
public final class LeaseExpiredException extends ReshardException {
    private static final long serialVersionUID = 1L;

    public LeaseExpiredException(String message) {
        super(message);
    }
}
