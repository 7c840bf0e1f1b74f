package dev.reshard.faults.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The checker's counts for one run. Every count under {@link #mustBeZero()} must be 0. */
public final class CheckReport {
    public long seed;
    public long mapVersion;
    public long ops;
    public long writes;
    public long writesOk;
    public long writesFail;
    public long writesUnknown;
    public long reads;
    public long readsOk;
    public long readsFail;
    public long movingOps;
    public long rowsLoaded;
    public long rowsFinal;
    public long acknowledged;
    public long malformedLines;

    public long lost;
    public long resurrected;
    public long duplicated;
    public long misplaced;
    public long unexpected;
    public long failedButApplied;
    public long outOfOrder;
    public long staleReads;
    public long phantomReads;
    public long noRowWrites;
    public long leftoverTriggers;
    public long leftoverChangelogRows;

    /** Examples of each violation (at most a few per kind), for the replay. */
    public final List<String> samples = new ArrayList<>();

    private final Map<String, Integer> sampled = new LinkedHashMap<>();

    void sample(String kind, String text) {
        int n = sampled.merge(kind, 1, Integer::sum);
        if (n <= 5) {
            samples.add(kind + ": " + text);
        }
    }

    public Map<String, Long> mustBeZero() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("lost", lost);
        m.put("resurrected", resurrected);
        m.put("duplicated", duplicated);
        m.put("misplaced", misplaced);
        m.put("unexpected", unexpected);
        m.put("failed-but-applied", failedButApplied);
        m.put("out-of-order", outOfOrder);
        m.put("stale-reads", staleReads);
        m.put("phantom-reads", phantomReads);
        m.put("no-row-writes", noRowWrites);
        m.put("leftover-triggers", leftoverTriggers);
        m.put("leftover-changelog-rows", leftoverChangelogRows);
        return m;
    }

    public boolean clean() {
        return mustBeZero().values().stream().allMatch(v -> v == 0);
    }

    public double movingShare() {
        return ops == 0 ? 0 : (double) movingOps / ops;
    }

    public String counts() {
        StringBuilder b = new StringBuilder();
        mustBeZero()
                .forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ")
                        .append(k)
                        .append(' ')
                        .append(v));
        return b.toString();
    }

    public String summary() {
        return String.format(
                Locale.ROOT,
                "ops %d (writes %d: ok %d, fail %d, unknown %d; reads %d: ok %d, fail %d), %.0f%% on moving keys;"
                        + " rows %d loaded, %d at the end (map v%d); acknowledged %d; %s",
                ops,
                writes,
                writesOk,
                writesFail,
                writesUnknown,
                reads,
                readsOk,
                readsFail,
                100 * movingShare(),
                rowsLoaded,
                rowsFinal,
                mapVersion,
                acknowledged,
                counts());
    }
}
