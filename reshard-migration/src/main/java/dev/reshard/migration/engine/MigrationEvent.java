package dev.reshard.migration.engine;

import dev.reshard.core.migration.Phase;
import dev.reshard.migration.Progress;
import java.time.Instant;
import java.util.Optional;

/** Something the engine did, for a listener (the CLI prints them); progress events carry a snapshot. */
public record MigrationEvent(
        Instant at, String migrationId, Phase phase, String message, Optional<Progress> progress) {}
