package dev.reshard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.strategy.VirtualShardMap;
import java.util.Arrays;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Checks the migration drivers' fixture and statistics; no database is started here. */
class MigrationFixtureTest {

    @Test
    void v2_movesEveryFourthVirtualShardToTheNewShard() {
        VirtualShardMap from = (VirtualShardMap) MigrationFixture.V1.strategy();
        VirtualShardMap to = (VirtualShardMap) MigrationFixture.V2.strategy();
        int moved = 0;
        for (int v = 0; v < 1024; v++) {
            assertThat(from.ownerOf(v)).isEqualTo(MigrationFixture.OLD);
            if (!to.ownerOf(v).equals(from.ownerOf(v))) {
                assertThat(v % 4).isZero();
                assertThat(to.ownerOf(v)).isEqualTo(MigrationFixture.NEW);
                moved++;
            }
        }
        assertThat(moved).isEqualTo(256);
    }

    @Test
    void movingIds_areTheIdsThePairMovesAboutAQuarter() {
        long[] ids = MigrationFixture.Shards.movingIds(100_000);
        assertThat(ids.length).isBetween(24_000, 26_000);
        assertThat(ids).isSorted();
        assertThat(Arrays.stream(ids).allMatch(id -> MigrationFixture.moves().test(id)))
                .isTrue();
        long all = LongStream.rangeClosed(1, 100_000)
                .filter(id -> MigrationFixture.moves().test(id))
                .count();
        assertThat(all).isEqualTo(ids.length);
    }

    @Test
    void summary_percentilesAreNearestRankInMilliseconds() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = (i + 1) * 1_000_000L;
        }
        FixedRateLoad.Summary s = new FixedRateLoad.Summary(nanos, 2, 10);
        assertThat(s.percentile(50)).isEqualTo(50.0);
        assertThat(s.percentile(99)).isEqualTo(99.0);
        assertThat(s.max()).isEqualTo(100.0);
        assertThat(s.rate()).isEqualTo(10.0);
        assertThat(new FixedRateLoad.Summary(new long[0], 0, 1).percentile(99)).isNaN();
    }

    @Test
    void median_ofEvenAndOddCounts() {
        assertThat(MigrationFixture.median(new double[] {3, 1, 2})).isEqualTo(2.0);
        assertThat(MigrationFixture.median(new double[] {4, 1, 2, 3})).isEqualTo(2.5);
    }

    @Test
    void options_refuseUnknownAndMalformedOptions() {
        MigrationFixture.Options o = new MigrationFixture.Options(new String[] {"--rows=1_000", "--typo=1"});
        assertThat(o.longValue("rows", 5)).isEqualTo(1000);
        assertThatThrownBy(o::requireAllUsed).hasMessageContaining("typo");
        assertThatThrownBy(() -> new MigrationFixture.Options(new String[] {"rows=1"}))
                .hasMessageContaining("is not --name=value");
    }
}
