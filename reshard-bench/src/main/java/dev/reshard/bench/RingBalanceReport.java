package dev.reshard.bench;

import dev.reshard.core.ShardId;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.ConsistentHashRing.Placement;
import java.util.Arrays;
import java.util.Locale;

/**
 * Balance and movement of {@link ConsistentHashRing} with 256 points per shard, from exact arc
 * lengths, for both placements. Anchors: the optimum (max/avg = 1, moved = 1/(n+1) of the key
 * space) and the random ring's expected σ/avg ≈ 1/√256 = 0.0625, max/avg ≈ 1.09 (8 shards) to 1.15
 * (64 shards) (performance-anchors §1.4, means over 20 seeds).
 *
 * <p>The moved fraction is computed independently of {@code ownership()}: it is the measure of the
 * positions whose owner differs between the two rings, over the union of both rings' points. It
 * is also checked against the new shard's ownership (equal when only keys to the new shard move).
 * A RANDOM ring's points are a function of its shard names, so besides the canonical {@code
 * shard_<i>} names it is also measured over {@value #NAME_SETS} other name sets ({@code
 * set<k>_shard_<i>}) to give a mean comparable to the anchor.
 */
public final class RingBalanceReport {
    static final int NAME_SETS = 20;
    private static final int[] BALANCE_SIZES = {8, 16, 32, 64};
    private static final int[] GROWTH_SIZES = {4, 8, 16, 32, 64};

    private RingBalanceReport() {}

    public static void main(String[] args) {
        System.out.println("## Ring balance, " + Fixtures.POINTS_PER_SHARD + " points per shard (exact arc lengths)");
        System.out.println();
        System.out.println("| shards | placement | max/avg | min/avg | σ/avg | max/avg, mean of " + NAME_SETS
                + " name sets | max/avg, worst of " + NAME_SETS + " |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|");
        for (int n : BALANCE_SIZES) {
            for (Placement placement : Placement.values()) {
                Balance b = Balance.of(Fixtures.ring(n, placement).ownership());
                String spread = "-";
                String worst = "-";
                if (placement == Placement.RANDOM) {
                    double sum = 0;
                    double max = 0;
                    for (int set = 0; set < NAME_SETS; set++) {
                        double m = Balance.of(randomRing(n, "set" + set + "_").ownership()).maxOverAvg;
                        sum += m;
                        max = Math.max(max, m);
                    }
                    spread = fmt(sum / NAME_SETS);
                    worst = fmt(max);
                }
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %s | %s | %s | %s | %s | %s |%n",
                        n,
                        placement,
                        fmt(b.maxOverAvg),
                        fmt(b.minOverAvg),
                        fmt(b.sigmaOverAvg),
                        spread,
                        worst);
            }
        }
        System.out.println();
        System.out.println("## Ring movement when adding one shard (n -> n+1), exact");
        System.out.println();
        System.out.println("| n -> n+1 | placement | moved | new shard's share | optimal 1/(n+1) | moved/optimal"
                + " | max/avg after | moved/optimal, mean of " + NAME_SETS + " name sets | range of " + NAME_SETS
                + " |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---|");
        for (int n : GROWTH_SIZES) {
            double optimal = 1.0 / (n + 1);
            for (Placement placement : Placement.values()) {
                ConsistentHashRing before = Fixtures.ring(n, placement);
                ConsistentHashRing after = before.withShard(ShardId.of("shard_" + n));
                double moved = movedFraction(before, after);
                double newShare = after.ownership()[n];
                String mean = "-";
                String range = "-";
                if (placement == Placement.RANDOM) {
                    double sum = 0;
                    double lo = Double.MAX_VALUE;
                    double hi = 0;
                    for (int set = 0; set < NAME_SETS; set++) {
                        ConsistentHashRing b = randomRing(n, "set" + set + "_");
                        double r = movedFraction(b, b.withShard(ShardId.of("set" + set + "_shard_" + n))) / optimal;
                        sum += r;
                        lo = Math.min(lo, r);
                        hi = Math.max(hi, r);
                    }
                    mean = fmt(sum / NAME_SETS);
                    range = fmt(lo) + " – " + fmt(hi);
                }
                System.out.printf(
                        Locale.ROOT,
                        "| %d -> %d | %s | %.5f | %.5f | %.5f | %s | %s | %s | %s |%n",
                        n,
                        n + 1,
                        placement,
                        moved,
                        newShare,
                        optimal,
                        fmt(moved / optimal),
                        fmt(Balance.of(after.ownership()).maxOverAvg),
                        mean,
                        range);
            }
        }
    }

    /**
     * The fraction of the hash space whose owner differs between {@code before} and {@code after}.
     * Between consecutive points of the union of both rings every position has the same owner in
     * each ring, namely the owner of the arc's upper end, so the sum is exact.
     */
    static double movedFraction(ConsistentHashRing before, ConsistentHashRing after) {
        long[] a = before.tokens();
        long[] b = after.tokens();
        long[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        for (int i = 0; i < all.length; i++) {
            all[i] ^= Long.MIN_VALUE; // signed order of flipped values is unsigned order
        }
        Arrays.sort(all);
        int n = 0;
        for (long t : all) {
            if (n == 0 || all[n - 1] != t) {
                all[n++] = t;
            }
        }
        double moved = 0;
        for (int i = 0; i < n; i++) {
            long end = all[i] ^ Long.MIN_VALUE;
            long start = all[i == 0 ? n - 1 : i - 1] ^ Long.MIN_VALUE;
            if (!before.shardForHash(end).equals(after.shardForHash(end))) {
                moved += n == 1 ? 1.0 : unsignedFraction(end - start);
            }
        }
        return moved;
    }

    private static double unsignedFraction(long units) {
        return (units >>> 1) * 0x1p-63;
    }

    private static ConsistentHashRing randomRing(int shards, String prefix) {
        ConsistentHashRing.Builder builder =
                ConsistentHashRing.builder().vnodes(Fixtures.POINTS_PER_SHARD).placement(Placement.RANDOM);
        for (int i = 0; i < shards; i++) {
            builder.shard(ShardId.of(prefix + "shard_" + i));
        }
        return builder.build();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Max/avg, min/avg and σ/avg of shares that sum to 1. */
    record Balance(double maxOverAvg, double minOverAvg, double sigmaOverAvg) {
        static Balance of(double[] shares) {
            double avg = 1.0 / shares.length;
            double max = 0;
            double min = Double.MAX_VALUE;
            double squares = 0;
            for (double s : shares) {
                max = Math.max(max, s);
                min = Math.min(min, s);
                squares += (s - avg) * (s - avg);
            }
            return new Balance(max / avg, min / avg, Math.sqrt(squares / shares.length) / avg);
        }
    }
}
