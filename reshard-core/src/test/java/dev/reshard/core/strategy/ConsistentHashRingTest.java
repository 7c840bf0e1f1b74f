package dev.reshard.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.hash.KeyHashes;
import dev.reshard.core.strategy.ConsistentHashRing.Placement;
import dev.reshard.core.testing.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConsistentHashRingTest {

    static List<ShardId> shards(int n) {
        return IntStream.range(0, n).mapToObj(i -> ShardId.of("shard_" + i)).toList();
    }

    static ConsistentHashRing ring(int n, Placement placement) {
        ConsistentHashRing.Builder b =
                ConsistentHashRing.builder().placement(placement).vnodes(256);
        shards(n).forEach(b::shard);
        return b.build();
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {4, 5, 8, 13, 16, 32, 47, 64})
    void addShard_movesKeysOnlyToTheNewShard_nearTheOptimalFraction(int n) {
        ConsistentHashRing before = ring(n, Placement.BALANCED);
        ShardId added = ShardId.of("shard_" + n);
        ConsistentHashRing after = before.withShard(added);
        long seed = Seeds.seed("addShard_" + n);
        SplittableRandom random = new SplittableRandom(seed);
        int keys = 1_000_000;
        int moved = 0;
        for (int i = 0; i < keys; i++) {
            long key = random.nextLong();
            ShardId from = before.shardFor(key);
            ShardId to = after.shardFor(key);
            if (!from.equals(to)) {
                moved++;
                assertThat(to).as("seed %d key %d", seed, key).isEqualTo(added);
            }
        }
        double optimal = 1.0 / (n + 1);
        assertThat((double) moved / keys)
                .as("seed %d: moved fraction vs optimal %.5f", seed, optimal)
                .isBetween(optimal * 0.9, optimal * 1.1);
        // exact, from arc lengths: the new shard's share is what moved
        double exact = after.ownership()[n];
        assertThat(exact / optimal).isBetween(0.99, 1.05);
    }

    @ParameterizedTest
    @EnumSource(Placement.class)
    void removeShard_movesOnlyTheRemovedShardsKeys(Placement placement) {
        ConsistentHashRing before = ring(10, placement);
        ShardId removed = ShardId.of("shard_3");
        ConsistentHashRing after = before.withoutShard(removed);
        long seed = Seeds.seed("removeShard_" + placement);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200_000; i++) {
            long key = random.nextLong();
            ShardId from = before.shardFor(key);
            if (!from.equals(removed)) {
                assertThat(after.shardFor(key)).as("seed %d key %d", seed, key).isEqualTo(from);
            } else {
                assertThat(after.shardFor(key)).isNotEqualTo(removed);
            }
        }
        assertThat(after.shards()).doesNotContain(removed).hasSize(9);
    }

    @Test
    void balancedPlacement_keepsMaxOverAverageWithin5Percent_upTo64Shards() {
        for (int n : new int[] {8, 16, 32, 64}) {
            double[] own = ring(n, Placement.BALANCED).ownership();
            double max = Arrays.stream(own).max().orElseThrow();
            assertThat(max * n).as("max/avg at %d shards", n).isLessThanOrEqualTo(1.05);
            assertThat(Arrays.stream(own).sum()).isCloseTo(1.0, within(1e-9));
        }
    }

    @Test
    void randomPlacement_balanceFollowsOneOverRootPoints() {
        // sigma/avg ~ 1/sqrt(256) = 6 %; max/avg of 64 shards lands near 1.15 and well under 1.35.
        double[] own = ring(64, Placement.RANDOM).ownership();
        double max = Arrays.stream(own).max().orElseThrow() * 64;
        assertThat(max).isBetween(1.02, 1.35);
    }

    @Test
    void balancedAdd_movesNoMoreThan105PercentOfOptimal_andKeepsBalance() {
        ConsistentHashRing r = ring(1, Placement.BALANCED);
        for (int n = 1; n < 64; n++) {
            ConsistentHashRing next = r.withShard(ShardId.of("shard_" + n));
            double moved = next.ownership()[n];
            assertThat(moved * (n + 1)).as("moved/optimal adding shard %d", n).isBetween(0.95, 1.05);
            r = next;
        }
        double max = Arrays.stream(r.ownership()).max().orElseThrow() * 64;
        assertThat(max).isLessThanOrEqualTo(1.05);
    }

    @ParameterizedTest
    @EnumSource(Placement.class)
    void weights_giveProportionalPointsAndShare(Placement placement) {
        ConsistentHashRing r = ConsistentHashRing.builder()
                .placement(placement)
                .vnodes(256)
                .shard(ShardId.of("small"), 1)
                .shard(ShardId.of("big"), 2)
                .shard(ShardId.of("mid"), 1)
                .build();
        assertThat(r.pointCount()).isEqualTo(1024);
        double[] own = r.ownership();
        assertThat(own[1] / own[0]).isBetween(placement == Placement.BALANCED ? 1.9 : 1.5, 2.5);
        ConsistentHashRing grown = r.withShard(ShardId.of("huge"), 4);
        assertThat(grown.pointCount()).isEqualTo(2048);
        if (placement == Placement.BALANCED) {
            assertThat(grown.ownership()[3]).isCloseTo(0.5, within(0.01));
        }
    }

    @ParameterizedTest
    @EnumSource(Placement.class)
    void lookup_agreesWithTreeMapReference(Placement placement) {
        for (int n : new int[] {1, 2, 3, 64}) {
            ConsistentHashRing r = ring(n, placement);
            TreeMap<Long, ShardId> reference = new TreeMap<>(Long::compareUnsigned);
            long[] tokens = r.tokens();
            for (int i = 0; i < tokens.length; i++) {
                reference.put(tokens[i], r.ownerOfToken(i));
            }
            long seed = Seeds.seed("lookup_" + placement + n);
            SplittableRandom random = new SplittableRandom(seed);
            List<Long> probes = new ArrayList<>();
            for (long t : tokens) {
                probes.add(t);
                probes.add(t + 1);
                probes.add(t - 1);
            }
            for (int i = 0; i < 100_000; i++) {
                probes.add(random.nextLong());
            }
            probes.addAll(List.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE));
            for (long h : probes) {
                var e = reference.ceilingEntry(h);
                ShardId expected =
                        e != null ? e.getValue() : reference.firstEntry().getValue();
                assertThat(r.shardForHash(h))
                        .as("seed %d hash %s", seed, Long.toUnsignedString(h))
                        .isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Placement.class)
    void fromTokens_reproducesRouting(Placement placement) {
        ConsistentHashRing r = ring(7, placement).withShard(ShardId.of("late"), 1.5);
        long[] tokens = r.tokens();
        List<ShardId> owners =
                IntStream.range(0, tokens.length).mapToObj(r::ownerOfToken).toList();
        double[] weights = r.shards().stream().mapToDouble(r::weight).toArray();
        ConsistentHashRing copy =
                ConsistentHashRing.fromTokens(r.hash(), placement, r.vnodes(), r.shards(), weights, tokens, owners);
        SplittableRandom random = Seeds.random("fromTokens");
        for (int i = 0; i < 50_000; i++) {
            long key = random.nextLong();
            assertThat(copy.shardFor(key)).isEqualTo(r.shardFor(key));
        }
        assertThat(copy.describe()).isEqualTo(r.describe());
    }

    @Test
    void randomPlacement_isReproducibleFromTheShardList() {
        ConsistentHashRing a = ring(5, Placement.RANDOM);
        ConsistentHashRing b = ring(5, Placement.RANDOM);
        assertThat(a.tokens()).containsExactly(b.tokens());
        // adding a shard keeps every existing point
        long[] grown = a.withShard(ShardId.of("shard_5")).tokens();
        assertThat(Arrays.stream(grown).boxed().toList())
                .containsAll(Arrays.stream(a.tokens()).boxed().toList());
    }

    @Test
    void stringAndUuidKeys_routeByTheirHash() {
        ConsistentHashRing r = ring(8, Placement.BALANCED);
        assertThat(r.shardFor("tenant-42"))
                .isEqualTo(r.shardForHash(KeyHashes.xxh3V1().hash("tenant-42")));
        java.util.UUID u = java.util.UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        assertThat(r.shardFor(u)).isEqualTo(r.shardForHash(KeyHashes.xxh3V1().hash(u)));
    }

    @Test
    void emptyRing_isRefused() {
        assertThatThrownBy(() -> ConsistentHashRing.builder().build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("ring.shards: \"[]\" is empty; a ring needs at least one shard");
    }

    @Test
    void nonPositiveWeight_isRefused() {
        assertThatThrownBy(() -> ConsistentHashRing.builder().shard(ShardId.of("a"), 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("ring.shards[0].weight: 0.0 must be greater than 0;");
        assertThatThrownBy(() -> ring(2, Placement.BALANCED).withShard(ShardId.of("b"), -1))
                .hasMessageStartingWith("ring.add.weight: -1.0 must be greater than 0;");
        assertThatThrownBy(() -> ring(2, Placement.BALANCED).withShard(ShardId.of("b"), Double.NaN))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void duplicateShard_isRefusedNamingBothPositions() {
        assertThatThrownBy(() -> ConsistentHashRing.of(List.of(ShardId.of("a"), ShardId.of("b"), ShardId.of("a"))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "ring.shards[2]: \"a\" is listed twice (also at ring.shards[0]); give each shard a distinct id");
        assertThatThrownBy(() -> ring(3, Placement.BALANCED).withShard(ShardId.of("shard_1")))
                .hasMessageStartingWith("ring.add.shard: \"shard_1\" is already a shard of this map");
    }

    @Test
    void removeUnknownOrLastShard_isRefused() {
        assertThatThrownBy(() -> ring(3, Placement.BALANCED).withoutShard(ShardId.of("shard_9")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("ring.remove.shard: \"shard_9\" is not a shard of this map");
        assertThatThrownBy(() -> ring(1, Placement.BALANCED).withoutShard(ShardId.of("shard_0")))
                .hasMessageContaining("is the last shard of the ring");
    }

    @Test
    void vnodesOutOfRange_isRefused() {
        assertThatThrownBy(() -> ConsistentHashRing.builder().vnodes(0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("ring.vnodes: 0 is out of range;");
    }

    @Test
    void singlePointRing_ownsEverything_andSplitsOnAdd() {
        ConsistentHashRing one =
                ConsistentHashRing.builder().vnodes(1).shard(ShardId.of("a")).build();
        assertThat(one.ownership()).containsExactly(1.0);
        ConsistentHashRing two = one.withShard(ShardId.of("b"));
        assertThat(two.ownership()[1]).isCloseTo(0.5, within(1e-6));
    }
}
