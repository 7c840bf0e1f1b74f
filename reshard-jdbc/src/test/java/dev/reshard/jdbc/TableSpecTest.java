package dev.reshard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableSpecTest {
    private static final Identifier USERS = Identifier.parse("t", "users");

    @Test
    void refusesAShardKeyOrKeyColumnThatIsNotAColumn() {
        assertThatThrownBy(() -> new TableSpec(USERS, "tenant", List.of("id"), List.of("id", "tenant_id")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("tables[users].shardKey: \"tenant\" is not a column of the table; use a column of users:"
                        + " id, tenant_id");
        assertThatThrownBy(() -> new TableSpec(USERS, "id", List.of("uid"), List.of("id")))
                .hasMessageStartingWith("tables[users].primaryKey: \"uid\" is not a column of the table");
    }

    @Test
    void refusesATableWithoutPrimaryKey_andInvalidColumnNames() {
        assertThatThrownBy(() -> new TableSpec(USERS, "id", List.of(), List.of("id")))
                .hasMessageStartingWith("tables[users].primaryKey: \"users\" has no primary key; ");
        assertThatThrownBy(() -> new TableSpec(USERS, "id", List.of("id"), List.of("id", "x; DROP TABLE users")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("is not a valid SQL name");
        assertThatThrownBy(() -> new TableSpec(USERS, "id", List.of("id"), List.of("id", "id")))
                .hasMessageContaining("is listed twice");
    }

    @Test
    void of_matchesTheShardKeyToTheCatalogsCase() {
        TableMetadata metadata = new TableMetadata(
                Identifier.parse("t", "PUBLIC.USERS"),
                List.of(new Column("ID", "bigint", false), new Column("TENANT_ID", "bigint", false)),
                List.of("ID"));

        TableSpec spec = TableSpec.of(metadata, "tenant_id");

        assertThat(spec.shardKey()).isEqualTo("TENANT_ID");
        assertThat(spec.nonKeyColumns()).containsExactly("TENANT_ID");
        assertThatThrownBy(() -> TableSpec.of(metadata, "tenant"))
                .hasMessage("tables[PUBLIC.USERS].shardKey: \"tenant\" is not a column of PUBLIC.USERS; use one of ID,"
                        + " TENANT_ID");
    }
}
