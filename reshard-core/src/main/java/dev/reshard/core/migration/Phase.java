package dev.reshard.core.migration;

import dev.reshard.core.InvalidInputException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/*
 * Design notes
 *
 * One enum, one transition table (DESIGN.md section 2). Each phase also says how a router treats a
 * key that moves: which side it reads, which side is the primary (the source of truth where the
 * application's work runs once), and how the primary's changes reach the other side.
 *
 * - Before READ_NEW the old shard is the primary and nobody reads the new one, so a failed mirror
 *   is left to the changelog (BEST_EFFORT) and the request succeeds.
 * - In READ_NEW reads go to the new shard while the old one stays primary, so the mirror must land
 *   before the request is acknowledged (STRICT): a failure rolls the primary back.
 * - From CUTOVER the new shard is the primary and the only side written.
 *
 * CLEANUP is the point of no return: once moved rows are deleted from the old shards, a rollback
 * would have nothing to return to. Every phase before it can be rolled back.
 */
/** The phases of a migration, the legal transitions between them, and how each one routes. */
public enum Phase {
    PLANNED(Side.OLD, Side.OLD, Mirror.NONE),
    DUAL_WRITE(Side.OLD, Side.OLD, Mirror.BEST_EFFORT),
    BACKFILL(Side.OLD, Side.OLD, Mirror.BEST_EFFORT),
    VERIFY(Side.OLD, Side.OLD, Mirror.BEST_EFFORT),
    READ_NEW(Side.NEW, Side.OLD, Mirror.STRICT),
    CUTOVER(Side.NEW, Side.NEW, Mirror.NONE),
    CLEANUP(Side.NEW, Side.NEW, Mirror.NONE),
    DONE(Side.NEW, Side.NEW, Mirror.NONE),
    ROLLING_BACK(Side.OLD, Side.OLD, Mirror.NONE),
    ROLLED_BACK(Side.OLD, Side.OLD, Mirror.NONE);

    /** Which map's shard a moving key uses. */
    public enum Side {
        OLD,
        NEW
    }

    /** How the primary's changes reach the other side. */
    public enum Mirror {
        /** Not mirrored. */
        NONE,
        /** Mirrored; a failure is left to the changelog and the request still succeeds. */
        BEST_EFFORT,
        /** Mirrored; a failure fails the request with nothing committed. */
        STRICT
    }

    /** The first phase from which a rollback is impossible. */
    public static final Phase POINT_OF_NO_RETURN = CLEANUP;

    private static final Map<Phase, Set<Phase>> NEXT = Map.of(
            PLANNED, EnumSet.of(DUAL_WRITE, ROLLED_BACK),
            DUAL_WRITE, EnumSet.of(BACKFILL, ROLLING_BACK),
            BACKFILL, EnumSet.of(VERIFY, ROLLING_BACK),
            VERIFY, EnumSet.of(READ_NEW, BACKFILL, ROLLING_BACK),
            READ_NEW, EnumSet.of(CUTOVER, VERIFY, ROLLING_BACK),
            CUTOVER, EnumSet.of(CLEANUP, ROLLING_BACK),
            CLEANUP, EnumSet.of(DONE),
            DONE, EnumSet.noneOf(Phase.class),
            ROLLING_BACK, EnumSet.of(ROLLED_BACK),
            ROLLED_BACK, EnumSet.noneOf(Phase.class));

    /**
     * The path of a migration that is not rolled back, in order: the one place the forward order is
     * written down. Every step of it is a legal transition of the table above.
     */
    public static final List<Phase> FORWARD =
            List.of(PLANNED, DUAL_WRITE, BACKFILL, VERIFY, READ_NEW, CUTOVER, CLEANUP, DONE);

    /** The path of a rollback, in order (entered from any phase that {@link #canRollBack()}). */
    public static final List<Phase> ROLLBACK = List.of(ROLLING_BACK, ROLLED_BACK);

    private final Side reads;
    private final Side primary;
    private final Mirror mirror;

    Phase(Side reads, Side primary, Mirror mirror) {
        this.reads = reads;
        this.primary = primary;
        this.mirror = mirror;
    }

    /** The side a moving key is read from. */
    public Side reads() {
        return reads;
    }

    /** The side a moving key's writes run on first. */
    public Side primary() {
        return primary;
    }

    /** How writes reach the side that is not the primary. */
    public Mirror mirror() {
        return mirror;
    }

    /** The phase after this one on the {@link #FORWARD} path; empty for DONE and the rollback path. */
    public Optional<Phase> forwardNext() {
        int at = FORWARD.indexOf(this);
        return at < 0 || at == FORWARD.size() - 1 ? Optional.empty() : Optional.of(FORWARD.get(at + 1));
    }

    /**
     * The phases a run can be asked to stop before: every forward phase after PLANNED. Stopping
     * before one means after the work of the phase that precedes it, before the transition.
     */
    public static Set<Phase> stoppable() {
        return EnumSet.copyOf(FORWARD.subList(1, FORWARD.size()));
    }

    public boolean isTerminal() {
        return NEXT.get(this).isEmpty();
    }

    public boolean canRollBack() {
        return NEXT.get(this).contains(ROLLING_BACK) || this == PLANNED;
    }

    public boolean canMoveTo(Phase next) {
        return NEXT.get(this).contains(next);
    }

    /** Refuses an illegal transition, naming both phases and the legal ones. */
    public void requireMoveTo(Phase next) {
        if (!canMoveTo(next)) {
            throw InvalidInputException.of(
                    "phase",
                    next.name(),
                    "cannot follow " + name(),
                    isTerminal() ? name() + " is final" : "from " + name() + " go to one of " + NEXT.get(this));
        }
    }

    public static Phase parse(String field, String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (RuntimeException e) {
            throw InvalidInputException.of(
                    field, text, "is not a migration phase", "use one of " + EnumSet.allOf(Phase.class));
        }
    }
}
