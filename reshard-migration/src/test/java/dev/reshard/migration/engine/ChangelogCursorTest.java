package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChangelogCursorTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theMarkTrailsByTheWindowSoALateCommitIsStillReplayed() {
        ChangelogCursor cursor = new ChangelogCursor(0, 5 * SECOND);
        // Pass 1 at t=0 reads ids 1..10, except 4, whose transaction has not committed yet.
        cursor.passed(List.of(1L, 2L, 3L, 5L, 6L, 7L, 8L, 9L, 10L), 10, 0);
        assertThat(cursor.mark()).isZero();
        assertThat(cursor.isNew(4)).as("the late commit").isTrue();
        assertThat(cursor.isNew(5)).as("replayed once, not again").isFalse();
        // Pass 2 at t=1s sees 4 committed.
        cursor.passed(List.of(4L), 10, SECOND);
        assertThat(cursor.isNew(4)).isFalse();
        // At t=6s the mark passes what was read by t=1s.
        cursor.passed(List.of(11L), 11, 6 * SECOND);
        assertThat(cursor.mark()).isEqualTo(10);
        assertThat(cursor.isNew(11)).isFalse();
        assertThat(cursor.isNew(12)).isTrue();
    }

    @Test
    void withoutAWindowTheMarkFollowsTheHead() {
        ChangelogCursor cursor = new ChangelogCursor(7, 0);
        cursor.passed(List.of(8L, 9L), 9, 0);
        assertThat(cursor.mark()).isEqualTo(9);
    }
}
