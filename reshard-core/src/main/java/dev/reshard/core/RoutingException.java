package dev.reshard.core;

/** A key that the active shard map cannot route, e.g. a long key below the first range. */
public final class RoutingException extends ReshardException {
    private static final long serialVersionUID = 1L;

    public RoutingException(String message) {
        super(message);
    }
}
