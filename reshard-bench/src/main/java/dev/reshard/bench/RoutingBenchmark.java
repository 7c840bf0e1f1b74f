package dev.reshard.bench;

import com.google.common.hash.Hashing;
import dev.reshard.core.ShardId;
import dev.reshard.core.hash.KeyHash;
import dev.reshard.core.hash.KeyHashes;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.VirtualShardMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one point lookup ({@code shardFor}) for each routing strategy, every benchmark reading
 * the next of the same 64 Ki pre-generated keys ({@link Fixtures#longKeys()}, or 36-character UUID
 * strings) through the same cycling index.
 *
 * <p>Anchors, measured in the same run: {@code baselineLong} / {@code baselineString} return the
 * key itself (the loop and key load, subtracted from every figure); {@code xxh3Long} / {@code
 * xxh3String} hash the key only; {@code jumpHashLong} is Guava's {@code Hashing.consistentHash}
 * (jump consistent hash) fed the same xxh3 hash of the key that the ring looks up, so ring ÷ jump
 * compares the two placement structures with equal hashing. Run with {@code -prof gc} to check
 * that no lookup allocates. JMH starts one JVM per benchmark and parameter set; all share the
 * fork settings below. Results and targets: docs/BENCHMARKS.md, "Routing (issue 2)".
 *
 * <p>JMH subclasses the benchmark and {@code @State} classes, so they cannot be {@code final}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RoutingBenchmark {

    /** The key stream: 64 Ki longs and 64 Ki UUID strings, cycled by one index. */
    @State(Scope.Thread)
    public static class Keys {
        private static final int MASK = Fixtures.KEY_COUNT - 1;

        long[] longs;
        String[] strings;
        int next;

        @Setup
        public void generate() {
            longs = Fixtures.longKeys();
            strings = Fixtures.uuidKeys();
        }

        long nextLong() {
            int i = next;
            next = (i + 1) & MASK;
            return longs[i];
        }

        String nextString() {
            int i = next;
            next = (i + 1) & MASK;
            return strings[i];
        }
    }

    @State(Scope.Benchmark)
    public static class Hash {
        final KeyHash xxh3 = KeyHashes.xxh3V1();
    }

    @State(Scope.Benchmark)
    public static class Jump {
        @Param({"4", "64", "1024"})
        public int buckets;

        final KeyHash xxh3 = KeyHashes.xxh3V1();
    }

    @State(Scope.Benchmark)
    public static class Ring {
        @Param({"4", "64", "1024"})
        public int shards;

        @Param({"BALANCED", "RANDOM"})
        public ConsistentHashRing.Placement placement;

        ConsistentHashRing ring;

        @Setup
        public void build() {
            ring = Fixtures.ring(shards, placement);
        }
    }

    /** The string-key ring: 64 shards, default (balanced) placement. */
    @State(Scope.Benchmark)
    public static class Ring64 {
        ConsistentHashRing ring;

        @Setup
        public void build() {
            ring = Fixtures.ring(64, ConsistentHashRing.Placement.BALANCED);
        }
    }

    @State(Scope.Benchmark)
    public static class Virtual {
        @Param({"1024", "16384"})
        public int vshards;

        VirtualShardMap map;

        @Setup
        public void build() {
            map = VirtualShardMap.roundRobin(vshards, Fixtures.shards(Fixtures.SHARDS));
        }
    }

    /**
     * 1M long tenants; {@code listed=false} measures the unlisted path (xxh3 + jump hash). A
     * smaller {@code -p tenants=...} (at least 65536 when listed) separates cache misses from work.
     */
    @State(Scope.Benchmark)
    public static class Tenants {
        @Param({"true", "false"})
        public boolean listed;

        @Param({"1000000"})
        public int tenants;

        Directory directory;

        @Setup
        public void build() {
            directory = Fixtures.directory(Fixtures.tenants(listed, tenants));
        }
    }

    @State(Scope.Benchmark)
    public static class Ranges {
        @Param({"10", "10000"})
        public int ranges;

        RangeMap map;

        @Setup
        public void build() {
            map = Fixtures.evenRanges(ranges);
        }
    }

    @Benchmark
    public long baselineLong(Keys keys) {
        return keys.nextLong();
    }

    @Benchmark
    public String baselineString(Keys keys) {
        return keys.nextString();
    }

    @Benchmark
    public long xxh3Long(Keys keys, Hash hash) {
        return hash.xxh3.hash(keys.nextLong());
    }

    @Benchmark
    public long xxh3String(Keys keys, Hash hash) {
        return hash.xxh3.hash(keys.nextString());
    }

    @Benchmark
    public int jumpHashLong(Keys keys, Jump jump) {
        return Hashing.consistentHash(jump.xxh3.hash(keys.nextLong()), jump.buckets);
    }

    @Benchmark
    public ShardId ringLong(Keys keys, Ring ring) {
        return ring.ring.shardFor(keys.nextLong());
    }

    @Benchmark
    public ShardId ringString(Keys keys, Ring64 ring) {
        return ring.ring.shardFor(keys.nextString());
    }

    @Benchmark
    public ShardId virtualLong(Keys keys, Virtual virtual) {
        return virtual.map.shardFor(keys.nextLong());
    }

    @Benchmark
    public ShardId virtualString(Keys keys, Virtual virtual) {
        return virtual.map.shardFor(keys.nextString());
    }

    @Benchmark
    public ShardId directoryLong(Keys keys, Tenants tenants) {
        return tenants.directory.shardFor(keys.nextLong());
    }

    @Benchmark
    public ShardId rangeLong(Keys keys, Ranges ranges) {
        return ranges.map.shardFor(keys.nextLong());
    }
}
