package dev.reshard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.ConsistentHashRing.Placement;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks that the benchmarks measure what they claim; no benchmark is run here. */
class FixturesTest {

    @Test
    void keys_areSeededAndUuidStringsHave36Chars() {
        assertThat(Fixtures.longKeys()).hasSize(Fixtures.KEY_COUNT).isEqualTo(Fixtures.longKeys());
        assertThat(Fixtures.uuidKeys())
                .hasSize(Fixtures.KEY_COUNT)
                .allSatisfy(k -> assertThat(k).hasSize(36));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void directory_listsEveryBenchmarkKeyOnlyWhenAsked(boolean listed) {
        Directory directory = Fixtures.directory(Fixtures.tenants(listed));

        assertThat(directory.tenantCount()).isEqualTo(Fixtures.TENANT_COUNT);
        assertThat(Arrays.stream(Fixtures.longKeys())
                        .filter(k -> directory.listedShard(Key.of(k)).isPresent())
                        .count())
                .isEqualTo(listed ? Fixtures.KEY_COUNT : 0);
    }

    @Test
    void tenants_refusesTooFewToListEveryKey() {
        assertThatThrownBy(() -> Fixtures.tenants(true, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use at least 65536");
        assertThat(Fixtures.tenants(false, 1000)).hasSize(1000).doesNotContain(Fixtures.longKeys());
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 10_000})
    void evenRanges_routeEveryKeyAndUseEveryShard(int count) {
        RangeMap map = Fixtures.evenRanges(count);

        assertThat(map.rangeCount()).isEqualTo(count);
        assertThat(Arrays.stream(Fixtures.longKeys()).mapToObj(map::shardFor).distinct())
                .hasSize(Fixtures.SHARDS);
        assertThat(map.shardFor(Long.MIN_VALUE)).isEqualTo(ShardId.of("shard_0"));
        assertThat(map.shardFor(Long.MAX_VALUE)).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(Placement.class)
    void movedFraction_equalsNewShardsShare(Placement placement) {
        ConsistentHashRing before = Fixtures.ring(8, placement);
        ConsistentHashRing after = before.withShard(ShardId.of("shard_8"));

        assertThat(RingBalanceReport.movedFraction(before, after)).isCloseTo(after.ownership()[8], within(1e-9));
        assertThat(RingBalanceReport.movedFraction(before, before)).isZero();
    }

    @Test
    void movedFraction_countsAWholeRemovedShard() {
        ConsistentHashRing ring = Fixtures.ring(4, Placement.RANDOM);
        ConsistentHashRing without = ring.withoutShard(ShardId.of("shard_3"));

        assertThat(RingBalanceReport.movedFraction(ring, without)).isCloseTo(ring.ownership()[3], within(1e-9));
    }

    @Test
    void balance_ofEqualSharesIsOne() {
        RingBalanceReport.Balance b = RingBalanceReport.Balance.of(new double[] {0.25, 0.25, 0.25, 0.25});

        assertThat(b.maxOverAvg()).isEqualTo(1.0);
        assertThat(b.minOverAvg()).isEqualTo(1.0);
        assertThat(b.sigmaOverAvg()).isZero();
    }
}
