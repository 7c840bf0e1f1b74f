package dev.reshard.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.migration.Phase;
import dev.reshard.migration.Progress;
import dev.reshard.migration.engine.MigrationEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void wrap_keepsEveryLineWithinTheWidth_andIndentsContinuations() {
        List<String> lines = Text.wrap("  label     ", "word ".repeat(60));

        assertThat(lines).hasSizeGreaterThan(2);
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(Text.WIDTH));
        assertThat(lines.get(0)).startsWith("  label     word");
        assertThat(lines.subList(1, lines.size())).allSatisfy(l -> assertThat(l).startsWith("            word"));
    }

    @Test
    void wrap_aWordLongerThanALine_staysWhole() {
        String url = "x".repeat(120);

        assertThat(Text.wrap("head ", "see " + url)).containsExactly("head see", "     " + url);
    }

    @Test
    void percent_neverRoundsUpToDone() {
        assertThat(Text.percent(0.999)).isEqualTo("99%");
        assertThat(Text.percent(1.0)).isEqualTo("100%");
    }

    @Test
    void durations() {
        assertThat(Text.duration(Duration.ofMillis(850))).isEqualTo("850 ms");
        assertThat(Text.duration(Duration.ofMillis(2340))).isEqualTo("2.3 s");
        assertThat(Text.duration(Duration.ofSeconds(245))).isEqualTo("4 min 5 s");
        assertThat(Text.eta(Duration.ofMillis(1200))).isEqualTo("2s");
        assertThat(Text.eta(Duration.ofSeconds(245))).isEqualTo("4m05s");
    }

    @Test
    void progressLine_isCompact() {
        Progress p = new Progress(
                "m1",
                Phase.BACKFILL,
                Map.of(
                        "users", new Progress.TableProgress(62_000, 100_000, false),
                        "orders", new Progress.TableProgress(62_000, 100_000, false)),
                41_000,
                12,
                Instant.EPOCH);

        assertThat(EventPrinter.progressLine(p))
                .isEqualTo(" 62% 124,000/200,000 rows  41,000 rows/s  ETA 2s  backlog 12");
    }

    @Test
    void printer_wrapsMessages_andRemembersWhenEachPhaseBegan() {
        StringWriter text = new StringWriter();
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        EventPrinter printer = new EventPrinter(new PrintWriter(text, true), start);

        printer.accept(
                new MigrationEvent(start.plusMillis(300), "m1", Phase.PLANNED, "capture installed", Optional.empty()));
        printer.accept(new MigrationEvent(
                start.plusMillis(1200), "m1", Phase.VERIFY, "verified ".repeat(20), Optional.empty()));

        List<String> lines = text.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("  +0.3s  PLANNED      capture installed");
        assertThat(lines.get(1)).startsWith("  +1.2s  VERIFY       verified");
        assertThat(lines)
                .hasSizeGreaterThan(2)
                .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
        assertThat(printer.firstSeen()).containsOnlyKeys(Phase.PLANNED, Phase.VERIFY);
    }
}
