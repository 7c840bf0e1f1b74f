package dev.reshard.router;

import dev.reshard.core.ReshardException;

/** An update tried to change a row's shard key, which would move the row between shards. */
public final class ShardKeyChangeException extends ReshardException {
    private static final long serialVersionUID = 1L;

    public ShardKeyChangeException(String message) {
        super(message);
    }
}
