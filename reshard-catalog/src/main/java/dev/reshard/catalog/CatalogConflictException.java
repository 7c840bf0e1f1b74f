package dev.reshard.catalog;

import dev.reshard.core.ReshardException;

/** A compare-and-set in the catalog lost: someone else changed the row first. */
public final class CatalogConflictException extends ReshardException {
    private static final long serialVersionUID = 1L;

    public CatalogConflictException(String message) {
        super(message);
    }
}
