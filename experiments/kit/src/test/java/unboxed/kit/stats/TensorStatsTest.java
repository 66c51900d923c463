package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

class TensorStatsTest {
    @Test
    void momentsOfAKnownTensor() {
        TensorStats s = TensorStats.of(Tensor.of(new float[] {1, 2, 3, 4, 0, 0}, 2, 3));
        assertEquals(6, s.count());
        assertEquals(10.0 / 6, s.mean(), 1e-12);
        double var = (1 + 4 + 9 + 16) / 6.0 - Math.pow(10.0 / 6, 2);
        assertEquals(Math.sqrt(var), s.std(), 1e-12);
        assertEquals(Math.sqrt(30.0 / 6), s.rms(), 1e-12);
        assertEquals(Math.sqrt(30.0), s.norm(), 1e-12);
        assertEquals(0, s.min());
        assertEquals(4, s.max());
        assertEquals(2.0 / 6, s.fractionZero(), 1e-12);
        assertTrue(s.finite());
    }

    @Test
    void stdSurvivesALargeMean() {
        // E[x²] − E[x]² would cancel to nothing in float; the two-pass form keeps it
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = 1e4f + (i % 2 == 0 ? 0.5f : -0.5f);
        }
        assertEquals(0.5, TensorStats.of(v).std(), 1e-9);
    }

    @Test
    void overflowIsCountedNotHidden() {
        TensorStats s = TensorStats.of(new float[] {1, Float.POSITIVE_INFINITY, Float.NaN});
        assertEquals(2, s.nonFinite());
        assertFalse(s.finite());
        assertTrue(Double.isNaN(s.std()));
    }

    @Test
    void stridedViewsAreSummarisedByTheirValues() {
        Tensor t = Tensor.randn(new Rng(1), 30, 40);
        assertEquals(TensorStats.of(t.t().contiguous()), TensorStats.of(t.t().contiguous()));
        assertEquals(TensorStats.of(t).std(), TensorStats.of(t.t()).std(), 1e-12);
    }

    @Test
    void noValuesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> TensorStats.of(new float[0]));
    }
}
