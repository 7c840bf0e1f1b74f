package dev.reshard.faults;

import dev.reshard.catalog.Catalog;
import dev.reshard.core.migration.Phase;
import dev.reshard.migration.engine.MigratedTable;
import dev.reshard.migration.engine.MigrationEngine;
import dev.reshard.migration.engine.MigrationOptions;
import dev.reshard.migration.engine.MigrationRequest;
import dev.reshard.migration.engine.MigrationStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An orchestrator process: runs {@code --action start|resume|rollback} of migration {@code --id}
 * ({@code --from V --to V} for start) with the {@link MigrationEngine}, printing every event as
 * {@code EVENT <phase> <message>} and at the end {@code RESULT <phase>}.
 *
 * <p>Exit codes: 0 the migration is DONE or ROLLED_BACK; 2 the engine refused the action (e.g. a
 * rollback past the point of no return, a resume of a finished migration); 3 it stopped in another
 * phase; 4 it failed with an error. A lease still held by a killed orchestrator is waited out
 * (retried for up to {@code --lease-wait-ms}).
 */
public final class OrchestratorMain {
    private OrchestratorMain() {}

    static MigrationOptions options(Args args, Path backup) {
        return MigrationOptions.builder()
                .batchRows(200)
                .copyPageRows(200)
                .verifyChunkRows(500)
                .cleanupBatchRows(200)
                .maxRowsPerSecond(args.getInt("rate", 600))
                .catchUpWindow(Duration.ofSeconds(2))
                .cutoverBudget(Duration.ofSeconds(2))
                .leaseTtl(Duration.ofSeconds(3))
                .barrierTimeout(Duration.ofSeconds(30))
                .gracePeriod(Duration.ofMillis(200))
                .backupDir(backup)
                .build();
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Topology topology = Topology.from(args);
        String action = args.get("action");
        String id = args.get("id", "m1");
        long leaseWait = args.getLong("lease-wait-ms", 15_000);
        List<AutoCloseable> closing = new ArrayList<>();
        int code;
        try (Topology.OpenCatalog open = topology.openCatalog()) {
            Catalog catalog = open.catalog();
            MigrationEngine engine = MigrationEngine.builder(catalog)
                    .shards(topology.pools("engine", 6, closing))
                    .owner(args.get("owner", "orch-" + ProcessHandle.current().pid()))
                    .options(options(args, Path.of(args.get("backup"))))
                    .listener(e -> {
                        System.out.println(
                                "EVENT " + e.phase() + " " + e.message().replace('\n', ' '));
                        System.out.flush();
                    })
                    .build();
            long deadline = System.nanoTime() + leaseWait * 1_000_000L;
            while (true) {
                try {
                    MigrationStatus status = switch (action) {
                        case "start" ->
                            engine.start(new MigrationRequest(
                                    id,
                                    args.getLong("from", 1),
                                    args.getLong("to", 2),
                                    List.of(new MigratedTable(Schema.TABLE, Schema.KEY))));
                        case "resume" -> engine.resume(id);
                        case "rollback" -> engine.rollback(id);
                        default -> throw new IllegalArgumentException("--action " + action);
                    };
                    System.out.println(
                            "RESULT " + status.phase() + " " + status.error().orElse(""));
                    code = status.phase() == Phase.DONE || status.phase() == Phase.ROLLED_BACK ? 0 : 3;
                    break;
                } catch (RuntimeException e) {
                    String message = String.valueOf(e.getMessage()).replace('\n', ' ');
                    boolean lease = message.toLowerCase(java.util.Locale.ROOT).contains("lease");
                    if (lease && System.nanoTime() - deadline < 0) {
                        System.out.println("WAITING " + e.getClass().getSimpleName() + ": " + message);
                        System.out.flush();
                        Thread.sleep(500);
                        continue;
                    }
                    boolean refused = e.getClass().getSimpleName().equals("MigrationRefusedException");
                    System.out.println(
                            (refused ? "REFUSED " : "ERROR ") + e.getClass().getSimpleName() + ": " + message);
                    if (!refused) {
                        e.printStackTrace(System.out);
                    }
                    code = refused ? 2 : 4;
                    break;
                }
            }
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
        System.out.flush();
        System.exit(code);
    }
}
