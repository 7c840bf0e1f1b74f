package dev.reshard.jdbc;

import dev.reshard.core.ReshardException;

/** A connection to a database product that Reshard does not speak. */
public final class UnsupportedEngineException extends ReshardException {
    private static final long serialVersionUID = 1L;

    UnsupportedEngineException(String product) {
        super("database product \"" + product + "\" is not supported; Reshard speaks PostgreSQL, MariaDB/MySQL and H2");
    }
}
