package dev.reshard.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LeaseTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** A clock at a set instant that runs {@code onRead} (once) when read. */
    static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(T0);
        volatile Runnable onRead;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            Runnable r = onRead;
            onRead = null;
            if (r != null) {
                r.run();
            }
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }
    }

    @Test
    void read_renewalLandingWhileTheClockIsRead_isTaken() {
        TestClock clock = new TestClock();
        Lease lease = new Lease(Duration.ofSeconds(2), clock);
        lease.renew(T0);
        clock.advance(Duration.ofMillis(2500));
        clock.onRead = () -> lease.renew(T0.plusMillis(2400));
        Lease.Reading r = lease.read();
        assertThat(r.valid()).isTrue();
        assertThat(r.until()).isEqualTo(T0.plusMillis(4400));
    }

    @Test
    void lapsed_messageNumbersComeFromOneReading() {
        TestClock clock = new TestClock();
        Lease lease = new Lease(Duration.ofSeconds(2), clock);
        lease.renew(T0);
        clock.advance(Duration.ofMillis(3500));
        Lease.Reading r = lease.read();
        assertThat(r.valid()).isFalse();
        // a renewal after the reading does not change the refusal's numbers
        lease.renew(T0.plusMillis(3400));
        assertThat(lease.lapsed("r1", "writes", r))
                .hasMessage("router r1 has not reached the catalog since " + T0
                        + " (lease 2000 ms lapsed 1500 ms ago); refusing writes until it does");
    }

    @Test
    void read_atTheDeadline_isValid_andJustAfterItIsNot() {
        TestClock clock = new TestClock();
        Lease lease = new Lease(Duration.ofSeconds(2), clock);
        lease.renew(T0);
        clock.advance(Duration.ofSeconds(2));
        assertThat(lease.read().valid()).isTrue();
        clock.advance(Duration.ofNanos(1));
        assertThat(lease.read().valid()).isFalse();
    }

    @Test
    void neverRenewed_isLapsed() {
        Lease lease = new Lease(Duration.ofSeconds(2), new TestClock());
        Lease.Reading r = lease.read();
        assertThat(r.valid()).isFalse();
        assertThat(lease.lapsed("r1", "reads", r)).hasMessageContaining("since it started");
    }
}
