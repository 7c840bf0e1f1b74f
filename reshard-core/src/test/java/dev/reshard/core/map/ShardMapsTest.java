package dev.reshard.core.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.hash.KeyHashes;
import dev.reshard.core.map.MoveSet.HashArc;
import dev.reshard.core.map.MoveSet.KeyRange;
import dev.reshard.core.map.MoveSet.Move;
import dev.reshard.core.map.MoveSet.Tenant;
import dev.reshard.core.map.MoveSet.VirtualShard;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.ConsistentHashRing.Placement;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.RangeMap.Range;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.core.testing.Seeds;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The move set's units and its per-key rule must always agree, for every strategy. */
class ShardMapsTest {

    static List<ShardId> shards(int n) {
        return IntStream.range(0, n).mapToObj(i -> ShardId.of("shard_" + i)).toList();
    }

    static final ShardId NEW = ShardId.of("shard_new");

    /** The move (if any) whose unit holds {@code key}, found from the units alone. */
    private static Optional<Move> unitOf(MoveSet set, long key) {
        long h = KeyHashes.xxh3V1().hash(key);
        for (Move m : set.moves()) {
            boolean holds;
            if (m.unit() instanceof HashArc a) {
                long span = a.endInclusive() - a.startExclusive();
                long offset = h - a.startExclusive();
                holds = offset != 0 && (span == 0 || Long.compareUnsigned(offset, span) <= 0);
            } else if (m.unit() instanceof VirtualShard v) {
                holds = ((VirtualShardMap) set.from().strategy()).virtualShardOfHash(h) == v.id();
            } else if (m.unit() instanceof Tenant t) {
                holds = t.key().equals(Key.of(key));
            } else {
                KeyRange r = (KeyRange) m.unit();
                holds = key >= r.start() && (r.end().isEmpty() || key < r.end().getAsLong());
            }
            if (holds) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    private static void assertUnitsAgreeWithTheRule(MoveSet set, long[] keys, long seed) {
        assertThat(set.perKey()).isFalse();
        for (long key : keys) {
            Optional<Move> unit = unitOf(set, key);
            assertThat(unit.isPresent()).as("seed %d key %d", seed, key).isEqualTo(set.moves(key));
            unit.ifPresent(m -> {
                assertThat(m.from()).isEqualTo(set.from().shardFor(key));
                assertThat(m.to()).isEqualTo(set.to().shardFor(key));
            });
        }
    }

    private static long[] keys(long seed, int n, long bound) {
        SplittableRandom random = new SplittableRandom(seed);
        return IntStream.range(0, n)
                .mapToLong(i -> bound > 0 ? random.nextLong(bound) : random.nextLong())
                .toArray();
    }

    @ParameterizedTest
    @EnumSource(Placement.class)
    void ringAdd_arcsAgreeWithTheRule_andSumToTheNewShardsShare(Placement placement) {
        ConsistentHashRing.Builder b = ConsistentHashRing.builder().placement(placement);
        shards(6).forEach(b::shard);
        ShardMap from = ShardMap.initial(b.build());
        ShardMap to = ShardMaps.addRingShard(from, NEW, 1.0);
        MoveSet set = ShardMaps.diff(from, to);
        long seed = Seeds.seed("ringAdd" + placement);
        assertUnitsAgreeWithTheRule(set, keys(seed, 100_000, 0), seed);
        assertThat(set.moves()).allSatisfy(m -> assertThat(m.to()).isEqualTo(NEW));
        double share = ((ConsistentHashRing) to.strategy()).ownership()[6];
        assertThat(set.hashFraction().orElseThrow()).isCloseTo(share, within(1e-9));
        assertThat(to.version()).isEqualTo(2);
    }

    @Test
    void ringRemove_arcsAgreeWithTheRule() {
        ShardMap from = ShardMap.initial(ConsistentHashRing.of(shards(5)));
        ShardMap to = ShardMaps.removeRingShard(from, ShardId.of("shard_2"));
        MoveSet set = ShardMaps.diff(from, to);
        long seed = Seeds.seed("ringRemove");
        assertUnitsAgreeWithTheRule(set, keys(seed, 100_000, 0), seed);
        assertThat(set.moves()).allSatisfy(m -> assertThat(m.from()).isEqualTo(ShardId.of("shard_2")));
    }

    @Test
    void virtualBalance_listsExactlyThePlannedVirtualShards() {
        ShardMap from = ShardMap.initial(VirtualShardMap.roundRobin(1024, shards(4)));
        List<ShardId> target = List.of(
                shards(4).get(0), shards(4).get(1), shards(4).get(2), shards(4).get(3), NEW);
        ShardMap to = ShardMaps.balanceVirtualShards(from, target);
        MoveSet set = ShardMaps.diff(from, to);
        long seed = Seeds.seed("virtualBalance");
        assertUnitsAgreeWithTheRule(set, keys(seed, 100_000, 0), seed);
        assertThat(set.moves()).hasSize(204);
        assertThat(set.hashFraction().orElseThrow()).isCloseTo(204 / 1024.0, within(1e-12));
    }

    @Test
    void virtualExplicitMoves_toANewShard_addTheShard() {
        ShardMap from = ShardMap.initial(VirtualShardMap.roundRobin(16, shards(2)));
        ShardMap to = ShardMaps.moveVirtualShards(from, Map.of(3, NEW, 5, NEW));
        MoveSet set = ShardMaps.diff(from, to);
        assertThat(set.moves())
                .extracting(Move::toString)
                .containsExactly("vshard 3: shard_1 -> shard_new", "vshard 5: shard_1 -> shard_new");
    }

    @Test
    void tenantMoves_listOnlyTheMovedTenants() {
        Directory.Builder b = Directory.builder(Directory.Placement.HASH, shards(3));
        for (long t = 0; t < 1000; t++) {
            b.tenant(t, shards(3).get((int) (t % 3)));
        }
        ShardMap from = ShardMap.initial(b.build());
        ShardId s0 = shards(3).get(0);
        ShardMap to = ShardMaps.moveTenants(from, Map.of(Key.of(4L), s0, Key.of(5L), s0));
        MoveSet set = ShardMaps.diff(from, to);
        long seed = Seeds.seed("tenantMoves");
        assertUnitsAgreeWithTheRule(set, keys(seed, 20_000, 1000), seed);
        assertThat(set.moves())
                .extracting(Move::toString)
                .containsExactlyInAnyOrder("tenant 4: shard_1 -> shard_0", "tenant 5: shard_2 -> shard_0");
        assertThat(set.hashFraction()).isEmpty();
        // a move to a new shard also changes where hash placement puts unlisted tenants
        MoveSet toNew = ShardMaps.diff(from, ShardMaps.moveTenants(from, Map.of(Key.of(5L), NEW)));
        assertThat(toNew.moves()).extracting(Move::toString).containsExactly("tenant 5: shard_2 -> shard_new");
        assertThat(toNew.perKey()).isTrue();
    }

    @Test
    void directoryWithAnAddedShard_marksUnlistedTenantsAsPerKey() {
        ShardMap from = ShardMap.initial(Directory.builder(Directory.Placement.HASH, shards(2))
                .tenant(1, shards(2).get(0))
                .build());
        ShardMap to = from.next(((Directory) from.strategy()).withShard(NEW));
        MoveSet set = ShardMaps.diff(from, to);
        assertThat(set.perKey()).isTrue();
        assertThat(set.perKeyReason()).contains("neither directory lists");
        assertThat(set.moves()).isEmpty();
    }

    @Test
    void rangeSplit_movesTheUpperPartOnly() {
        ShardMap from = ShardMap.initial(RangeMap.of(
                List.of(Range.of(0, 1_000_000, ShardId.of("shard_0")), Range.open(1_000_000, ShardId.of("shard_1")))));
        ShardMap to = ShardMaps.splitRange(from, 5_000_000, NEW);
        MoveSet set = ShardMaps.diff(from, to);
        long seed = Seeds.seed("rangeSplit");
        assertUnitsAgreeWithTheRule(set, keys(seed, 50_000, 10_000_000), seed);
        assertThat(set.moves()).extracting(Move::toString).containsExactly("[5000000, +inf): shard_1 -> shard_new");
    }

    @Test
    void rangeMergeOntoTheLeftOwner_movesTheRightRange() {
        ShardMap from = ShardMap.initial(RangeMap.of(List.of(
                Range.of(0, 10, ShardId.of("a")), Range.of(10, 20, ShardId.of("b")), Range.open(20, ShardId.of("c")))));
        ShardMap to = ShardMaps.mergeRanges(from, 10, ShardId.of("a"));
        MoveSet set = ShardMaps.diff(from, to);
        assertThat(set.moves()).extracting(Move::toString).containsExactly("[10, 20): b -> a");
        long seed = Seeds.seed("rangeMerge");
        assertUnitsAgreeWithTheRule(set, keys(seed, 1_000, 40), seed);
    }

    @Test
    void strategyConversion_isOneMoveSetDecidedPerKey() {
        ShardMap from = ShardMap.initial(ConsistentHashRing.of(shards(3)));
        ShardMap to = from.next(VirtualShardMap.roundRobin(1024, shards(4)));
        MoveSet set = ShardMaps.diff(from, to);
        assertThat(set.perKey()).isTrue();
        assertThat(set.perKeyReason()).isEqualTo("strategy conversion ring -> virtual");
        SplittableRandom random = Seeds.random("conversion");
        for (int i = 0; i < 10_000; i++) {
            long key = random.nextLong();
            assertThat(set.moves(key)).isEqualTo(!from.shardFor(key).equals(to.shardFor(key)));
        }
    }

    @Test
    void diffAgainstAnOlderOrSameVersion_isRefused() {
        ShardMap a = ShardMap.initial(VirtualShardMap.roundRobin(8, shards(2)));
        assertThatThrownBy(() -> ShardMaps.diff(a, a))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("to.version: 1 is not above the source map's version 1");
    }

    @Test
    void operationOfAnotherStrategy_isRefused() {
        ShardMap ring = ShardMap.initial(ConsistentHashRing.of(shards(2)));
        assertThatThrownBy(() -> ShardMaps.splitRange(ring, 10, NEW))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("operation: \"split a range\" does not apply to a ring map (" + ring
                        + "); use an operation of the ring strategy, or convert the map first");
    }

    @Test
    void mapVersion_mustBePositive() {
        assertThatThrownBy(() -> ShardMap.of(0, ConsistentHashRing.of(shards(1))))
                .hasMessageStartingWith("map.version: 0 is not a map version");
    }
}
