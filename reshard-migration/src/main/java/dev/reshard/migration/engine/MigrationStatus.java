package dev.reshard.migration.engine;

import dev.reshard.core.migration.Phase;
import dev.reshard.migration.Progress;
import java.util.Optional;

/** A migration as an operator sees it: phase, progress, the stored report and the last error. */
public record MigrationStatus(
        String id,
        Phase phase,
        long fromVersion,
        long toVersion,
        Progress progress,
        MigrationReport report,
        Optional<String> error,
        Optional<String> owner) {}
