package dev.reshard.cli.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reshard.core.migration.Phase;
import dev.reshard.migration.Progress;
import dev.reshard.migration.engine.MigrationReport;
import dev.reshard.migration.engine.MigrationStatus;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Migrations as {@code reshard migrate status} shows them: a table of all of them, one in detail,
 * or JSON. The JSON of one migration is {@code id, phase, fromVersion, toVersion, owner, error,
 * progress} and the stored {@code report} as the engine wrote it.
 */
final class StatusView {
    static final ObjectMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final int EVENTS = 10;

    private StatusView() {}

    /** One line per migration: id, phase, map versions, progress, error. */
    static List<String> table(List<MigrationStatus> all) {
        List<String> lines = new ArrayList<>();
        if (all.isEmpty()) {
            lines.add("no migrations in the catalog; start one with `reshard migrate start`");
            return lines;
        }
        int idWidth = Math.min(
                24,
                Math.max(2, all.stream().mapToInt(s -> s.id().length()).max().orElse(2)));
        String format = "%-" + idWidth + "s  %-12s  %-14s  %8s  %s";
        lines.add(String.format(Locale.ROOT, format, "ID", "PHASE", "MAP", "PROGRESS", "ERROR")
                .stripTrailing());
        int used = idWidth + 2 + 12 + 2 + 14 + 2 + 8 + 2;
        for (MigrationStatus s : all) {
            String error = s.error().map(e -> Text.cut(e, Text.WIDTH - used)).orElse("");
            lines.add(String.format(
                            Locale.ROOT,
                            format,
                            Text.cut(s.id(), idWidth),
                            s.phase().name(),
                            "v" + s.fromVersion() + " -> v" + s.toVersion(),
                            Text.percent(s.progress().fraction()),
                            error)
                    .stripTrailing());
        }
        return lines;
    }

    /** One migration: phase, progress, what each step did, the lease holder and the last error. */
    static List<String> detail(MigrationStatus s, boolean withEvents) {
        List<String> lines = new ArrayList<>();
        MigrationReport r = s.report();
        Progress p = s.progress();
        lines.add("migration " + s.id() + ": " + s.phase() + ", map v" + s.fromVersion() + " -> v" + s.toVersion());
        List<String> tables = new ArrayList<>();
        for (var table : r.tables) {
            Progress.TableProgress t = p.tables().get(table.key());
            if (t != null) {
                tables.add(table.key() + " " + Text.count(t.copied()) + "/" + Text.count(t.estimated()));
            }
        }
        add(
                lines,
                "progress",
                Text.percent(p.fraction()) + ": " + Text.count(p.copied()) + " rows copied of "
                        + Text.count(p.estimated()) + " estimated"
                        + (tables.isEmpty() ? "" : " (" + String.join(", ", tables) + ")")
                        + (s.phase() == Phase.CLEANUP && r.cleanup != null && p.estimated() > 0
                                ? "; cleanup "
                                        + Text.percent(Math.min(1.0, (double) r.cleanup.rowsDeleted / p.estimated()))
                                        + " deleted"
                                : ""));
        if (r.backfill.startedAt != null) {
            add(
                    lines,
                    "backfill",
                    Text.count(r.backfill.rowsCopied) + " rows copied, "
                            + Text.count(Math.round(p.rowsPerSecond())) + " rows/s"
                            + (r.backfill.finishedAt == null ? " (running)" : "")
                            + (r.backfill.batchesFellBack > 0
                                    ? ", " + r.backfill.batchesFellBack + " batches fell back to insert-if-absent"
                                    : "")
                            + (r.backfill.throttleSlowdowns > 0 || r.backfill.throttlePausedMillis > 0
                                    ? "; throttle slowed " + r.backfill.throttleSlowdowns + " times, paused "
                                            + r.backfill.throttlePausedMillis + " ms (latency guardrail)"
                                    : ""));
        }
        if (r.catchUp.lastPassAt != null) {
            add(
                    lines,
                    "catch-up",
                    Text.count(r.catchUp.rowsSynced) + " rows re-synced from the changelog (rows the dual-write"
                            + " had not mirrored)"
                            + (s.phase().isTerminal()
                                    ? ""
                                    : "; backlog at the last pass " + Text.count(r.catchUp.lastBacklog)));
        }
        if (r.verification != null) {
            add(lines, "verification", verification(r.verification));
        }
        if (r.cutover.attempts > 0) {
            add(
                    lines,
                    "cutover",
                    r.cutover.at == null
                            ? r.cutover.attempts + " attempt(s), not cut over yet"
                                    + (r.cutover.lastAbortReason == null ? "" : ": " + r.cutover.lastAbortReason)
                            : "writes to moving keys frozen " + r.cutover.freezeMillis + " ms, at " + r.cutover.at
                                    + " (" + r.cutover.attempts + " attempt" + (r.cutover.attempts == 1 ? "" : "s")
                                    + ")");
        }
        if (r.cleanup != null) {
            add(
                    lines,
                    "cleanup",
                    Text.count(r.cleanup.rowsDeleted) + " moved rows deleted from the old shards"
                            + (r.cleanup.finishedAt == null ? " so far" : "")
                            + (r.cleanup.backupFiles.isEmpty()
                                    ? ""
                                    : "; backup in " + String.join(", ", r.cleanup.backupFiles)));
        }
        if (r.rollback != null) {
            MigrationReport.Rollback rb = r.rollback;
            add(
                    lines,
                    "rollback",
                    "from " + rb.from + ": " + Text.count(rb.rowsReplayedToOld) + " rows replayed to the old shards, "
                            + Text.count(rb.rowsRemovedFromNew) + " removed from the new ones"
                            + (rb.keysChecked > 0
                                    ? ", " + Text.count(rb.keysChecked) + " keys checked"
                                            + (rb.oldHoldsEveryKey ? " (old shards hold every key)" : "")
                                    : ""));
        }
        s.owner().ifPresent(o -> add(lines, "lease", "held by " + o));
        s.error().ifPresent(e -> add(lines, "error", e));
        if (withEvents && !r.events.isEmpty()) {
            lines.add("  last events");
            List<MigrationReport.Event> events =
                    r.events.subList(Math.max(0, r.events.size() - EVENTS), r.events.size());
            for (MigrationReport.Event e : events) {
                lines.addAll(Text.wrap(
                        String.format(Locale.ROOT, "    %-24s  %-12s ", shortTime(e.at()), e.phase()), e.message()));
            }
        }
        return lines;
    }

    /** An event's instant to the millisecond; as stored when it does not parse. */
    private static String shortTime(String at) {
        try {
            return Instant.parse(at).truncatedTo(ChronoUnit.MILLIS).toString();
        } catch (DateTimeParseException e) {
            return at;
        }
    }

    static String verification(MigrationReport.Verification v) {
        long rows = v.tables.stream()
                .mapToLong(MigrationReport.TableCheck::sourceRows)
                .sum();
        int chunks =
                v.tables.stream().mapToInt(MigrationReport.TableCheck::chunks).sum();
        return Text.count(rows) + " rows in " + Text.count(chunks) + " chunks in " + v.durationMillis + " ms, "
                + Text.count(v.mismatchesFound) + " mismatches found, " + Text.count(v.mismatchesRepaired)
                + " repaired" + (v.rounds > 0 ? " in " + v.rounds + " round" + (v.rounds == 1 ? "" : "s") : "")
                + (v.clean ? ": clean" : ": NOT clean");
    }

    private static void add(List<String> lines, String label, String text) {
        lines.addAll(Text.wrap(String.format(Locale.ROOT, "  %-13s ", label), text));
    }

    static ObjectNode json(MigrationStatus s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", s.id());
        o.put("phase", s.phase().name());
        o.put("fromVersion", s.fromVersion());
        o.put("toVersion", s.toVersion());
        o.put("owner", s.owner().orElse(null));
        o.put("error", s.error().orElse(null));
        o.set("progress", progress(s.progress()));
        try {
            o.set("report", JSON.readTree(s.report().toJson()));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return o;
    }

    static ObjectNode progress(Progress p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("fraction", p.fraction());
        o.put("copied", p.copied());
        o.put("estimated", p.estimated());
        o.put("rowsPerSecond", Math.round(p.rowsPerSecond()));
        p.eta().ifPresentOrElse(eta -> o.put("etaMillis", eta.toMillis()), () -> o.putNull("etaMillis"));
        o.put("changelogBacklog", p.changelogBacklog());
        ObjectNode tables = o.putObject("tables");
        p.tables().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(t -> tables.putObject(t.getKey())
                        .put("copied", t.getValue().copied())
                        .put("estimated", t.getValue().estimated())
                        .put("done", t.getValue().done()));
        return o;
    }

    static ObjectNode json(List<MigrationStatus> all) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode list = o.putArray("migrations");
        all.forEach(s -> list.add(json(s)));
        return o;
    }

    static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
