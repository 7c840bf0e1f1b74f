package dev.reshard.core.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.rebalance.Verdict.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TriggersTest {
    private static final long GB = 1L << 30;
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    private static ShardHistory shard(String id, long capacity, Sample... samples) {
        return new ShardHistory(ShardId.of(id), capacity, List.of(samples));
    }

    private static Sample at(Duration ago, long size, long ops) {
        return new Sample(NOW.minus(ago), size, -1, ops);
    }

    private static Verdict verdict(List<Verdict> all, Trigger t, String shard) {
        return all.stream()
                .filter(v -> v.trigger() == t && v.shard().value().equals(shard))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void storage_firesJustAboveTheThreshold_andNotAtIt() {
        List<Verdict> v = Triggers.evaluate(
                List.of(
                        shard("a", 100 * GB, at(Duration.ZERO, 80 * GB, -1)),
                        shard("b", 100 * GB, at(Duration.ZERO, 80 * GB + 1, -1))),
                Thresholds.DEFAULTS,
                NOW);
        assertThat(verdict(v, Trigger.STORAGE, "a").status()).isEqualTo(Status.CLEAR);
        Verdict b = verdict(v, Trigger.STORAGE, "b");
        assertThat(b.status()).isEqualTo(Status.FIRES);
        assertThat(b.reason()).contains("80.0GB of 100.0GB capacity used (80%), above the 80% threshold");
    }

    @Test
    void load_comparesEachShardsRateWithTheAverage() {
        Duration minute = Duration.ofMinutes(1);
        List<Verdict> v = Triggers.evaluate(
                List.of(
                        shard("a", GB, at(minute, 1, 0), at(Duration.ZERO, 1, 6_000)), // 100/s
                        shard("b", GB, at(minute, 1, 0), at(Duration.ZERO, 1, 6_000)), // 100/s
                        shard("c", GB, at(minute, 1, 0), at(Duration.ZERO, 1, 18_000))), // 300/s, avg 166.7
                Thresholds.DEFAULTS,
                NOW);
        Verdict c = verdict(v, Trigger.LOAD, "c");
        assertThat(c.status()).isEqualTo(Status.FIRES);
        assertThat(c.value()).isCloseTo(1.8, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(verdict(v, Trigger.LOAD, "a").status()).isEqualTo(Status.CLEAR);

        List<Verdict> reset = Triggers.evaluate(
                List.of(
                        shard("a", GB, at(minute, 1, 9_000), at(Duration.ZERO, 1, 10)),
                        shard("b", GB, at(Duration.ZERO, 1, -1))),
                Thresholds.DEFAULTS,
                NOW);
        assertThat(verdict(reset, Trigger.LOAD, "a").status()).isEqualTo(Status.NOT_MEASURED);
        assertThat(verdict(reset, Trigger.LOAD, "a").reason()).contains("counter went back");
        assertThat(verdict(reset, Trigger.LOAD, "b").reason()).contains("keeps no operation counters");
    }

    @Test
    void distribution_firesOutsideTheSpreadOnEitherSide() {
        List<Verdict> v = Triggers.evaluate(
                List.of(
                        shard("a", 100 * GB, at(Duration.ZERO, 10 * GB, -1)),
                        shard("b", 100 * GB, at(Duration.ZERO, 10 * GB, -1)),
                        shard("c", 100 * GB, at(Duration.ZERO, 16 * GB, -1)), // mean 12: +33 %
                        shard("d", 100 * GB, at(Duration.ZERO, 12 * GB, -1))),
                Thresholds.DEFAULTS,
                NOW);
        assertThat(verdict(v, Trigger.DISTRIBUTION, "c").status()).isEqualTo(Status.FIRES);
        assertThat(verdict(v, Trigger.DISTRIBUTION, "a").status()).isEqualTo(Status.CLEAR); // -16.7 %
        assertThat(verdict(v, Trigger.DISTRIBUTION, "d").status()).isEqualTo(Status.CLEAR);
        assertThat(verdict(v, Trigger.DISTRIBUTION, "c").reason()).contains("+33% from the average 12.0GB");
    }

    @Test
    void growth_daysToTheThreshold_areWithinTenPercent_onNoisySeriesWithAKnownSlope() {
        SplittableRandom random = new SplittableRandom(42);
        for (int run = 0; run < 200; run++) {
            long capacity = 100 * GB;
            double slope = (0.05 + random.nextDouble() * 2) * GB; // bytes per day
            double start = random.nextDouble() * 40 * GB;
            List<Sample> samples = new ArrayList<>();
            for (int hour = 24 * 28; hour >= 0; hour -= 6) {
                double day = (24 * 28 - hour) / 24.0;
                double noise = (random.nextDouble() - 0.5) * 0.02 * GB;
                samples.add(new Sample(
                        NOW.minus(Duration.ofHours(hour)), (long) Math.max(0, start + slope * day + noise), -1, -1));
            }
            double truth = (0.8 * capacity - (start + slope * 28)) / slope;
            Verdict g = verdict(
                    Triggers.evaluate(
                            List.of(new ShardHistory(ShardId.of("s"), capacity, samples)), Thresholds.DEFAULTS, NOW),
                    Trigger.GROWTH,
                    "s");
            if (truth <= 0) {
                assertThat(g.value()).isZero();
                continue;
            }
            assertThat(g.value())
                    .as("run %d", run)
                    .isCloseTo(truth, org.assertj.core.data.Percentage.withPercentage(10));
            assertThat(g.fires()).as("run %d: %s", run, g.reason()).isEqualTo(g.value() < 90);
        }
    }

    @Test
    void growth_withTooLittleHistory_saysSo_andNeitherFiresNorClears() {
        Verdict g = verdict(
                Triggers.evaluate(
                        List.of(shard(
                                "s",
                                GB,
                                at(Duration.ofHours(2), 1, -1),
                                at(Duration.ofHours(1), 2, -1),
                                at(Duration.ZERO, 3, -1))),
                        Thresholds.DEFAULTS,
                        NOW),
                Trigger.GROWTH,
                "s");
        assertThat(g.status()).isEqualTo(Status.NOT_MEASURED);
        assertThat(g.reason()).isEqualTo("3 samples over 2h in the last 30d; growth needs at least 6 over 24h");
    }

    @Test
    void noSamples_areNotMeasured_andIdenticalInputGivesIdenticalVerdicts() {
        List<ShardHistory> in = List.of(shard("a", GB), shard("b", GB, at(Duration.ZERO, 5, 5)));
        List<Verdict> v = Triggers.evaluate(in, Thresholds.DEFAULTS, NOW);
        assertThat(v).hasSize(8);
        assertThat(v.stream().filter(x -> x.shard().value().equals("a")))
                .allSatisfy(x -> assertThat(x.status()).isEqualTo(Status.NOT_MEASURED));
        assertThat(Triggers.evaluate(in, Thresholds.DEFAULTS, NOW)).isEqualTo(v);
    }

    @Test
    void badInput_isRefusedNamingTheField() {
        assertThatThrownBy(() -> shard("a", 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("shards[a].capacity: 0 is not a positive number of bytes");
        assertThatThrownBy(() -> new Sample(NOW, -5, 0, 0)).hasMessageContaining("stats.sizeBytes: -5 is negative");
        assertThatThrownBy(() ->
                        new Thresholds(1.2, 1.5, Duration.ofDays(90), 0.3, Duration.ofDays(30), 6, Duration.ofDays(1)))
                .hasMessageContaining("storage: 1.2 is not a share of capacity");
        assertThatThrownBy(() ->
                        new Thresholds(0.8, 0.5, Duration.ofDays(90), 0.3, Duration.ofDays(30), 6, Duration.ofDays(1)))
                .hasMessageContaining("load: 0.5");
        assertThatThrownBy(() ->
                        new Thresholds(0.8, 1.5, Duration.ofDays(90), 0.3, Duration.ofHours(1), 6, Duration.ofDays(1)))
                .hasMessageContaining("growthWindow");
    }
}
