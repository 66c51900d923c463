package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

class HistogramTest {
    @Test
    void countsBinsAndTails() {
        Histogram h = Histogram.of(new float[] {-2, -1, -0.5f, 0, 0.5f, 0.99f, 1, 3, Float.NaN}, -1, 1, 4);
        assertArrayEquals(new long[] {1, 1, 1, 2}, h.counts());
        assertEquals(1, h.below());
        assertEquals(2, h.above());
        assertEquals(1, h.nonFinite());
        assertEquals(9, h.total());
        assertEquals(-0.75, h.centre(0), 1e-12);
    }

    @Test
    void standardizedNormalHasTheNormalDensity() {
        Tensor t = Tensor.randn(new Rng(3), 200_000).mul(7f).add(3f);
        Histogram h = Histogram.standardized(t, 4, 40);
        double[] d = h.density();
        // the bins beside 0 hold the normal density's peak, 1/sqrt(2π) ≈ 0.399
        assertEquals(0.399, (d[19] + d[20]) / 2, 0.01);
        // 4 sigma each side: about 6e-5 of the values are outside
        assertEquals(0, (double) (h.below() + h.above()) / h.total(), 2e-4);
    }

    @Test
    void aConstantTensorHasNoStandardForm() {
        Histogram h = Histogram.standardized(Tensor.full(2f, 10), 4, 8);
        assertEquals(0, h.below());
        assertEquals(10, h.above());
        assertArrayEquals(new long[8], h.counts());
    }
}
