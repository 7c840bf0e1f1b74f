package dev.reshard.faults;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.RoutingState;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.faults.check.CheckReport;
import dev.reshard.faults.check.Checker;
import dev.reshard.faults.check.History;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestDatabases;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.h2.tools.Server;

/**
 * The fault-run driver: per run, three shards (PostgreSQL databases on one embedded server, or H2
 * file databases behind an H2 TCP server in this JVM), a catalog every process shares, two client
 * JVMs ({@link ClientMain}), an orchestrator JVM ({@link OrchestratorMain}) moving 64 virtual
 * shards from two shards to three, and a nemesis whose choices the run's seed makes: SIGKILL of the
 * orchestrator at a random event (then resume, or roll back, in a fresh JVM), SIGKILL of a client,
 * SIGSTOP of a client past its 2 s lease then SIGCONT. The run must end in DONE or ROLLED_BACK
 * within a bound (else it is stuck: a failure); then the clients stop and the {@link Checker}
 * reads every shard.
 *
 * <pre>
 * --engine h2|postgresql|both  --runs N (per engine)  --seed S  --rows N  --clients N  --threads N
 * --rate ROWS_PER_S  --bound-seconds S  --freeze always|seeded  --dir DIR  --keep
 * </pre>
 *
 * Exit code 0 only if every run ended in DONE or ROLLED_BACK and every count that must be 0 is 0.
 */
public final class FaultRun {
    static final String MIGRATION = "m1";

    /** What a batch runs. */
    public record Config(
            List<String> engines,
            int runs,
            long seed,
            int rows,
            int clients,
            int threads,
            int rate,
            int boundSeconds,
            boolean alwaysFreeze,
            Path dir,
            boolean keep) {

        static Config parse(String[] argv) throws IOException {
            Args a = new Args(argv);
            String engine = a.get("engine", "h2");
            List<String> engines = engine.equals("both") ? List.of("h2", "postgresql") : List.of(engine);
            for (String e : engines) {
                if (!e.equals("h2") && !e.equals("postgresql")) {
                    throw new IllegalArgumentException("--engine must be h2, postgresql or both, not " + e);
                }
            }
            Path dir = a.has("dir") ? Path.of(a.get("dir")) : Files.createTempDirectory("reshard-faults");
            return new Config(
                    engines,
                    a.getInt("runs", 1),
                    a.getLong("seed", System.currentTimeMillis() % 1_000_000),
                    a.getInt("rows", 3000),
                    a.getInt("clients", 2),
                    a.getInt("threads", 4),
                    a.getInt("rate", 2000),
                    a.getInt("bound-seconds", 90),
                    a.get("freeze", "seeded").equals("always"),
                    dir,
                    a.has("keep"));
        }
    }

    /** One run's outcome. */
    public record Result(
            String engine,
            int index,
            long seed,
            String phase,
            boolean stuck,
            int hungClients,
            String faults,
            double seconds,
            CheckReport report,
            String problem) {
        public boolean ok() {
            return !stuck
                    && hungClients == 0
                    && problem.isEmpty()
                    && report != null
                    && report.clean()
                    && (phase.equals("DONE") || phase.equals("ROLLED_BACK"));
        }
    }

    private FaultRun() {}

    public static void main(String[] argv) throws Exception {
        Config config = Config.parse(argv);
        List<Result> results = batch(config, System.out);
        boolean ok = results.stream().allMatch(Result::ok);
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }

    /** Runs the batch, printing one line per run and a summary per engine. */
    public static List<Result> batch(Config config, PrintStream out) throws Exception {
        List<Result> all = new ArrayList<>();
        out.println("fault runs: engines " + config.engines() + ", " + config.runs() + " runs each, seed "
                + config.seed() + ", rows " + config.rows() + ", clients " + config.clients() + " x "
                + config.threads() + " threads, dir " + config.dir());
        for (String engine : config.engines()) {
            List<Result> results = new ArrayList<>();
            Server h2 = null;
            int port = 0;
            if (engine.equals("h2")) {
                port = freePort();
                h2 = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists", "-tcpDaemon")
                        .start();
            }
            try {
                for (int i = 0; i < config.runs(); i++) {
                    long runSeed = config.seed() + i;
                    Result r = runOne(config, engine, i + 1, runSeed, port);
                    results.add(r);
                    out.println(line(config, r));
                    if (!r.ok()) {
                        out.println("    kept for the replay: " + config.dir());
                    }
                    if (r.report() != null && !r.ok()) {
                        for (String s : r.report().samples) {
                            out.println("    " + s);
                        }
                    }
                    out.flush();
                }
            } finally {
                if (h2 != null) {
                    h2.stop();
                }
            }
            out.println(summary(engine, config, results));
            all.addAll(results);
        }
        return all;
    }

    private static String line(Config config, Result r) {
        String verdict = r.ok() ? "OK" : "FAIL" + (r.problem().isEmpty() ? "" : " (" + r.problem() + ")");
        return String.format(
                Locale.ROOT,
                "run %d/%d %s seed %d: %s%s in %.1f s | faults: %s | %s | %s",
                r.index(),
                config.runs(),
                r.engine(),
                r.seed(),
                r.phase(),
                r.stuck() ? " STUCK" : "",
                r.seconds(),
                r.faults(),
                r.report() == null ? "not checked" : r.report().summary(),
                verdict);
    }

    static String summary(String engine, Config config, List<Result> results) {
        long done = results.stream().filter(r -> r.phase().equals("DONE")).count();
        long rolled =
                results.stream().filter(r -> r.phase().equals("ROLLED_BACK")).count();
        long stuck = results.stream().filter(Result::stuck).count();
        long hung = results.stream().mapToLong(Result::hungClients).sum();
        long failed = results.stream().filter(r -> !r.ok()).count();
        Map<String, Long> totals = new LinkedHashMap<>();
        long ops = 0;
        long ack = 0;
        long reads = 0;
        for (Result r : results) {
            if (r.report() == null) {
                continue;
            }
            ops += r.report().ops;
            ack += r.report().acknowledged;
            reads += r.report().readsOk;
            r.report().mustBeZero().forEach((k, v) -> totals.merge(k, v, Long::sum));
        }
        StringBuilder counts = new StringBuilder();
        totals.forEach((k, v) -> counts.append(counts.length() == 0 ? "" : ", ")
                .append(k)
                .append(' ')
                .append(v));
        return String.format(
                Locale.ROOT,
                "summary %s: %d runs (seed %d..%d): %d DONE, %d ROLLED_BACK, %d stuck, %d hung clients; ops %d,"
                        + " acknowledged writes %d, ok reads %d; %s -> %s",
                engine,
                results.size(),
                config.seed(),
                config.seed() + config.runs() - 1,
                done,
                rolled,
                stuck,
                hung,
                ops,
                ack,
                reads,
                counts,
                failed == 0 ? "OK" : failed + " run(s) FAILED");
    }

    /** The nemesis's choices for one run, all from its seed. */
    record Plan(
            int freezeClient,
            long freezeAtMs,
            long freezeForMs,
            int killClient,
            long killClientAtMs,
            int killOrchestratorAfterEvents,
            boolean rollback,
            int secondKillAfterEvents) {

        static Plan of(long seed, int clients, boolean alwaysFreeze) {
            Random r = new Random(seed);
            boolean freeze = r.nextInt(100) < 60 || alwaysFreeze; // always draws: one seed, one plan
            int freezeClient = freeze ? 0 : -1;
            long freezeAt = 300 + r.nextInt(4000);
            long freezeFor = 2500 + r.nextInt(4500);
            int killClient = clients >= 2 && r.nextInt(100) < 35 ? clients - 1 : -1;
            long killAt = 500 + r.nextInt(5000);
            int killOrch = r.nextInt(100) < 50 ? 1 + r.nextInt(14) : 0;
            boolean rollback = r.nextInt(100) < 25;
            int second = killOrch > 0 && r.nextInt(100) < 20 ? 1 + r.nextInt(6) : 0;
            return new Plan(freezeClient, freezeAt, freezeFor, killClient, killAt, killOrch, rollback, second);
        }
    }

    private static Result runOne(Config config, String engine, int index, long seed, int h2Port) throws Exception {
        long started = System.nanoTime();
        Path dir = config.dir().resolve(engine + "-run" + index + "-seed" + seed);
        Files.createDirectories(dir);
        boolean postgres = engine.equals("postgresql");
        List<TestDatabase> databases = new ArrayList<>();
        List<Child> children = new ArrayList<>();
        Plan plan = Plan.of(seed, config.clients(), config.alwaysFreeze());
        StringBuilder faults = new StringBuilder();
        Topology.OpenCatalog open = null;
        boolean keep = true; // a failed or broken run keeps its files (logs, databases) for the replay
        try {
            Map<ShardId, String> urls = new LinkedHashMap<>();
            String user;
            String password;
            String catalogSpec;
            if (postgres) {
                TestDatabase catalogDb = TestDatabases.postgres(2);
                databases.add(catalogDb);
                for (int i = 0; i < 3; i++) {
                    TestDatabase db = TestDatabases.postgres(2);
                    databases.add(db);
                    urls.put(ShardId.of("shard_" + i), db.jdbcUrl());
                }
                user = catalogDb.user();
                password = catalogDb.password();
                catalogSpec = "pg:" + catalogDb.jdbcUrl();
            } else {
                for (int i = 0; i < 3; i++) {
                    urls.put(
                            ShardId.of("shard_" + i),
                            "jdbc:h2:tcp://localhost:" + h2Port + "/"
                                    + dir.toAbsolutePath().resolve("shard_" + i));
                }
                user = "sa";
                password = "";
                catalogSpec = "h2:" + dir.toAbsolutePath().resolve("catalog");
            }
            Topology topology = new Topology(catalogSpec, user, password, urls);
            List<ShardId> three = new ArrayList<>(urls.keySet());
            List<ShardId> two = three.subList(0, 2);
            // This JVM opens the catalog first and keeps it open: with an H2 catalog it is the
            // auto-server every other process connects through, and it is never killed or frozen.
            open = topology.openCatalog();
            Catalog catalog = open.catalog();
            ShardMap from = ShardMap.initial(VirtualShardMap.roundRobin(64, two));
            catalog.publish(from, catalog.currentVersion(), "faults");
            catalog.publishRouting(RoutingState.stable(1, from.version()));
            ShardMap to = ShardMaps.balanceVirtualShards(from, three);
            catalog.publish(to, catalog.currentVersion(), "faults");
            for (ShardId shard : three) {
                try (Connection c = DriverManager.getConnection(urls.get(shard), user, password)) {
                    Schema.create(c, postgres);
                    Schema.load(c, shard, from, config.rows());
                }
            }

            List<Path> logs = new ArrayList<>();
            List<Child> clients = new ArrayList<>();
            for (int i = 0; i < config.clients(); i++) {
                Path log = dir.resolve("c" + i + ".ops");
                logs.add(log);
                List<String> args = new ArrayList<>(topology.args());
                args.addAll(List.of(
                        "--process", "c" + i,
                        "--threads", Integer.toString(config.threads()),
                        "--log", log.toString(),
                        "--seed", Long.toString(seed * 100 + i),
                        "--rows", Integer.toString(config.rows()),
                        "--from", Long.toString(from.version()),
                        "--to", Long.toString(to.version())));
                Child c = Child.launch("c" + i, ClientMain.class, args, dir.resolve("c" + i + ".out"));
                clients.add(c);
                children.add(c);
            }
            for (Child c : clients) {
                if (!await(() -> c.ready() || !c.alive(), 60_000) || !c.alive()) {
                    return new Result(
                            engine,
                            index,
                            seed,
                            "-",
                            false,
                            0,
                            faults.toString(),
                            seconds(started),
                            null,
                            "client " + c.name + " did not start: see " + c.output);
                }
            }
            for (int i = 0; i < clients.size(); i++) {
                Path log = logs.get(i);
                await(() -> lines(log) >= 60, 30_000);
            }

            // The nemesis for the clients runs beside the orchestration.
            long[] freezeWindow = {-1, -1};
            String[] freezePhase = {"-"};
            List<Child> orchestrators = new ArrayList<>();
            ExecutorService nemesis = Executors.newFixedThreadPool(2);
            List<Future<?>> nemeses = new ArrayList<>();
            if (plan.freezeClient() >= 0) {
                Child victim = clients.get(plan.freezeClient());
                nemeses.add(nemesis.submit(() -> {
                    sleepUntil(firstEvent(orchestrators) + plan.freezeAtMs() - 300);
                    if (!victim.alive()) {
                        return null;
                    }
                    freezePhase[0] = currentPhase(orchestrators);
                    freezeWindow[0] = System.currentTimeMillis();
                    victim.signal("STOP");
                    Thread.sleep(plan.freezeForMs());
                    victim.signal("CONT");
                    freezeWindow[1] = System.currentTimeMillis();
                    return null;
                }));
            }
            String[] killPhase = {null};
            if (plan.killClient() >= 0) {
                Child victim = clients.get(plan.killClient());
                nemeses.add(nemesis.submit(() -> {
                    sleepUntil(firstEvent(orchestrators) + plan.killClientAtMs() - 500);
                    killPhase[0] = currentPhase(orchestrators);
                    victim.kill();
                    return null;
                }));
            }

            // The orchestration: start, with SIGKILLs the plan chose, then resume or roll back.
            long deadline = System.nanoTime() + config.boundSeconds() * 1_000_000_000L;
            String action = "start";
            int launches = 0;
            String phase = "-";
            boolean finished = false;
            String problem = "";
            Path backup = dir.resolve("backup");
            while (!finished && System.nanoTime() - deadline < 0 && launches < 8) {
                launches++;
                List<String> args = new ArrayList<>(topology.args());
                args.addAll(List.of(
                        "--action", action,
                        "--id", MIGRATION,
                        "--from", Long.toString(from.version()),
                        "--to", Long.toString(to.version()),
                        "--rate", Integer.toString(config.rate()),
                        "--backup", backup.toString(),
                        "--owner", "orch" + launches));
                Child o = Child.launch(
                        "orch" + launches, OrchestratorMain.class, args, dir.resolve("orch" + launches + ".out"));
                synchronized (orchestrators) {
                    orchestrators.add(o);
                }
                children.add(o);
                int killAfter = launches == 1
                        ? plan.killOrchestratorAfterEvents()
                        : launches == 2 ? plan.secondKillAfterEvents() : 0;
                if (killAfter > 0) {
                    boolean reached = await(() -> o.events() >= killAfter || !o.alive(), remainingMs(deadline));
                    if (reached && o.alive()) {
                        Thread.sleep(new Random(seed * 7 + launches).nextInt(300));
                        String at = o.phase();
                        o.kill();
                        next(faults)
                                .append("SIGKILL orchestrator after ")
                                .append(killAfter)
                                .append(" events at ")
                                .append(at);
                        action = plan.rollback() ? "rollback" : "resume";
                        faults.append(" -> ").append(action);
                        continue;
                    }
                }
                int code = o.await(remainingMs(deadline));
                if (code == -1) {
                    o.kill();
                    problem = "orchestrator " + o.name + " still running at the bound";
                    break;
                }
                phase = catalog.migration(MIGRATION).map(m -> m.phase().name()).orElse("-");
                if (code == 0) {
                    finished = true;
                } else if (code == 2 && action.equals("rollback")) {
                    // Refused (past the point of no return, or DONE but not yet wound down): resume.
                    action = "resume";
                    faults.append(" (rollback refused at ").append(phase).append(": resume)");
                } else if (code == 2 && (phase.equals("DONE") || phase.equals("ROLLED_BACK"))) {
                    finished = true; // the engine says there is nothing left to resume
                } else if (catalog.migration(MIGRATION).isEmpty()) {
                    action = "start";
                } else {
                    if (code != 2) {
                        problem = "orchestrator " + o.name + " exited " + code + ": " + o.notable();
                    }
                    action = "resume";
                }
            }
            phase = catalog.migration(MIGRATION).map(m -> m.phase().name()).orElse("-");
            boolean stuck = !finished;
            if (stuck && problem.isEmpty()) {
                problem = "no DONE or ROLLED_BACK within " + config.boundSeconds() + " s (" + launches
                        + " orchestrator launches)";
            } else if (!stuck) {
                problem = "";
            }

            // Let the frozen client come back and run, then stop every client.
            for (Future<?> f : nemeses) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    problem = "nemesis failed: " + e.getCause();
                }
            }
            nemesis.shutdownNow();
            if (plan.freezeClient() >= 0 && freezeWindow[0] > 0) {
                next(faults)
                        .append(String.format(
                                Locale.ROOT,
                                "SIGSTOP c%d %.1f s at %s",
                                plan.freezeClient(),
                                (freezeWindow[1] - freezeWindow[0]) / 1000.0,
                                freezePhase[0]));
            }
            if (killPhase[0] != null) {
                next(faults)
                        .append("SIGKILL c")
                        .append(plan.killClient())
                        .append(" at ")
                        .append(killPhase[0]);
            }
            int hung = 0;
            for (int i = 0; i < clients.size(); i++) {
                Child c = clients.get(i);
                Path log = logs.get(i);
                long now = lines(log);
                if (c.alive() && !await(() -> lines(log) >= now + 40, 20_000)) {
                    hung++;
                    problem = (problem.isEmpty() ? "" : problem + "; ") + "client " + c.name + " made no progress";
                }
            }
            for (Child c : clients) {
                c.tell("stop");
            }
            for (Child c : clients) {
                if (c.alive() && c.await(30_000) == -1) {
                    c.kill();
                    hung++;
                    problem = (problem.isEmpty() ? "" : problem + "; ") + "client " + c.name + " did not stop";
                }
            }

            // The check, over direct connections.
            History history = History.read(logs);
            long mapVersion =
                    catalog.currentRouting().map(RoutingState::mapVersion).orElse(from.version());
            ShardMap finalMap = catalog.map(mapVersion);
            long expected = phase.equals("DONE") ? to.version() : from.version();
            if ((phase.equals("DONE") || phase.equals("ROLLED_BACK")) && mapVersion != expected) {
                problem = (problem.isEmpty() ? "" : problem + "; ") + "routing names map v" + mapVersion + " after "
                        + phase;
            }
            CheckReport report = Checker.check(
                    three,
                    topology::connect,
                    Schema.TABLE,
                    Schema.KEY,
                    config.rows(),
                    from,
                    to,
                    finalMap,
                    history,
                    seed);
            if (plan.freezeClient() >= 0 && freezeWindow[0] > 0) {
                faults.append(frozenDetail(history, "c" + plan.freezeClient(), freezeWindow));
            }
            if (faults.length() == 0) {
                faults.append("none");
            }
            Result result = new Result(
                    engine, index, seed, phase, stuck, hung, faults.toString(), seconds(started), report, problem);
            keep = config.keep() || !result.ok();
            return result;
        } finally {
            for (Child c : children) {
                if (c.alive()) {
                    try {
                        c.signal("CONT");
                    } catch (IOException e) {
                        // gone
                    }
                    c.kill();
                }
            }
            if (open != null) {
                open.close();
            }
            for (TestDatabase db : databases) {
                db.close();
            }
            if (!keep) {
                deleteTree(dir);
            }
        }
    }

    /** What the frozen client did after SIGCONT and the others' slowest operation during the freeze. */
    private static String frozenDetail(History history, String frozen, long[] window) {
        long healthyMax = 0;
        long readsAfter = 0;
        long firstAfter = Long.MAX_VALUE;
        for (History.Op op : history.all()) {
            long end = op.completedAt() < 0 ? Long.MAX_VALUE : op.completedAt();
            if (op.process.equals(frozen)) {
                if (op.kind == History.Kind.READ
                        && op.outcome() == History.Outcome.OK
                        && op.invokedAt >= window[1]
                        && op.invokedAt < window[1] + 2_000) {
                    readsAfter++;
                    firstAfter = Math.min(firstAfter, op.completedAt() - window[1]);
                }
            } else if (op.invokedAt < window[1] && end > window[0] && op.completedAt() >= 0) {
                healthyMax = Math.max(healthyMax, op.completedAt() - op.invokedAt);
            }
        }
        return String.format(
                Locale.ROOT,
                " (%d ok reads in the 2 s after SIGCONT%s; others' slowest op during the freeze %d ms)",
                readsAfter,
                readsAfter == 0 ? "" : ", first done " + firstAfter + " ms after",
                healthyMax);
    }

    private static StringBuilder next(StringBuilder b) {
        if (b.length() > 0) {
            b.append("; ");
        }
        return b;
    }

    private static String currentPhase(List<Child> orchestrators) {
        synchronized (orchestrators) {
            String phase = orchestrators.isEmpty()
                    ? "-"
                    : orchestrators.get(orchestrators.size() - 1).phase();
            return phase.equals("-") ? "an orchestrator's start" : phase;
        }
    }

    /**
     * When the first orchestrator printed its first event (the migration's start as the client
     * faults count it), waiting for it up to 60 s.
     */
    private static long firstEvent(List<Child> orchestrators) throws InterruptedException {
        await(
                () -> {
                    synchronized (orchestrators) {
                        return !orchestrators.isEmpty()
                                && (orchestrators.get(0).events() > 0
                                        || !orchestrators.get(0).alive());
                    }
                },
                60_000);
        return System.currentTimeMillis();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    private static void sleepUntil(long wallMillis) throws InterruptedException {
        long wait = wallMillis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    /** Polls {@code condition} every 50 ms for up to {@code millis}; whether it became true. */
    static boolean await(BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private static long lines(Path file) {
        try (Stream<String> s = Files.lines(file)) {
            return s.count();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
