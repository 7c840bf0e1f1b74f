package dev.reshard.cli.migrate;

import dev.reshard.core.migration.Phase;
import dev.reshard.migration.Progress;
import dev.reshard.migration.engine.MigrationEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Prints a running migration's events as they arrive, one line each (wrapped to 100 columns): the
 * time since the run started, the phase, and the engine's message; a progress snapshot (about once a
 * second during backfill) as a compact line:
 *
 * <pre>
 *    +2.1s  BACKFILL      62% 124,000/200,000 rows  41,000 rows/s  ETA 2s  backlog 12
 * </pre>
 *
 * It also remembers when each phase was first seen, for the per-phase durations of a summary. The
 * engine calls it from its own threads; printing is serialized.
 */
public final class EventPrinter implements Consumer<MigrationEvent> {
    private final PrintWriter out;
    private final Instant started;
    private final EnumMap<Phase, Instant> firstSeen = new EnumMap<>(Phase.class);

    /** {@code started}: the instant the elapsed times count from (when the command began its work). */
    public EventPrinter(PrintWriter out, Instant started) {
        this.out = out;
        this.started = started;
    }

    @Override
    public synchronized void accept(MigrationEvent event) {
        firstSeen.putIfAbsent(event.phase(), event.at());
        String head = String.format(
                Locale.ROOT, "%7s  %-12s ", elapsed(event.at()), event.phase().name());
        if (event.progress().isPresent()) {
            out.println(head + progressLine(event.progress().get()));
        } else {
            Text.wrap(head, event.message()).forEach(out::println);
        }
        out.flush();
    }

    /** {@code 62% 124,000/200,000 rows  41,000 rows/s  ETA 2s  backlog 12}. */
    public static String progressLine(Progress p) {
        StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT, "%4s", Text.percent(p.fraction())))
                .append(' ')
                .append(Text.count(p.copied()))
                .append('/')
                .append(Text.count(p.estimated()))
                .append(" rows  ")
                .append(Text.count(Math.round(p.rowsPerSecond())))
                .append(" rows/s");
        p.eta().ifPresent(eta -> line.append("  ETA ").append(Text.eta(eta)));
        line.append("  backlog ").append(Text.count(p.changelogBacklog()));
        return line.toString();
    }

    /** When each phase was first reported, in phase order (a phase reports after its barrier). */
    public synchronized Map<Phase, Instant> firstSeen() {
        return Collections.unmodifiableMap(new EnumMap<>(firstSeen));
    }

    private String elapsed(Instant at) {
        Duration d = Duration.between(started, at);
        return String.format(Locale.ROOT, "+%.1fs", Math.max(0, d.toMillis()) / 1000.0);
    }
}
