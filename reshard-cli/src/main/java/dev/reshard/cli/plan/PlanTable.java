package dev.reshard.cli.plan;

import java.util.ArrayList;
import java.util.List;

/** Renders a {@link PlanReport} as aligned text for an 80-column terminal. */
final class PlanTable {
    static final int WIDTH = 80;
    private static final int LABEL = 10;
    private static final String NBSP = "\u00a0";

    private PlanTable() {}

    static String render(PlanReport r) {
        StringBuilder out = new StringBuilder();
        field(out, "plan", r.strategy() + ": " + r.operation());
        field(out, "before", "v" + r.before().version() + " " + r.before().map());
        field(out, "after", "v" + r.after().version() + " " + r.after().map());
        field(out, "keys", r.keys().description());
        out.append('\n');
        table(out, r);
        out.append('\n');
        field(
                out,
                "moved",
                Format.percent(r.movedFraction()) + " of the keys ("
                        + Format.count(r.totals().movedOut()) + " of "
                        + Format.count(r.keys().count()) + ")");
        field(out, "optimum", Format.percent(r.optimalFraction()) + " (" + r.optimalBasis() + ")");
        field(
                out,
                "ratio",
                r.ratio() == null
                        ? "n/a: the optimum moves nothing, this plan moves "
                                + Format.count(r.totals().movedOut()) + " keys"
                        : Format.ratio(r.ratio()) + " moved/optimum");
        field(
                out,
                "balance",
                "largest shard " + Format.ratio(r.largestOverMeanBefore()) + "x the mean before, "
                        + Format.ratio(r.largestOverMeanAfter()) + "x after");
        field(out, "units", r.units().summary());
        if (r.units().perKeyReason() != null) {
            field(
                    out,
                    "note",
                    "the move set also decides some keys one by one: "
                            + r.units().perKeyReason());
        }
        return out.toString();
    }

    private static void table(StringBuilder out, PlanReport r) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"", "keys", "keys", "moved", "moved", r.unit(), r.unit()});
        rows.add(new String[] {"shard", "before", "after", "out", "in", "before", "after"});
        for (PlanReport.ShardRow s : r.shards()) {
            rows.add(new String[] {
                s.shard(),
                Format.count(s.keysBefore()),
                Format.count(s.keysAfter()),
                Format.count(s.movedOut()),
                Format.count(s.movedIn()),
                Format.count(s.unitsBefore()),
                Format.count(s.unitsAfter())
            });
        }
        PlanReport.Totals t = r.totals();
        String[] total = {
            "total",
            Format.count(t.keysBefore()),
            Format.count(t.keysAfter()),
            Format.count(t.movedOut()),
            Format.count(t.movedIn()),
            Format.count(t.unitsBefore()),
            Format.count(t.unitsAfter())
        };
        rows.add(total);
        int[] width = new int[total.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        String[] rule = new String[width.length];
        for (int c = 0; c < width.length; c++) {
            rule[c] = "-".repeat(width[c]);
        }
        rows.add(2, rule);
        rows.add(rows.size() - 1, rule);
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                if (c == 0) {
                    line.append(row[c]).append(" ".repeat(width[c] - row[c].length()));
                } else {
                    line.append("  ")
                            .append(" ".repeat(width[c] - row[c].length()))
                            .append(row[c]);
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /**
     * {@code label:} then {@code text}, wrapped at {@link #WIDTH} under the text. Wraps at spaces, but
     * not inside {@code a -> b}, {@code shard (52)} or {@code hash xxh3-64/v1}.
     */
    private static void field(StringBuilder out, String label, String text) {
        String glued = text.replace(" -> ", NBSP + "->" + NBSP)
                .replace(" (", NBSP + "(")
                .replace("hash ", "hash" + NBSP)
                .replace("fraction ", "fraction" + NBSP);
        StringBuilder line = new StringBuilder(label).append(':');
        line.append(" ".repeat(LABEL - line.length()));
        for (String word : glued.split(" ")) {
            if (line.length() > LABEL && line.length() + 1 + word.length() > WIDTH) {
                out.append(line.toString().stripTrailing().replace(NBSP, " ")).append('\n');
                line.setLength(0);
                line.append(" ".repeat(LABEL));
            } else if (line.length() > LABEL) {
                line.append(' ');
            }
            line.append(word);
        }
        out.append(line.toString().replace(NBSP, " ")).append('\n');
    }
}
