package unboxed.brain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WidthRunTest {
    @Test
    void evaluationsAreSpacedEvenlyInLogScale() {
        List<Integer> s = WidthRun.schedule(1000, 4);
        assertEquals(0, s.get(0));
        assertEquals(1000, s.get(s.size() - 1));
        for (int i = 1; i < s.size(); i++) {
            assertTrue(s.get(i) > s.get(i - 1), "increasing: " + s);
        }
        // 4 per doubling: from 64 to 128 steps, four evaluations (and not more than five)
        long between = s.stream().filter(v -> v > 64 && v <= 128).count();
        assertTrue(between >= 3 && between <= 5, s.toString());
    }

    @Test
    void theExamplesToATargetAreInterpolatedInLogScale() {
        List<Long> ex = List.of(0L, 100L, 400L, 1600L);
        List<Double> acc = List.of(0.1, 0.8, 1.0, 1.0);
        // halfway from 0.8 to 1.0 is halfway from log 100 to log 400: 200
        assertEquals(200, WidthRun.examplesTo(0.9, ex, acc), 1e-9);
        assertEquals(400, WidthRun.examplesTo(1.0, ex, acc), 1e-9);
        // from 0 examples the interpolation is linear: 0.45 is halfway from 0.1 to 0.8
        assertEquals(50, WidthRun.examplesTo(0.45, ex, acc), 1e-9);
        assertNull(WidthRun.examplesTo(1.01, ex, acc));
    }

    @Test
    void sixFlopPerWeightPerExample() {
        assertEquals(784 * 256 + 256 * 10, WidthRun.weights(256));
        assertEquals(6.0 * (784 * 2 + 2 * 10), WidthRun.flopPerExample(2));
    }
}
