package dev.reshard.core.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.migration.Phase.Mirror;
import dev.reshard.core.migration.Phase.Side;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhaseTest {

    @Test
    void forwardPath_isTheGuidesFlow() {
        List<Phase> path = new ArrayList<>(List.of(Phase.PLANNED));
        Phase[] forward = {
            Phase.DUAL_WRITE, Phase.BACKFILL, Phase.VERIFY, Phase.READ_NEW, Phase.CUTOVER, Phase.CLEANUP, Phase.DONE
        };
        for (Phase next : forward) {
            path.get(path.size() - 1).requireMoveTo(next);
            path.add(next);
        }
        assertThat(Phase.DONE.isTerminal()).isTrue();
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
