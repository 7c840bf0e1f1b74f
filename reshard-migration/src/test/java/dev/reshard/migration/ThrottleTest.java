package dev.reshard.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottleTest {
    private final AtomicLong now = new AtomicLong();
    private final AtomicLong slept = new AtomicLong();
    private final Throttle.Sleeper sleeper = nanos -> {
        slept.addAndGet(nanos);
        now.addAndGet(nanos);
    };

    private Throttle throttle() {
        return new Throttle(10_000, 0.1, Duration.ofMillis(2), Duration.ofMillis(20), now::get, sleeper);
    }

    @Test
    void quietSource_pacesAtTheMaximumRate() throws Exception {
        Throttle t = throttle();
        for (int i = 0; i < 100; i++) {
            t.afterBatch(1_000, 500_000, () -> 500_000);
        }
        // 100,000 rows at 10,000 rows/s take 10 s of (virtual) time
        assertThat(now.get()).isBetween(9_900_000_000L, 10_100_000_000L);
        assertThat(t.rate()).isEqualTo(10_000);
    }

    @Test
    void slowSource_halvesTheRateDownToTheFloor_thenRecoversAdditively() throws Exception {
        Throttle t = throttle();
        t.afterBatch(100, 5_000_000, () -> 0);
        assertThat(t.rate()).isEqualTo(5_000);
        for (int i = 0; i < 10; i++) {
            t.afterBatch(100, 5_000_000, () -> 0);
        }
        assertThat(t.rate()).as("never below 10 %% of the maximum").isEqualTo(1_000);
        t.afterBatch(100, 1_000_000, () -> 0);
        assertThat(t.rate()).as("+2 %% of the maximum per good batch").isEqualTo(1_200);
        assertThat(t.slowdowns()).isEqualTo(11);
    }

    @Test
    void overloadedSource_pausesUntilItsLatencyRecovers() throws Exception {
        Throttle t = throttle();
        long[] probes = {30_000_000, 25_000_000, 1_000_000};
        int[] i = {0};
        t.afterBatch(10, 50_000_000, () -> probes[i[0]++]);
        assertThat(i[0]).isEqualTo(3);
        assertThat(slept.get()).isGreaterThanOrEqualTo(3 * 8_000_000L);
        assertThat(t.pausedNanos()).isEqualTo(3 * 8_000_000L);
    }

    @Test
    void aSourceThatStaysOverloaded_pausesABoundedTime_thenGoesOnAtTheFloor() throws Exception {
        Throttle t = throttle();
        int[] probes = {0};
        for (int batch = 0; batch < 5; batch++) {
            t.afterBatch(100, 1_000_000_000L, () -> {
                probes[0]++;
                return 1_000_000_000L;
            });
        }
        assertThat(probes[0]).isEqualTo(5 * 50);
        assertThat(t.rate()).isEqualTo(1_000);
        assertThat(t.pausedNanos()).isEqualTo(5 * 50 * 8_000_000L);
    }

    @Test
    void noCeiling_takesTheFirstBatchsRate_thenPacesByTheGuardrail() throws Exception {
        Throttle t = new Throttle(
                Double.POSITIVE_INFINITY, 0.1, Duration.ofMillis(2), Duration.ofMillis(20), now::get, sleeper);
        now.addAndGet(100_000_000L); // the first batch: 5,000 rows in 100 ms, unpaced
        t.afterBatch(5_000, 500_000, () -> 500_000);
        assertThat(t.rate()).isEqualTo(50_000);
        assertThat(slept.get()).as("the first batch is not paid for twice").isZero();
        t.afterBatch(5_000, 5_000_000, () -> 0);
        assertThat(t.rate()).isEqualTo(25_000);
        assertThat(slept.get()).as("5,000 rows at 25,000 rows/s").isEqualTo(200_000_000L);
        for (int i = 0; i < 10; i++) {
            t.afterBatch(100, 5_000_000, () -> 0);
        }
        assertThat(t.rate()).as("never below a tenth of the first batch's rate").isEqualTo(5_000);
    }

    @Test
    void badSettings_areRefused() {
        assertThatThrownBy(() -> new Throttle(0, 0.1, Duration.ofMillis(2), Duration.ofMillis(20), now::get, sleeper))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("throttle.maxRowsPerSecond: 0.0 must be positive");
        assertThatThrownBy(() -> new Throttle(1, 0.1, Duration.ofMillis(20), Duration.ofMillis(2), now::get, sleeper))
                .hasMessageStartingWith("throttle.pauseAbove: PT0.002S must be above the guardrail PT0.02S");
    }
}
