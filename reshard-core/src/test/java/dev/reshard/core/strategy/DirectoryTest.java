package dev.reshard.core.strategy;

import static dev.reshard.core.strategy.ConsistentHashRingTest.shards;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.hash.KeyHashes;
import dev.reshard.core.testing.Seeds;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DirectoryTest {
    private static final ShardId S0 = ShardId.of("shard_0");
    private static final ShardId S1 = ShardId.of("shard_1");
    private static final ShardId S2 = ShardId.of("shard_2");

    @Test
    void listedTenants_goWhereTheDirectorySays_ofEveryKeyType() {
        UUID u = UUID.randomUUID();
        Directory d = Directory.builder(Directory.Placement.HASH, shards(3))
                .tenant(7, S2)
                .tenant(Key.of("acme"), S1)
                .tenant(Key.of(u), S0)
                .build();
        assertThat(d.shardFor(7L)).isEqualTo(S2);
        assertThat(d.shardFor("acme")).isEqualTo(S1);
        assertThat(d.shardFor(u)).isEqualTo(S0);
        assertThat(d.tenantCount()).isEqualTo(3);
        assertThat(d.listedShard(Key.of(8L))).isEmpty();
    }

    @Test
    void unlistedTenants_hashPlacement_isJumpHashOfTheKeyHash() {
        Directory d = Directory.builder(Directory.Placement.HASH, shards(5)).build();
        SplittableRandom random = Seeds.random("unlisted_jump");
        for (int i = 0; i < 20_000; i++) {
            long key = random.nextLong();
            int expected = Hashing.consistentHash(KeyHashes.xxh3V1().hash(key), 5);
            assertThat(d.shardFor(key)).isEqualTo(ShardId.of("shard_" + expected));
        }
    }

    @Test
    void unlistedTenants_leastLoaded_goToTheShardWithFewestTenants() {
        Directory d = Directory.builder(Directory.Placement.LEAST_LOADED, shards(3))
                .tenant(1, S0)
                .tenant(2, S0)
                .tenant(3, S2)
                .build();
        assertThat(d.shardFor(99L)).isEqualTo(S1);
        Directory more = d.withTenant(Key.of(99L), S1).withTenant(Key.of(100L), S1);
        assertThat(more.shardFor(101L)).isEqualTo(S2);
    }

    @Test
    void moveTenants_movesOnlyThoseTenants() {
        Directory d = Directory.builder(Directory.Placement.HASH, shards(3))
                .tenant(1, S0)
                .tenant(2, S1)
                .build();
        Directory moved =
                d.withShard(ShardId.of("shard_3")).withTenantsMoved(Map.of(Key.of(1L), ShardId.of("shard_3")));
        assertThat(moved.shardFor(1L)).isEqualTo(ShardId.of("shard_3"));
        assertThat(moved.shardFor(2L)).isEqualTo(S1);
        assertThat(d.shardFor(1L)).as("the original is immutable").isEqualTo(S0);
    }

    @Test
    void moveToTheShardTheTenantIsOn_orOfAnUnlistedTenant_isRefused() {
        Directory d = Directory.builder(Directory.Placement.HASH, shards(2))
                .tenant(1, S0)
                .build();
        assertThatThrownBy(() -> d.withTenantsMoved(Map.of(Key.of(1L), S0)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "tenants[1].to: \"shard_0\" is the shard tenant 1 is already on; move it to a different shard, or leave it out of the plan");
        assertThatThrownBy(() -> d.withTenantsMoved(Map.of(Key.of(5L), S1)))
                .hasMessage("tenants[5]: \"5\" is not in the directory; list the tenant first, or check the tenant id");
        assertThatThrownBy(() -> d.withTenantsMoved(Map.of(Key.of(1L), ShardId.of("shard_9"))))
                .hasMessageStartingWith("tenants[1].to: \"shard_9\" is not a shard of this map");
    }

    @Test
    void removeShard_refusedWhileItHoldsTenants_thenRemaps() {
        Directory d = Directory.builder(Directory.Placement.HASH, shards(3))
                .tenant(1, S2)
                .tenant(2, S0)
                .build();
        assertThatThrownBy(() -> d.withoutShard(S0)).hasMessageContaining("still holds 1 listed tenants");
        Directory emptied = d.withTenantsMoved(Map.of(Key.of(2L), S1)).withoutShard(S0);
        assertThat(emptied.shards()).containsExactly(S1, S2);
        assertThat(emptied.shardFor(1L)).isEqualTo(S2);
        assertThat(emptied.shardFor(2L)).isEqualTo(S1);
    }

    @Test
    void aMillionLongTenants_agreeWithAHashMap() {
        SplittableRandom random = Seeds.random("million");
        Directory.Builder b = Directory.builder(Directory.Placement.HASH, shards(16));
        Map<Long, ShardId> reference = new HashMap<>();
        for (int i = 0; i < 1_000_000; i++) {
            long tenant = random.nextLong();
            ShardId s = ShardId.of("shard_" + random.nextInt(16));
            b.tenant(tenant, s);
            reference.put(tenant, s);
        }
        Directory d = b.build();
        assertThat(d.tenantCount()).isEqualTo(reference.size());
        reference.forEach((k, s) -> {
            if (!d.shardFor(k).equals(s)) {
                throw new AssertionError("tenant " + k + ": " + d.shardFor(k) + " != " + s);
            }
        });
        int[] counts = d.tenantCounts();
        assertThat(java.util.Arrays.stream(counts).sum()).isEqualTo(reference.size());
    }

    @Test
    void zeroAndExtremeTenantIds_areOrdinaryKeys() {
        Directory d = Directory.builder(Directory.Placement.LEAST_LOADED, shards(2))
                .tenant(0, S1)
                .tenant(Long.MIN_VALUE, S1)
                .tenant(-1, S1)
                .build();
        assertThat(d.shardFor(0L)).isEqualTo(S1);
        assertThat(d.shardFor(Long.MIN_VALUE)).isEqualTo(S1);
        assertThat(d.shardFor(1L)).isEqualTo(S0);
    }
}
