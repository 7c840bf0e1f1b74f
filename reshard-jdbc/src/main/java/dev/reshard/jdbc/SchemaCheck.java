package dev.reshard.jdbc;

import dev.reshard.core.ShardId;
import dev.reshard.jdbc.SchemaProblem.Kind;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Pre-flight check that one sharded table has the same shape on every shard: it exists, has a
 * primary key and the shard-key column, and has the same columns, column types and primary key as
 * the reference shard (the first shard, by id, that has the table). Returns every problem found,
 * each naming shard, table and column; an empty list means the shards agree.
 *
 * <p>Types are compared as each engine names them, so compare shards of one engine. Nullability,
 * defaults, indexes other than the primary key and constraints are not compared.
 */
public final class SchemaCheck {
    private SchemaCheck() {}

    /**
     * Reads {@code table} from every shard and compares.
     *
     * @param table the configured table name, e.g. {@code users} or {@code app.users}
     * @param shardKey the configured shard-key column
     * @throws dev.reshard.core.InvalidInputException when a configured name is not a valid name
     */
    public static List<SchemaProblem> check(String table, String shardKey, Map<ShardId, DataSource> shards)
            throws SQLException {
        Identifier name = Identifier.parse("tables[" + table + "].name", table);
        Identifier.requireValid("tables[" + table + "].shardKey", shardKey);
        Map<ShardId, Optional<TableMetadata>> described = new TreeMap<>();
        for (Map.Entry<ShardId, DataSource> shard : shards.entrySet()) {
            try (Connection connection = shard.getValue().getConnection()) {
                described.put(shard.getKey(), Dialect.of(connection).describe(connection, name));
            } catch (SQLException e) {
                throw new SQLException(
                        shard.getKey() + ": could not read table " + table + ": " + e.getMessage(), e.getSQLState(), e);
            }
        }
        return compare(table, shardKey, described);
    }

    /**
     * Compares already-read descriptions; a shard mapped to empty lacks the table. Pure: no I/O.
     */
    public static List<SchemaProblem> compare(
            String table, String shardKey, Map<ShardId, Optional<TableMetadata>> shards) {
        Map<ShardId, Optional<TableMetadata>> sorted = new TreeMap<>(shards);
        List<SchemaProblem> problems = new ArrayList<>();
        Optional<Map.Entry<ShardId, TableMetadata>> reference = sorted.entrySet().stream()
                .filter(entry -> entry.getValue().isPresent())
                .map(entry -> Map.entry(entry.getKey(), entry.getValue().get()))
                .findFirst();
        for (Map.Entry<ShardId, Optional<TableMetadata>> entry : sorted.entrySet()) {
            ShardId shard = entry.getKey();
            if (entry.getValue().isEmpty()) {
                String fix = reference.map(r -> "create it as on " + r.getKey()).orElse("create it on every shard");
                problems.add(new SchemaProblem(
                        shard,
                        table,
                        Optional.empty(),
                        Kind.MISSING_TABLE,
                        shard + ": table " + table + " does not exist; " + fix));
                continue;
            }
            TableMetadata metadata = entry.getValue().get();
            checkOwnShape(shard, table, shardKey, metadata, problems);
            reference
                    .filter(r -> !r.getKey().equals(shard))
                    .ifPresent(r -> compareWith(shard, table, metadata, r.getKey(), r.getValue(), problems));
        }
        return List.copyOf(problems);
    }

    private static void checkOwnShape(
            ShardId shard, String table, String shardKey, TableMetadata metadata, List<SchemaProblem> problems) {
        if (metadata.primaryKey().isEmpty()) {
            problems.add(new SchemaProblem(
                    shard,
                    table,
                    Optional.empty(),
                    Kind.NO_PRIMARY_KEY,
                    shard + ": table " + table + " has no primary key; add one (Reshard copies, locks and verifies"
                            + " rows by primary key)"));
        }
        if (metadata.column(shardKey).isEmpty()) {
            problems.add(new SchemaProblem(
                    shard,
                    table,
                    Optional.of(shardKey),
                    Kind.MISSING_SHARD_KEY,
                    shard + ": table " + table + " has no column " + shardKey + " (the shard key); add it or"
                            + " configure the column that holds the shard key"));
        }
    }

    private static void compareWith(
            ShardId shard,
            String table,
            TableMetadata metadata,
            ShardId referenceShard,
            TableMetadata reference,
            List<SchemaProblem> problems) {
        for (Column expected : reference.columns()) {
            Optional<Column> actual = metadata.column(expected.name());
            if (actual.isEmpty()) {
                problems.add(new SchemaProblem(
                        shard,
                        table,
                        Optional.of(expected.name()),
                        Kind.MISSING_COLUMN,
                        shard + ": table " + table + " has no column " + expected.name() + " (" + expected.type()
                                + " on " + referenceShard + "); add it, so that every shard has the same columns"));
            } else if (!actual.get().type().equals(expected.type())) {
                problems.add(new SchemaProblem(
                        shard,
                        table,
                        Optional.of(expected.name()),
                        Kind.TYPE_MISMATCH,
                        shard + ": table " + table + " column " + expected.name() + " is "
                                + actual.get().type()
                                + ", but " + expected.type() + " on " + referenceShard
                                + "; give it the same type on every shard"));
            }
        }
        for (Column extra : metadata.columns()) {
            if (reference.column(extra.name()).isEmpty()) {
                problems.add(new SchemaProblem(
                        shard,
                        table,
                        Optional.of(extra.name()),
                        Kind.EXTRA_COLUMN,
                        shard + ": table " + table + " has column " + extra.name() + " (" + extra.type() + "), which "
                                + referenceShard + " lacks; drop it or add it to every shard"));
            }
        }
        if (!sameKey(metadata.primaryKey(), reference.primaryKey())
                && !metadata.primaryKey().isEmpty()) {
            problems.add(new SchemaProblem(
                    shard,
                    table,
                    Optional.of(String.join(", ", metadata.primaryKey())),
                    Kind.PRIMARY_KEY_MISMATCH,
                    shard + ": table " + table + " has primary key " + render(metadata.primaryKey()) + ", but "
                            + render(reference.primaryKey()) + " on " + referenceShard
                            + "; give every shard the same primary key"));
        }
    }

    private static boolean sameKey(List<String> left, List<String> right) {
        if (left.size() != right.size()) {
            return false;
        }
        for (int i = 0; i < left.size(); i++) {
            if (!left.get(i).equalsIgnoreCase(right.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static String render(List<String> key) {
        return key.stream().collect(Collectors.joining(", ", "(", ")"));
    }
}
