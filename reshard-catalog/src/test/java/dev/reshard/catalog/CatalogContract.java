package dev.reshard.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.RangeMap.Range;
import dev.reshard.core.strategy.VirtualShardMap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every catalog database must show; subclasses supply a fresh database. */
abstract class CatalogContract {
    protected final MutableClock clock = new MutableClock();
    protected Catalog catalog;

    /** A fresh, empty database for one test. */
    protected abstract DataSource freshDatabase();

    @BeforeEach
    void open() {
        catalog = Catalogs.open(freshDatabase(), clock);
    }

    @AfterEach
    void close() {
        catalog.close();
    }

    static List<ShardId> shards(int n) {
        return IntStream.range(0, n).mapToObj(i -> ShardId.of("shard_" + i)).toList();
    }

    private static void assertSameRouting(ShardMap expected, ShardMap actual) {
        assertThat(actual.version()).isEqualTo(expected.version());
        assertThat(actual.shards()).isEqualTo(expected.shards());
        assertThat(actual.strategy().describe()).isEqualTo(expected.strategy().describe());
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            long key = random.nextLong(0, 5_000_000);
            assertThat(actual.shardFor(key)).isEqualTo(expected.shardFor(key));
        }
    }

    @Test
    void publishAndLoad_roundTripsEveryStrategy() {
        Directory.Builder dir = Directory.builder(Directory.Placement.LEAST_LOADED, shards(3));
        for (long t = 0; t < 1000; t++) {
            dir.tenant(t, shards(3).get((int) (t % 3)));
        }
        dir.tenant(Key.of("acme"), shards(3).get(2))
                .tenant(
                        Key.of(UUID.fromString("123e4567-e89b-12d3-a456-426614174000")),
                        shards(3).get(1));
        List<ShardMap> maps = List.of(
                ShardMap.of(1, VirtualShardMap.roundRobin(1024, shards(4))),
                ShardMap.of(2, ConsistentHashRing.of(shards(5)).withShard(ShardId.of("heavy"), 2.5)),
                ShardMap.of(3, dir.build()),
                ShardMap.of(
                        4,
                        RangeMap.of(List.of(
                                Range.of(0, 1_000_000, shards(2).get(0)),
                                Range.open(1_000_000, shards(2).get(1))))));
        long expected = 0;
        for (ShardMap m : maps) {
            catalog.publish(m, expected++, "test");
        }
        for (ShardMap m : maps) {
            assertSameRouting(m, catalog.map(m.version()));
        }
        ShardMap loadedDirectory = catalog.map(3);
        assertThat(loadedDirectory.shardFor("acme")).isEqualTo(ShardId.of("shard_2"));
        assertThat(loadedDirectory.shardFor(UUID.fromString("123e4567-e89b-12d3-a456-426614174000")))
                .isEqualTo(ShardId.of("shard_1"));
        assertThat(catalog.currentVersion()).isEqualTo(4);
        assertThat(catalog.currentMap().orElseThrow().version()).isEqualTo(4);
    }

    @Test
    void directoryVersions_keepTheFromMapLoadableAfterAMove() {
        Directory.Builder dir = Directory.builder(Directory.Placement.HASH, shards(2));
        dir.tenant(1, shards(2).get(0)).tenant(2, shards(2).get(1));
        ShardMap v1 = ShardMap.initial(dir.build());
        catalog.publish(v1, 0, "initial");
        ShardMap v2 = ShardMaps.moveTenants(v1, Map.of(Key.of(1L), ShardId.of("shard_new")));
        catalog.publish(v2, 1, "move tenant 1");
        assertThat(catalog.map(1).shardFor(1L)).isEqualTo(ShardId.of("shard_0"));
        assertThat(catalog.map(2).shardFor(1L)).isEqualTo(ShardId.of("shard_new"));
        assertThat(catalog.map(2).shardFor(2L)).isEqualTo(ShardId.of("shard_1"));
    }

    @Test
    void publish_withAStaleExpectedVersion_isAConflict() {
        ShardMap v1 = ShardMap.initial(VirtualShardMap.roundRobin(16, shards(2)));
        catalog.publish(v1, 0, null);
        ShardMap v2 = v1.next(VirtualShardMap.roundRobin(16, shards(3)));
        catalog.publish(v2, 1, null);
        ShardMap other = v1.next(VirtualShardMap.roundRobin(16, shards(4)));
        assertThatThrownBy(() -> catalog.publish(other, 1, null))
                .isInstanceOf(CatalogConflictException.class)
                .hasMessageContaining("the current version is 2, not 1");
        assertThatThrownBy(() -> catalog.publish(v2.next(v2.strategy()), 1, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("map.version: 3 does not follow the expected current version 1");
        assertThat(catalog.map(2).shards()).hasSize(3);
    }

    @Test
    void concurrentPublishers_exactlyOneWinsEachVersion() throws Exception {
        ShardMap base = ShardMap.initial(VirtualShardMap.roundRobin(64, shards(2)));
        catalog.publish(base, 0, null);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int round = 1; round <= 10; round++) {
                long expected = round;
                ShardMap current = catalog.map(expected);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> attempts = new ArrayList<>();
                for (int p = 0; p < 6; p++) {
                    int n = 2 + p;
                    Callable<Boolean> publisher = () -> {
                        start.await();
                        try {
                            catalog.publish(current.next(VirtualShardMap.roundRobin(64, shards(n))), expected, "p" + n);
                            return true;
                        } catch (CatalogConflictException e) {
                            return false;
                        }
                    };
                    attempts.add(pool.submit(publisher));
                }
                start.countDown();
                int wins = 0;
                for (Future<Boolean> f : attempts) {
                    wins += f.get() ? 1 : 0;
                }
                assertThat(wins).as("round %d", round).isEqualTo(1);
                assertThat(catalog.currentVersion()).isEqualTo(expected + 1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void registerTenant_racingRegistrars_allGetTheSameShard() throws Exception {
        catalog.publish(
                ShardMap.initial(Directory.builder(Directory.Placement.LEAST_LOADED, shards(4))
                        .build()),
                0,
                null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (long tenant = 0; tenant < 20; tenant++) {
                Key key = Key.of(tenant);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ShardId>> answers = new ArrayList<>();
                for (int r = 0; r < 4; r++) {
                    ShardId proposal = shards(4).get(r);
                    answers.add(pool.submit(() -> {
                        start.await();
                        return catalog.registerTenant(key, proposal);
                    }));
                }
                start.countDown();
                ShardId first = answers.get(0).get();
                for (Future<ShardId> f : answers) {
                    assertThat(f.get()).isEqualTo(first);
                }
                assertThat(catalog.currentMap().orElseThrow().shardFor(key)).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void migration_phaseTransitionsAreCompareAndSet() {
        catalog.createMigration("m1", 1, 2, Phase.PLANNED, null);
        catalog.transition("m1", Phase.PLANNED, Phase.DUAL_WRITE);
        assertThatThrownBy(() -> catalog.transition("m1", Phase.PLANNED, Phase.DUAL_WRITE))
                .isInstanceOf(CatalogConflictException.class)
                .hasMessageStartingWith("migration m1 is not in phase PLANNED");
        assertThat(catalog.migration("m1").orElseThrow().phase())
                .isEqualTo(dev.reshard.core.migration.Phase.DUAL_WRITE);
        assertThatThrownBy(() -> catalog.createMigration("m1", 1, 2, Phase.PLANNED, null))
                .hasMessage("migration.id: \"m1\" already exists; resume it, or choose a new id");
        assertThatThrownBy(() -> catalog.createMigration("bad id; drop", 1, 2, Phase.PLANNED, null))
                .isInstanceOf(InvalidInputException.class);
        catalog.recordReport("m1", "{\"rows\":3}", null);
        assertThat(catalog.migration("m1").orElseThrow().report()).contains("{\"rows\":3}");
        assertThatThrownBy(() -> catalog.transition("m1", Phase.DUAL_WRITE, Phase.CUTOVER))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("cannot follow DUAL_WRITE");
        assertThat(catalog.migration("m1").orElseThrow().phase())
                .isEqualTo(dev.reshard.core.migration.Phase.DUAL_WRITE);
    }

    @Test
    void migration_isCreatedWithItsFirstReportInOneWrite() {
        catalog.createMigration("m4", 1, 2, Phase.PLANNED, "{\"tables\":[\"users\"]}");
        assertThat(catalog.migration("m4").orElseThrow().report()).contains("{\"tables\":[\"users\"]}");
    }

    @Test
    void migrationLease_isExclusiveUntilItLapses() {
        catalog.createMigration("m2", 1, 2, Phase.PLANNED, null);
        assertThat(catalog.acquireLease("m2", "orchestrator-a", Duration.ofSeconds(10)))
                .isTrue();
        assertThat(catalog.acquireLease("m2", "orchestrator-b", Duration.ofSeconds(10)))
                .isFalse();
        clock.advance(Duration.ofSeconds(5));
        assertThat(catalog.acquireLease("m2", "orchestrator-a", Duration.ofSeconds(10)))
                .as("renewal")
                .isTrue();
        clock.advance(Duration.ofSeconds(9));
        assertThat(catalog.acquireLease("m2", "orchestrator-b", Duration.ofSeconds(10)))
                .isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(catalog.acquireLease("m2", "orchestrator-b", Duration.ofSeconds(10)))
                .as("lapsed")
                .isTrue();
        assertThat(catalog.migration("m2").orElseThrow().owner()).contains("orchestrator-b");
        catalog.releaseLease("m2", "orchestrator-b");
        assertThat(catalog.acquireLease("m2", "orchestrator-a", Duration.ofSeconds(10)))
                .isTrue();
    }

    @Test
    void checkpoints_areUpsertedPerTableAndPair() {
        catalog.createMigration("m3", 1, 2, Phase.BACKFILL, null);
        ShardId a = ShardId.of("a");
        ShardId b = ShardId.of("b");
        catalog.saveCheckpoint(new Checkpoint("m3", "users", a, b, Optional.of("[100]"), 100, false, Instant.EPOCH));
        catalog.saveCheckpoint(new Checkpoint("m3", "users", a, b, Optional.of("[200]"), 200, false, Instant.EPOCH));
        catalog.saveCheckpoint(new Checkpoint("m3", "orders", a, b, Optional.empty(), 0, true, Instant.EPOCH));
        List<Checkpoint> cps = catalog.checkpoints("m3");
        assertThat(cps)
                .extracting(Checkpoint::table, Checkpoint::rowsCopied, Checkpoint::done)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("orders", 0L, true),
                        org.assertj.core.groups.Tuple.tuple("users", 200L, false));
        assertThat(cps.get(1).cursor()).contains("[200]");
    }

    @Test
    void routers_heartbeatTheirVersion_andLapse() {
        catalog.heartbeat("r1", "host-a", 3, Duration.ofSeconds(5));
        catalog.heartbeat("r2", "host-b", 2, Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(3));
        RouterRegistration r1 = catalog.heartbeat("r1", "host-a", 4, Duration.ofSeconds(5));
        assertThat(r1.appliedVersion()).isEqualTo(4);
        clock.advance(Duration.ofSeconds(3));
        assertThat(catalog.routers())
                .filteredOn(r -> r.isLive(catalog.now()))
                .extracting(RouterRegistration::id)
                .containsExactly("r1");
        catalog.removeRouter("r2");
        assertThat(catalog.routers()).extracting(RouterRegistration::id).containsExactly("r1");
    }

    @Test
    void routers_reportWhatTheyReach_andAPlainHeartbeatKeepsTheReport() {
        assertThat(catalog.heartbeat("r1", "host-a", 1, Duration.ofSeconds(5)).shards())
                .isEmpty();
        RouterRegistration.ShardsReport report = new RouterRegistration.ShardsReport(
                RouterRegistration.Source.CATALOG,
                7,
                java.util.List.of(
                        new ShardReach(dev.reshard.core.ShardId.of("shard_0"), true, true, ""),
                        new ShardReach(
                                dev.reshard.core.ShardId.of("shard_2"),
                                true,
                                false,
                                "last connection attempt failed:\tConnection refused\n(db3:5432)")));
        catalog.heartbeat("r1", "host-a", 2, Duration.ofSeconds(5), report);
        catalog.heartbeat("r1", "host-a", 3, Duration.ofSeconds(5));
        RouterRegistration r1 = catalog.routers().get(0);
        assertThat(r1.appliedVersion()).isEqualTo(3);
        assertThat(r1.shards()).isPresent();
        assertThat(r1.shards().get().source()).isEqualTo(RouterRegistration.Source.CATALOG);
        assertThat(r1.shards().get().knownMapVersion()).isEqualTo(7);
        assertThat(r1.reach(dev.reshard.core.ShardId.of("shard_0"))
                        .orElseThrow()
                        .ok())
                .isTrue();
        assertThat(r1.reach(dev.reshard.core.ShardId.of("shard_2")).orElseThrow())
                .isEqualTo(new ShardReach(
                        dev.reshard.core.ShardId.of("shard_2"),
                        true,
                        false,
                        "last connection attempt failed: Connection refused (db3:5432)"));
    }

    @Test
    void shards_storeSecretReferencesOnly() {
        ShardConfig s = new ShardConfig(
                ShardId.of("shard_0"),
                "jdbc:postgresql://db/app",
                "app",
                SecretRef.parse("password", "env:SHARD0_PW"),
                80L << 30);
        catalog.addShard(s);
        assertThat(catalog.shard(ShardId.of("shard_0"))).contains(s);
        assertThat(catalog.shards()).containsExactly(s);
        assertThatThrownBy(() -> catalog.addShard(s))
                .hasMessage("shards[shard_0]: \"shard_0\" is already in the catalog; choose a new shard id");
    }

    @Test
    void shards_areUpdatedInPlace_andRemovedOnlyOnceNoMapInUseNamesThem() {
        List<ShardId> ids = shards(3);
        for (ShardId id : ids) {
            catalog.addShard(new ShardConfig(id, "jdbc:h2:file:/data/" + id, "app", SecretRef.NONE, 1L << 30));
        }
        ShardConfig moved = new ShardConfig(
                ids.get(1), "jdbc:h2:file:/data2/shard_1", "app2", SecretRef.parse("p", "env:P"), 2L << 30);
        catalog.updateShard(moved);
        assertThat(catalog.shard(ids.get(1))).contains(moved);
        assertThatThrownBy(() ->
                        catalog.updateShard(new ShardConfig(ShardId.of("shard_9"), "jdbc:h2:file:/x", null, null, 1)))
                .hasMessageContaining("\"shard_9\" is not in the catalog");

        ShardMap v1 = ShardMap.initial(VirtualShardMap.roundRobin(16, ids));
        catalog.publish(v1, 0, null);
        ShardMap v2 = v1.next(VirtualShardMap.roundRobin(16, ids.subList(0, 2)));
        catalog.publish(v2, 1, null);
        catalog.publishRouting(RoutingState.stable(1, 1));
        catalog.createMigration("drain", 1, 2, Phase.PLANNED, null);
        assertThatThrownBy(() -> catalog.removeShard(ids.get(2)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("is still named by map v1 (routers' map)");
        catalog.publishRouting(RoutingState.stable(2, 2));
        assertThatThrownBy(() -> catalog.removeShard(ids.get(2)))
                .hasMessageContaining("map v1 (migration drain, in PLANNED)");
        catalog.transition("drain", Phase.PLANNED, Phase.ROLLED_BACK);
        assertThatThrownBy(() -> catalog.removeShard(ids.get(0))).hasMessageContaining("map v2 (the current map)");
        catalog.removeShard(ids.get(2));
        assertThat(catalog.shards()).extracting(ShardConfig::id).containsExactly(ids.get(0), ids.get(1));
        assertThatThrownBy(() -> catalog.removeShard(ids.get(2))).hasMessageContaining("is not in the catalog");
    }

    @Test
    void routingEpochs_areCompareAndSet_andNameOnlyPublishedMaps() {
        ShardMap v1 = ShardMap.initial(VirtualShardMap.roundRobin(16, shards(2)));
        catalog.publish(v1, 0, null);
        catalog.publish(v1.next(VirtualShardMap.roundRobin(16, shards(3))), 1, null);
        assertThat(catalog.currentRouting()).isEmpty();
        catalog.publishRouting(RoutingState.stable(1, 1));
        assertThatThrownBy(() -> catalog.publishRouting(
                        RoutingState.migrating(2, 1, 3, "m", dev.reshard.core.migration.Phase.DUAL_WRITE)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("routing.mapVersion: 3 is not a published map version");
        RoutingState migrating = RoutingState.migrating(2, 1, 2, "m", dev.reshard.core.migration.Phase.DUAL_WRITE);
        catalog.publishRouting(migrating);
        assertThat(catalog.currentRouting()).contains(migrating);
        assertThatThrownBy(() -> catalog.publishRouting(RoutingState.stable(2, 2)))
                .isInstanceOf(CatalogConflictException.class)
                .hasMessageContaining("the current epoch is 2");
        catalog.publishRouting(migrating.nextPhase(dev.reshard.core.migration.Phase.BACKFILL));
        assertThat(catalog.currentRouting().orElseThrow().phase()).contains(dev.reshard.core.migration.Phase.BACKFILL);
        assertThat(catalog.currentRouting().orElseThrow().epoch()).isEqualTo(3);
    }

    @Test
    void statsHistory_isReturnedInTimeOrderSinceAnInstant() {
        ShardId s = ShardId.of("shard_0");
        for (int i = 0; i < 5; i++) {
            catalog.recordStats(new ShardStats(s, catalog.now(), 1000L * i, 10L * i, i, i, 0));
            clock.advance(Duration.ofHours(1));
        }
        List<ShardStats> since = catalog.statsHistory(s, Instant.parse("2026-01-01T02:00:00Z"));
        assertThat(since).extracting(ShardStats::sizeBytes).containsExactly(2000L, 3000L, 4000L);
    }
}
