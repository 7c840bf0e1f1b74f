package dev.reshard.router;

import dev.reshard.core.ShardId;
import dev.reshard.jdbc.Dialect;
import dev.reshard.jdbc.SchemaCheck;
import dev.reshard.jdbc.SchemaProblem;
import dev.reshard.jdbc.TableSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The schema pre-flight: every shard has every sharded table, with the same columns and types, the
 * declared shard key and the declared primary key. Each problem names the shard, the table and,
 * where there is one, the column.
 */
final class Preflight {
    private Preflight() {}

    static List<String> problems(Collection<ShardedTable> tables, Map<ShardId, DataSource> shards) {
        List<String> out = new ArrayList<>();
        for (ShardedTable table : tables) {
            List<SchemaProblem> found;
            try {
                found = SchemaCheck.check(table.name(), table.shardKey(), shards);
            } catch (SQLException e) {
                out.add("table " + table.name() + ": cannot read the shards' metadata (" + e.getMessage() + ")");
                continue;
            }
            found.forEach(p -> out.add(p.toString()));
            if (found.isEmpty()) {
                out.addAll(primaryKeyProblems(table, shards));
            }
        }
        return out;
    }

    private static List<String> primaryKeyProblems(ShardedTable table, Map<ShardId, DataSource> shards) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<ShardId, DataSource> shard : shards.entrySet()) {
            try (Connection c = shard.getValue().getConnection()) {
                TableSpec spec = Dialect.of(c).tableSpec(c, table.name(), table.shardKey());
                List<String> actual = spec.primaryKey().stream()
                        .map(k -> k.toLowerCase(Locale.ROOT))
                        .toList();
                List<String> declared = table.primaryKey().stream()
                        .map(k -> k.toLowerCase(Locale.ROOT))
                        .toList();
                if (!actual.equals(declared)) {
                    out.add("shard " + shard.getKey() + ", table " + table.name() + ": the primary key is " + actual
                            + " but the router declares " + declared + "; declare the table's real primary key");
                }
            } catch (SQLException e) {
                out.add("shard " + shard.getKey() + ": cannot connect (" + e.getMessage() + ")");
            }
        }
        return out;
    }
}
