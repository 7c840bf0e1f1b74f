package dev.reshard.workload;

import java.util.List;

/**
 * The end state checked against the writers' ledger (DESIGN.md §3, invariants 1-3).
 *
 * @param acknowledged rows the ledger says must exist (users + orders)
 * @param lost acknowledged rows missing everywhere, or holding an older value than acknowledged
 * @param resurrected rows whose delete was acknowledged, found on a shard
 * @param duplicated rows found on more than one shard
 * @param misplaced rows found only on a shard the map does not name for their key
 * @param unknown rows found that no writer ever wrote (nor the initial load)
 * @param uncertain keys skipped because a write to them had an unknown outcome
 * @param examples a few offending keys, for the report
 */
public record IntegrityReport(
        long acknowledged,
        long lost,
        long resurrected,
        long duplicated,
        long misplaced,
        long unknown,
        long uncertain,
        List<String> examples) {

    public boolean intact() {
        return lost == 0 && resurrected == 0 && duplicated == 0 && misplaced == 0 && unknown == 0;
    }

    @Override
    public String toString() {
        return "acknowledged " + acknowledged + ", lost " + lost + ", resurrected " + resurrected + ", duplicated "
                + duplicated + ", misplaced " + misplaced + ", unknown " + unknown + " (uncertain, not checked: "
                + uncertain + ")" + (examples.isEmpty() ? "" : " e.g. " + examples);
    }
}
