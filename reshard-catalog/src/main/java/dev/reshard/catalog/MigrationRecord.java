package dev.reshard.catalog;

import java.time.Instant;
import java.util.Optional;

/**
 * A migration as stored: the pair of map versions, its phase, the orchestrator holding its lease,
 * and the latest report (JSON) and error. The phase is stored by name; the migration engine owns the
 * phase enum and its transition table.
 */
public record MigrationRecord(
        String id,
        long fromVersion,
        long toVersion,
        String phase,
        Optional<String> owner,
        Optional<Instant> leaseExpiresAt,
        Instant createdAt,
        Instant updatedAt,
        Optional<String> report,
        Optional<String> error) {}
