package dev.reshard.faults;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The one table of a fault run: {@code accounts(id BIGINT PRIMARY KEY, hist TEXT)}. Every update
 * appends {@code ,<unique value>} to {@code hist}, so one final read shows every applied update of
 * a row, in order. The run loads keys {@code 0 .. rows-1} with an empty history.
 */
final class Schema {
    static final String TABLE = "accounts";
    static final String KEY = "id";

    private Schema() {}

    static void create(Connection c, boolean postgres) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + TABLE + " (id BIGINT PRIMARY KEY, hist "
                    + (postgres ? "TEXT" : "VARCHAR(1000000)") + " NOT NULL)");
        }
    }

    /** Inserts the keys of {@code [0, rows)} that {@code map} places on {@code shard}. */
    static int load(Connection c, ShardId shard, ShardMap map, int rows) throws SQLException {
        c.setAutoCommit(false);
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, hist) VALUES (?, '')")) {
            for (long id = 0; id < rows; id++) {
                if (map.shardFor(Key.of(id)).equals(shard)) {
                    ps.setLong(1, id);
                    ps.addBatch();
                    if (++n % 500 == 0) {
                        ps.executeBatch();
                    }
                }
            }
            ps.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
        return n;
    }
}
