package dev.reshard.migration.engine;

import dev.reshard.catalog.MigrationRecord;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ReshardException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.migration.Phase;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything one run of one migration needs: its maps, pairs, shards, report and catch-up. */
final class MigrationRun {
    private static final Logger log = LoggerFactory.getLogger(MigrationEngine.class);
    private final Steps s;

    final String id;
    final ShardMap from;
    final ShardMap to;
    final List<Pair> pairs;
    final ShardAccess shards;
    final MigrationReport report;
    final MigrationContext context;
    final CatchUpRunner forward;
    final CatchUpRunner reverse;
    volatile boolean leaseLost;
    long lastProgressEvent;

    MigrationRun(Steps s, MigrationRecord record) {
        this.s = s;
        this.id = record.id();
        this.from = s.catalog.map(record.fromVersion());
        this.to = s.catalog.map(record.toVersion());
        this.pairs = Pair.of(from, to);
        this.report = record.report().map(MigrationReport::fromJson).orElseGet(MigrationReport::new);
        Phase phase = record.phase();
        if ((report.tables == null || report.tables.isEmpty()) && !phase.isTerminal()) {
            throw new MigrationRefusedException(
                    "migration " + id,
                    List.of(InvalidInputException.of(
                            "migration",
                            id,
                            "has no recorded tables in phase " + phase
                                    + " (written by an older Reshard, or its catalog lost a write)",
                            phase == Phase.PLANNED
                                    ? "nothing was installed on the shards yet: roll it back (reshard migrate"
                                            + " rollback " + id + ") and start it again"
                                    : "roll it back (reshard migrate rollback " + id + ") once the tables are"
                                            + " restored in its report")));
        }
        this.shards = new ShardAccess(s.dataSources, report.tables);
        this.context =
                new MigrationContext(s.catalog, id, shards, from, to, pairs, s.options, s.crash, this::checkLease);
        this.forward = new CatchUpRunner(context, false);
        this.reverse = new CatchUpRunner(context, true);
    }

    Set<ShardId> sources() {
        Set<ShardId> out = new LinkedHashSet<>();
        pairs.forEach(p -> out.add(p.source()));
        return out;
    }

    Set<ShardId> targets() {
        Set<ShardId> out = new LinkedHashSet<>();
        pairs.forEach(p -> out.add(p.target()));
        return out;
    }

    /** The shards whose tables carry capture (and so fences) now. */
    Set<ShardId> fenced() {
        Set<ShardId> out = new LinkedHashSet<>(sources());
        if (report.targetCapture) {
            out.addAll(targets());
        }
        return out;
    }

    void checkLease() {
        if (leaseLost) {
            throw new ReshardException("lost the lease on migration " + id + " (another orchestrator took it,"
                    + " or the catalog was unreachable for "
                    + s.options.leaseTtl().toSeconds() + " s); stopped"
                    + " without further changes");
        }
    }

    void event(Phase phase, String message) {
        report.event(s.now(), phase.name(), message);
        s.catalog.recordReport(id, report.toJson(), null);
        log.info("migration {} [{}]: {}", id, phase, message);
        s.listener.accept(new MigrationEvent(s.clock.instant(), id, phase, message, Optional.empty()));
    }

    void save() {
        s.catalog.recordReport(id, report.toJson(), null);
    }
}
