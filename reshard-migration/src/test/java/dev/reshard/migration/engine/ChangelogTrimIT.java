package dev.reshard.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import dev.reshard.core.strategy.VirtualShardMap;
import dev.reshard.testkit.TestEngine;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * At the end of a migration the changelog is trimmed in bounded steps (no single DELETE holds the
 * whole changelog), completely, and a crash in the middle of it is finished by a resume. H2 only:
 * the trim is the same SQL on every engine.
 */
class ChangelogTrimIT {
    private static final int STEP = 500;
    private static final int ENTRIES = 2_600;

    @Test
    void trimsTheWholeChangelogInBoundedSteps() throws Exception {
        try (EngineCluster c = new EngineCluster(TestEngine.H2, 3)) {
            MigrationRequest request = stoppedBeforeDone(c);
            List<Integer> deletes = Collections.synchronizedList(new ArrayList<>());
            Map<ShardId, DataSource> counting = new LinkedHashMap<>();
            c.enginePools.forEach((shard, ds) -> counting.put(shard, countingTrims(ds, deletes)));

            MigrationStatus done = MigrationEngine.builder(c.catalog)
                    .shards(counting)
                    .options(EngineCluster.fastOptions())
                    .allowNonDurableShards(true)
                    .trimStep(STEP)
                    .build()
                    .resume(request.id());

            assertThat(done.phase()).isEqualTo(Phase.DONE);
            for (ShardId shard : c.shards(3)) {
                assertThat(changelogSize(c, shard)).as("changelog of %s", shard).isZero();
            }
            assertThat(deletes)
                    .as("rows deleted by each trim statement")
                    .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(STEP));
            assertThat(deletes.stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(ENTRIES);
            assertThat(deletes.size()).isGreaterThanOrEqualTo(ENTRIES / STEP);
        }
    }

    @Test
    void aCrashInTheMiddleOfTheTrimIsFinishedByResume() throws Exception {
        try (EngineCluster c = new EngineCluster(TestEngine.H2, 3)) {
            MigrationRequest request = stoppedBeforeDone(c);
            assertThatThrownBy(() -> c.engine(EngineCluster.fastOptions())
                            .owner("first")
                            .crashPoints(SimulatedCrash.at(CrashPoint.DONE_TRIM, 2))
                            .trimStep(STEP)
                            .build()
                            .resume(request.id()))
                    .isInstanceOf(SimulatedCrash.class);
            long left = changelogSize(c, c.shard(0));
            assertThat(left).as("entries left after two steps").isPositive().isLessThan(ENTRIES);

            MigrationStatus done = c.engine(EngineCluster.fastOptions())
                    .owner("second")
                    .trimStep(STEP)
                    .build()
                    .resume(request.id());
            assertThat(done.phase()).isEqualTo(Phase.DONE);
            for (ShardId shard : c.shards(3)) {
                assertThat(changelogSize(c, shard)).as("changelog of %s", shard).isZero();
            }
            assertThatThrownBy(() -> c.engine(EngineCluster.fastOptions())
                            .owner("third")
                            .build()
                            .resume(request.id()))
                    .isInstanceOf(MigrationRefusedException.class)
                    .hasMessageContaining("already DONE");
        }
    }

    /** A migration stopped in CLEANUP, with more changelog entries on shard_0 than several trim steps. */
    private static MigrationRequest stoppedBeforeDone(EngineCluster c) throws SQLException {
        ShardMap from = c.publish(ShardMap.initial(VirtualShardMap.roundRobin(64, c.shards(2))));
        c.load(from, 200, 1);
        ShardMap to = c.publish(ShardMaps.balanceVirtualShards(from, c.shards(3)));
        MigrationRequest request = new MigrationRequest("m1", from.version(), to.version(), EngineCluster.TABLES);
        MigrationOptions stop =
                EngineCluster.fastOptions().toBuilder().stopBefore(Phase.DONE).build();
        assertThat(c.engine(stop).owner("stopper").build().start(request).phase())
                .isEqualTo(Phase.CLEANUP);
        // Entries for keys that exist nowhere: nothing reads them any more at this point, and
        // replaying one would be a no-op anyway.
        try (Connection conn = c.routerPools.get(c.shard(0)).getConnection();
                Statement s = conn.createStatement()) {
            s.executeUpdate(
                    "INSERT INTO reshard_changelog (table_name, pk, op, tx_id) SELECT 'users', '[' || (900000000"
                            + " + X) || ']', 'U', 0 FROM SYSTEM_RANGE(1, " + ENTRIES + ")");
        }
        assertThat(changelogSize(c, c.shard(0))).isGreaterThanOrEqualTo(ENTRIES);
        return request;
    }

    private static long changelogSize(EngineCluster c, ShardId shard) throws SQLException {
        try (Connection conn = c.routerPools.get(shard).getConnection();
                Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM reshard_changelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code ds}, recording the update count of every DELETE on the changelog its connections run. */
    private static DataSource countingTrims(DataSource ds, List<Integer> deletes) {
        return proxy(DataSource.class, ds, (target, method, args) -> {
            Object result = call(target, method, args);
            return method.getName().equals("getConnection") ? connection((Connection) result, deletes) : result;
        });
    }

    private static Connection connection(Connection c, List<Integer> deletes) {
        return proxy(Connection.class, c, (target, method, args) -> {
            Object result = call(target, method, args);
            if (method.getName().equals("prepareStatement")
                    && args[0] instanceof String sql
                    && sql.toLowerCase(Locale.ROOT).startsWith("delete from reshard_changelog")) {
                return proxy(PreparedStatement.class, (PreparedStatement) result, (ps, m, a) -> {
                    Object r = call(ps, m, a);
                    if (m.getName().equals("executeUpdate")) {
                        deletes.add((Integer) r);
                    }
                    return r;
                });
            }
            return result;
        });
    }

    @FunctionalInterface
    private interface Handler<T> {
        Object handle(T target, Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, T target, Handler<T> handler) {
        InvocationHandler h = (p, method, args) -> handler.handle(target, method, args);
        return type.cast(Proxy.newProxyInstance(ChangelogTrimIT.class.getClassLoader(), new Class<?>[] {type}, h));
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
