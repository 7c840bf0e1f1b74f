package dev.reshard.catalog;

import dev.reshard.core.migration.Phase;
import java.time.Instant;
import java.util.Optional;

/**
 * A migration as stored: the pair of map versions, its phase, the orchestrator holding its lease,
 * and the latest report (JSON) and error. The phase is stored by name and read back as a {@link
 * Phase}: a stored name that is not a phase is refused when the row is read, naming the migration.
 */
public record MigrationRecord(
        String id,
        long fromVersion,
        long toVersion,
        Phase phase,
        Optional<String> owner,
        Optional<Instant> leaseExpiresAt,
        Instant createdAt,
        Instant updatedAt,
        Optional<String> report,
        Optional<String> error) {}
