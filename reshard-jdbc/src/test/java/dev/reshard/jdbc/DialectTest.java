package dev.reshard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DialectTest {
    private static final TableSpec ACCOUNTS = new TableSpec(
            Identifier.parse("t", "app.accounts"), "tenant_id", List.of("id"), List.of("id", "tenant_id", "email"));
    private static final TableSpec ITEMS = new TableSpec(
            Identifier.parse("t", "items"), "order_id", List.of("order_id", "line"), List.of("order_id", "line"));

    @Test
    void postgres_upsertsAndInsertsIfAbsentOnThePrimaryKey() {
        Dialect pg = Dialect.of(Engine.POSTGRESQL);
        assertThat(pg.upsert(ACCOUNTS))
                .isEqualTo("INSERT INTO \"app\".\"accounts\" (\"id\", \"tenant_id\", \"email\") VALUES (?, ?, ?)"
                        + " ON CONFLICT (\"id\") DO UPDATE SET \"tenant_id\" = EXCLUDED.\"tenant_id\","
                        + " \"email\" = EXCLUDED.\"email\"");
        assertThat(pg.insertIfAbsent(ACCOUNTS)).endsWith("VALUES (?, ?, ?) ON CONFLICT (\"id\") DO NOTHING");
        assertThat(pg.upsert(ITEMS)).endsWith("ON CONFLICT (\"order_id\", \"line\") DO NOTHING");
    }

    @Test
    void mariadb_usesOnDuplicateKeyUpdate_neverInsertIgnore() {
        Dialect maria = Dialect.of(Engine.MARIADB);
        assertThat(maria.upsert(ACCOUNTS))
                .isEqualTo("INSERT INTO `app`.`accounts` (`id`, `tenant_id`, `email`) VALUES (?, ?, ?)"
                        + " ON DUPLICATE KEY UPDATE `tenant_id` = VALUES(`tenant_id`), `email` = VALUES(`email`)");
        assertThat(maria.insertIfAbsent(ACCOUNTS)).endsWith("ON DUPLICATE KEY UPDATE `id` = `id`");
        assertThat(maria.insertIfAbsent(ACCOUNTS)).doesNotContainIgnoringCase("IGNORE");
    }

    @Test
    void h2_mergesByKey() {
        Dialect h2 = Dialect.of(Engine.H2);
        assertThat(h2.upsert(ITEMS))
                .isEqualTo("MERGE INTO \"items\" (\"order_id\", \"line\") KEY (\"order_id\", \"line\") VALUES (?, ?)");
        assertThat(h2.insertIfAbsent(ITEMS))
                .isEqualTo("MERGE INTO \"items\" t USING (VALUES (?, ?)) s (\"order_id\", \"line\") ON"
                        + " t.\"order_id\" = s.\"order_id\" AND t.\"line\" = s.\"line\" WHEN NOT MATCHED THEN"
                        + " INSERT (\"order_id\", \"line\") VALUES (s.\"order_id\", s.\"line\")");
    }

    @Test
    void deleteAndSelectForUpdate_bindTheKeyInKeyOrder_andLockInKeyOrder() {
        Dialect pg = Dialect.of(Engine.POSTGRESQL);
        assertThat(pg.deleteByKey(ITEMS)).isEqualTo("DELETE FROM \"items\" WHERE \"order_id\" = ? AND \"line\" = ?");
        assertThat(pg.selectForUpdate(ACCOUNTS, 3))
                .isEqualTo("SELECT \"id\", \"tenant_id\", \"email\" FROM \"app\".\"accounts\" WHERE \"id\" IN (?, ?, ?)"
                        + " ORDER BY \"id\" FOR UPDATE");
        assertThat(Dialect.of(Engine.MARIADB).selectForUpdate(ITEMS, 2))
                .isEqualTo("SELECT `order_id`, `line` FROM `items` WHERE (`order_id` = ? AND `line` = ?) OR"
                        + " (`order_id` = ? AND `line` = ?) ORDER BY `order_id`, `line` FOR UPDATE");
        assertThatThrownBy(() -> pg.selectForUpdate(ITEMS, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
