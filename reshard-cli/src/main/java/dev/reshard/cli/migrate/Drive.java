package dev.reshard.cli.migrate;

import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.migration.Phase;
import dev.reshard.migration.engine.MigrationEngine;
import dev.reshard.migration.engine.MigrationStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.function.BiFunction;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The shared body of {@code start}, {@code resume} and {@code rollback}: read the config, open the
 * catalog and the shards, drive the engine while printing its events, then print where the
 * migration stands. Exits 0 when the engine returns (done, rolled back, or stopped where the
 * options said); its refusals and failures reach the error handler.
 */
final class Drive {
    private Drive() {}

    static int run(
            CommandSpec spec,
            ConfigOption config,
            String headline,
            BiFunction<MigrationEngine, MigrateConfig, MigrationStatus> work) {
        return run(spec, config, null, headline, work);
    }

    /** With {@code stop} (may be null): this run's {@code --stop-before}. */
    static int run(
            CommandSpec spec,
            ConfigOption config,
            StopBeforeOption stop,
            String headline,
            BiFunction<MigrationEngine, MigrateConfig, MigrationStatus> work) {
        MigrateConfig read = config.read(spec);
        MigrateConfig cfg = stop == null ? read : stop.apply(spec, read);
        PrintWriter out = spec.commandLine().getOut();
        EventPrinter printer = new EventPrinter(out, Instant.now());
        try (Orchestrator o = Orchestrator.running(cfg, printer)) {
            out.println(headline + " (lease holder " + o.engine().owner() + ")");
            out.flush();
            MigrationStatus status = work.apply(o.engine(), cfg);
            StatusView.detail(status, false).forEach(out::println);
            if (!status.phase().isTerminal()) {
                out.println("stopped in " + status.phase()
                        + cfg.options().stopBefore().map(p -> " before " + p).orElse("")
                        + " as asked; continue with `reshard migrate resume " + status.id() + "`");
            } else if (status.phase() == Phase.ROLLED_BACK) {
                out.println("rolled back: routers use map v" + status.fromVersion() + " again");
            }
            out.flush();
            return ReshardCommand.OK;
        }
    }
}
