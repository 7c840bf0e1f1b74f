package dev.reshard.cli.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reshard.cli.migrate.Text;
import dev.reshard.core.migration.Phase;
import dev.reshard.migration.engine.MigrationReport;
import dev.reshard.migration.engine.MigrationStatus;
import dev.reshard.workload.IntegrityReport;
import dev.reshard.workload.Writers;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a demo run did and found: the set-up, the load, the writers, the migration (per-phase
 * durations, cutover freeze, verification) and the integrity check, as text or as one JSON object.
 *
 * @param integrity null when the migration did not reach DONE (the rows are then not where the
 *     target map says, so there is nothing meaningful to check them against)
 * @param phaseMillis per phase, from its first event to the next phase's first event
 */
record DemoResult(
        Setup setup,
        Load load,
        WriterStats writers,
        MigrationStatus status,
        Optional<String> failure,
        Map<Phase, Long> phaseMillis,
        long migrationMillis,
        long cutoverBudgetMillis,
        IntegrityReport integrity,
        long totalMillis) {

    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    record Setup(
            String strategy,
            List<String> shards,
            String added,
            int users,
            int ordersPerUser,
            int writers,
            double rate,
            String operation,
            String fromMap,
            String toMap,
            String directory) {}

    record Load(long users, long orders, long millis) {}

    record WriterStats(
            int threads,
            double rate,
            long ops,
            long errors,
            long staleReads,
            long maxLatencyMillis,
            List<String> errorSamples) {
        static WriterStats of(int threads, double rate, List<Writers> all) {
            List<String> samples = new ArrayList<>();
            all.forEach(w -> samples.addAll(w.errorSamples()));
            return new WriterStats(
                    threads,
                    rate,
                    all.stream().mapToLong(Writers::writes).sum(),
                    all.stream().mapToLong(Writers::errors).sum(),
                    all.stream().mapToLong(Writers::staleReads).sum(),
                    all.stream().mapToLong(Writers::maxLatencyMillis).max().orElse(0),
                    samples.subList(0, Math.min(5, samples.size())));
        }
    }

    /** Per phase, from its first event to the next one's (the last one to the engine's return). */
    static Map<Phase, Long> phases(Map<Phase, Instant> firstSeen, Instant start, Instant end) {
        Map<Phase, Instant> starts = new LinkedHashMap<>();
        starts.put(Phase.PLANNED, start);
        firstSeen.forEach((p, at) -> {
            if (p != Phase.PLANNED) {
                starts.put(p, at);
            }
        });
        List<Map.Entry<Phase, Instant>> ordered = new ArrayList<>(starts.entrySet());
        ordered.sort(Map.Entry.comparingByValue());
        Map<Phase, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < ordered.size(); i++) {
            Instant from = ordered.get(i).getValue();
            Instant to = i + 1 < ordered.size() ? ordered.get(i + 1).getValue() : end;
            out.put(
                    ordered.get(i).getKey(),
                    Math.max(0, Duration.between(from, to).toMillis()));
        }
        return out;
    }

    /** DONE, intact, and every writer read its own writes back. */
    boolean ok() {
        return status.phase() == Phase.DONE
                && failure.isEmpty()
                && integrity != null
                && integrity.intact()
                && writers.staleReads() == 0;
    }

    List<String> text() {
        List<String> lines = new ArrayList<>();
        lines.add("");
        if (integrity != null) {
            add(
                    lines,
                    "integrity",
                    "every shard read directly and checked against the writers' ledger and map v" + status.toVersion()
                            + ":");
            add(
                    lines,
                    "",
                    "acknowledged " + Text.count(integrity.acknowledged()) + ", lost " + integrity.lost()
                            + ", resurrected " + integrity.resurrected() + ", duplicated " + integrity.duplicated()
                            + ", misplaced " + integrity.misplaced() + ", unknown " + integrity.unknown());
            add(
                    lines,
                    "",
                    "uncertain " + integrity.uncertain()
                            + " (keys whose write failed with an unknown outcome; either outcome is accepted)");
            integrity.examples().forEach(e -> add(lines, "", "e.g. " + e));
        } else {
            add(lines, "integrity", "not checked: the migration ended in " + status.phase() + ", not DONE");
        }
        add(
                lines,
                "writers",
                Text.count(writers.ops()) + " ops, " + Text.count(writers.errors()) + " errors, "
                        + Text.count(writers.staleReads()) + " stale reads, max latency "
                        + Text.count(writers.maxLatencyMillis()) + " ms");
        writers.errorSamples().forEach(e -> add(lines, "", "error: " + e));
        List<String> phases = new ArrayList<>();
        phaseMillis.forEach((p, ms) -> phases.add(p + " " + Text.duration(Duration.ofMillis(ms))));
        add(lines, "phases", String.join(", ", phases));
        MigrationReport r = status.report();
        if (r.cutover.at != null) {
            add(
                    lines,
                    "cutover",
                    "writes to moving keys frozen " + Text.count(r.cutover.freezeMillis) + " ms (budget "
                            + Text.count(cutoverBudgetMillis) + " ms; " + r.cutover.attempts + " attempt"
                            + (r.cutover.attempts == 1 ? "" : "s") + ")");
        }
        if (r.verification != null) {
            add(lines, "verified", verification(r.verification));
        }
        add(
                lines,
                "moved",
                Text.count(r.backfill.rowsCopied) + " rows copied by the backfill, "
                        + Text.count(r.catchUp.rowsSynced) + " re-synced by the changelog catch-up (rows the"
                        + " dual-write had not mirrored), " + Text.count(r.cleanup == null ? 0 : r.cleanup.rowsDeleted)
                        + " deleted from the old shards");
        if (setup.directory() != null) {
            add(lines, "kept", setup.directory());
        }
        failure.ifPresent(f -> add(lines, "failed", f));
        lines.addAll(Text.wrap("", verdict()));
        return lines;
    }

    private String verdict() {
        String took = " (migration " + Text.duration(Duration.ofMillis(migrationMillis)) + ", "
                + Text.duration(Duration.ofMillis(totalMillis)) + " in all)";
        if (ok()) {
            return "OK: migration DONE with writers running; no acknowledged write lost, resurrected, duplicated or"
                    + " misplaced" + took;
        }
        List<String> why = new ArrayList<>();
        if (status.phase() != Phase.DONE) {
            why.add("the migration ended in " + status.phase());
        }
        if (integrity != null && !integrity.intact()) {
            why.add("the end state is not intact");
        }
        if (writers.staleReads() > 0) {
            why.add(writers.staleReads() + " reads missed their own acknowledged write");
        }
        return "FAILED: " + String.join("; ", why) + took;
    }

    private static String verification(MigrationReport.Verification v) {
        long rows = v.tables.stream()
                .mapToLong(MigrationReport.TableCheck::sourceRows)
                .sum();
        int chunks =
                v.tables.stream().mapToInt(MigrationReport.TableCheck::chunks).sum();
        return Text.count(rows) + " rows in " + Text.count(chunks) + " checksummed chunks in "
                + Text.count(v.durationMillis) + " ms: " + Text.count(v.mismatchesFound) + " mismatches found, "
                + Text.count(v.mismatchesRepaired) + " repaired" + (v.clean ? ", clean" : ", NOT clean");
    }

    private static void add(List<String> lines, String label, String text) {
        lines.addAll(Text.wrap(String.format(Locale.ROOT, "%-10s ", label), text));
    }

    String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("ok", ok());
        ObjectNode s = o.putObject("setup");
        s.put("strategy", setup.strategy());
        s.putPOJO("shards", setup.shards());
        s.put("added", setup.added());
        s.put("users", setup.users());
        s.put("ordersPerUser", setup.ordersPerUser());
        s.put("writers", setup.writers());
        s.put("ratePerWriter", setup.rate());
        s.put("operation", setup.operation());
        s.put("fromMap", setup.fromMap());
        s.put("toMap", setup.toMap());
        s.put("directory", setup.directory());
        o.putObject("loaded")
                .put("users", load.users())
                .put("orders", load.orders())
                .put("rows", load.users() + load.orders())
                .put("millis", load.millis());
        ObjectNode m = o.putObject("migration");
        m.put("id", status.id());
        m.put("phase", status.phase().name());
        m.put("fromVersion", status.fromVersion());
        m.put("toVersion", status.toVersion());
        m.put("millis", migrationMillis);
        m.put("error", failure.orElse(null));
        ObjectNode phases = m.putObject("phaseMillis");
        phaseMillis.forEach((p, ms) -> phases.put(p.name(), ms));
        m.put("cutoverFreezeMillis", status.report().cutover.freezeMillis);
        m.put("cutoverBudgetMillis", cutoverBudgetMillis);
        try {
            m.set("report", JSON.readTree(status.report().toJson()));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        o.putObject("writers")
                .put("threads", writers.threads())
                .put("ops", writers.ops())
                .put("errors", writers.errors())
                .put("staleReads", writers.staleReads())
                .put("maxLatencyMillis", writers.maxLatencyMillis())
                .putPOJO("errorSamples", writers.errorSamples());
        if (integrity == null) {
            o.putNull("integrity");
        } else {
            o.putObject("integrity")
                    .put("intact", integrity.intact())
                    .put("acknowledged", integrity.acknowledged())
                    .put("lost", integrity.lost())
                    .put("resurrected", integrity.resurrected())
                    .put("duplicated", integrity.duplicated())
                    .put("misplaced", integrity.misplaced())
                    .put("unknown", integrity.unknown())
                    .put("uncertain", integrity.uncertain())
                    .putPOJO("examples", integrity.examples());
        }
        o.put("totalMillis", totalMillis);
        try {
            return JSON.writeValueAsString(o) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
