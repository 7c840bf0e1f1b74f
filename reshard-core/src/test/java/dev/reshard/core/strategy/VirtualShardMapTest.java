package dev.reshard.core.strategy;

import static dev.reshard.core.strategy.ConsistentHashRingTest.shards;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.hash.KeyHashes;
import dev.reshard.core.testing.Seeds;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VirtualShardMapTest {

    @Test
    void virtualShardOf_isFloorOfHashTimesVOver2To64() {
        SplittableRandom random = Seeds.random("virtualShardOf");
        BigInteger two64 = BigInteger.ONE.shiftLeft(64);
        for (int v : new int[] {1, 3, 1000, 1024, 16384, 1 << 24}) {
            VirtualShardMap map = VirtualShardMap.roundRobin(v, shards(1));
            for (int i = 0; i < 20_000; i++) {
                long h = i < 4 ? new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}[i] : random.nextLong();
                BigInteger unsigned = new BigInteger(Long.toUnsignedString(h));
                int expected =
                        unsigned.multiply(BigInteger.valueOf(v)).divide(two64).intValueExact();
                assertThat(map.virtualShardOfHash(h))
                        .as("V=%d h=%s", v, Long.toUnsignedString(h))
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void shardFor_looksUpTheOwnerOfTheKeysVirtualShard() {
        VirtualShardMap map = VirtualShardMap.roundRobin(1024, shards(4));
        long h = KeyHashes.xxh3V1().hash(42L);
        int vshard = map.virtualShardOfHash(h);
        assertThat(map.shardFor(42L)).isEqualTo(ShardId.of("shard_" + vshard % 4));
        assertThat(map.counts()).containsExactly(256, 256, 256, 256);
    }

    @ParameterizedTest(name = "V={0}, {1} -> {2} shards")
    @CsvSource({"1024,4,5", "1024,8,9", "1024,5,4", "16384,8,12", "1000,3,7", "1024,64,65", "256,10,3"})
    void balance_leavesEveryShardWithinOneOfEven_movingOnlyTheExcess(int v, int n, int m) {
        VirtualShardMap before = VirtualShardMap.roundRobin(v, shards(n));
        List<ShardId> target = shards(m);
        VirtualShardMap after = VirtualShardPlanner.balance(before, target);
        assertThat(after.shards()).isEqualTo(target);
        for (int c : after.counts()) {
            assertThat(c).isBetween(v / m, (v + m - 1) / m);
        }
        int moved = 0;
        for (int vs = 0; vs < v; vs++) {
            if (!before.ownerOf(vs).equals(after.ownerOf(vs))) {
                moved++;
                assertThat(target).contains(after.ownerOf(vs));
            }
        }
        assertThat(moved).isEqualTo(lowerBound(before, target));
        assertThat(VirtualShardPlanner.plan(before, target)).hasSize(moved);
    }

    /** sum over shards of max(0, count - best target), the bound every plan must pay. */
    private static int lowerBound(VirtualShardMap map, List<ShardId> target) {
        int v = map.virtualShardCount();
        List<Integer> kept = new ArrayList<>();
        int drained = 0;
        int[] counts = map.counts();
        for (int s = 0; s < counts.length; s++) {
            if (target.contains(map.shards().get(s))) {
                kept.add(counts[s]);
            } else {
                drained += counts[s];
            }
        }
        while (kept.size() < target.size()) {
            kept.add(0);
        }
        kept.sort((a, b) -> b - a);
        int q = v / target.size();
        int r = v % target.size();
        int excess = drained;
        for (int i = 0; i < kept.size(); i++) {
            excess += Math.max(0, kept.get(i) - (q + (i < r ? 1 : 0)));
        }
        return excess;
    }

    @Test
    void balance_usesTheFewestMoves_checkedAgainstBruteForce() {
        long seed = Seeds.seed("balance_bruteForce");
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 150; trial++) {
            int n = 1 + random.nextInt(4);
            int v = n + random.nextInt(8 - n + 1);
            List<ShardId> old = shards(n);
            List<ShardId> assignment = new ArrayList<>();
            for (int i = 0; i < v; i++) {
                assignment.add(old.get(random.nextInt(n)));
            }
            VirtualShardMap before = VirtualShardMap.of(KeyHashes.xxh3V1(), old, assignment);
            int m = Math.max(1, Math.min(v, n + random.nextInt(3) - 1));
            List<ShardId> target = new ArrayList<>(shards(m));
            if (random.nextBoolean() && m > 1) {
                target.set(0, ShardId.of("fresh")); // drain shard_0, add a new one
            }
            VirtualShardMap after = VirtualShardPlanner.balance(before, target);
            int planned = 0;
            for (int vs = 0; vs < v; vs++) {
                planned += before.ownerOf(vs).equals(after.ownerOf(vs)) ? 0 : 1;
            }
            assertThat(planned)
                    .as("seed %d trial %d: %s -> %s", seed, trial, assignment, target)
                    .isEqualTo(bruteForceMinimum(assignment, target));
        }
    }

    private static int bruteForceMinimum(List<ShardId> assignment, List<ShardId> target) {
        int v = assignment.size();
        int m = target.size();
        int best = Integer.MAX_VALUE;
        int[] owner = new int[v];
        int total = (int) Math.pow(m, v);
        for (int code = 0; code < total; code++) {
            int c = code;
            int[] counts = new int[m];
            int moves = 0;
            for (int i = 0; i < v; i++) {
                owner[i] = c % m;
                c /= m;
                counts[owner[i]]++;
                moves += target.get(owner[i]).equals(assignment.get(i)) ? 0 : 1;
            }
            boolean even = true;
            for (int k : counts) {
                even &= k == v / m || k == (v + m - 1) / m;
            }
            if (even) {
                best = Math.min(best, moves);
            }
        }
        return best;
    }

    @Test
    void guidesAddAFifthShard_plannerBeatsMoving800To999() {
        VirtualShardMap before = VirtualShardMap.roundRobin(1024, shards(4));
        VirtualShardMap planned = VirtualShardPlanner.balance(before, shards(5));
        assertThat(planned.counts()).containsExactlyInAnyOrder(205, 205, 205, 205, 204);
        // the guide moves 800..999 owned by shard_0: 50 vshards, leaving shard_0 at 206 and others at 256
        Map<Integer, ShardId> naive = new java.util.HashMap<>();
        for (int i = 800; i < 1000; i++) {
            if (before.ownerOf(i).equals(ShardId.of("shard_0"))) {
                naive.put(i, ShardId.of("shard_4"));
            }
        }
        VirtualShardMap guide = before.withShard(ShardId.of("shard_4")).withMoves(naive);
        assertThat(guide.counts()).containsExactly(206, 256, 256, 256, 50);
    }

    @Test
    void fewerVirtualShardsThanShards_isRefused() {
        assertThatThrownBy(() -> VirtualShardMap.roundRobin(3, shards(4)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(
                        "virtual.count: 3 is fewer than the 4 physical shards, so some would own nothing; use a power of two");
    }

    @Test
    void moveToTheShardItIsOn_isRefused() {
        VirtualShardMap map = VirtualShardMap.roundRobin(8, shards(2));
        assertThatThrownBy(() -> map.withMoves(Map.of(2, ShardId.of("shard_0"))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "moves[2]: \"shard_0\" already owns virtual shard 2; move it to a different shard, or leave it out of the plan");
    }

    @Test
    void moveToAnUnknownShardOrVirtualShard_isRefused() {
        VirtualShardMap map = VirtualShardMap.roundRobin(8, shards(2));
        assertThatThrownBy(() -> map.withMoves(Map.of(1, ShardId.of("shard_7"))))
                .hasMessageStartingWith("moves[1]: \"shard_7\" is not a shard of this map");
        assertThatThrownBy(() -> map.withMoves(Map.of(8, ShardId.of("shard_1"))))
                .hasMessageStartingWith("moves[8]: 8 is not a virtual shard; use a virtual shard id from 0 to 7");
    }

    @Test
    void removingAShardThatStillOwnsVirtualShards_isRefused() {
        VirtualShardMap map = VirtualShardMap.roundRobin(8, shards(2));
        assertThatThrownBy(() -> map.withoutShard(ShardId.of("shard_1")))
                .hasMessageStartingWith("virtual.remove.shard: \"shard_1\" still owns 4 virtual shards");
    }
}
