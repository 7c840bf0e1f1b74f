package dev.reshard.core.rebalance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The placement search behind {@link Planner}, over plain arrays: units with bytes, bytes at the
 * growth horizon and load, each on a home shard, and per shard the limits the triggers set. See
 * the design notes of {@link Planner} for the objective and why the search meets it.
 */
final class Balancer {
    /** Exhaustive search runs when there are at most this many units. */
    static final int EXACT_UNITS = 20;

    /** Nodes the exhaustive search may visit before it keeps the best found so far. */
    static final long EXACT_NODES = 4_000_000L;

    /** Search-time margin on sums of doubles, so that rounding never lets a limit slip. */
    private static final double STRICT = 1 - 1e-9;

    private static final double LOOSE = 1 + 1e-9;

    private final int m;
    private final int n;
    private final long[] bytes;
    private final double[] proj;
    private final double[] load;
    private final int[] home;
    private final double[] cap;
    private final boolean[] drained;
    private final double pctLimit;
    private final double growthLimit;
    private final boolean growth;
    private final double spreadLimit;
    private final boolean spreadApplies;
    private final double mean;
    private final double loadFactor;
    private final boolean loadApplies;
    private final double meanLoad;

    private final double[] hiB;
    private final double[] hiP;
    private final double loB;
    private final double hiL;

    private final int[] owner;
    private final long[] sumB;
    private final double[] sumP;
    private final double[] sumL;
    private final int[] count;
    private final int[][] members; // members[s][0..count[s]) are the units on s, in no order
    private final int[] pos; // where unit u sits in members[owner[u]]

    private boolean proven;
    private boolean exactRan;

    /**
     * @param growthLimit the share of capacity the bytes at the horizon may reach, NaN when growth
     *     is not planned for
     */
    Balancer(
            long[] bytes,
            double[] proj,
            double[] load,
            int[] home,
            double[] cap,
            boolean[] drained,
            double pctLimit,
            double growthLimit,
            double spreadLimit,
            double loadFactor) {
        this.m = bytes.length;
        this.n = cap.length;
        this.bytes = bytes;
        this.proj = proj;
        this.load = load;
        this.home = home;
        this.cap = cap;
        this.drained = drained;
        this.pctLimit = pctLimit;
        this.growthLimit = growthLimit;
        this.growth = !Double.isNaN(growthLimit);
        this.spreadLimit = spreadLimit;
        this.loadFactor = loadFactor;
        int active = 0;
        for (boolean d : drained) {
            active += d ? 0 : 1;
        }
        this.mean = meanOf(bytes, active);
        this.meanLoad = meanOf(load, active);
        this.spreadApplies = active >= 2 && mean > 0;
        this.loadApplies = active >= 2 && meanLoad > 0;
        this.hiB = new double[n];
        this.hiP = new double[n];
        for (int s = 0; s < n; s++) {
            hiB[s] = drained[s]
                    ? 0
                    : Math.min(pctLimit * cap[s], spreadApplies ? mean * (1 + spreadLimit) : Double.POSITIVE_INFINITY);
            hiP[s] = drained[s] ? 0 : growth ? growthLimit * cap[s] : Double.POSITIVE_INFINITY;
        }
        this.loB = spreadApplies ? mean * (1 - spreadLimit) : 0;
        this.hiL = loadApplies ? loadFactor * meanLoad : Double.POSITIVE_INFINITY;
        this.owner = home.clone();
        this.sumB = new long[n];
        this.sumP = new double[n];
        this.sumL = new double[n];
        this.count = new int[n];
        this.members = new int[n][];
        this.pos = new int[m];
        recompute();
    }

    /** The mean over the active shards of a sum taken in unit order (as every checker takes it). */
    static double meanOf(long[] values, int active) {
        long total = 0;
        for (long v : values) {
            total += v;
        }
        return active == 0 ? 0 : (double) total / active;
    }

    static double meanOf(double[] values, int active) {
        double total = 0;
        for (double v : values) {
            total += v;
        }
        return active == 0 ? 0 : total / active;
    }

    // ---------------------------------------------------------------- the search

    /** Searches; returns whether the placement found clears every limit. */
    boolean solve() {
        solveWithoutExactSearch();
        if (m <= EXACT_UNITS) {
            exact();
        }
        return feasible();
    }

    /** Greedy repair and improvement only (what units beyond {@link #EXACT_UNITS} get). */
    boolean solveWithoutExactSearch() {
        greedy();
        if (feasible()) {
            improve();
        }
        return feasible();
    }

    int[] owners() {
        return owner.clone();
    }

    /** True when the exhaustive search finished: the result is the fewest bytes, or none exists. */
    boolean proven() {
        return proven;
    }

    boolean exactRan() {
        return exactRan;
    }

    long cost() {
        long c = 0;
        for (int u = 0; u < m; u++) {
            if (owner[u] != home[u]) {
                c += bytes[u];
            }
        }
        return c;
    }

    /** Every shard within its limits, sums taken afresh in unit order, no margin. */
    boolean feasible() {
        return feasible(owner);
    }

    private boolean feasible(int[] assignment) {
        long[] b = new long[n];
        double[] p = new double[n];
        double[] l = new double[n];
        int[] c = new int[n];
        for (int u = 0; u < m; u++) {
            int s = assignment[u];
            b[s] += bytes[u];
            p[s] += proj[u];
            l[s] += load[u];
            c[s]++;
        }
        for (int s = 0; s < n; s++) {
            if (!upperOk(s, b[s], p[s], l[s], c[s], 1.0) || !lowerOk(s, b[s])) {
                return false;
            }
        }
        return true;
    }

    private boolean upperOk(int s, long b, double p, double l, int c, double tol) {
        if (drained[s]) {
            return c == 0;
        }
        if ((double) b / cap[s] > pctLimit) {
            return false;
        }
        if (growth && p / cap[s] > growthLimit * tol) {
            return false;
        }
        if (spreadApplies && b > mean && (b - mean) / mean > spreadLimit) {
            return false;
        }
        return !(loadApplies && l / meanLoad > loadFactor * tol);
    }

    private boolean lowerOk(int s, long b) {
        if (drained[s] || !spreadApplies) {
            return true;
        }
        return !(b < mean && (mean - b) / mean > spreadLimit);
    }

    private void recompute() {
        Arrays.fill(sumB, 0);
        Arrays.fill(sumP, 0);
        Arrays.fill(sumL, 0);
        Arrays.fill(count, 0);
        for (int u = 0; u < m; u++) {
            int s = owner[u];
            sumB[s] += bytes[u];
            sumP[s] += proj[u];
            sumL[s] += load[u];
            count[s]++;
        }
        for (int s = 0; s < n; s++) {
            members[s] = new int[Math.max(4, count[s])];
        }
        int[] fill = new int[n];
        for (int u = 0; u < m; u++) {
            int s = owner[u];
            pos[u] = fill[s];
            members[s][fill[s]++] = u;
        }
    }

    private void apply(int u, int to) {
        int from = owner[u];
        sumB[from] -= bytes[u];
        sumP[from] -= proj[u];
        sumL[from] -= load[u];
        int last = members[from][count[from] - 1];
        members[from][pos[u]] = last;
        pos[last] = pos[u];
        count[from]--;
        sumB[to] += bytes[u];
        sumP[to] += proj[u];
        sumL[to] += load[u];
        if (count[to] == members[to].length) {
            members[to] = Arrays.copyOf(members[to], 2 * count[to]);
        }
        members[to][count[to]] = u;
        pos[u] = count[to];
        count[to]++;
        owner[u] = to;
    }

    // ---------------------------------------------------------------- greedy repair

    private void greedy() {
        int limit = 4 * m + 4 * n + 64;
        for (int step = 0; step < limit; step++) {
            int s = worst();
            if (s < 0) {
                return;
            }
            boolean over = !upperOk(s, sumB[s], sumP[s], sumL[s], count[s], STRICT);
            if (!(over ? shed(s) : fill(s))) {
                return;
            }
        }
    }

    private static double ratio(double x, double hi) {
        if (hi == Double.POSITIVE_INFINITY) {
            return 0;
        }
        return hi <= 0 ? (x > 0 ? 1e6 : 0) : x / hi;
    }

    private double utilization(int s) {
        return Math.max(ratio(sumB[s], hiB[s]), Math.max(ratio(sumP[s], hiP[s]), ratio(sumL[s], hiL)));
    }

    /** The shard furthest outside its limits, or -1: drained shards first, then the fullest. */
    private int worst() {
        int worst = -1;
        double score = 0;
        for (int s = 0; s < n; s++) {
            double sc;
            if (drained[s]) {
                sc = count[s] > 0 ? 1e12 + count[s] : 0;
            } else if (!upperOk(s, sumB[s], sumP[s], sumL[s], count[s], STRICT)) {
                sc = 2 + utilization(s);
            } else if (!lowerOk(s, sumB[s])) {
                sc = 1 + (mean - sumB[s]) / mean;
            } else {
                sc = 0;
            }
            if (sc > score) {
                score = sc;
                worst = s;
            }
        }
        return worst;
    }

    private int[] receivers(int except) {
        List<Integer> out = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            if (t != except && !drained[t]) {
                out.add(t);
            }
        }
        double[] util = new double[n];
        for (int t : out) {
            util[t] = utilization(t);
        }
        out.sort((a, b) -> util[a] != util[b] ? Double.compare(util[a], util[b]) : Integer.compare(a, b));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private int firstReceiver(int[] order, int u) {
        for (int t : order) {
            if (upperOk(t, sumB[t] + bytes[u], sumP[t] + proj[u], sumL[t] + load[u], count[t] + 1, STRICT)) {
                return t;
            }
        }
        return -1;
    }

    private long delta(int u, int from, int to) {
        return (to != home[u] ? bytes[u] : 0) - (from != home[u] ? bytes[u] : 0);
    }

    /** Moves one unit off {@code s}, which is above a limit (or drained). */
    private boolean shed(int s) {
        double needB = sumB[s] - hiB[s];
        double needP = sumP[s] - hiP[s];
        double needL = sumL[s] - hiL;
        int[] order = receivers(s);
        int bestU = -1;
        int bestT = -1;
        double[] best = null;
        for (int i = 0; i < count[s]; i++) {
            int u = members[s][i];
            int t = firstReceiver(order, u);
            if (t < 0) {
                continue;
            }
            long b = bytes[u];
            double[] key;
            if (drained[s]) {
                key = new double[] {0, -b, -load[u]};
            } else {
                boolean helps = (needB > 0 && b > 0) || (needP > 0 && proj[u] > 0) || (needL > 0 && load[u] > 0);
                if (!helps) {
                    continue;
                }
                boolean stays = lowerOk(s, sumB[s] - b);
                boolean enough = (needB <= 0 || b >= needB)
                        && (needP <= 0 || proj[u] >= needP)
                        && (needL <= 0 || load[u] >= needL);
                if (enough && stays) {
                    key = new double[] {0, delta(u, s, t), b};
                } else if (stays) {
                    boolean loadOnly = needL > 0 && needB <= 0 && needP <= 0;
                    key = new double[] {1, loadOnly ? -load[u] / (b + 1.0) : -Math.max(b, proj[u]), b};
                } else {
                    key = new double[] {2, b, 0};
                }
            }
            if (best == null || less(key, best)) {
                best = key;
                bestU = u;
                bestT = t;
            }
        }
        if ((best == null || best[0] == 2) && !drained[s] && swap(s, order, needB, needP, needL)) {
            return true;
        }
        if (bestU < 0) {
            return false;
        }
        apply(bestU, bestT);
        return true;
    }

    /** How many units and receivers a swap looks at: the search per step stays small. */
    private static final int SWAP_UNITS = 12;

    private static final int SWAP_RECEIVERS = 12;

    /**
     * When every single move off {@code s} would leave it below the lower spread limit, exchanges
     * one of its units for a unit of a receiver that carries less of what {@code s} has too much of
     * (load, or growth): {@code s} keeps its bytes and sheds the excess.
     */
    private boolean swap(int s, int[] order, double needB, double needP, double needL) {
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < count[s]; i++) {
            mine.add(members[s][i]);
        }
        boolean byLoad = needL > 0;
        mine.sort((a, b) -> {
            double ka = byLoad ? load[a] : proj[a] - bytes[a];
            double kb = byLoad ? load[b] : proj[b] - bytes[b];
            return ka != kb ? Double.compare(kb, ka) : Integer.compare(a, b);
        });
        int receivers = Math.min(SWAP_RECEIVERS, order.length);
        int bestU = -1;
        int bestW = -1;
        int bestT = -1;
        double[] best = null;
        for (int i = 0; i < Math.min(SWAP_UNITS, mine.size()); i++) {
            int u = mine.get(i);
            for (int j = 0; j < receivers; j++) {
                int t = order[j];
                for (int k = 0; k < count[t]; k++) {
                    int w = members[t][k];
                    double relief = byLoad ? load[u] - load[w] : (proj[u] - bytes[u]) - (proj[w] - bytes[w]);
                    if (relief <= 0 || !swapKeepsLimits(s, u, t, w)) {
                        continue;
                    }
                    long cost = delta(u, s, t) + delta(w, t, s);
                    double need = byLoad ? needL : needP;
                    double[] key = relief >= need
                            ? new double[] {0, cost, -relief}
                            : new double[] {1, -relief / (bytes[u] + bytes[w] + 1.0), cost};
                    if (best == null || less(key, best)) {
                        best = key;
                        bestU = u;
                        bestW = w;
                        bestT = t;
                    }
                }
            }
        }
        if (bestU < 0) {
            return false;
        }
        apply(bestU, bestT);
        apply(bestW, s);
        return true;
    }

    /** {@code t} ends inside every limit; {@code s} ends inside its lower limit and no fuller. */
    private boolean swapKeepsLimits(int s, int u, int t, int w) {
        long bt = sumB[t] + bytes[u] - bytes[w];
        double pt = sumP[t] + proj[u] - proj[w];
        double lt = sumL[t] + load[u] - load[w];
        if (!upperOk(t, bt, pt, lt, count[t], STRICT) || !lowerOk(t, bt)) {
            return false;
        }
        long bs = sumB[s] - bytes[u] + bytes[w];
        if (!lowerOk(s, bs)) {
            return false;
        }
        return bs <= sumB[s] || upperOk(s, bs, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, count[s], STRICT);
    }

    /** Moves one unit onto {@code s}, which is further below the average than the spread allows. */
    private boolean fill(int s) {
        double need = loB - sumB[s];
        int bestU = -1;
        double[] best = null;
        for (int u = 0; u < m; u++) {
            int d = owner[u];
            long b = bytes[u];
            if (d == s || b == 0) {
                continue;
            }
            if (!upperOk(s, sumB[s] + b, sumP[s] + proj[u], sumL[s] + load[u], count[s] + 1, STRICT)) {
                continue;
            }
            if (!drained[d] && !lowerOk(d, sumB[d] - b)) {
                continue;
            }
            double[] key = b >= need
                    ? new double[] {0, delta(u, d, s), b, -utilization(d)}
                    : new double[] {1, -b, -utilization(d), 0};
            if (best == null || less(key, best)) {
                best = key;
                bestU = u;
            }
        }
        if (bestU < 0) {
            return false;
        }
        apply(bestU, s);
        return true;
    }

    private static boolean less(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return a[i] < b[i];
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- improvement

    /** Candidates a replacement looks at per moved unit, smallest first. */
    private static final int REPLACE_SCAN = 2048;

    private Integer[] unmovedByBytesAscending() {
        List<Integer> still = new ArrayList<>();
        for (int u = 0; u < m; u++) {
            if (owner[u] == home[u]) {
                still.add(u);
            }
        }
        still.sort((a, b) -> bytes[a] != bytes[b] ? Long.compare(bytes[a], bytes[b]) : Integer.compare(a, b));
        return still.toArray(new Integer[0]);
    }

    /** The first index of {@code sorted} (ascending by bytes) whose unit has at least {@code least} bytes. */
    private int firstAtLeast(Integer[] sorted, long least) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bytes[sorted[mid]] < least) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private Integer[] movedByBytes() {
        List<Integer> moved = new ArrayList<>();
        for (int u = 0; u < m; u++) {
            if (owner[u] != home[u]) {
                moved.add(u);
            }
        }
        moved.sort((a, b) -> bytes[a] != bytes[b] ? Long.compare(bytes[b], bytes[a]) : Integer.compare(a, b));
        return moved.toArray(new Integer[0]);
    }

    /** Whether moving {@code u1} to {@code t1} and then {@code u2} (or -1) to {@code t2} keeps every limit. */
    private boolean keepsLimits(int u1, int t1, int u2, int t2) {
        int[] shards = new int[4];
        long[] b = new long[4];
        double[] p = new double[4];
        double[] l = new double[4];
        int[] c = new int[4];
        int k = 0;
        int[][] moves =
                u2 < 0 ? new int[][] {{u1, owner[u1], t1}} : new int[][] {{u1, owner[u1], t1}, {u2, owner[u2], t2}};
        for (int[] mv : moves) {
            for (int side = 1; side <= 2; side++) {
                int s = mv[side];
                int at = -1;
                for (int i = 0; i < k; i++) {
                    if (shards[i] == s) {
                        at = i;
                    }
                }
                if (at < 0) {
                    at = k++;
                    shards[at] = s;
                    b[at] = sumB[s];
                    p[at] = sumP[s];
                    l[at] = sumL[s];
                    c[at] = count[s];
                }
                int sign = side == 1 ? -1 : 1;
                b[at] += sign * bytes[mv[0]];
                p[at] += sign * proj[mv[0]];
                l[at] += sign * load[mv[0]];
                c[at] += sign;
            }
        }
        for (int i = 0; i < k; i++) {
            if (!upperOk(shards[i], b[i], p[i], l[i], c[i], STRICT) || !lowerOk(shards[i], b[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether sending moved unit {@code u} home (from {@code t}) and moving unit {@code w} from its
     * shard {@code x} to {@code t} keeps every limit; allocation-free, it runs millions of times.
     */
    private boolean replaceKeepsLimits(int u, int w) {
        int t = owner[u];
        int h = home[u];
        int x = owner[w];
        long bt = sumB[t] - bytes[u] + bytes[w];
        if (!upperOk(t, bt, sumP[t] - proj[u] + proj[w], sumL[t] - load[u] + load[w], count[t], STRICT)
                || !lowerOk(t, bt)) {
            return false;
        }
        if (x == h) {
            long bh = sumB[h] + bytes[u] - bytes[w];
            return upperOk(h, bh, sumP[h] + proj[u] - proj[w], sumL[h] + load[u] - load[w], count[h], STRICT)
                    && lowerOk(h, bh);
        }
        long bh = sumB[h] + bytes[u];
        long bx = sumB[x] - bytes[w];
        return upperOk(h, bh, sumP[h] + proj[u], sumL[h] + load[u], count[h] + 1, STRICT) && lowerOk(x, bx);
    }

    /**
     * Local search on a feasible placement, each step strictly fewer bytes moved: send a moved unit
     * home; or send it home and move a smaller unit in its place.
     */
    private void improve() {
        for (int round = 0; round < 8; round++) {
            boolean changed = false;
            for (int u : movedByBytes()) {
                if (keepsLimits(u, home[u], -1, -1)) {
                    apply(u, home[u]);
                    changed = true;
                }
            }
            Integer[] moved = movedByBytes();
            Integer[] still = unmovedByBytesAscending();
            for (int u : moved) {
                if (owner[u] == home[u]) {
                    continue;
                }
                int t = owner[u];
                int scanned = 0;
                // t keeps its lower limit only if w brings back at least what u took beyond t's slack.
                long least = spreadApplies ? bytes[u] - (long) Math.floor(sumB[t] - loB) : 0;
                int h = home[u];
                boolean homeTakesIt =
                        upperOk(h, sumB[h] + bytes[u], sumP[h] + proj[u], sumL[h] + load[u], count[h] + 1, STRICT);
                for (int i = firstAtLeast(still, least); i < still.length; i++) {
                    int w = still[i];
                    if (!homeTakesIt && owner[w] != h) {
                        continue;
                    }
                    if (bytes[w] >= bytes[u]) {
                        break;
                    }
                    if (owner[w] != home[w] || owner[w] == t) {
                        continue;
                    }
                    if (++scanned > REPLACE_SCAN) {
                        break;
                    }
                    if (replaceKeepsLimits(u, w)) {
                        apply(u, home[u]);
                        apply(w, t);
                        changed = true;
                        break;
                    }
                }
            }
            if (!changed) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- exhaustive search

    private long nodes;
    private long bestCost;
    private int[] bestAssign;
    private int[] ord;
    private long[] suffix;
    private int[][] candidates;
    private int[] assign;
    private long[] pb;
    private double[] pp;
    private double[] pl;
    private int[] pc;

    /**
     * Branch and bound over every placement: units largest first, each on its home shard first;
     * a branch stops when it cannot beat the best found, a shard passes an upper limit (sums only
     * grow), or the bytes left cannot lift every shard to its lower limit.
     */
    private void exact() {
        exactRan = true;
        ord = new int[m];
        Integer[] boxed = new Integer[m];
        for (int u = 0; u < m; u++) {
            boxed[u] = u;
        }
        Arrays.sort(boxed, (a, b) -> bytes[a] != bytes[b] ? Long.compare(bytes[b], bytes[a]) : Integer.compare(a, b));
        for (int i = 0; i < m; i++) {
            ord[i] = boxed[i];
        }
        suffix = new long[m + 1];
        for (int i = m - 1; i >= 0; i--) {
            suffix[i] = suffix[i + 1] + bytes[ord[i]];
        }
        double[] util = new double[n];
        for (int s = 0; s < n; s++) {
            util[s] = utilizationAtHome(s);
        }
        candidates = new int[m][];
        for (int u = 0; u < m; u++) {
            int hu = home[u];
            List<Integer> c = new ArrayList<>();
            c.add(hu);
            List<Integer> others = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                if (s != hu) {
                    others.add(s);
                }
            }
            others.sort((a, b) -> util[a] != util[b] ? Double.compare(util[a], util[b]) : Integer.compare(a, b));
            c.addAll(others);
            candidates[u] = c.stream().mapToInt(Integer::intValue).toArray();
        }
        bestCost = feasible() ? cost() : Long.MAX_VALUE;
        bestAssign = owner.clone();
        assign = new int[m];
        pb = new long[n];
        pp = new double[n];
        pl = new double[n];
        pc = new int[n];
        nodes = 0;
        dfs(0, 0);
        proven = nodes <= EXACT_NODES;
        if (bestCost != Long.MAX_VALUE) {
            System.arraycopy(bestAssign, 0, owner, 0, m);
            recompute();
        }
    }

    private double utilizationAtHome(int s) {
        long b = 0;
        double l = 0;
        for (int u = 0; u < m; u++) {
            if (home[u] == s) {
                b += bytes[u];
                l += load[u];
            }
        }
        return Math.max(ratio(b, hiB[s]), ratio(l, hiL));
    }

    private void dfs(int i, long cost) {
        if (++nodes > EXACT_NODES || cost >= bestCost) {
            return;
        }
        if (i == m) {
            if (feasible(assign)) {
                bestCost = cost;
                bestAssign = assign.clone();
            }
            return;
        }
        if (spreadApplies) {
            double deficit = 0;
            for (int s = 0; s < n; s++) {
                if (!drained[s] && pb[s] < loB) {
                    deficit += loB - pb[s];
                }
            }
            if (deficit > suffix[i] * LOOSE + 1) {
                return;
            }
        }
        int u = ord[i];
        long b = bytes[u];
        for (int t : candidates[u]) {
            long next = cost + (t != home[u] ? b : 0);
            if (drained[t] || next >= bestCost) {
                continue;
            }
            if (!upperOk(t, pb[t] + b, pp[t] + proj[u], pl[t] + load[u], pc[t] + 1, LOOSE)) {
                continue;
            }
            assign[u] = t;
            pb[t] += b;
            pp[t] += proj[u];
            pl[t] += load[u];
            pc[t]++;
            dfs(i + 1, next);
            pb[t] -= b;
            pp[t] -= proj[u];
            pl[t] -= load[u];
            pc[t]--;
            if (nodes > EXACT_NODES) {
                return;
            }
        }
    }
}
