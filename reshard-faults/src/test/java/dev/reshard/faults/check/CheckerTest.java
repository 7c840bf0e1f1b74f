package dev.reshard.faults.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.VirtualShardMap;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker sees each kind of defect it counts, one seeded per kind in a hand-made end state and
 * history, and counts nothing on the same history with a correct end state.
 */
class CheckerTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final List<ShardId> SHARDS = List.of(ShardId.of("s0"), ShardId.of("s1"), ShardId.of("s2"));
    private static final ShardMap FROM = ShardMap.initial(VirtualShardMap.roundRobin(64, SHARDS.subList(0, 2)));
    private static final ShardMap TO = ShardMaps.balanceVirtualShards(FROM, SHARDS);

    private final String prefix = "checker" + DATABASES.incrementAndGet() + "_";

    private Connection open(ShardId shard) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:mem:" + prefix + shard.value() + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    private void schema() throws SQLException {
        for (ShardId s : SHARDS) {
            try (Connection c = open(s);
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE accounts (id BIGINT PRIMARY KEY, hist VARCHAR(10000) NOT NULL)");
            }
        }
    }

    private void row(ShardId shard, long id, String hist) throws SQLException {
        try (Connection c = open(shard);
                PreparedStatement ps = c.prepareStatement("INSERT INTO accounts (id, hist) VALUES (?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, hist);
            ps.executeUpdate();
        }
    }

    private static ShardId home(long id) {
        return TO.shardFor(Key.of(id));
    }

    private static ShardId elsewhere(long id) {
        return SHARDS.stream().filter(s -> !s.equals(home(id))).findFirst().orElseThrow();
    }

    /** Thread c0/0 appends a1, a2 to key 0 and reads it back; c0/1 appends b1 to 1, d1 to 2, f1 to 3 (fails). */
    private static History history(Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        long[] t = {1000};
        java.util.function.BiConsumer<String, String> add = (head, tail) -> lines.add(t[0]++ + "\tc0\t" + head + tail);
        add.accept("0\t1\tinvoke\tappend\t0\ta1\t", "");
        add.accept("0\t1\tok\tappend\t0\ta1\t", "");
        add.accept("0\t2\tinvoke\tappend\t0\ta2\t", "");
        add.accept("0\t2\tok\tappend\t0\ta2\t", "");
        add.accept("0\t3\tinvoke\tread\t0\tr3\t", "");
        add.accept("0\t3\tok\tread\t0\tr3\t", ",a1,a2");
        add.accept("1\t1\tinvoke\tappend\t1\tb1\t", "");
        add.accept("1\t1\tok\tappend\t1\tb1\t", "");
        add.accept("1\t2\tinvoke\tappend\t2\td1\t", "");
        add.accept("1\t2\tok\tappend\t2\td1\t", "");
        add.accept("1\t3\tinvoke\tappend\t3\tf1\t", "");
        add.accept("1\t3\tfail\tappend\t3\tf1\t", "LeaseExpiredException: lapsed");
        add.accept("1\t4\tinvoke\tappend\t3\tu1\t", ""); // never completes: unknown, either outcome is fine
        Path log = dir.resolve("c0.ops");
        Files.write(log, lines, StandardCharsets.UTF_8);
        return History.read(List.of(log));
    }

    private CheckReport check(History h) throws SQLException {
        return Checker.check(SHARDS, this::open, "accounts", "id", 4, FROM, TO, TO, h, 7);
    }

    @Test
    void correctEndState_countsNothing(@TempDir Path dir) throws Exception {
        schema();
        row(home(0), 0, ",a1,a2");
        row(home(1), 1, ",b1");
        row(home(2), 2, ",d1");
        row(home(3), 3, ",u1");
        CheckReport r = check(history(dir));
        assertThat(r.mustBeZero())
                .as(r.samples.toString())
                .allSatisfy((k, v) -> assertThat(v).as(k).isZero());
        assertThat(r.acknowledged).isEqualTo(4);
        assertThat(r.writesFail).isEqualTo(1);
        assertThat(r.writesUnknown).isEqualTo(1);
        assertThat(r.readsOk).isEqualTo(1);
    }

    @Test
    void seededDefects_areEachCounted(@TempDir Path dir) throws Exception {
        schema();
        row(home(0), 0, ",a2,a1"); // acknowledged a1 then a2: out of order
        row(home(1), 1, ""); // b1 acknowledged, missing: lost
        row(home(2), 2, ",d1");
        row(elsewhere(2), 2, ",d1"); // on two shards, one the map does not name
        row(home(3), 3, ",zz,f1"); // zz never invoked; f1 failed
        row(home(3) == SHARDS.get(0) ? SHARDS.get(1) : SHARDS.get(0), 99, ""); // a row nobody wrote
        history(dir);
        // Make c0/0's read miss a2 (stale) and add a read of a value nobody wrote (phantom).
        Path log = dir.resolve("c0.ops");
        List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
        lines.replaceAll(l -> l.endsWith("\tok\tread\t0\tr3\t,a1,a2") ? l.replace(",a1,a2", ",a1") : l);
        lines.add("2000\tc0\t2\t1\tinvoke\tread\t1\tr9\t");
        lines.add("2001\tc0\t2\t1\tok\tread\t1\tr9\t,qq");
        Files.write(log, lines, StandardCharsets.UTF_8);
        CheckReport r = check(History.read(List.of(log)));
        assertThat(r.outOfOrder).as(r.samples.toString()).isEqualTo(1);
        assertThat(r.lost).as(r.samples.toString()).isEqualTo(1);
        assertThat(r.duplicated).as(r.samples.toString()).isEqualTo(1);
        assertThat(r.misplaced).as(r.samples.toString()).isEqualTo(1);
        assertThat(r.unexpected).as("zz and row 99: %s", r.samples).isEqualTo(2);
        assertThat(r.failedButApplied).as(r.samples.toString()).isEqualTo(1);
        assertThat(r.staleReads).as(r.samples.toString()).isEqualTo(1);
        assertThat(r.phantomReads).as(r.samples.toString()).isEqualTo(1);
        assertThat(r.clean()).isFalse();
    }
}
