package dev.reshard.cli.migrate;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.catalog.ShardStats;
import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.InvalidInputException;
import dev.reshard.migration.engine.MigratedTable;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code reshard stats}: shard statistics into the catalog's history, for {@code reshard check}. */
@Command(
        name = "stats",
        description = "Collect shard statistics (size, rows, operation counters) into the catalog's history.",
        subcommands = {StatsCommand.Collect.class})
public final class StatsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing subcommand; use one of " + spec.subcommands().keySet() + ", e.g. reshard stats collect");
    }

    @Command(
            name = "collect",
            description = {
                "Measure every registered shard once (or every --every) and record it in the catalog: the database's"
                        + " size, the sharded tables' rows (the server's estimates; --exact counts them) and the"
                        + " server's operation counters on them.",
                "A shard that cannot be reached is reported and the others are still recorded; the exit code is"
                        + " then 1."
            })
    static final class Collect implements Callable<Integer> {
        static final Duration MIN_EVERY = Duration.ofSeconds(1);

        @Spec
        CommandSpec spec;

        @Option(names = "--exact", description = "count rows with COUNT(*) (reads every sharded table)")
        boolean exact;

        @Option(
                names = "--every",
                paramLabel = "DURATION",
                description = "keep collecting at this interval (e.g. 5m) until stopped")
        String every;

        @Option(names = "--rounds", paramLabel = "N", description = "with --every: stop after N rounds")
        Integer rounds;

        @Mixin
        ConfigOption config;

        @Override
        public Integer call() throws InterruptedException {
            Duration interval = null;
            if (every != null) {
                interval = ConfigReader.parseDuration(
                        StatusView.JSON.getNodeFactory().textNode(every));
                InvalidInputException.require(
                        interval != null && interval.compareTo(MIN_EVERY) >= 0 && interval.toDays() <= 30,
                        "--every",
                        every,
                        "is not a duration from 1s to 30d",
                        "use e.g. 30s, 5m or 1h");
            }
            InvalidInputException.require(
                    rounds == null || (rounds >= 1 && every != null),
                    "--rounds",
                    rounds,
                    rounds != null && rounds >= 1 ? "needs --every" : "is not a positive number",
                    "use e.g. --every 5m --rounds 12");
            MigrateConfig cfg = config.read(spec);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<String> tables = cfg.tables().stream().map(MigratedTable::name).toList();
            int failed = 0;
            try (Orchestrator o = Orchestrator.administering(cfg, false, false)) {
                Catalog catalog = o.catalog();
                for (int round = 1; ; round++) {
                    failed = collect(catalog, tables, out, err);
                    out.flush();
                    if (interval == null || (rounds != null && round >= rounds)) {
                        break;
                    }
                    Thread.sleep(interval.toMillis());
                }
            }
            return failed == 0 ? ReshardCommand.OK : ReshardCommand.INTERNAL_ERROR;
        }

        /** One round over every registered shard; returns how many could not be measured. */
        private int collect(Catalog catalog, List<String> tables, PrintWriter out, PrintWriter err) {
            List<ShardConfig> shards = catalog.shards();
            if (shards.isEmpty()) {
                throw InvalidInputException.of(
                        "shards", "(none)", "no shard is registered in the catalog", "run `reshard shards add` first");
            }
            int failed = 0;
            for (ShardConfig shard : shards) {
                try (Connection c = DriverManager.getConnection(
                        shard.jdbcUrl(), shard.username(), shard.password().resolve())) {
                    ShardMeasurement m = ShardMeasurement.of(c, tables, exact);
                    catalog.recordStats(new ShardStats(
                            shard.id(), catalog.now(), m.sizeBytes(), m.rows(), m.reads(), m.writes(), 0));
                    out.println(shard.id() + ": " + m.describe()
                            + (m.tablesMissing().isEmpty()
                                    ? ""
                                    : "; no table " + String.join(", ", m.tablesMissing())));
                } catch (SQLException | RuntimeException e) {
                    failed++;
                    err.println("reshard: " + shard.id() + ": not measured: " + Orchestrator.cause(e)
                            + "; the other shards are recorded");
                }
            }
            err.flush();
            return failed;
        }
    }
}
