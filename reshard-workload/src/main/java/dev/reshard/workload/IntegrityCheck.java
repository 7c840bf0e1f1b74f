package dev.reshard.workload;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reads every shard directly (not through Reshard) and compares the rows with the writers' ledger
 * and the map that should place them.
 */
public final class IntegrityCheck {
    private IntegrityCheck() {}

    public static IntegrityReport check(Map<ShardId, DataSource> shards, ShardMap expected, Ledger ledger)
            throws SQLException {
        Map<Long, List<ShardId>> userHomes = new HashMap<>();
        Map<Long, Long> userValues = new HashMap<>();
        Map<Long, List<ShardId>> orderHomes = new HashMap<>();
        Map<Long, long[]> orderValues = new HashMap<>();
        for (Map.Entry<ShardId, DataSource> e : shards.entrySet()) {
            try (Connection c = e.getValue().getConnection();
                    Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT id, balance FROM users")) {
                    while (rs.next()) {
                        userHomes
                                .computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                                .add(e.getKey());
                        userValues.put(rs.getLong(1), rs.getLong(2));
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT id, user_id, amount FROM orders")) {
                    while (rs.next()) {
                        orderHomes
                                .computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                                .add(e.getKey());
                        orderValues.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
                    }
                }
            }
        }
        long acknowledged = 0;
        long lost = 0;
        long resurrected = 0;
        long duplicated = 0;
        long misplaced = 0;
        long unknown = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<Long, Long> u : ledger.users.entrySet()) {
            long id = u.getKey();
            if (ledger.uncertainUsers.contains(id)) {
                continue;
            }
            acknowledged++;
            List<ShardId> homes = userHomes.getOrDefault(id, List.of());
            if (homes.isEmpty() || userValues.get(id).longValue() != u.getValue()) {
                lost++;
                example(examples, "user " + id + " lost (want " + u.getValue() + ", found " + userValues.get(id) + ")");
            }
        }
        for (Map.Entry<Long, List<ShardId>> u : userHomes.entrySet()) {
            long id = u.getKey();
            if (ledger.uncertainUsers.contains(id)) {
                continue;
            }
            if (!ledger.users.containsKey(id)) {
                if (ledger.touchedUsers.contains(id)) {
                    resurrected++;
                    example(examples, "user " + id + " resurrected on " + u.getValue());
                } else {
                    unknown++;
                    example(examples, "user " + id + " unknown on " + u.getValue());
                }
                continue;
            }
            if (u.getValue().size() > 1) {
                duplicated++;
                example(examples, "user " + id + " on " + u.getValue());
            } else if (!u.getValue().get(0).equals(expected.shardFor(Key.of(id)))) {
                misplaced++;
                example(examples, "user " + id + " on " + u.getValue() + ", map says " + expected.shardFor(Key.of(id)));
            }
        }
        for (Map.Entry<Long, long[]> o : ledger.orders.entrySet()) {
            if (ledger.uncertainUsers.contains(o.getValue()[0])) {
                continue;
            }
            acknowledged++;
            long[] found = orderValues.get(o.getKey());
            if (found == null || found[1] != o.getValue()[1]) {
                lost++;
                example(examples, "order " + o.getKey() + " lost");
            }
        }
        for (Map.Entry<Long, List<ShardId>> o : orderHomes.entrySet()) {
            long[] value = orderValues.get(o.getKey());
            if (ledger.uncertainUsers.contains(value[0])) {
                continue;
            }
            if (!ledger.orders.containsKey(o.getKey())) {
                if (ledger.deletedOrders.contains(o.getKey())) {
                    resurrected++;
                    example(examples, "order " + o.getKey() + " resurrected on " + o.getValue());
                } else {
                    unknown++;
                    example(examples, "order " + o.getKey() + " unknown on " + o.getValue());
                }
                continue;
            }
            if (o.getValue().size() > 1) {
                duplicated++;
                example(examples, "order " + o.getKey() + " on " + o.getValue());
            } else if (!o.getValue().get(0).equals(expected.shardFor(Key.of(value[0])))) {
                misplaced++;
                example(examples, "order " + o.getKey() + " of user " + value[0] + " on " + o.getValue());
            }
        }
        return new IntegrityReport(
                acknowledged,
                lost,
                resurrected,
                duplicated,
                misplaced,
                unknown,
                ledger.uncertainUsers.size(),
                examples);
    }

    private static void example(List<String> examples, String text) {
        if (examples.size() < 10) {
            examples.add(text);
        }
    }
}
