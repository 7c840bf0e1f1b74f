package dev.reshard.cli.demo;

import dev.reshard.cli.ReshardCommand;
import dev.reshard.cli.migrate.EventPrinter;
import dev.reshard.cli.migrate.Text;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.StrategyKind;
import dev.reshard.migration.engine.MigrationEngine;
import dev.reshard.migration.engine.MigrationOptions;
import dev.reshard.migration.engine.MigrationRefusedException;
import dev.reshard.migration.engine.MigrationRequest;
import dev.reshard.migration.engine.MigrationStatus;
import dev.reshard.router.Router;
import dev.reshard.workload.IntegrityCheck;
import dev.reshard.workload.IntegrityReport;
import dev.reshard.workload.Ledger;
import dev.reshard.workload.Writers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/*
 * Design notes
 *
 * The demo is the end-to-end proof an operator can run in a minute: real databases (H2 files), the
 * real catalog, routers and engine, with writers changing the data through the routers for the
 * whole migration. The verdict does not trust the engine's own verification: after the writers
 * stop, every shard is read directly and compared with the writers' ledger (what each write was
 * acknowledged as) and with the map that should place each row. It exits 1 unless the migration is
 * DONE, that check is intact, and no read missed its writer's own acknowledged write.
 */
/** {@code reshard demo}: a live migration on embedded databases, checked against the writers' ledger. */
@Command(
        name = "demo",
        sortOptions = false,
        description = {
            "Run a live migration on embedded databases and check that no acknowledged write was lost.",
            "In a temporary directory of H2 databases: load users and orders onto the shards, start writers"
                    + " through two routers, add a shard with the migration engine while they write, then"
                    + " read every shard directly and check the rows against what each writer was told.",
            "Exits 0 when the migration is DONE and no acknowledged write was lost, resurrected, duplicated"
                    + " or misplaced; 1 otherwise."
        })
public final class DemoCommand implements Callable<Integer> {
    static final int MAX_USERS = 10_000_000;
    static final int MAX_SHARDS = 8;
    static final int MAX_WRITERS = 64;
    private static final String MIGRATION_ID = "demo";
    /** How long the writers run before the migration starts and after it ends. */
    private static final Duration SETTLE = Duration.ofMillis(500);

    @Spec
    CommandSpec spec;

    @Option(
            names = "--strategy",
            paramLabel = "STRATEGY",
            defaultValue = "virtual",
            converter = StrategyConverter.class,
            description = "virtual, ring, directory or range (default: ${DEFAULT-VALUE})")
    StrategyKind strategy;

    @Option(
            names = "--shards",
            paramLabel = "N",
            defaultValue = "2",
            description = "shards the data starts on; the migration adds one more (default: ${DEFAULT-VALUE})")
    int shards;

    @Option(
            names = "--users",
            paramLabel = "N",
            defaultValue = "100000",
            description = "users to load (default: ${DEFAULT-VALUE})")
    int users;

    @Option(
            names = "--orders-per-user",
            paramLabel = "N",
            defaultValue = "1",
            description = "orders loaded per user, moving with their user (default: ${DEFAULT-VALUE})")
    int ordersPerUser;

    @Option(
            names = "--writers",
            paramLabel = "N",
            defaultValue = "4",
            description = "writer threads, split over two routers; 0 for none (default: ${DEFAULT-VALUE})")
    int writers;

    @Option(
            names = "--rate",
            paramLabel = "OPS",
            defaultValue = "200",
            description = "operations per second per writer; 0 for as fast as possible (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(
            names = "--seed",
            paramLabel = "SEED",
            defaultValue = "42",
            description = "seed of the loaded data (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--keep", description = "keep the directory (databases, catalog, cleanup backup) and print it")
    boolean keep;

    @Option(names = "--json", description = "print the result as one JSON object; progress goes to stderr")
    boolean json;

    static final class StrategyConverter implements ITypeConverter<StrategyKind> {
        @Override
        public StrategyKind convert(String value) {
            try {
                return StrategyKind.parse("--strategy", value);
            } catch (InvalidInputException e) {
                throw new TypeConversionException(e.detail());
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = json ? spec.commandLine().getErr() : out;
        Instant began = Instant.now();
        Path dir = Files.createTempDirectory("reshard-demo-");
        DemoResult result;
        try {
            result = run(dir, progress, began);
        } finally {
            if (!keep) {
                delete(dir);
            }
        }
        if (json) {
            out.print(result.toJson());
        } else {
            result.text().forEach(out::println);
        }
        out.flush();
        return result.ok() ? ReshardCommand.OK : ReshardCommand.INTERNAL_ERROR;
    }

    private DemoResult run(Path dir, PrintWriter progress, Instant began) throws Exception {
        List<ShardId> existing = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            existing.add(ShardId.of("shard_" + i));
        }
        ShardId added = ShardId.of("shard_" + shards);
        DemoMaps maps = DemoMaps.of(strategy, existing, added, users);
        DemoResult.Setup setup = new DemoResult.Setup(
                strategy.label(),
                existing.stream().map(ShardId::value).toList(),
                added.value(),
                users,
                ordersPerUser,
                writers,
                rate,
                maps.operation(),
                maps.from().strategy().describe(),
                maps.to().strategy().describe(),
                keep ? dir.toString() : null);
        header(progress, setup, dir);

        try (DemoCluster cluster = DemoCluster.create(dir, shards + 1)) {
            cluster.publish(maps);
            Ledger ledger = new Ledger();
            long loadStart = System.nanoTime();
            Writers.load(cluster.engineShards(), maps.from(), ledger, users, ordersPerUser, seed);
            DemoResult.Load load = new DemoResult.Load(ledger.users(), ledger.orders(), elapsedMillis(loadStart));
            line(
                    progress,
                    "loaded",
                    Text.count(load.users() + load.orders()) + " rows (" + Text.count(load.users()) + " users, "
                            + Text.count(load.orders()) + " orders) onto " + existing + " in "
                            + Text.duration(Duration.ofMillis(load.millis())));

            long keySpace = users + users / 4L;
            int onA = (writers + 1) / 2;
            int onB = writers - onA;
            Router a = cluster.router("demo-router-a", Math.max(4, 2 * onA + 2));
            Router b = cluster.router("demo-router-b", Math.max(4, 2 * onB + 2));
            List<Writers> running = new ArrayList<>();
            try {
                if (writers > 0) {
                    running.add(new Writers(a, ledger, keySpace, rate).start(0, onA, writers));
                    if (onB > 0) {
                        running.add(new Writers(b, ledger, keySpace, rate).start(onA, onB, writers));
                    }
                    line(
                            progress,
                            "writers",
                            writers + " threads through 2 routers, "
                                    + (rate > 0 ? Text.count(Math.round(rate)) + " ops/s each" : "as fast as they can")
                                    + ": update, delete and re-insert users 0.." + Text.count(keySpace - 1)
                                    + ", insert and delete their orders, and read each write back");
                }
                sleep(SETTLE);
                return migrate(cluster, maps, setup, load, ledger, running, progress, began);
            } finally {
                running.forEach(Writers::stop);
            }
        }
    }

    private DemoResult migrate(
            DemoCluster cluster,
            DemoMaps maps,
            DemoResult.Setup setup,
            DemoResult.Load load,
            Ledger ledger,
            List<Writers> running,
            PrintWriter progress,
            Instant began)
            throws Exception {
        MigrationOptions options = MigrationOptions.builder()
                .backupDir(keep ? cluster.dir.resolve("backup") : null)
                .build();
        EventPrinter printer = new EventPrinter(progress, began);
        MigrationEngine engine = MigrationEngine.builder(cluster.catalog)
                .shards(cluster.engineShards())
                .owner("reshard-demo")
                .options(options)
                .listener(printer)
                .build();
        progress.println("migration " + MIGRATION_ID + ": v" + maps.from().version() + " -> v"
                + maps.to().version());
        progress.flush();
        Instant migrationStart = Instant.now();
        Optional<String> failure = Optional.empty();
        MigrationStatus status;
        try {
            status = engine.start(new MigrationRequest(
                    MIGRATION_ID, maps.from().version(), maps.to().version(), DemoCluster.TABLES));
        } catch (MigrationRefusedException e) {
            throw e; // the demo's own set-up is wrong: a bug, reported as such
        } catch (ReshardException e) {
            failure = Optional.of(e.getMessage());
            status = engine.status(MIGRATION_ID);
        }
        Instant migrationEnd = Instant.now();
        if (!running.isEmpty()) {
            sleep(SETTLE);
        }
        running.forEach(Writers::stop);
        DemoResult.WriterStats writerStats = DemoResult.WriterStats.of(writers, rate, running);

        IntegrityReport integrity = null;
        if (status.phase() == Phase.DONE) {
            integrity = IntegrityCheck.check(cluster.engineShards(), maps.to(), ledger);
        }
        return new DemoResult(
                setup,
                load,
                writerStats,
                status,
                failure,
                DemoResult.phases(printer.firstSeen(), migrationStart, migrationEnd),
                Duration.between(migrationStart, migrationEnd).toMillis(),
                options.cutoverBudget().toMillis(),
                integrity,
                Duration.between(began, Instant.now()).toMillis());
    }

    private void header(PrintWriter progress, DemoResult.Setup setup, Path dir) {
        progress.println("reshard demo: " + setup.strategy() + " strategy, " + setup.shards() + " + "
                + setup.added() + ", " + Text.count(users) + " users with " + ordersPerUser + " order"
                + (ordersPerUser == 1 ? "" : "s") + " each");
        line(
                progress,
                "databases",
                "H2 files and the embedded catalog in " + dir
                        + (keep ? " (kept)" : " (deleted at the end; --keep keeps them)"));
        line(progress, "map v1", setup.fromMap());
        line(progress, "map v2", setup.toMap());
        progress.flush();
    }

    private static void line(PrintWriter out, String label, String text) {
        Text.wrap(String.format(Locale.ROOT, "  %-10s ", label), text).forEach(out::println);
        out.flush();
    }

    private void validate() {
        InvalidInputException.require(
                shards >= 1 && shards <= MAX_SHARDS,
                "--shards",
                shards,
                "is not between 1 and " + MAX_SHARDS,
                "start from e.g. 2 shards; the demo adds one");
        InvalidInputException.require(
                users >= 100 && users <= MAX_USERS,
                "--users",
                users,
                "is not between 100 and " + Text.count(MAX_USERS),
                "use e.g. 100000 (with one order each, 200,000 rows)");
        InvalidInputException.require(
                ordersPerUser >= 0 && ordersPerUser <= 100,
                "--orders-per-user",
                ordersPerUser,
                "is not between 0 and 100",
                "use e.g. 1");
        InvalidInputException.require(
                writers >= 0 && writers <= MAX_WRITERS,
                "--writers",
                writers,
                "is not between 0 and " + MAX_WRITERS,
                "use e.g. 4 (split over two routers), or 0 to migrate without writers");
        InvalidInputException.require(
                rate >= 0 && !Double.isNaN(rate) && !Double.isInfinite(rate),
                "--rate",
                rate,
                "is not a rate",
                "give operations per second per writer, e.g. 200, or 0 for as fast as possible");
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    private static void delete(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the demo directory " + dir, e);
        }
    }
}
