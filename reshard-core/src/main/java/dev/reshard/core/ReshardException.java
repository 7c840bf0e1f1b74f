package dev.reshard.core;

/**
 * Root of Reshard's unchecked exceptions. Messages are part of the API: they name what failed, the
 * values involved and, where there is one, the fix.
 */
public class ReshardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReshardException(String message) {
        super(message);
    }

    public ReshardException(String message, Throwable cause) {
        super(message, cause);
    }
}
