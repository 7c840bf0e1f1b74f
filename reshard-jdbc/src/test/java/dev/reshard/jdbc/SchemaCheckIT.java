package dev.reshard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.reshard.core.ShardId;
import dev.reshard.jdbc.SchemaProblem.Kind;
import dev.reshard.testkit.EachEngine;
import dev.reshard.testkit.TestDatabase;
import dev.reshard.testkit.TestEngine;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

class SchemaCheckIT {
    private static final String ACCOUNTS = "(id BIGINT NOT NULL PRIMARY KEY, tenant_id BIGINT NOT NULL,"
            + " email VARCHAR(100), balance DECIMAL(12,2) NOT NULL)";

    @EachEngine
    void identicalShards_haveNoProblems(TestEngine engine) throws SQLException {
        try (TestDatabase shard0 = engine.newDatabase();
                TestDatabase shard1 = engine.newDatabase()) {
            TestTables.execute(shard0, "CREATE TABLE accounts " + ACCOUNTS);
            TestTables.execute(shard1, "CREATE TABLE accounts " + ACCOUNTS);

            assertThat(SchemaCheck.check("accounts", "tenant_id", shards(shard0, shard1)))
                    .isEmpty();
        }
    }

    @EachEngine
    void everyKindOfMismatch_isNamedWithShardTableAndColumn(TestEngine engine) throws SQLException {
        try (TestDatabase shard0 = engine.newDatabase();
                TestDatabase shard1 = engine.newDatabase();
                TestDatabase shard2 = engine.newDatabase();
                TestDatabase shard3 = engine.newDatabase()) {
            TestTables.execute(shard0, "CREATE TABLE accounts " + ACCOUNTS);
            // shard_1: email missing, balance with another scale, an extra column
            TestTables.execute(
                    shard1,
                    "CREATE TABLE accounts (id BIGINT NOT NULL PRIMARY KEY, tenant_id BIGINT NOT NULL,"
                            + " balance DECIMAL(12,4) NOT NULL, nickname VARCHAR(20))");
            // shard_2: the same columns, another primary key
            TestTables.execute(
                    shard2,
                    "CREATE TABLE accounts (id BIGINT NOT NULL, tenant_id BIGINT NOT NULL, email VARCHAR(100),"
                            + " balance DECIMAL(12,2) NOT NULL, PRIMARY KEY (tenant_id, id))");
            // shard_3: no table at all

            List<SchemaProblem> problems =
                    SchemaCheck.check("accounts", "tenant_id", shards(shard0, shard1, shard2, shard3));

            assertThat(problems)
                    .extracting(
                            p -> p.shard().value(),
                            SchemaProblem::kind,
                            p -> p.column().map(String::toLowerCase))
                    .containsExactly(
                            tuple("shard_1", Kind.MISSING_COLUMN, Optional.of("email")),
                            tuple("shard_1", Kind.TYPE_MISMATCH, Optional.of("balance")),
                            tuple("shard_1", Kind.EXTRA_COLUMN, Optional.of("nickname")),
                            tuple("shard_2", Kind.PRIMARY_KEY_MISMATCH, Optional.of("tenant_id, id")),
                            tuple("shard_3", Kind.MISSING_TABLE, Optional.empty()));
            assertThat(problems)
                    .allSatisfy(p -> assertThat(p.message())
                            .startsWith(p.shard() + ": table accounts ")
                            .contains(p.column().orElse("")));
            assertThat(problems.get(1).message().toLowerCase())
                    .contains("column balance is ")
                    .contains("(12,4), but ")
                    .contains("(12,2) on shard_0; give it the same type on every shard");
            assertThat(problems.get(4).message())
                    .isEqualTo("shard_3: table accounts does not exist; create it as on shard_0");
        }
    }

    @EachEngine
    void tableWithoutPrimaryKeyOrShardKey_isReported(TestEngine engine) throws SQLException {
        try (TestDatabase shard0 = engine.newDatabase()) {
            TestTables.execute(shard0, "CREATE TABLE accounts (id BIGINT NOT NULL, email VARCHAR(100))");

            assertThat(SchemaCheck.check("accounts", "tenant_id", shards(shard0)))
                    .extracting(SchemaProblem::kind)
                    .containsExactly(Kind.NO_PRIMARY_KEY, Kind.MISSING_SHARD_KEY);
        }
    }

    private static Map<ShardId, DataSource> shards(TestDatabase... databases) {
        Map<ShardId, DataSource> shards = new LinkedHashMap<>();
        for (int i = 0; i < databases.length; i++) {
            shards.put(ShardId.of("shard_" + i), databases[i].dataSource());
        }
        return shards;
    }
}
