package dev.reshard.catalog;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.migration.Phase;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What every router must do at one routing epoch: route by map {@code mapVersion}, and, while a
 * migration is in flight, route its moving keys (those that {@code targetVersion} places elsewhere)
 * as {@code phase} says. Epoch 0 is the implicit state of a catalog where no epoch was published
 * yet: route by the newest map. Epochs only grow; a router reports the epoch it applied, and a shard's
 * fence refuses writes tagged with an older one.
 */
public record RoutingState(
        long epoch, long mapVersion, OptionalLong targetVersion, Optional<String> migrationId, Optional<Phase> phase) {

    public RoutingState {
        Objects.requireNonNull(targetVersion, "targetVersion");
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(phase, "phase");
        InvalidInputException.require(
                epoch >= 0,
                "routing.epoch",
                epoch,
                "is not an epoch",
                "published epochs start at 1 (0: none published yet)");
        InvalidInputException.require(
                targetVersion.isPresent() == migrationId.isPresent() && migrationId.isPresent() == phase.isPresent(),
                "routing.migration",
                migrationId.orElse(""),
                "needs a target map version, a migration id and a phase together",
                "give all three, or none for a stable map");
    }

    /** Routing by one map, no migration in flight. */
    public static RoutingState stable(long epoch, long mapVersion) {
        return new RoutingState(epoch, mapVersion, OptionalLong.empty(), Optional.empty(), Optional.empty());
    }

    /** Routing during a migration from {@code mapVersion} to {@code targetVersion}. */
    public static RoutingState migrating(
            long epoch, long mapVersion, long targetVersion, String migrationId, Phase phase) {
        return new RoutingState(
                epoch, mapVersion, OptionalLong.of(targetVersion), Optional.of(migrationId), Optional.of(phase));
    }

    public boolean isMigrating() {
        return phase.isPresent();
    }

    /** The next epoch, stable on {@code mapVersion}. */
    public RoutingState nextStable(long mapVersion) {
        return stable(epoch + 1, mapVersion);
    }

    /** The next epoch, in {@code phase} of the same migration. */
    public RoutingState nextPhase(Phase next) {
        return migrating(epoch + 1, mapVersion, targetVersion.orElseThrow(), migrationId.orElseThrow(), next);
    }

    @Override
    public String toString() {
        return "epoch " + epoch + ": map v" + mapVersion
                + (isMigrating()
                        ? " -> v" + targetVersion.getAsLong() + " (" + migrationId.get() + ", " + phase.get() + ")"
                        : "");
    }
}
