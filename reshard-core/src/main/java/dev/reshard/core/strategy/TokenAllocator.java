package dev.reshard.core.strategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/*
 * Design notes
 *
 * Balanced point placement for ConsistentHashRing, in the spirit of Cassandra's token allocation
 * (CASSANDRA-7032): a new shard's points are not random; each one carves a slice out of an arc of
 * the shard that is currently furthest above its weighted share.
 *
 * - Movement: every slice is taken by the new shard, so the keys that move are exactly the new
 *   shard's share, w_new / W, which is the optimum 1/(n+1) for equal weights. Nothing moves
 *   between old shards.
 * - Balance: slices are sized remaining_target / remaining_points, so the new shard lands on its
 *   target, and taking from the most loaded shard first drives every old shard toward its own
 *   target. With P points per shard the residual imbalance is about one slice, 1/P of a share.
 * - Determinism: the result depends only on the existing points, the weights and the number of
 *   points; ties are broken by position. It does depend on the order shards were added, which is
 *   why a balanced ring's points are persisted rather than recomputed.
 *
 * Positions are unsigned 64-bit; an arc (start, end] has end - start units (mod 2^64). A lone point
 * owns the whole circle, represented as 2^64 - 1 units.
 */
final class TokenAllocator {
    private static final class Arc {
        long start;
        final long end;
        long units;
        final int owner;

        Arc(long start, long end, long units, int owner) {
            this.start = start;
            this.end = end;
            this.units = units;
            this.owner = owner;
        }
    }

    private static final Comparator<Arc> LARGEST_FIRST = (a, b) -> {
        int c = Long.compareUnsigned(b.units, a.units);
        return c != 0 ? c : Long.compareUnsigned(a.end, b.end);
    };

    private final double[] weights;
    private final boolean[] present;
    private final double[] own;
    private final List<PriorityQueue<Arc>> arcs;

    /**
     * @param tokens existing unsigned positions, any order
     * @param owners the shard index of each position
     * @param weights the weight of every shard index that exists or will be added
     */
    TokenAllocator(long[] tokens, int[] owners, double[] weights) {
        this.weights = weights.clone();
        this.present = new boolean[weights.length];
        this.own = new double[weights.length];
        this.arcs = new ArrayList<>(weights.length);
        for (int i = 0; i < weights.length; i++) {
            arcs.add(new PriorityQueue<>(LARGEST_FIRST));
        }
        int n = tokens.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(tokens[a], tokens[b]));
        for (int k = 0; k < n; k++) {
            long end = tokens[order[k]];
            long start = tokens[order[k == 0 ? n - 1 : k - 1]];
            long units = n == 1 ? -1L : end - start;
            add(new Arc(start, end, units, owners[order[k]]));
        }
    }

    private void add(Arc arc) {
        present[arc.owner] = true;
        own[arc.owner] += fraction(arc.units);
        arcs.get(arc.owner).add(arc);
    }

    /** Gives {@code shard} (not yet on the ring) {@code count} points. */
    void addShard(int shard, int count) {
        boolean empty = true;
        for (boolean p : present) {
            empty &= !p;
        }
        if (empty) {
            long step = count == 1 ? 0 : Long.divideUnsigned(-1L, count);
            for (int i = 0; i < count; i++) {
                long end = i * step;
                long start = (i == 0 ? count - 1 : i - 1) * step;
                add(new Arc(start, end, count == 1 ? -1L : end - start, shard));
            }
            return;
        }
        present[shard] = true;
        double total = 0;
        for (int s = 0; s < weights.length; s++) {
            if (present[s]) {
                total += weights[s];
            }
        }
        double[] target = new double[weights.length];
        for (int s = 0; s < weights.length; s++) {
            target[s] = present[s] ? weights[s] / total : 0;
        }
        PriorityQueue<Integer> donors = new PriorityQueue<>((a, b) -> {
            int c = Double.compare(own[b] - target[b], own[a] - target[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int s = 0; s < weights.length; s++) {
            if (present[s] && s != shard && !arcs.get(s).isEmpty()) {
                donors.add(s);
            }
        }
        for (int k = 0; k < count && !donors.isEmpty(); k++) {
            double slice = Math.max(0, target[shard] - own[shard]) / (count - k);
            int donor = donors.poll();
            Arc arc = arcs.get(donor).poll();
            if (Long.compareUnsigned(arc.units, 2) < 0) {
                arcs.get(donor).add(arc); // too small to split: this donor has nothing left to give
                k--;
                continue;
            }
            long want = units(slice) | 1; // unsigned, never 0
            long take = Long.compareUnsigned(want, arc.units) < 0 ? want : arc.units - 1;
            long cut = arc.start + take;
            arcs.get(shard).add(new Arc(arc.start, cut, take, shard));
            arc.start = cut;
            arc.units -= take;
            arcs.get(donor).add(arc);
            double moved = fraction(take);
            own[shard] += moved;
            own[donor] -= moved;
            donors.add(donor);
        }
    }

    long[] tokens() {
        long[] out = new long[size()];
        int i = 0;
        for (PriorityQueue<Arc> q : arcs) {
            for (Arc a : q) {
                out[i++] = a.end;
            }
        }
        return out;
    }

    int[] owners() {
        int[] out = new int[size()];
        int i = 0;
        for (PriorityQueue<Arc> q : arcs) {
            for (Arc a : q) {
                out[i++] = a.owner;
            }
        }
        return out;
    }

    private int size() {
        int n = 0;
        for (PriorityQueue<Arc> q : arcs) {
            n += q.size();
        }
        return n;
    }

    /** {@code units / 2^64}, reading {@code units} as unsigned. */
    static double fraction(long units) {
        return (units >>> 11) * 0x1p-53;
    }

    /** {@code fraction * 2^64} as unsigned units, for {@code 0 <= fraction < 1}. */
    static long units(double fraction) {
        return ((long) (Math.min(fraction, 1.0 - 0x1p-53) * 0x1p53)) << 11;
    }
}
