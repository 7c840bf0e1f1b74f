package dev.reshard.bench;

import dev.reshard.core.ShardId;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.VirtualShardMap;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.util.Multiset;
import org.openjdk.jol.vm.VM;

/**
 * Retained heap of the routing structures, measured with JOL ({@code GraphLayout.totalSize()}, the
 * whole reachable object graph, shared shard ids counted once). The anchor is a boxed {@code
 * HashMap<Long, ShardId>} holding the same 1M tenants as the directory.
 *
 * <p>Run with {@code -Djdk.attach.allowAttachSelf=true} so JOL can attach its instrumentation
 * agent to this JVM (on JDK 21+ also {@code -XX:+EnableDynamicAgentLoading}). Without it JOL
 * lays objects out from Unsafe field offsets (with {@code jol.magicFieldOffset}, set here, for
 * record fields), which gave the same totals. The mode used is printed first.
 */
public final class MemoryFootprint {
    private static final double MB = 1_000_000.0;

    private MemoryFootprint() {}

    private record Row(
            String structure,
            long entries,
            long objects,
            long bytes,
            String topClasses,
            String target,
            long targetBytes) {
        static Row measure(String structure, long entries, Object root, String target, long targetBytes) {
            GraphLayout layout = GraphLayout.parseInstance(root);
            return new Row(
                    structure,
                    entries,
                    layout.totalCount(),
                    layout.totalSize(),
                    largestClasses(layout),
                    target,
                    targetBytes);
        }

        String verdict() {
            return targetBytes < 0 ? "-" : bytes <= targetBytes ? "met" : "NOT MET";
        }
    }

    public static void main(String[] args) {
        System.out.println("## Memory footprint (JOL GraphLayout.totalSize)");
        System.out.println();
        for (String line : jolMode()) {
            System.out.println("    " + line);
        }
        System.out.println();

        long[] tenants = Fixtures.tenants(true);
        Directory directory = Fixtures.directory(tenants);
        Row dir = Row.measure(
                "Directory, 1M long tenants, 8 shards", directory.tenantCount(), directory, "<= 32 MB", 32_000_000L);
        Map<Long, ShardId> boxed = boxedDirectory(tenants);
        Row map = Row.measure("anchor: HashMap<Long, ShardId>, same 1M tenants", boxed.size(), boxed, "-", -1);
        List<Row> rows = new ArrayList<>(List.of(dir, map));
        for (ConsistentHashRing.Placement placement : ConsistentHashRing.Placement.values()) {
            ConsistentHashRing ring = Fixtures.ring(1024, placement);
            rows.add(Row.measure(
                    "Ring, 1024 shards x 256 points, " + placement, ring.pointCount(), ring, "<= 4 MB", 4_000_000L));
        }
        for (int vshards : new int[] {1024, 16384}) {
            VirtualShardMap vmap = VirtualShardMap.roundRobin(vshards, Fixtures.shards(Fixtures.SHARDS));
            rows.add(Row.measure("VirtualShardMap, V=" + vshards + ", 8 shards", vshards, vmap, "-", -1));
        }

        System.out.println(
                "| structure | entries | objects | bytes | MB | bytes/entry | largest classes (MB) | target | verdict |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|---|---|");
        for (Row r : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %,d | %,d | %,d | %.2f | %.1f | %s | %s | %s |%n",
                    r.structure,
                    r.entries,
                    r.objects,
                    r.bytes,
                    r.bytes / MB,
                    (double) r.bytes / r.entries,
                    r.topClasses,
                    r.target,
                    r.verdict());
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "Directory / HashMap<Long, ShardId> = %.3f (the map is %.1fx larger). MB = 10^6 bytes.%n",
                (double) dir.bytes / map.bytes,
                (double) map.bytes / dir.bytes);
    }

    private static Map<Long, ShardId> boxedDirectory(long[] tenants) {
        List<ShardId> shards = Fixtures.shards(Fixtures.SHARDS);
        Map<Long, ShardId> map = new HashMap<>();
        for (int i = 0; i < tenants.length; i++) {
            map.put(tenants[i], shards.get(i % Fixtures.SHARDS));
        }
        return map;
    }

    /** The three classes that take the most bytes, e.g. {@code long[] 2.10, int[] 1.05, short[] 0.52}. */
    private static String largestClasses(GraphLayout layout) {
        Multiset<Class<?>> sizes = layout.getClassSizes();
        return sizes.keys().stream()
                .sorted(Comparator.comparingLong((Class<?> c) -> sizes.count(c)).reversed())
                .limit(3)
                .map(c -> String.format(Locale.ROOT, "%s %.2f", c.getSimpleName(), sizes.count(c) / MB))
                .collect(Collectors.joining(", "));
    }

    /**
     * Initialises JOL and reports how it sizes objects: through an attached instrumentation agent,
     * or from field offsets when it could not attach (JOL then prints a warning, captured here).
     */
    private static List<String> jolMode() {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // Without an agent JOL lays objects out from Unsafe field offsets, which JDK 17 refuses for
        // record fields (ShardId); this JOL option (read once, when JOL starts) works around that.
        if (System.getProperty("jol.magicFieldOffset") == null) {
            System.setProperty("jol.magicFieldOffset", "true");
        }
        String details;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            details = VM.current().details();
        } finally {
            System.setOut(out);
        }
        String warnings = captured.toString(StandardCharsets.UTF_8);
        boolean instrumented = !warnings.contains("Unable to get Instrumentation");
        List<String> lines = new ArrayList<>();
        lines.add("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        lines.add("flags: -Djdk.attach.allowAttachSelf=" + System.getProperty("jdk.attach.allowAttachSelf", "(unset)")
                + ", -XX:+EnableDynamicAgentLoading "
                + (ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+EnableDynamicAgentLoading")
                        ? "set"
                        : "not set")
                + ", -Djol.magicFieldOffset=" + System.getProperty("jol.magicFieldOffset"));
        lines.add("JOL sizing mode: "
                + (instrumented
                        ? "Instrumentation.getObjectSize (agent attached to this JVM)"
                        : "object layout from Unsafe field offsets (no instrumentation agent)"));
        for (String line : (warnings + details).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
        }
        return lines;
    }
}
