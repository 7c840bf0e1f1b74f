package dev.reshard.jdbc.capture;

import dev.reshard.core.ReshardException;

/** A fence change that would break the fence's rule that its epoch never goes down. */
public final class FenceException extends ReshardException {
    private static final long serialVersionUID = 1L;

    FenceException(String message) {
        super(message);
    }
}
