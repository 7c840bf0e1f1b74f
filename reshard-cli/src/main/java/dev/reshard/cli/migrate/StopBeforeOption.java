package dev.reshard.cli.migrate;

import dev.reshard.core.migration.Phase;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --stop-before PHASE} of {@code migrate start} and {@code resume}: this run stops once the
 * work of the phase before PHASE is done, before the transition. It is a flag of one run, not a
 * config value, so the next {@code resume} goes on unless it asks again.
 */
final class StopBeforeOption {
    @Option(
            names = "--stop-before",
            paramLabel = "PHASE",
            description = "stop this run after the work of the phase before PHASE, before entering it (one of"
                    + " DUAL_WRITE, BACKFILL, VERIFY, READ_NEW, CUTOVER, CLEANUP, DONE; e.g. CLEANUP to inspect before"
                    + " the point of no return); `resume` continues")
    String text;

    /** The phase asked for, if any; a value that is not a stoppable phase is refused by name. */
    Optional<Phase> phase(CommandSpec spec) {
        if (text == null) {
            return Optional.empty();
        }
        String wanted = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
        for (Phase p : Phase.stoppable()) {
            if (p.name().equals(wanted)) {
                return Optional.of(p);
            }
        }
        throw new ParameterException(
                spec.commandLine(),
                "--stop-before: \"" + text + "\" is not a phase a run can stop before; use one of " + Phase.stoppable()
                        + ", e.g. CLEANUP to inspect before the point of no return");
    }

    /** {@code cfg} with this run's stop, if one was asked for. */
    MigrateConfig apply(CommandSpec spec, MigrateConfig cfg) {
        return phase(spec)
                .map(p -> new MigrateConfig(
                        cfg.file(),
                        cfg.catalog(),
                        cfg.shards(),
                        cfg.tables(),
                        cfg.options().toBuilder().stopBefore(p).build(),
                        cfg.warnings()))
                .orElse(cfg);
    }
}
