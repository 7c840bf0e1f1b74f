package dev.reshard.cli.plan;

import dev.reshard.core.Key;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.UUID;

/*
 * Design notes
 *
 * Tenants differ in size, which is why a directory exists, so rows are not spread evenly: the
 * tenant of each row is drawn from a Zipf distribution (weight 1/rank^s; s = 0 is uniform) over
 * ranks that a seeded shuffle assigns to tenant numbers, so the largest tenants are scattered over
 * the shards rather than being tenants 0, 1, 2. Every row of a tenant has the tenant's id as its
 * shard key, so routing a tenant once and counting its rows gives the same tally as routing each
 * row, in O(tenants) instead of O(rows).
 */
/** Keys for the directory strategy: rows whose shard key is their tenant's id. */
final class TenantKeys implements SyntheticKeys {
    private final KeyType type;
    private final long count;
    private final long seed;
    private final double skew;
    private final long[] rows;

    private TenantKeys(KeyType type, long count, long seed, double skew, long[] rows) {
        this.type = type;
        this.count = count;
        this.seed = seed;
        this.skew = skew;
        this.rows = rows;
    }

    static TenantKeys draw(int tenants, double skew, KeyType type, long count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] tenantOfRank = new int[tenants];
        Arrays.setAll(tenantOfRank, i -> i);
        SplittableRandom shuffle = random.split();
        for (int i = tenants - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = tenantOfRank[i];
            tenantOfRank[i] = tenantOfRank[j];
            tenantOfRank[j] = t;
        }
        double[] cumulative = new double[tenants];
        double sum = 0;
        for (int r = 0; r < tenants; r++) {
            sum += Math.pow(r + 1, -skew);
            cumulative[r] = sum;
        }
        long[] rows = new long[tenants];
        for (long i = 0; i < count; i++) {
            int r = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
            rows[tenantOfRank[Math.min(tenants - 1, r < 0 ? -r - 1 : r)]]++;
        }
        return new TenantKeys(type, count, seed, skew, rows);
    }

    int tenants() {
        return rows.length;
    }

    long rows(int tenant) {
        return rows[tenant];
    }

    /** Tenant number {@code tenant} as a key: the number, {@code org-<n>}, or a UUID of that name. */
    Key key(int tenant) {
        return switch (type) {
            case LONG -> Key.of((long) tenant);
            case STRING -> Key.of(name(tenant));
            case UUID -> Key.of(UUID.nameUUIDFromBytes(name(tenant).getBytes(StandardCharsets.UTF_8)));
        };
    }

    private static String name(int tenant) {
        return "org-" + tenant;
    }

    @Override
    public void routeAll(Tally tally) {
        for (int t = 0; t < rows.length; t++) {
            if (rows[t] > 0) {
                tally.route(key(t), rows[t]);
            }
        }
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public KeyType type() {
        return type;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public String describe() {
        return Format.count(count) + " rows of " + Format.count(rows.length) + " tenants (" + type + " ids, Zipf s="
                + Format.decimal(skew) + "), seed " + seed;
    }
}
