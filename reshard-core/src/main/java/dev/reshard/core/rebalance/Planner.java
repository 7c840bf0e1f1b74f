package dev.reshard.core.rebalance;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.Strategy;
import dev.reshard.core.strategy.StrategyKind;
import dev.reshard.core.strategy.VirtualShardMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Design notes
 *
 * Objective. Over the target shard list (the current shards, plus shards to add, minus shards to
 * drain), find a placement of the measured units (virtual shards or tenants) that
 *   (1) clears every trigger the units let us measure: bytes <= storage x capacity; bytes at the
 *       growth horizon <= storage x capacity (the growth trigger with its headroom); load <= load x
 *       the average shard load; |bytes - average| <= spread x average;
 *   (2) is never a worse balance than before: without drains, the largest share of capacity and the
 *       largest relative distance from the average bytes may not grow, so the limits of (1) are
 *       tightened to min(threshold, today's value), "today" being the target shard list with every
 *       unit where it is now (a shard to add counts as empty, so it is 100 % from the average);
 *   (3) empties every drained shard;
 * and among those, moves the fewest bytes. Shards are added (named after the current ones, with the
 * smallest current capacity) only while no placement exists: k goes up from the capacity bound
 * ceil((bytes at the horizon - room) / (storage x new capacity)), so the count is the fewest for
 * which the search finds a placement, not a rule of thumb.
 *
 * Growth per unit. Histories are per shard, so a shard's fitted slope (Triggers' least-squares line
 * over the growth window) is shared among its units in proportion to their bytes: a unit carries
 * its growth with it when it moves. A shard whose history is too short to fit is planned at
 * today's size, and the explanation says so.
 *
 * Algorithm (Balancer). The problem is a bin-packing variant (NP-hard), so:
 *   - greedy repair: repeatedly take the shard furthest outside its limits; if it is drained or
 *     above an upper limit, move off it the smallest unit that alone brings it inside (fewest
 *     bytes), else the unit with the most relief per byte (largest bytes; for a load excess the
 *     most load per byte), onto the receiver with the most room (lowest utilization, which for
 *     tenants is the least-loaded shard); if it is below the lower spread limit, pull the smallest
 *     unit that fills it, else the largest, from a shard that stays inside its own limits; when
 *     every single move off an over-limit shard would leave it below the spread (a hot shard whose
 *     bytes are fine), swap one of its hottest units for a cooler one of a receiver;
 *   - improvement: each step strictly lowers the bytes moved and keeps every limit: send a moved
 *     unit home; send it home and move a smaller unit in its place;
 *   - exhaustive: with at most 20 units, a branch and bound over every placement (units largest
 *     first, home shard first, bounded by the best cost, by upper limits that only grow, and by the
 *     bytes left against the total lower-limit deficit), 4M nodes at most. Within that budget the
 *     result is the fewest bytes there are, or the proof that no placement exists.
 *
 * Why the properties hold. Never worse: a placement is accepted only if it passes the limits of
 * (2), and the current placement passes them by construction, so the planner returns either a
 * passing placement or nothing. Triggers clear: the limits of (1) are the triggers' own tests,
 * evaluated afresh in unit order (the same sums a checker computes) before a plan is PLANNED; the
 * greedy steps keep a 1e-9 margin on the floating sums so rounding cannot let one slip. Fewest bytes
 * on small cases: exact by the search above (the tests check it against an independent brute
 * force). On large cases nothing is proven: the greedy takes the smallest sufficient unit per
 * excess, as subset-sum greedy does, and the improvement removes unneeded moves; measured alone on
 * the small random cases it moves on average 7-35 % more bytes than the optimum (worst cases 1.5-7x,
 * where one unit decides) and misses a placement in 1 of 30 to 1 of 4 solvable cases, which is why
 * small cases are searched exhaustively. With many small units (the 16,384-vshard case) a unit is
 * a small share of any excess and the greedy's overshoot is at most one unit per shard. Deterministic: no hashing order, no
 * randomness, ties broken by unit and shard index; the same request gives the same plan.
 *
 * What it does not do: itemize ring or range moves (a ring's new points and a range's split key
 * come from the data, not from these statistics; only the shards to add are planned), split a unit,
 * or balance rows (bytes and load only; rows are reported).
 */
/**
 * Plans a rebalance from measured statistics: how many shards to add, which virtual shards or
 * tenants move where, and why. A pure, deterministic function: nothing is read or written.
 *
 * <p>Use it for virtual shards and directories, where units move whole. For rings and ranges it
 * plans only the number of shards to add (and the ring's weights); where to split a range needs the
 * key that halves its rows, found in the database.
 */
public final class Planner {
    private static final Pattern NUMBERED = Pattern.compile("(.*?)(\\d+)");

    /** How many shards beyond the capacity bound the planner tries before it gives up. */
    static final int EXTRA_SHARDS_TRIED = 16;

    private Planner() {}

    /** The plan for {@code request}; refuses bad input with {@link InvalidInputException}. */
    public static Plan plan(PlanRequest request) {
        Input in = new Input(request);
        return switch (request.map().kind()) {
            case VIRTUAL, DIRECTORY -> new Placing(in).plan();
            case RING, RANGE -> shardsOnly(in);
        };
    }

    // ---------------------------------------------------------------- validated input

    /** The request checked against its map, as arrays over the units and the current shards. */
    static final class Input {
        final PlanRequest r;
        final Strategy map;
        final Thresholds t;
        final List<ShardId> current;
        final List<ShardId> add;
        final List<ShardId> drain;
        final Map<ShardId, Long> capacity = new HashMap<>();
        final long newCapacity;
        final List<UnitStats> units;
        final int[] home; // index into current
        final long[] bytes;
        final long[] rows;
        final double[] load;
        final double[] proj;
        final double[] slope; // per current shard, NaN when not measured
        final List<String> growthNotes = new ArrayList<>();
        final double horizonDays;
        final boolean growthMeasured;

        Input(PlanRequest r) {
            this.r = r;
            this.map = r.map();
            this.t = r.thresholds();
            this.current = map.shards();
            Set<ShardId> inMap = new HashSet<>(current);
            WhatIf w = r.whatIf();
            for (int i = 0; i < w.add().size(); i++) {
                ShardId s = w.add().get(i);
                InvalidInputException.require(
                        !inMap.contains(s),
                        "whatIf.add[" + i + "]",
                        s.value(),
                        "is already a shard of the map " + current,
                        "name a new shard, e.g. " + autoName(current, Set.of(), 0));
            }
            for (int i = 0; i < w.drain().size(); i++) {
                ShardId s = w.drain().get(i);
                InvalidInputException.require(
                        inMap.contains(s),
                        "whatIf.drain[" + i + "]",
                        s.value(),
                        "is not a shard of the map " + current,
                        "name one of the map's shards");
            }
            InvalidInputException.require(
                    w.drain().size() < current.size() || !w.add().isEmpty(),
                    "whatIf.drain",
                    w.drain().toString(),
                    "drains every shard of the map",
                    "keep at least one shard, or add one to drain into");
            this.add = w.add();
            this.drain = w.drain();

            Map<ShardId, ShardHistory> byShard = new LinkedHashMap<>();
            for (ShardHistory h : r.histories()) {
                String field = "histories[" + h.shard() + "]";
                InvalidInputException.require(
                        inMap.contains(h.shard()),
                        field,
                        h.shard().value(),
                        "is not a shard of the map " + current,
                        "give histories of the map's shards only");
                InvalidInputException.require(
                        byShard.put(h.shard(), h) == null,
                        field,
                        h.shard().value(),
                        "has two histories",
                        "give one history per shard");
            }
            for (ShardId s : r.capacities().keySet()) {
                InvalidInputException.require(
                        inMap.contains(s) || add.contains(s),
                        "capacities[" + s + "]",
                        s.value(),
                        "is neither a shard of the map " + current + " nor a shard to add",
                        "give capacities of the map's shards and of the shards to add");
            }
            List<ShardId> needCapacity = new ArrayList<>(current);
            needCapacity.addAll(add);
            long smallest = Long.MAX_VALUE;
            for (ShardId s : needCapacity) {
                Long c = r.capacities().get(s);
                if (c == null && byShard.containsKey(s)) {
                    c = byShard.get(s).capacityBytes();
                }
                InvalidInputException.require(
                        c != null,
                        "capacities[" + s + "]",
                        "missing",
                        "is not given, so the storage trigger cannot be planned for",
                        "set the disk the shard may use, e.g. capacity: 80GB (`reshard shards update " + s + "`)");
                InvalidInputException.require(
                        c > 0,
                        "capacities[" + s + "]",
                        c,
                        "is not a positive number of bytes",
                        "set the disk the shard may use, e.g. capacity: 80GB (`reshard shards update " + s + "`)");
                capacity.put(s, c);
                if (current.contains(s)) {
                    smallest = Math.min(smallest, c);
                }
            }
            this.newCapacity = smallest;

            int n = current.size();
            Map<ShardId, Integer> index = new HashMap<>();
            for (int s = 0; s < n; s++) {
                index.put(current.get(s), s);
            }
            this.units = r.units();
            int m = units.size();
            home = new int[m];
            bytes = new long[m];
            rows = new long[m];
            load = new double[m];
            Set<MoveSet.Unit> seen = new HashSet<>();
            for (int u = 0; u < m; u++) {
                UnitStats us = units.get(u);
                String field = "units[" + us.unit() + "]";
                if (!seen.add(us.unit())) {
                    throw InvalidInputException.of(
                            field,
                            us.unit().toString(),
                            "is measured twice",
                            "give each unit once; collect the statistics again");
                }
                Integer s = index.get(us.shard());
                if (s == null) {
                    throw InvalidInputException.of(
                            field + ".shard",
                            us.shard().value(),
                            "is not a shard of the map " + current,
                            "collect the statistics for the current map version");
                }
                requireKind(field, us);
                home[u] = s;
                bytes[u] = us.bytes();
                rows[u] = us.rows();
                load[u] = us.load();
            }

            if (map instanceof VirtualShardMap v && m != v.virtualShardCount()) {
                boolean[] has = new boolean[v.virtualShardCount()];
                for (UnitStats us : units) {
                    has[((MoveSet.VirtualShard) us.unit()).id()] = true;
                }
                int missing = 0;
                while (has[missing]) {
                    missing++;
                }
                throw InvalidInputException.of(
                        "units[vshard " + missing + "]",
                        "missing",
                        "has no statistics (" + m + " of " + v.virtualShardCount() + " virtual shards measured)",
                        "give every virtual shard a unit, with 0 bytes when it is empty; collect the statistics again");
            }

            slope = new double[n];
            horizonDays = t.growthHorizon().toHours() / 24.0;
            boolean any = false;
            for (int s = 0; s < n; s++) {
                ShardHistory h = byShard.get(current.get(s));
                Optional<GrowthFit> fit = h == null ? Optional.empty() : Triggers.growthFit(h, t, r.now());
                if (fit.isPresent()) {
                    slope[s] = fit.get().slopePerDay();
                    any = true;
                } else {
                    slope[s] = Double.NaN;
                    growthNotes.add(current.get(s) + ": "
                            + (h == null
                                    ? "no history"
                                    : "too little history (growth needs at least " + t.growthMinSamples()
                                            + " samples over "
                                            + t.growthMinSpan().toHours() + "h in the last "
                                            + t.growthWindow().toDays() + "d)")
                            + ", so its units are planned at today's size");
                }
            }
            growthMeasured = any;
            long[] shardBytes = new long[n];
            int[] shardUnits = new int[n];
            for (int u = 0; u < m; u++) {
                shardBytes[home[u]] += bytes[u];
                shardUnits[home[u]]++;
            }
            proj = new double[m];
            for (int u = 0; u < m; u++) {
                int s = home[u];
                double g = Double.isNaN(slope[s])
                        ? 0
                        : shardBytes[s] > 0 ? slope[s] * bytes[u] / shardBytes[s] : slope[s] / shardUnits[s];
                proj[u] = bytes[u] + g * horizonDays;
            }
        }

        private void requireKind(String field, UnitStats us) {
            StrategyKind kind = map.kind();
            boolean ok = switch (kind) {
                case VIRTUAL -> us.unit() instanceof MoveSet.VirtualShard;
                case DIRECTORY -> us.unit() instanceof MoveSet.Tenant;
                case RANGE -> us.unit() instanceof MoveSet.KeyRange;
                case RING -> us.unit() instanceof MoveSet.HashArc;
            };
            if (!ok) {
                throw InvalidInputException.of(
                        field,
                        us.unit().toString(),
                        "is not a unit of the " + kind + " strategy",
                        "give " + unitName(kind) + " statistics for a " + kind + " map");
            }
            if (map instanceof VirtualShardMap v && us.unit() instanceof MoveSet.VirtualShard vs) {
                InvalidInputException.require(
                        vs.id() >= 0 && vs.id() < v.virtualShardCount(),
                        field,
                        vs.id(),
                        "is not a virtual shard of the map",
                        "use 0 to " + (v.virtualShardCount() - 1));
                ShardId owner = v.ownerOf(vs.id());
                if (!owner.equals(us.shard())) {
                    throw InvalidInputException.of(
                            field + ".shard",
                            us.shard().value(),
                            "is not the owner " + owner + " in the map",
                            "collect the statistics for the current map version");
                }
            }
            if (map instanceof Directory d && us.unit() instanceof MoveSet.Tenant tenant) {
                ShardId at = d.shardFor(tenant.key());
                if (!at.equals(us.shard())) {
                    throw InvalidInputException.of(
                            field + ".shard",
                            us.shard().value(),
                            "is not the shard " + at + " the directory places the tenant on",
                            "collect the statistics for the current map version");
                }
            }
        }

        long capacityOf(ShardId s) {
            Long c = capacity.get(s);
            return c == null ? newCapacity : c;
        }

        long totalBytes() {
            long b = 0;
            for (long x : bytes) {
                b += x;
            }
            return b;
        }

        double totalProj() {
            double p = 0;
            for (double x : proj) {
                p += x;
            }
            return p;
        }
    }

    private static String unitName(StrategyKind kind) {
        return switch (kind) {
            case VIRTUAL -> "per-virtual-shard";
            case DIRECTORY -> "per-tenant";
            case RANGE -> "per-range";
            case RING -> "per-arc";
        };
    }

    /** A new shard name after the current ones: shard_0..shard_3 give shard_4, then shard_5. */
    static ShardId autoName(List<ShardId> existing, Set<ShardId> taken, int nth) {
        String prefix = "shard_";
        long next = 0;
        boolean first = true;
        for (ShardId s : existing) {
            Matcher mt = NUMBERED.matcher(s.value());
            if (mt.matches() && mt.group(2).length() < 18) {
                if (first) {
                    prefix = mt.group(1);
                    first = false;
                }
                if (mt.group(1).equals(prefix)) {
                    next = Math.max(next, Long.parseLong(mt.group(2)) + 1);
                }
            }
        }
        int found = 0;
        for (long i = next; ; i++) {
            ShardId id = ShardId.of(prefix + i);
            if (!existing.contains(id) && !taken.contains(id) && found++ == nth) {
                return id;
            }
        }
    }

    // ---------------------------------------------------------------- virtual shards and tenants

    /** One attempt: the target shard list and the search over it. */
    private record Attempt(
            List<ShardId> shards, boolean[] drained, double[] cap, int[] home, Balancer balancer, boolean found) {}

    private static final class Placing {
        private final Input in;

        Placing(Input in) {
            this.in = in;
        }

        Plan plan() {
            Thresholds t = in.t;
            int baseActive = in.current.size() - in.drain.size() + in.add.size();
            int k0 = in.r.whatIf().addMoreIfNeeded() ? capacityBound(baseActive) : 0;
            int kMax = in.r.whatIf().addMoreIfNeeded() ? k0 + EXTRA_SHARDS_TRIED : 0;
            Attempt last = null;
            String obstacle = null;
            Attempt zero = null;
            for (int k = k0; k <= kMax; k++) {
                Attempt a = attempt(k);
                if (k == k0) {
                    zero = a;
                }
                last = a;
                if (a.found) {
                    return planned(a, k, k0);
                }
                obstacle = obstacle(a);
                if (obstacle != null) {
                    break;
                }
            }
            return impossible(zero == null ? last : zero, obstacle, k0, kMax, t);
        }

        /** The fewest shards to add for the units' bytes (now and at the horizon) to fit at all. */
        private int capacityBound(int baseActive) {
            double room = 0;
            double roomNow = 0;
            for (ShardId s : in.current) {
                if (!in.drain.contains(s)) {
                    room += in.t.storage() * in.capacityOf(s);
                    roomNow += in.t.storage() * in.capacityOf(s);
                }
            }
            for (ShardId s : in.add) {
                room += in.t.storage() * in.capacityOf(s);
                roomNow += in.t.storage() * in.capacityOf(s);
            }
            double need = Math.max(in.totalProj() - room, in.totalBytes() - roomNow);
            if (need <= 0) {
                return 0;
            }
            int k = (int) Math.ceil(need / (in.t.storage() * in.newCapacity));
            return Math.max(0, Math.min(k, Math.max(0, in.units.size() - baseActive)));
        }

        private Attempt attempt(int extra) {
            List<ShardId> shards = new ArrayList<>(in.current);
            shards.addAll(in.add);
            Set<ShardId> taken = new HashSet<>(shards);
            for (int i = 0; i < extra; i++) {
                ShardId id = autoName(in.current, taken, 0);
                taken.add(id);
                shards.add(id);
            }
            int n = shards.size();
            boolean[] drained = new boolean[n];
            double[] cap = new double[n];
            for (int s = 0; s < n; s++) {
                drained[s] = in.drain.contains(shards.get(s));
                cap[s] = in.capacityOf(shards.get(s));
            }
            int[] home = in.home; // current shards keep their indexes
            Thresholds t = in.t;
            double pctLimit = t.storage();
            double spreadLimit = t.spread();
            if (in.drain.isEmpty()) {
                int active = n;
                double mean = Balancer.meanOf(in.bytes, active);
                long[] b = new long[n];
                for (int u = 0; u < home.length; u++) {
                    b[home[u]] += in.bytes[u];
                }
                double pct = 0;
                double dev = 0;
                for (int s = 0; s < n; s++) {
                    pct = Math.max(pct, (double) b[s] / cap[s]);
                    if (mean > 0) {
                        dev = Math.max(dev, Math.abs((b[s] - mean) / mean));
                    }
                }
                pctLimit = Math.min(pctLimit, pct);
                spreadLimit = Math.min(spreadLimit, dev);
            }
            Balancer bal = new Balancer(
                    in.bytes,
                    in.proj,
                    in.load,
                    home,
                    cap,
                    drained,
                    pctLimit,
                    in.growthMeasured ? t.storage() : Double.NaN,
                    spreadLimit,
                    t.load());
            boolean found = bal.solve();
            return new Attempt(List.copyOf(shards), drained, cap, home, bal, found);
        }

        /** A reason no number of added shards can help, or null. */
        private String obstacle(Attempt a) {
            int n = a.shards.size();
            int active = 0;
            double maxCap = 0;
            for (int s = 0; s < n; s++) {
                if (!a.drained[s]) {
                    active++;
                    maxCap = Math.max(maxCap, a.cap[s]);
                }
            }
            Thresholds t = in.t;
            double mean = Balancer.meanOf(in.bytes, active);
            double meanLoad = Balancer.meanOf(in.load, active);
            int holding = 0;
            for (int u = 0; u < in.units.size(); u++) {
                String unit = in.units.get(u).unit().toString();
                if (in.bytes[u] > 0) {
                    holding++;
                }
                if (in.bytes[u] / maxCap > t.storage()) {
                    return String.format(
                            Locale.ROOT,
                            "%s alone holds %s, more than %s of the largest shard's %s capacity (%s): no placement"
                                    + " clears the storage trigger; split the unit or use larger shards",
                            unit,
                            Triggers.bytes(in.bytes[u]),
                            Triggers.percent(t.storage()),
                            Triggers.bytes((long) maxCap),
                            Triggers.bytes((long) (t.storage() * maxCap)));
                }
                if (in.growthMeasured && in.proj[u] / maxCap > t.storage()) {
                    return String.format(
                            Locale.ROOT,
                            "%s alone grows to %s within %.0f days, more than %s of the largest shard's %s"
                                    + " capacity: no placement clears the growth trigger; split the unit or use"
                                    + " larger shards",
                            unit,
                            Triggers.bytes((long) in.proj[u]),
                            in.horizonDays,
                            Triggers.percent(t.storage()),
                            Triggers.bytes((long) maxCap));
                }
                if (active >= 2 && mean > 0 && (in.bytes[u] - mean) / mean > t.spread()) {
                    return String.format(
                            Locale.ROOT,
                            "%s alone holds %s, more than the average %s + %s a shard may hold over %d shards"
                                    + " (more shards lower the average further): no placement clears the distribution"
                                    + " trigger; split the unit or raise the spread threshold",
                            unit,
                            Triggers.bytes(in.bytes[u]),
                            Triggers.bytes((long) mean),
                            Triggers.percent(t.spread()),
                            active);
                }
                if (active >= 2 && meanLoad > 0 && in.load[u] / meanLoad > t.load()) {
                    return String.format(
                            Locale.ROOT,
                            "%s alone serves %.1f operations/s, more than %s of the average %.1f/s over %d shards"
                                    + " (more shards lower the average further): no placement clears the load"
                                    + " trigger; split the unit or raise the load threshold",
                            unit,
                            in.load[u],
                            Triggers.percent(t.load()),
                            meanLoad,
                            active);
                }
            }
            if (active >= 2 && mean > 0 && t.spread() < 1 && holding < active) {
                return String.format(
                        Locale.ROOT,
                        "%d shards but only %d units hold data: a shard with no data is 100%% below the average,"
                                + " outside the ±%s spread threshold",
                        active,
                        holding,
                        Triggers.percent(t.spread()));
            }
            return null;
        }

        private Plan impossible(Attempt a, String obstacle, int k0, int kMax, Thresholds t) {
            List<Plan.ShardState> before = states(a, in.home, true);
            List<String> why = new ArrayList<>();
            why.add(header(before));
            why.addAll(growthLines());
            if (obstacle != null) {
                why.add("no plan: " + obstacle + ".");
            } else if (a.balancer.exactRan() && a.balancer.proven()) {
                why.add(String.format(
                        Locale.ROOT,
                        "no plan: an exhaustive search over every placement of the %d units on %d shards found none"
                                + " that clears every trigger%s.",
                        in.units.size(),
                        activeCount(a),
                        in.drain.isEmpty() ? " without making the balance worse than today's" : ""));
            } else {
                why.add(String.format(
                        Locale.ROOT,
                        "no plan: no placement found that clears every trigger on %s shards%s; closest: %s.",
                        kMax > k0 ? (activeCount(a)) + " to " + (activeCount(a) + kMax - k0) : activeCount(a),
                        in.drain.isEmpty() ? " without making the balance worse than today's" : "",
                        String.join("; ", violations(states(a, a.balancer.owners(), false)))));
            }
            if (!in.r.whatIf().addMoreIfNeeded()) {
                why.add("the planner was not allowed to add shards (WhatIf.addMoreIfNeeded is false).");
            }
            return new Plan(
                    Plan.Status.IMPOSSIBLE,
                    in.map.kind(),
                    in.map,
                    List.of(),
                    List.of(),
                    List.of(),
                    before,
                    before,
                    0,
                    0,
                    a.balancer.exactRan() && a.balancer.proven(),
                    why);
        }

        private int activeCount(Attempt a) {
            int c = 0;
            for (boolean d : a.drained) {
                c += d ? 0 : 1;
            }
            return c;
        }

        private Plan planned(Attempt a, int extra, int k0) {
            int[] owner = a.balancer.owners();
            List<Plan.ShardState> before = states(a, in.home, true);
            List<Plan.ShardState> after = states(a, owner, false);
            List<ShardId> added = new ArrayList<>(a.shards.subList(in.current.size(), a.shards.size()));
            List<Plan.Move> moves = new ArrayList<>();
            long copyBytes = 0;
            long copyRows = 0;
            for (int u = 0; u < owner.length; u++) {
                if (owner[u] != in.home[u]) {
                    ShardId from = a.shards.get(in.home[u]);
                    ShardId to = a.shards.get(owner[u]);
                    moves.add(new Plan.Move(
                            in.units.get(u).unit(),
                            from,
                            to,
                            in.bytes[u],
                            in.rows[u],
                            in.load[u],
                            reason(before.get(in.home[u]), before.get(owner[u]), a.drained[in.home[u]], added)));
                    copyBytes += in.bytes[u];
                    copyRows += in.rows[u];
                }
            }
            boolean nothing = moves.isEmpty() && added.isEmpty() && in.drain.isEmpty();
            List<String> why = new ArrayList<>();
            why.add(header(before));
            why.addAll(growthLines());
            if (nothing) {
                why.add("no trigger fires" + (in.growthMeasured ? " now or within the growth horizon" : "")
                        + ": nothing to move.");
                return new Plan(
                        Plan.Status.NOTHING_TO_DO,
                        in.map.kind(),
                        in.map,
                        List.of(),
                        List.of(),
                        List.of(),
                        before,
                        after,
                        0,
                        0,
                        true,
                        why);
            }
            List<ShardId> auto = added.subList(in.add.size(), added.size());
            if (!in.add.isEmpty()) {
                why.add("adds " + in.add + " as asked.");
            }
            if (!auto.isEmpty()) {
                why.add(String.format(
                        Locale.ROOT,
                        "adds %s (%s each, the smallest current capacity): %d is the fewest shards for which a"
                                + " placement clears every trigger%s (the capacity bound alone needs %d: %s of data%s"
                                + " at %s of capacity).",
                        auto,
                        Triggers.bytes(in.newCapacity),
                        activeCount(a),
                        in.growthMeasured
                                ? String.format(Locale.ROOT, " with %.0f days of growth headroom", in.horizonDays)
                                : "",
                        k0,
                        Triggers.bytes(in.totalBytes()),
                        in.growthMeasured
                                ? String.format(
                                        Locale.ROOT,
                                        " now, %s in %.0f days",
                                        Triggers.bytes((long) in.totalProj()),
                                        in.horizonDays)
                                : "",
                        Triggers.percent(in.t.storage())));
            }
            for (ShardId d : in.drain) {
                int s = a.shards.indexOf(d);
                why.add(String.format(
                        Locale.ROOT,
                        "drains %s: its %d units (%s) move to the other shards and it leaves the map.",
                        d,
                        before.get(s).bytes() == 0 ? 0 : countOn(in.home, s),
                        Triggers.bytes(before.get(s).bytes())));
            }
            for (Plan.Move mv : moves) {
                why.add(String.format(
                        Locale.ROOT,
                        "%s %s -> %s (%s, %d rows, %.1f ops/s): %s.",
                        mv.unit(),
                        mv.from(),
                        mv.to(),
                        Triggers.bytes(mv.bytes()),
                        mv.rows(),
                        mv.load(),
                        mv.reason()));
            }
            why.add(String.format(
                    Locale.ROOT,
                    "moves %d %s: %s and %d rows to copy (%s).",
                    moves.size(),
                    in.map.kind() == StrategyKind.VIRTUAL ? "virtual shards" : "tenants",
                    Triggers.bytes(copyBytes),
                    copyRows,
                    a.balancer.exactRan() && a.balancer.proven()
                            ? "the fewest bytes any placement moves: exhaustive search"
                            : "found by greedy placement and improvement; not proven the fewest"));
            why.add("after: " + summary(after, a));
            Strategy target = target(a, owner, added);
            return new Plan(
                    Plan.Status.PLANNED,
                    in.map.kind(),
                    target,
                    added,
                    in.drain,
                    moves,
                    before,
                    after,
                    copyBytes,
                    copyRows,
                    a.balancer.exactRan() && a.balancer.proven(),
                    why);
        }

        private int countOn(int[] owner, int s) {
            int c = 0;
            for (int o : owner) {
                c += o == s ? 1 : 0;
            }
            return c;
        }

        private Strategy target(Attempt a, int[] owner, List<ShardId> added) {
            if (in.map instanceof VirtualShardMap v) {
                VirtualShardMap next = v;
                for (ShardId s : added) {
                    next = next.withShard(s);
                }
                Map<Integer, ShardId> moves = new LinkedHashMap<>();
                for (int u = 0; u < owner.length; u++) {
                    if (owner[u] != in.home[u]) {
                        moves.put(((MoveSet.VirtualShard) in.units.get(u).unit()).id(), a.shards.get(owner[u]));
                    }
                }
                if (!moves.isEmpty()) {
                    next = next.withMoves(moves);
                }
                for (ShardId d : in.drain) {
                    next = next.withoutShard(d);
                }
                return next;
            }
            Directory d = (Directory) in.map;
            boolean shardsChange = !added.isEmpty() || !in.drain.isEmpty();
            Map<Key, ShardId> listing = new LinkedHashMap<>();
            if (shardsChange || d.placement() == Directory.Placement.LEAST_LOADED) {
                for (int u = 0; u < owner.length; u++) {
                    Key k = ((MoveSet.Tenant) in.units.get(u).unit()).key();
                    if (owner[u] == in.home[u] && d.listedShard(k).isEmpty()) {
                        listing.put(k, a.shards.get(owner[u]));
                    }
                }
            }
            Directory next = listing.isEmpty() ? d : d.withTenants(listing);
            for (ShardId s : added) {
                next = next.withShard(s);
            }
            Map<Key, ShardId> moves = new LinkedHashMap<>();
            for (int u = 0; u < owner.length; u++) {
                if (owner[u] != in.home[u]) {
                    moves.put(((MoveSet.Tenant) in.units.get(u).unit()).key(), a.shards.get(owner[u]));
                }
            }
            if (!moves.isEmpty()) {
                next = next.withTenants(moves);
            }
            for (ShardId s : in.drain) {
                next = next.withoutShard(s);
            }
            return next;
        }

        private List<Plan.ShardState> states(Attempt a, int[] owner, boolean beforeView) {
            return Planner.states(in, a.shards, a.drained, a.cap, owner, beforeView);
        }

        private String reason(Plan.ShardState from, Plan.ShardState to, boolean drained, List<ShardId> added) {
            List<String> parts = new ArrayList<>();
            if (drained) {
                parts.add("drains " + from.shard());
            } else if (!from.fires().isEmpty()) {
                parts.add("clears " + joinTriggers(from.fires()) + " on " + from.shard());
            }
            if (added.contains(to.shard())) {
                parts.add("fills the new " + to.shard());
            } else if (to.fires().contains(Trigger.DISTRIBUTION)) {
                parts.add("fills " + to.shard() + ", below the average");
            } else {
                parts.add("onto " + to.shard() + ", which has room");
            }
            if (parts.size() == 1) {
                parts.add(0, "keeps the balance inside the thresholds after the other moves");
            }
            return String.join("; ", parts);
        }

        private List<String> growthLines() {
            List<String> out = new ArrayList<>();
            if (in.growthMeasured) {
                double total = 0;
                for (double s : in.slope) {
                    total += Double.isNaN(s) ? 0 : s;
                }
                out.add(String.format(
                        Locale.ROOT,
                        "growth: %s/day in all (least squares over the last %dd); in %.0f days the units hold %s.",
                        Triggers.bytes((long) total),
                        in.t.growthWindow().toDays(),
                        in.horizonDays,
                        Triggers.bytes((long) in.totalProj())));
            }
            if (!in.growthMeasured || !in.growthNotes.isEmpty()) {
                out.add(
                        in.growthMeasured
                                ? "growth not measured on " + String.join("; ", in.growthNotes) + "."
                                : "growth not measured (no shard has enough history): the plan is for today's sizes only.");
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- shared reporting

    /**
     * Per shard of {@code shards}: the units' sums under {@code owner}, and the triggers that fire,
     * among the current shards (before) or the active target shards (after).
     */
    static List<Plan.ShardState> states(
            Input in, List<ShardId> shards, boolean[] drained, double[] cap, int[] owner, boolean beforeView) {
        int n = shards.size();
        long[] b = new long[n];
        long[] rw = new long[n];
        double[] l = new double[n];
        double[] p = new double[n];
        for (int u = 0; u < owner.length; u++) {
            b[owner[u]] += in.bytes[u];
            rw[owner[u]] += in.rows[u];
            l[owner[u]] += in.load[u];
            p[owner[u]] += in.proj[u];
        }
        boolean[] scope = new boolean[n];
        int inScope = 0;
        for (int s = 0; s < n; s++) {
            scope[s] = beforeView ? s < in.current.size() : !drained[s];
            inScope += scope[s] ? 1 : 0;
        }
        double mean = 0;
        double meanLoad = 0;
        for (int s = 0; s < n; s++) {
            if (scope[s]) {
                mean += b[s];
                meanLoad += l[s];
            }
        }
        mean = inScope == 0 ? 0 : mean / inScope;
        meanLoad = inScope == 0 ? 0 : meanLoad / inScope;
        Thresholds t = in.t;
        List<Plan.ShardState> out = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
            List<Trigger> fires = new ArrayList<>();
            if (scope[s]) {
                if ((double) b[s] / cap[s] > t.storage()) {
                    fires.add(Trigger.STORAGE);
                }
                if (inScope >= 2 && meanLoad > 0 && l[s] / meanLoad > t.load()) {
                    fires.add(Trigger.LOAD);
                }
                if (in.growthMeasured && p[s] / cap[s] > t.storage()) {
                    fires.add(Trigger.GROWTH);
                }
                if (inScope >= 2 && mean > 0 && Math.abs((b[s] - mean) / mean) > t.spread()) {
                    fires.add(Trigger.DISTRIBUTION);
                }
            }
            out.add(new Plan.ShardState(
                    shards.get(s), b[s], rw[s], l[s], (long) cap[s], b[s] / cap[s], p[s] / cap[s], fires));
        }
        return out;
    }

    private static String joinTriggers(List<Trigger> fires) {
        return String.join(", ", fires.stream().map(Trigger::toString).toList());
    }

    private static List<String> violations(List<Plan.ShardState> states) {
        List<String> out = new ArrayList<>();
        for (Plan.ShardState s : states) {
            if (!s.fires().isEmpty()) {
                out.add(s.shard() + " " + joinTriggers(s.fires()));
            }
        }
        if (out.isEmpty()) {
            out.add("every trigger clears but the balance would be worse than today's");
        }
        return out;
    }

    private static String header(List<Plan.ShardState> before) {
        List<String> fired = new ArrayList<>();
        for (Plan.ShardState s : before) {
            for (Trigger t : s.fires()) {
                fired.add(String.format(
                        Locale.ROOT,
                        "%s %s (%s, %s of %s capacity, %.1f ops/s)",
                        s.shard(),
                        t,
                        Triggers.bytes(s.bytes()),
                        Triggers.percent(s.capacityShare()),
                        Triggers.bytes(s.capacityBytes()),
                        s.load()));
            }
        }
        return fired.isEmpty() ? "before: no trigger fires." : "before: " + String.join("; ", fired) + ".";
    }

    private static String summary(List<Plan.ShardState> after, Attempt a) {
        double maxShare = 0;
        double mean = 0;
        int active = 0;
        for (int s = 0; s < after.size(); s++) {
            if (!a.drained[s]) {
                maxShare = Math.max(maxShare, after.get(s).capacityShare());
                mean += after.get(s).bytes();
                active++;
            }
        }
        mean /= Math.max(1, active);
        double dev = 0;
        for (int s = 0; s < after.size(); s++) {
            if (!a.drained[s] && mean > 0) {
                dev = Math.max(dev, Math.abs((after.get(s).bytes() - mean) / mean));
            }
        }
        List<String> fired = violations(after);
        boolean clear = after.stream().allMatch(s -> s.fires().isEmpty());
        return String.format(
                Locale.ROOT,
                "%s; fullest shard at %s of capacity; sizes within ±%s of the average %s.",
                clear ? "no trigger fires" : "still firing: " + String.join("; ", fired),
                Triggers.percent(maxShare),
                Triggers.percent(dev),
                Triggers.bytes((long) mean));
    }

    // ---------------------------------------------------------------- ring and range

    private static Plan shardsOnly(Input in) {
        StrategyKind kind = in.map.kind();
        InvalidInputException.require(
                kind != StrategyKind.RANGE || in.drain.isEmpty(),
                "whatIf.drain",
                in.drain.toString(),
                "is not planned for the range strategy",
                "give the drained shard's ranges to other shards with `reshard map split-range` and a map edit,"
                        + " then plan again");
        double room = 0;
        for (ShardId s : in.current) {
            if (!in.drain.contains(s)) {
                room += in.t.storage() * in.capacityOf(s);
            }
        }
        for (ShardId s : in.add) {
            room += in.t.storage() * in.capacityOf(s);
        }
        double need = Math.max(in.totalProj(), in.totalBytes()) - room;
        int k = need <= 0 || !in.r.whatIf().addMoreIfNeeded()
                ? 0
                : (int) Math.ceil(need / (in.t.storage() * in.newCapacity));
        List<ShardId> added = new ArrayList<>(in.add);
        Set<ShardId> taken = new HashSet<>(in.current);
        taken.addAll(in.add);
        for (int i = 0; i < k; i++) {
            ShardId id = autoName(in.current, taken, 0);
            taken.add(id);
            added.add(id);
        }
        int n = in.current.size() + added.size();
        List<ShardId> shards = new ArrayList<>(in.current);
        shards.addAll(added);
        boolean[] drained = new boolean[n];
        double[] cap = new double[n];
        for (int s = 0; s < n; s++) {
            drained[s] = in.drain.contains(shards.get(s));
            cap[s] = in.capacityOf(shards.get(s));
        }
        List<Plan.ShardState> before = states(in, shards, drained, cap, in.home, true);
        List<String> why = new ArrayList<>();
        why.add(header(before));
        why.add(String.format(
                Locale.ROOT,
                "%s of data%s against %s of room at %s of capacity: %s.",
                Triggers.bytes(in.totalBytes()),
                in.growthMeasured
                        ? String.format(
                                Locale.ROOT, ", %s in %.0f days", Triggers.bytes((long) in.totalProj()), in.horizonDays)
                        : " (growth not measured)",
                Triggers.bytes((long) room),
                Triggers.percent(in.t.storage()),
                k == 0
                        ? "no shard needs adding for capacity"
                        : "add " + k + " shard" + (k == 1 ? "" : "s") + " of " + Triggers.bytes(in.newCapacity)));
        Strategy target;
        if (in.map instanceof ConsistentHashRing ring) {
            double weights = 0;
            double caps = 0;
            for (ShardId s : in.current) {
                weights += ring.weight(s);
                caps += in.capacityOf(s);
            }
            ConsistentHashRing next = ring;
            for (ShardId s : added) {
                double w = in.capacityOf(s) * weights / caps;
                next = next.withShard(s, w);
                why.add(String.format(
                        Locale.ROOT,
                        "ring: add %s with weight %.3f (its capacity in proportion to the current shards'); about %s"
                                + " moves to it.",
                        s,
                        w,
                        Triggers.bytes((long) (in.totalBytes() * w / (weights + w)))));
                weights += w;
                caps += in.capacityOf(s);
            }
            for (ShardId s : in.drain) {
                next = next.withoutShard(s);
                why.add("ring: " + s + " leaves the ring; its arcs pass to the next points.");
            }
            target = next;
            why.add("the ring's moves are not itemized here: its new points come from the ring, not from these"
                    + " statistics; `reshard map diff` lists the arcs, load and spread are not planned.");
        } else {
            RangeMap range = (RangeMap) in.map;
            target = added.isEmpty() ? range : RangeMap.of(range.ranges(), shards);
            why.add("range: where to split is not planned here: the split key that halves a hot range's rows or"
                    + " bytes must be found in the database; split with `reshard map split-range` onto "
                    + (added.isEmpty() ? "a new shard" : added.toString()) + ".");
        }
        return new Plan(
                Plan.Status.SHARDS_ONLY, kind, target, added, in.drain, List.of(), before, before, 0, 0, false, why);
    }
}
