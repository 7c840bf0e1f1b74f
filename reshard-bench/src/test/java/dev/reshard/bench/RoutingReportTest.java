package dev.reshard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.bench.RoutingReport.Line;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingReportTest {

    private static Line line(String method, Map<String, String> params, double ns, double bytes) {
        return new Line(method, params, ns, 0.1, bytes);
    }

    @Test
    void report_subtractsTheBaselineOfTheSameKeyTypeAndJudgesTargets() {
        List<Line> lines = List.of(
                line("baselineLong", Map.of(), 1.0, 0),
                line("baselineString", Map.of(), 1.5, 0),
                line("jumpHashLong", Map.of("buckets", "64"), 20.0, 0),
                line("ringLong", Map.of("shards", "64", "placement", "BALANCED"), 41.0, 0.002),
                line("virtualLong", Map.of("vshards", "1024"), 35.0, 0.001),
                line("virtualString", Map.of("vshards", "1024"), 51.5, 24.0));

        String report = RoutingReport.report(lines);

        assertThat(report)
                .contains("| 35.00 ± 0.10 | 34.00 |")
                .contains("| 51.50 ± 0.10 | 50.00 |")
                .contains("NOT MET: 34.0 ns > 30")
                .contains("NOT MET: 24.0 B/op")
                .contains("| 64 | balanced | 41.00 | 20.00 | 2.05 | 2.11 | ≤ 3 | met |")
                .contains("- virtual shards, long key, <= 30 ns: NOT MET (worst 34.00 ns)")
                .contains("- virtual shards, 36-char string key, <= 120 ns: met (worst 50.00 ns)")
                .contains("- 0 B/op on every lookup (gc.alloc.rate.norm < 1): NOT MET (worst 24.00 B/op)")
                .contains("- ring within 3x of jump hash: met (worst 2.11x)");
    }

    @Test
    void report_withoutGcProfiler_saysAllocationWasNotMeasured() {
        String report = RoutingReport.report(List.of(
                line("baselineLong", Map.of(), 1.0, Double.NaN),
                line("rangeLong", Map.of("ranges", "10"), 5.0, Double.NaN)));

        assertThat(report)
                .contains("| n/a |")
                .contains("- 0 B/op on every lookup (gc.alloc.rate.norm < 1): not measured")
                .contains("- every strategy, long key, <= 100 ns: met (worst 4.00 ns)")
                .doesNotContain("NOT MET");
    }
}
