package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.Engine;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class MovingKeysTest {
    private static final ShardId A = ShardId.of("shard_0");
    private static final ShardId B = ShardId.of("shard_1");
    private static final Dialect PG = Dialect.of(Engine.POSTGRESQL);
    private static final Dialect MARIADB = Dialect.of(Engine.MARIADB);

    @Test
    void aRangeSplit_isTheMovedRange_andAgreesWithTheRoutingRule() {
        ShardMap from = ShardMap.initial(RangeMap.of(List.of(RangeMap.Range.open(0, A)), List.of(A, B)));
        ShardMap to = ShardMaps.splitRange(from, 750, B);

        assertThat(MovingKeys.condition(from, to, new Pair(A, B), PG, "\"id\"")).contains("(\"id\" >= 750)");
        assertThat(MovingKeys.condition(from, to, new Pair(B, A), PG, "\"id\""))
                .as("nothing moves the other way")
                .contains("1 = 0");
        Predicate<Object> rule = new Pair(A, B).moves(from, to);
        assertThat(rule.test(749L)).isFalse();
        assertThat(rule.test(750L)).isTrue();
    }

    @Test
    void movedTenants_areAnInList_textOnlyOnPostgres() {
        Directory.Builder b = Directory.builder(Directory.Placement.HASH, List.of(A, B));
        b.tenant(1, A).tenant(2, A).tenant(3, A);
        ShardMap from = ShardMap.initial(b.build());
        ShardMap to = ShardMaps.moveTenants(from, Map.of(Key.of(1), B, Key.of(3), B));
        assertThat(MovingKeys.condition(from, to, new Pair(A, B), MARIADB, "`tenant_id`"))
                .hasValueSatisfying(sql -> assertThat(sql)
                        .startsWith("`tenant_id` IN (")
                        .contains("1")
                        .contains("3")
                        .doesNotContain("2"));

        Directory.Builder text = Directory.builder(Directory.Placement.HASH, List.of(A, B));
        text.tenant(Key.of("o'hara"), A);
        ShardMap fromText = ShardMap.initial(text.build());
        ShardMap toText = ShardMaps.moveTenants(fromText, Map.of(Key.of("o'hara"), B));
        assertThat(MovingKeys.condition(fromText, toText, new Pair(A, B), PG, "\"t\""))
                .contains("\"t\" IN ('o''hara')");
        assertThat(MovingKeys.condition(fromText, toText, new Pair(A, B), MARIADB, "`t`"))
                .as("MariaDB's default collations ignore case")
                .isEmpty();

        Directory.Builder uuid = Directory.builder(Directory.Placement.HASH, List.of(A, B));
        UUID u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        uuid.tenant(Key.of(u), A);
        ShardMap fromUuid = ShardMap.initial(uuid.build());
        ShardMap toUuid = ShardMaps.moveTenants(fromUuid, Map.of(Key.of(u), B));
        assertThat(MovingKeys.condition(fromUuid, toUuid, new Pair(A, B), MARIADB, "`t`"))
                .contains("`t` IN ('" + u + "')");
    }

    @Test
    void hashStrategies_haveNoSqlForm() {
        ShardMap from = ShardMap.initial(VirtualShardMap.roundRobin(16, List.of(A)));
        ShardMap to = ShardMaps.moveVirtualShards(from, Map.of(3, B));
        assertThat(MovingKeys.condition(from, to, new Pair(A, B), PG, "\"id\"")).isEmpty();
    }
}
