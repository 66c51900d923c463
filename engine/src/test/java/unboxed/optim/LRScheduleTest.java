package unboxed.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.nn.Parameter;
import unboxed.tensor.Tensor;

/**
 * The schedules' closed forms at the steps where they are easy to state by hand; post 12's
 * fixtures hold them to torch.optim.lr_scheduler at every step.
 */
class LRScheduleTest {
    @Test
    void stepDropsByGammaEveryStepSize() {
        LRSchedule s = LRSchedule.step(0.1, 25, 0.1);
        assertEquals(0.1, s.lr(0), 0);
        assertEquals(0.1, s.lr(24), 0);
        assertEquals(0.1 * 0.1, s.lr(25), 1e-18);
        assertEquals(0.1 * 0.01, s.lr(50), 1e-18);
    }

    @Test
    void cosineFallsFromTheRateToEtaMinOverTMax() {
        LRSchedule s = LRSchedule.cosine(0.4, 100, 0.0);
        assertEquals(0.4, s.lr(0), 0);
        assertEquals(0.2, s.lr(50), 1e-15);
        assertEquals(0.0, s.lr(100), 1e-15);
        assertEquals(0.05 + 0.35 / 2, LRSchedule.cosine(0.4, 10, 0.05).lr(5), 1e-15);
    }

    @Test
    void oneCycleRisesToItsPeakAtPctStartThenFallsToTheFloor() {
        LRSchedule s = LRSchedule.oneCycle(0.5, 20, 0.3, 25, 1e4);
        assertEquals(0.5 / 25, s.lr(0), 1e-15);
        assertEquals(0.5, s.lr(5), 1e-15, "the peak at pct_start * total_steps - 1 = 5");
        assertEquals(0.5 / 25 / 1e4, s.lr(19), 1e-15);
        assertTrue(s.lr(3) > s.lr(2) && s.lr(12) < s.lr(11));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.lr(20));
        assertTrue(e.getMessage().contains("total_steps"), e.getMessage());
    }

    @Test
    void warmupRampsLinearlyThenHandsOverAtItsStepZero() {
        LRSchedule s = LRSchedule.cosine(1.0, 10, 0).withWarmup(4, 0.2);
        assertEquals(0.2, s.lr(0), 1e-15);
        assertEquals(0.6, s.lr(2), 1e-15);
        assertEquals(1.0, s.lr(4), 1e-15, "the cosine's own step 0");
        assertEquals(0.5, s.lr(9), 1e-15, "the cosine's step 5");
        assertEquals(0.7, LRSchedule.constant(0.7).withWarmup(3, 0.5).lr(100), 0);
    }

    @Test
    void applySetsTheRateOfEveryGroup() {
        Parameter a = new Parameter("a", Tensor.zeros(2));
        Parameter b = new Parameter("b", Tensor.zeros(2));
        SGD opt = new SGD(List.of(new ParamGroup(List.of(a)), new ParamGroup(List.of(b)).set("lr", 9.0)), 1.0);
        LRSchedule.step(0.3, 2, 0.5).apply(opt, 2);
        for (ParamGroup g : opt.paramGroups()) {
            assertEquals(0.15, g.getDouble("lr"), 1e-15);
        }
    }

    @Test
    void nonsenseIsRefusedWithWhatWasWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LRSchedule.constant(-1)).getMessage()
                .contains("positive"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LRSchedule.step(0.1, 0, 0.1)).getMessage()
                .contains("step_size"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LRSchedule.cosine(0.1, 10, 0.2)).getMessage()
                .contains("eta_min"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LRSchedule.oneCycle(0.1, 10, 1.5, 25, 1e4))
                .getMessage().contains("pct_start"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LRSchedule.constant(0.1).withWarmup(0, 0.1))
                .getMessage().contains("steps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LRSchedule.constant(0.1).lr(-1)).getMessage()
                .contains("negative"));
    }
}
