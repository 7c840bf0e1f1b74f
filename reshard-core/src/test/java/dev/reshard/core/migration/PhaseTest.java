package dev.reshard.core.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.migration.Phase.Mirror;
import dev.reshard.core.migration.Phase.Side;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhaseTest {

    @Test
    void forwardPath_isTheGuidesFlow_andEveryStepIsLegal() {
        assertThat(Phase.FORWARD)
                .containsExactly(
                        Phase.PLANNED,
                        Phase.DUAL_WRITE,
                        Phase.BACKFILL,
                        Phase.VERIFY,
                        Phase.READ_NEW,
                        Phase.CUTOVER,
                        Phase.CLEANUP,
                        Phase.DONE);
        for (int i = 1; i < Phase.FORWARD.size(); i++) {
            Phase.FORWARD.get(i - 1).requireMoveTo(Phase.FORWARD.get(i));
            assertThat(Phase.FORWARD.get(i - 1).forwardNext()).contains(Phase.FORWARD.get(i));
        }
        assertThat(Phase.DONE.isTerminal()).isTrue();
        assertThat(Phase.DONE.forwardNext()).isEmpty();
        assertThat(Phase.ROLLING_BACK.forwardNext()).isEmpty();
        Phase.ROLLBACK.get(0).requireMoveTo(Phase.ROLLBACK.get(1));
        assertThat(Phase.ROLLED_BACK.isTerminal()).isTrue();
    }

    @Test
    void everyPhase_isOnExactlyOnePath() {
        for (Phase p : Phase.values()) {
            assertThat(Phase.FORWARD.contains(p) ^ Phase.ROLLBACK.contains(p))
                    .as(p.name())
                    .isTrue();
        }
        assertThat(Phase.stoppable()).doesNotContain(Phase.PLANNED).contains(Phase.DUAL_WRITE, Phase.DONE);
    }

    @Test
    void routing_followsThePhaseTable() {
        assertThat(Phase.PLANNED.mirror()).isEqualTo(Mirror.NONE);
        for (Phase p : List.of(Phase.DUAL_WRITE, Phase.BACKFILL, Phase.VERIFY)) {
            assertThat(p.reads()).isEqualTo(Side.OLD);
            assertThat(p.primary()).isEqualTo(Side.OLD);
            assertThat(p.mirror()).isEqualTo(Mirror.BEST_EFFORT);
        }
        assertThat(Phase.READ_NEW.reads()).isEqualTo(Side.NEW);
        assertThat(Phase.READ_NEW.primary()).isEqualTo(Side.OLD);
        assertThat(Phase.READ_NEW.mirror()).isEqualTo(Mirror.STRICT);
        assertThat(Phase.CUTOVER.primary()).isEqualTo(Side.NEW);
        assertThat(Phase.CUTOVER.mirror()).isEqualTo(Mirror.NONE);
    }

    @Test
    void everyPhaseBeforeTheePointOfNoReturn_canRollBack() {
        for (Phase p : Phase.values()) {
            boolean before = p.ordinal() < Phase.POINT_OF_NO_RETURN.ordinal();
            assertThat(p.canRollBack()).as(p.name()).isEqualTo(before);
        }
    }

    @Test
    void illegalTransition_isRefusedNamingTheLegalOnes() {
        assertThatThrownBy(() -> Phase.BACKFILL.requireMoveTo(Phase.CUTOVER))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "phase: \"CUTOVER\" cannot follow BACKFILL; from BACKFILL go to one of [VERIFY, ROLLING_BACK]");
        assertThatThrownBy(() -> Phase.CLEANUP.requireMoveTo(Phase.ROLLING_BACK))
                .hasMessageContaining("from CLEANUP go to one of [DONE]");
        assertThatThrownBy(() -> Phase.DONE.requireMoveTo(Phase.ROLLING_BACK)).hasMessageContaining("DONE is final");
    }
}
