package dev.reshard.core.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.VirtualShardMap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlannerTest {
    private static final long GB = 1L << 30;
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    private static List<ShardId> shards(int n) {
        List<ShardId> out = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            out.add(ShardId.of("shard_" + s));
        }
        return out;
    }

    private static Map<ShardId, Long> capacities(List<ShardId> shards, long each) {
        Map<ShardId, Long> out = new LinkedHashMap<>();
        for (ShardId s : shards) {
            out.put(s, each);
        }
        return out;
    }

    /** Units of a virtual map, each with {@code bytes.applyAsLong(v)} bytes and 10 ops/s. */
    private static List<UnitStats> vshards(VirtualShardMap map, java.util.function.IntToLongFunction bytes) {
        List<UnitStats> out = new ArrayList<>();
        for (int v = 0; v < map.virtualShardCount(); v++) {
            long b = bytes.applyAsLong(v);
            out.add(UnitStats.virtualShard(v, map.ownerOf(v), b, b / 100, 10));
        }
        return out;
    }

    private static Plan.ShardState state(List<Plan.ShardState> states, String shard) {
        return states.stream()
                .filter(s -> s.shard().value().equals(shard))
                .findFirst()
                .orElseThrow();
    }

    // ---------------------------------------------------------------- specific cases

    @Test
    void plan_oneShardNearCapacity_movesOffItTheBytesItMustShed() {
        List<ShardId> ids = shards(4);
        VirtualShardMap map = VirtualShardMap.roundRobin(1024, ids);
        // shard_0's 256 virtual shards hold 85 GB; the others' hold 60 GB each; capacity 100 GB.
        List<UnitStats> units = vshards(map, v -> v % 4 == 0 ? 85 * GB / 256 : 60 * GB / 256);
        Plan plan = Planner.plan(PlanRequest.of(map, units, capacities(ids, 100 * GB)));

        assertThat(state(plan.before(), "shard_0").fires()).contains(Trigger.STORAGE);
        assertThat(plan.status()).isEqualTo(Plan.Status.PLANNED);
        assertThat(plan.added()).isEmpty();
        assertThat(plan.after()).allSatisfy(s -> assertThat(s.fires()).isEmpty());
        assertThat(plan.moves()).allSatisfy(mv -> assertThat(mv.from().value()).isEqualTo("shard_0"));
        assertThat(plan.moves().get(0).reason()).contains("clears storage on shard_0");
        // shard_0 must go from 85 GB to at most 80 GB: 5 GB, i.e. 16 units of 85/256 GB each.
        long unit = 85 * GB / 256;
        long least = (long) Math.ceil((double) (85 * GB / 256 * 256 - 80 * GB) / unit) * unit;
        assertThat(plan.bytesToCopy()).isEqualTo(least);
        assertThat(state(plan.after(), "shard_0").capacityShare()).isLessThanOrEqualTo(0.8);
        VirtualShardMap target = (VirtualShardMap) plan.target();
        for (Plan.Move mv : plan.moves()) {
            assertThat(target.ownerOf(((MoveSet.VirtualShard) mv.unit()).id())).isEqualTo(mv.to());
        }
        assertThat(plan.explain()).contains("shard_0 storage").contains("after: no trigger fires");
    }

    @Test
    void plan_zipfTenants_movesTenantsOffTheHotShardOntoTheLeastLoaded() {
        List<ShardId> ids = shards(4);
        Directory.Builder b = Directory.builder(Directory.Placement.HASH, ids);
        List<UnitStats> units = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(42);
        int tenants = 400;
        // Zipf(1.1) sizes and loads; the hot tenant 1 and a few big ones sit on shard_0.
        for (int k = 1; k <= tenants; k++) {
            double z = 1 / Math.pow(k, 1.1);
            ShardId at = k <= 6 ? ids.get(0) : ids.get(rnd.nextInt(4));
            b.tenant(k, at);
            long bytes = (long) (50 * GB * z) + 10_000_000;
            double load = 400 * z + 1;
            units.add(UnitStats.tenant(Key.of(k), at, bytes, bytes / 2000, load));
        }
        Directory dir = b.build();
        Plan plan = Planner.plan(PlanRequest.of(dir, units, capacities(ids, 200 * GB)));

        Plan.ShardState hot = state(plan.before(), "shard_0");
        assertThat(hot.fires()).contains(Trigger.LOAD);
        assertThat(plan.status()).isEqualTo(Plan.Status.PLANNED);
        assertThat(plan.after()).allSatisfy(s -> assertThat(s.fires()).isEmpty());
        assertThat(plan.moves())
                .isNotEmpty()
                .anySatisfy(mv -> assertThat(mv.from()).isEqualTo(hot.shard()));
        assertThat(plan.moves())
                .allSatisfy(
                        mv -> assertThat(state(plan.before(), mv.from().value()).fires())
                                .isNotEmpty());
        String leastLoaded = plan.before().stream()
                .min(java.util.Comparator.comparingDouble(Plan.ShardState::load))
                .orElseThrow()
                .shard()
                .value();
        assertThat(plan.moves().stream().map(mv -> mv.to().value())).contains(leastLoaded);
        Directory target = (Directory) plan.target();
        for (Plan.Move mv : plan.moves()) {
            assertThat(target.shardFor(((MoveSet.Tenant) mv.unit()).key())).isEqualTo(mv.to());
            if (mv.from().equals(hot.shard())) {
                assertThat(mv.reason()).contains("clears load");
            }
        }
        // Tenants that did not move stay where they are.
        for (UnitStats u : units) {
            boolean moved = plan.moves().stream().anyMatch(mv -> mv.unit().equals(u.unit()));
            if (!moved) {
                assertThat(target.shardFor(((MoveSet.Tenant) u.unit()).key())).isEqualTo(u.shard());
            }
        }
        System.out.println("[planner] zipf tenants: " + plan.moves().size() + " tenants, " + plan.bytesToCopy() / GB
                + " GB to copy");
    }

    @Test
    void plan_oneTenantHotterThanTheLoadThresholdAllows_isImpossibleAndSaysWhich() {
        List<ShardId> ids = shards(3);
        Directory dir = Directory.builder(Directory.Placement.HASH, ids)
                .tenant(1, ids.get(0))
                .tenant(2, ids.get(1))
                .tenant(3, ids.get(2))
                .tenant(4, ids.get(2))
                .build();
        List<UnitStats> units = List.of(
                UnitStats.tenant(Key.of(1), ids.get(0), 10 * GB, 1, 1000),
                UnitStats.tenant(Key.of(2), ids.get(1), 10 * GB, 1, 10),
                UnitStats.tenant(Key.of(3), ids.get(2), 5 * GB, 1, 10),
                UnitStats.tenant(Key.of(4), ids.get(2), 5 * GB, 1, 10));
        Plan plan = Planner.plan(PlanRequest.of(dir, units, capacities(ids, 100 * GB)));
        assertThat(plan.status()).isEqualTo(Plan.Status.IMPOSSIBLE);
        assertThat(plan.moves()).isEmpty();
        assertThat(plan.target()).isSameAs(dir);
        assertThat(plan.explain()).contains("tenant 1 alone serves 1000.0 operations/s");
    }

    @Test
    void plan_unitLargerThanAnyShardCanHold_isImpossibleAndSaysSo() {
        List<ShardId> ids = shards(2);
        VirtualShardMap map = VirtualShardMap.roundRobin(4, ids);
        List<UnitStats> units = vshards(map, v -> v == 0 ? 90 * GB : 5 * GB);
        Plan plan = Planner.plan(PlanRequest.of(map, units, capacities(ids, 100 * GB)));
        assertThat(plan.status()).isEqualTo(Plan.Status.IMPOSSIBLE);
        assertThat(plan.moves()).isEmpty();
        assertThat(plan.explain())
                .contains("vshard 0 alone holds 90.0GB, more than 80% of the largest shard's 100.0GB capacity");
    }

    private static List<Sample> growing(long start, double perDay, int days, SplittableRandom noise) {
        List<Sample> out = new ArrayList<>();
        for (int d = days; d >= 0; d--) {
            long size = (long) (start - perDay * d + noise.nextGaussian() * 0.02 * GB);
            out.add(new Sample(NOW.minus(Duration.ofDays(d)), size, -1, -1));
        }
        return out;
    }

    @Test
    void plan_growthWithAKnownSlope_addsTheShardsTheHorizonNeeds() {
        // 4 shards of 100 GB at 50 GB each. At 0.5 GB/day per shard the units hold 200 + 4 * 0.5 * 90 = 380 GB
        // in 90 days: 4.75 shards' worth at 80 GB each, so 5 (one to add). At 0.8 GB/day: 488 GB, 6.1, so 7
        // (three to add).
        for (double perDay : new double[] {0.5, 0.8}) {
            List<ShardId> ids = shards(4);
            VirtualShardMap map = VirtualShardMap.roundRobin(1024, ids);
            List<UnitStats> units = vshards(map, v -> 50 * GB / 256);
            SplittableRandom noise = new SplittableRandom(7);
            List<ShardHistory> histories = new ArrayList<>();
            for (ShardId s : ids) {
                histories.add(new ShardHistory(s, 100 * GB, growing(50 * GB, perDay * GB, 20, noise)));
            }
            Plan plan = Planner.plan(
                    new PlanRequest(map, units, Map.of(), histories, Thresholds.DEFAULTS, NOW, WhatIf.NONE));
            int expected = perDay == 0.5 ? 1 : 3;
            assertThat(plan.status()).isEqualTo(Plan.Status.PLANNED);
            assertThat(plan.before()).allSatisfy(s -> {
                if (s.shard().value().compareTo("shard_4") < 0) {
                    assertThat(s.fires()).containsExactly(Trigger.GROWTH);
                }
            });
            assertThat(plan.added()).hasSize(expected);
            assertThat(plan.added().get(0).value()).isEqualTo("shard_4");
            assertThat(plan.after()).allSatisfy(s -> assertThat(s.fires()).isEmpty());
            assertThat(plan.after())
                    .allSatisfy(s -> assertThat(s.projectedShare()).isLessThanOrEqualTo(0.8));
            assertThat(((VirtualShardMap) plan.target()).shards()).hasSize(4 + expected);
            assertThat(plan.explain()).contains("with 90 days of growth headroom");
            // One shard fewer would not do: the same request on a fixed shard list with one fewer added.
            List<ShardId> fewer = new ArrayList<>();
            for (int i = 0; i < expected - 1; i++) {
                fewer.add(ShardId.of("shard_" + (4 + i)));
            }
            Map<ShardId, Long> caps = capacities(ids, 100 * GB);
            fewer.forEach(s -> caps.put(s, 100 * GB));
            Plan short1 = Planner.plan(new PlanRequest(
                    map, units, caps, histories, Thresholds.DEFAULTS, NOW, new WhatIf(fewer, List.of(), false)));
            assertThat(short1.status()).as(short1.explain()).isEqualTo(Plan.Status.IMPOSSIBLE);
        }
    }

    @Test
    void plan_drainAShard_endsWithNothingOnItAndTheShardOutOfTheMap() {
        List<ShardId> ids = shards(4);
        VirtualShardMap map = VirtualShardMap.roundRobin(256, ids);
        SplittableRandom rnd = new SplittableRandom(3);
        long[] sizes = new long[256];
        for (int v = 0; v < 256; v++) {
            sizes[v] = (long) (GB / 8 * Math.exp(rnd.nextGaussian() * 0.5));
        }
        List<UnitStats> units = vshards(map, v -> sizes[v]);
        Plan plan = Planner.plan(PlanRequest.of(map, units, capacities(ids, 100 * GB))
                .withWhatIf(WhatIf.drainShards(List.of(ShardId.of("shard_3")))));
        assertThat(plan.status()).isEqualTo(Plan.Status.PLANNED);
        assertThat(plan.drained()).containsExactly(ShardId.of("shard_3"));
        assertThat(state(plan.after(), "shard_3").bytes()).isZero();
        VirtualShardMap target = (VirtualShardMap) plan.target();
        assertThat(target.shards()).doesNotContain(ShardId.of("shard_3"));
        long fromDrained = units.stream()
                .filter(u -> u.shard().value().equals("shard_3"))
                .mapToLong(UnitStats::bytes)
                .sum();
        assertThat(plan.bytesToCopy()).isGreaterThanOrEqualTo(fromDrained);
        assertThat(plan.moves().stream().filter(mv -> mv.from().value().equals("shard_3")))
                .hasSize(64)
                .allSatisfy(mv -> assertThat(mv.reason()).contains("drains shard_3"));
        assertThat(plan.after().stream().filter(s -> !s.shard().value().equals("shard_3")))
                .allSatisfy(s -> assertThat(s.fires()).isEmpty());
    }

    @Test
    void plan_drainATenantShard_listsItsTenantsElsewhere() {
        List<ShardId> ids = shards(3);
        Directory.Builder b = Directory.builder(Directory.Placement.HASH, ids);
        List<UnitStats> units = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            ShardId at = ids.get(k % 3);
            b.tenant(k, at);
            units.add(UnitStats.tenant(Key.of(k), at, GB, 1000, 5));
        }
        Plan plan = Planner.plan(PlanRequest.of(b.build(), units, capacities(ids, 100 * GB))
                .withWhatIf(WhatIf.drainShards(List.of(ids.get(2)))));
        assertThat(plan.status()).isEqualTo(Plan.Status.PLANNED);
        assertThat(plan.moves()).hasSize(10);
        Directory target = (Directory) plan.target();
        assertThat(target.shards()).containsExactly(ids.get(0), ids.get(1));
        assertThat(target.tenantCounts()).containsExactly(15, 15);
    }

    @Test
    void plan_addShardToAHashDirectory_keepsMeasuredUnlistedTenantsWhereTheyAre() {
        List<ShardId> ids = shards(3);
        Directory dir = Directory.builder(Directory.Placement.HASH, ids).build();
        List<UnitStats> units = new ArrayList<>();
        for (int k = 0; k < 60; k++) {
            units.add(UnitStats.tenant(Key.of(k), dir.shardFor(k), GB, 10, 1));
        }
        ShardId added = ShardId.of("shard_3");
        Map<ShardId, Long> caps = capacities(ids, 100 * GB);
        caps.put(added, 100 * GB);
        Plan plan = Planner.plan(PlanRequest.of(dir, units, caps).withWhatIf(WhatIf.addShards(List.of(added))));
        assertThat(plan.status()).isEqualTo(Plan.Status.PLANNED);
        Directory target = (Directory) plan.target();
        for (UnitStats u : units) {
            Key key = ((MoveSet.Tenant) u.unit()).key();
            ShardId expected = plan.moves().stream()
                    .filter(mv -> mv.unit().equals(u.unit()))
                    .map(Plan.Move::to)
                    .findFirst()
                    .orElse(u.shard());
            assertThat(target.shardFor(key)).as("tenant " + key).isEqualTo(expected);
        }
        assertThat(plan.moves())
                .isNotEmpty()
                .allSatisfy(mv -> assertThat(mv.to()).isEqualTo(added));
    }

    @Test
    void plan_balancedCluster_hasNothingToDo() {
        List<ShardId> ids = shards(4);
        VirtualShardMap map = VirtualShardMap.roundRobin(64, ids);
        Plan plan = Planner.plan(PlanRequest.of(map, vshards(map, v -> GB), capacities(ids, 100 * GB)));
        assertThat(plan.status()).isEqualTo(Plan.Status.NOTHING_TO_DO);
        assertThat(plan.moves()).isEmpty();
        assertThat(plan.target()).isSameAs(map);
        assertThat(plan.explain()).contains("nothing to move");
    }

    @Test
    void plan_whatIfAddShard_fillsTheNewShardInsideTheSpread() {
        List<ShardId> ids = shards(4);
        VirtualShardMap map = VirtualShardMap.roundRobin(1024, ids);
        ShardId added = ShardId.of("shard_4");
        Map<ShardId, Long> caps = capacities(ids, 100 * GB);
        caps.put(added, 100 * GB);
        Plan plan = Planner.plan(
                PlanRequest.of(map, vshards(map, v -> GB / 16), caps).withWhatIf(WhatIf.addShards(List.of(added))));
        assertThat(plan.status()).isEqualTo(Plan.Status.PLANNED);
        assertThat(plan.added()).containsExactly(added);
        assertThat(plan.after()).allSatisfy(s -> assertThat(s.fires()).isEmpty());
        assertThat(plan.moves()).allSatisfy(mv -> assertThat(mv.to()).isEqualTo(added));
        // 64 GB over 5 shards: the new one must reach 70 % of the 12.8 GB average, 8.96 GB: 144 units.
        assertThat(plan.moves()).hasSize(144);
    }

    @Test
    void plan_ring_addsWeightedNodesForCapacity_andSaysMovesAreNotItemized() {
        List<ShardId> ids = shards(4);
        ConsistentHashRing ring = ConsistentHashRing.of(ids);
        List<UnitStats> units = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            units.add(new UnitStats(new MoveSet.HashArc(s, s + 1), ids.get(s), 90 * GB, 1, 1));
        }
        Plan plan = Planner.plan(PlanRequest.of(ring, units, capacities(ids, 100 * GB)));
        // 360 GB at 80 % of 100 GB: 5 shards, one to add.
        assertThat(plan.status()).isEqualTo(Plan.Status.SHARDS_ONLY);
        assertThat(plan.added()).containsExactly(ShardId.of("shard_4"));
        assertThat(((ConsistentHashRing) plan.target()).weight(ShardId.of("shard_4")))
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(plan.explain()).contains("not itemized");
    }

    @Test
    void plan_range_countsShardsToAdd_andLeavesTheSplitKeyToTheDatabase() {
        List<ShardId> ids = shards(2);
        RangeMap range =
                RangeMap.of(List.of(RangeMap.Range.of(0, 1000, ids.get(0)), RangeMap.Range.open(1000, ids.get(1))));
        List<UnitStats> units = List.of(
                UnitStats.range(0, OptionalLong.of(1000), ids.get(0), 20 * GB, 1, 1),
                UnitStats.range(1000, OptionalLong.empty(), ids.get(1), 95 * GB, 1, 1));
        Plan plan = Planner.plan(PlanRequest.of(range, units, capacities(ids, 100 * GB)));
        assertThat(plan.status()).isEqualTo(Plan.Status.SHARDS_ONLY);
        assertThat(plan.added()).hasSize(0); // 115 GB fits the 160 GB of room; the hot range needs a split
        assertThat(state(plan.before(), "shard_1").fires()).contains(Trigger.STORAGE);
        assertThat(plan.explain()).contains("split key");
        assertThatThrownBy(() -> Planner.plan(PlanRequest.of(range, units, capacities(ids, 100 * GB))
                        .withWhatIf(WhatIf.drainShards(List.of(ids.get(0))))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("whatIf.drain:");
    }

    // ---------------------------------------------------------------- bad input

    private static InvalidInputException refusal(Runnable r) {
        try {
            r.run();
        } catch (InvalidInputException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void plan_refusesBadInput_namingTheFieldAndTheFix() {
        List<ShardId> ids = shards(2);
        VirtualShardMap map = VirtualShardMap.roundRobin(4, ids);
        List<UnitStats> units = vshards(map, v -> GB);

        InvalidInputException missing =
                refusal(() -> Planner.plan(PlanRequest.of(map, units, Map.of(ids.get(0), 100 * GB))));
        assertThat(missing.field()).isEqualTo("capacities[shard_1]");
        assertThat(missing.fix()).contains("capacity: 80GB");

        InvalidInputException zero =
                refusal(() -> Planner.plan(PlanRequest.of(map, units, Map.of(ids.get(0), 100 * GB, ids.get(1), 0L))));
        assertThat(zero.field()).isEqualTo("capacities[shard_1]");
        assertThat(zero.problem()).contains("not a positive number of bytes");

        InvalidInputException negative = refusal(() -> UnitStats.virtualShard(3, ids.get(0), -1, 0, 0));
        assertThat(negative.field()).isEqualTo("units[vshard 3].bytes");
        assertThat(negative.fix()).contains("collect the statistics again");

        InvalidInputException negativeRows = refusal(() -> UnitStats.virtualShard(3, ids.get(0), 1, -5, 0));
        assertThat(negativeRows.field()).isEqualTo("units[vshard 3].rows");

        InvalidInputException nanLoad = refusal(() -> UnitStats.virtualShard(3, ids.get(0), 1, 1, Double.NaN));
        assertThat(nanLoad.field()).isEqualTo("units[vshard 3].load");

        List<UnitStats> elsewhere = new ArrayList<>(units);
        elsewhere.set(0, UnitStats.virtualShard(0, ShardId.of("shard_9"), GB, 1, 1));
        InvalidInputException unknown =
                refusal(() -> Planner.plan(PlanRequest.of(map, elsewhere, capacities(ids, 100 * GB))));
        assertThat(unknown.field()).isEqualTo("units[vshard 0].shard");
        assertThat(unknown.problem()).contains("is not a shard of the map");

        List<UnitStats> wrongOwner = new ArrayList<>(units);
        wrongOwner.set(0, UnitStats.virtualShard(0, ids.get(1), GB, 1, 1));
        assertThat(refusal(() -> Planner.plan(PlanRequest.of(map, wrongOwner, capacities(ids, 100 * GB))))
                        .problem())
                .contains("is not the owner shard_0");

        InvalidInputException gap =
                refusal(() -> Planner.plan(PlanRequest.of(map, units.subList(0, 3), capacities(ids, 100 * GB))));
        assertThat(gap.field()).isEqualTo("units[vshard 3]");

        List<UnitStats> twice = new ArrayList<>(units);
        twice.add(units.get(1));
        assertThat(refusal(() -> Planner.plan(PlanRequest.of(map, twice, capacities(ids, 100 * GB))))
                        .problem())
                .isEqualTo("is measured twice");

        InvalidInputException storage = refusal(
                () -> new Thresholds(1.5, 1.5, Duration.ofDays(90), 0.3, Duration.ofDays(30), 6, Duration.ofDays(1)));
        assertThat(storage.field()).isEqualTo("storage");
        InvalidInputException spread = refusal(
                () -> new Thresholds(0.8, 1.5, Duration.ofDays(90), 0, Duration.ofDays(30), 6, Duration.ofDays(1)));
        assertThat(spread.field()).isEqualTo("spread");

        InvalidInputException drain = refusal(() -> Planner.plan(PlanRequest.of(map, units, capacities(ids, 100 * GB))
                .withWhatIf(WhatIf.drainShards(List.of(ShardId.of("shard_7"))))));
        assertThat(drain.field()).isEqualTo("whatIf.drain[0]");

        InvalidInputException addNoCapacity =
                refusal(() -> Planner.plan(PlanRequest.of(map, units, capacities(ids, 100 * GB))
                        .withWhatIf(WhatIf.addShards(List.of(ShardId.of("shard_2"))))));
        assertThat(addNoCapacity.field()).isEqualTo("capacities[shard_2]");

        InvalidInputException wrongKind = refusal(() -> Planner.plan(PlanRequest.of(
                map, List.of(UnitStats.tenant(Key.of(1), ids.get(0), 1, 1, 1)), capacities(ids, 100 * GB))));
        assertThat(wrongKind.problem()).contains("is not a unit of the virtual strategy");
    }

    // ---------------------------------------------------------------- timing note

    @Test
    void plan_16384VirtualShardsOver256Shards_timedOnce() {
        List<ShardId> ids = shards(256);
        VirtualShardMap map = VirtualShardMap.roundRobin(16_384, ids);
        SplittableRandom rnd = new SplittableRandom(16_384);
        List<UnitStats> units = new ArrayList<>();
        for (int v = 0; v < 16_384; v++) {
            long b = (long) (GB * Math.exp(rnd.nextGaussian() * 0.6));
            // A tenth of the shards hold hot virtual shards.
            double load = (v % 256) < 25 ? 40 + rnd.nextDouble() * 40 : 5 + rnd.nextDouble() * 10;
            units.add(UnitStats.virtualShard(v, map.ownerOf(v), b, b / 512, load));
        }
        PlanRequest request = PlanRequest.of(map, units, capacities(ids, 100 * GB));
        long start = System.nanoTime();
        Plan plan = Planner.plan(request);
        long cold = System.nanoTime() - start;
        start = System.nanoTime();
        Plan again = Planner.plan(request);
        long warm = System.nanoTime() - start;
        assertThat(again.moves()).isEqualTo(plan.moves());
        System.out.printf(
                Locale.ROOT,
                "[planner] 16,384 virtual shards over 256 shards: planned in %.0f ms cold, %.0f ms warm (%s, %d"
                        + " moves, %d GB to copy)%n",
                cold / 1e6,
                warm / 1e6,
                plan.status(),
                plan.moves().size(),
                plan.bytesToCopy() / GB);
        assertThat(plan.status()).isEqualTo(Plan.Status.PLANNED);
        assertThat(plan.after()).allSatisfy(s -> assertThat(s.fires()).isEmpty());
    }
}
