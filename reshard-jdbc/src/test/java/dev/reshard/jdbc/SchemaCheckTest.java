package dev.reshard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.ShardId;
import dev.reshard.jdbc.SchemaProblem.Kind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchemaCheckTest {
    private static final TableMetadata REFERENCE =
            table(List.of(new Column("id", "int8", false), new Column("tenant_id", "int8", false)), List.of("id"));

    @Test
    void referenceIsTheFirstShardById_thatHasTheTable() {
        List<SchemaProblem> problems = SchemaCheck.compare(
                "users",
                "tenant_id",
                Map.of(
                        ShardId.of("shard_2"),
                                Optional.of(table(List.of(new Column("id", "int8", false)), List.of("id"))),
                        ShardId.of("shard_0"), Optional.empty(),
                        ShardId.of("shard_1"), Optional.of(REFERENCE)));

        assertThat(problems)
                .extracting(SchemaProblem::message)
                .containsExactly(
                        "shard_0: table users does not exist; create it as on shard_1",
                        "shard_2: table users has no column tenant_id (the shard key); add it or configure the column"
                                + " that holds the shard key",
                        "shard_2: table users has no column tenant_id (int8 on shard_1); add it, so that every shard"
                                + " has the same columns");
    }

    @Test
    void noShardHasTheTable_everyShardIsReported() {
        assertThat(SchemaCheck.compare("users", "id", Map.of(ShardId.of("a"), Optional.empty())))
                .extracting(SchemaProblem::kind, SchemaProblem::message)
                .containsExactly(org.assertj.core.api.Assertions.tuple(
                        Kind.MISSING_TABLE, "a: table users does not exist; create it on every shard"));
    }

    @Test
    void columnsAreMatchedIgnoringCase() {
        TableMetadata upper =
                table(List.of(new Column("ID", "int8", false), new Column("TENANT_ID", "int8", false)), List.of("ID"));

        assertThat(SchemaCheck.compare(
                        "users",
                        "tenant_id",
                        Map.of(ShardId.of("s0"), Optional.of(REFERENCE), ShardId.of("s1"), Optional.of(upper))))
                .isEmpty();
    }

    private static TableMetadata table(List<Column> columns, List<String> key) {
        return new TableMetadata(Identifier.parse("t", "public.users"), columns, key);
    }
}
