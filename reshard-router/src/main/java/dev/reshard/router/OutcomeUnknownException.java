package dev.reshard.router;

import dev.reshard.core.ReshardException;

/**
 * A write committed on its primary shard but could not be confirmed on the mirror that reads are
 * served from; the write may or may not be visible. The application should read the key back
 * before retrying a non-idempotent change.
 */
public final class OutcomeUnknownException extends ReshardException {
    private static final long serialVersionUID = 1L;

    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
