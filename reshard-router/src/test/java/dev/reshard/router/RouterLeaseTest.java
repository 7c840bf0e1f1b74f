package dev.reshard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Catalogs;
import dev.reshard.catalog.RoutingState;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.strategy.RangeMap;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router's lease check against its own (injected) clock, on in-memory H2. */
class RouterLeaseTest {
    private static final AtomicInteger DBS = new AtomicInteger();
    private static final ShardId S0 = ShardId.of("shard_0");
    private static final Duration TTL = Duration.ofMinutes(3);

    private final LeaseTest.TestClock clock = new LeaseTest.TestClock();
    private Catalog catalog;
    private Router router;

    @BeforeEach
    void start() throws Exception {
        int n = DBS.incrementAndGet();
        JdbcDataSource catalogDb = new JdbcDataSource();
        catalogDb.setURL("jdbc:h2:mem:leasecatalog" + n + ";DB_CLOSE_DELAY=-1");
        catalog = Catalogs.open(catalogDb, Clock.systemUTC());
        JdbcDataSource shard = new JdbcDataSource();
        shard.setURL("jdbc:h2:mem:leaseshard" + n + ";DB_CLOSE_DELAY=-1");
        try (Connection c = shard.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)");
            s.execute("INSERT INTO users VALUES (1, 10)");
        }
        catalog.publish(ShardMap.initial(RangeMap.of(List.of(RangeMap.Range.open(0, S0)), List.of(S0))), 0, "one");
        catalog.publishRouting(RoutingState.stable(1, 1));
        // a poll interval far beyond the test: only the operations themselves refresh
        router = Router.builder(catalog)
                .id("r1")
                .shard(S0, shard)
                .table(ShardedTable.of("users", "id", "id"))
                .pollInterval(Duration.ofMinutes(1))
                .leaseTtl(TTL)
                .clock(clock)
                .build();
    }

    @AfterEach
    void stop() {
        router.close();
        catalog.close();
    }

    private long balance() {
        return router.read("users", 1L, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM users WHERE id = 1");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private void setBalance(long value) {
        router.write("users", 1L, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE users SET balance = ? WHERE id = 1")) {
                ps.setLong(1, value);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Test
    void write_afterTheLeaseLapsedOnTheRoutersClock_refreshesFirst_andPasses() {
        clock.advance(TTL.plusMillis(1500));
        setBalance(11);
        assertThat(balance()).isEqualTo(11);
    }

    @Test
    void read_afterTheLeaseLapsedOnTheRoutersClock_refreshesFirst_andPasses() {
        clock.advance(TTL.plusMillis(1500));
        assertThat(balance()).isEqualTo(10);
    }

    @Test
    void writeAndRead_withTheRefreshPaused_areRefusedOnceTheLeaseLapsed_withTheLapseInTheMessage() {
        router.pauseRefresh(true);
        clock.advance(TTL.plusMillis(1500));
        assertThatThrownBy(() -> setBalance(12))
                .isInstanceOf(LeaseExpiredException.class)
                .hasMessageContaining("router r1 has not reached the catalog since")
                .hasMessageContaining("(lease 180000 ms lapsed 1500 ms ago); refusing writes until it does");
        assertThatThrownBy(this::balance)
                .isInstanceOf(LeaseExpiredException.class)
                .hasMessageContaining("lapsed 1500 ms ago); refusing reads until it does");
        router.pauseRefresh(false);
        setBalance(12);
        assertThat(balance()).isEqualTo(12);
    }

    @Test
    void aRenewalLandingDuringTheCheck_letsTheWriteThrough() {
        clock.advance(TTL.plusMillis(1500));
        router.pauseRefresh(true); // only the renewal below may renew the lease
        clock.onRead = () -> {
            router.pauseRefresh(false);
            router.refresh();
            router.pauseRefresh(true);
        };
        setBalance(13);
        assertThat(balance()).isEqualTo(13);
    }
}
