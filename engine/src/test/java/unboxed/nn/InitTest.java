package unboxed.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * torch.nn.init's schemes: bounds exactly (a uniform draw never leaves its interval, and fills
 * it), variances statistically (200 000 draws: the sample variance lies within 2% of the target,
 * about six standard errors), fans and gains as PyTorch computes them.
 */
class InitTest {
    private static final int OUT = 400;
    private static final int IN = 500;

    private static double[] moments(Tensor t) {
        double s = 0;
        double s2 = 0;
        double max = 0;
        for (float v : t.toArray()) {
            s += v;
            s2 += (double) v * v;
            max = Math.max(max, Math.abs(v));
        }
        int n = t.numel();
        double mean = s / n;
        return new double[] {mean, s2 / n - mean * mean, max};
    }

    private static Tensor weight() {
        return Tensor.zeros(OUT, IN).requiresGrad(true);
    }

    private static void assertVariance(double expected, Tensor t) {
        double[] m = moments(t);
        assertEquals(0, m[0], 6 * Math.sqrt(expected / t.numel()), "mean");
        assertEquals(1, m[1] / expected, 0.02, "variance " + m[1] + ", expected " + expected);
    }

    @Test
    void fansFollowPyTorch() {
        assertArrayEquals(new int[] {IN, OUT}, Init.fans(Tensor.zeros(OUT, IN)));
        // conv weight [out, in, kh, kw]: the receptive field multiplies both fans
        assertArrayEquals(new int[] {3 * 5 * 7, 4 * 5 * 7}, Init.fans(Tensor.zeros(4, 3, 5, 7)));
        assertThrows(IllegalArgumentException.class, () -> Init.fans(Tensor.zeros(5)));
    }

    @Test
    void gainsFollowPyTorch() {
        assertEquals(1.0, Init.calculateGain("linear"));
        assertEquals(1.0, Init.calculateGain("sigmoid"));
        assertEquals(5.0 / 3, Init.calculateGain("tanh"));
        assertEquals(Math.sqrt(2), Init.calculateGain("relu"));
        assertEquals(Math.sqrt(2.0 / (1 + 0.01 * 0.01)), Init.calculateGain("leaky_relu"));
        // nn.Linear's default: leaky_relu with a = sqrt(5), so gain² = 1/3 and the bound is 1/sqrt(fan_in)
        assertEquals(1.0 / 3, Math.pow(Init.calculateGain("leaky_relu", Math.sqrt(5)), 2), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("swish"));
    }

    @Test
    void normalHasItsStd() {
        Tensor t = weight();
        assertSame(t, Init.normal_(t, 0, 0.01, new Rng(1)));
        assertVariance(1e-4, t);
        assertTrue(t.requiresGrad() && t.isLeaf(), "still a leaf that requires grad");
    }

    @Test
    void uniformStaysInItsBoundsAndFillsThem() {
        Tensor t = Init.uniform_(weight(), -0.25, 0.75, new Rng(2));
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : t.toArray()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min >= -0.25f && max <= 0.75f, "in [-0.25, 0.75]: " + min + ".." + max);
        assertTrue(min < -0.249f && max > 0.749f, "fills the interval: " + min + ".." + max);
    }

    @Test
    void xavierUniformBoundAndVariance() {
        Tensor t = Init.xavierUniform_(weight(), 1.0, new Rng(3));
        double bound = Math.sqrt(6.0 / (IN + OUT));
        double[] m = moments(t);
        assertTrue(m[2] <= (float) bound, "max |w| " + m[2] + " within the bound " + bound);
        assertTrue(m[2] > 0.999 * bound, "fills the bound");
        assertVariance(2.0 / (IN + OUT), t);
        Tensor g = Init.xavierUniform_(weight(), 5.0 / 3, new Rng(3));
        assertVariance(25.0 / 9 * 2.0 / (IN + OUT), g);
    }

    @Test
    void xavierNormalVariance() {
        assertVariance(2.0 / (IN + OUT), Init.xavierNormal_(weight(), 1.0, new Rng(4)));
    }

    @Test
    void kaimingNormalVarianceByMode() {
        assertVariance(2.0 / IN, Init.kaimingNormal_(weight(), 0, "fan_in", "relu", new Rng(5)));
        assertVariance(2.0 / OUT, Init.kaimingNormal_(weight(), 0, "fan_out", "relu", new Rng(6)));
        assertVariance(1.0 / IN, Init.kaimingNormal_(weight(), 0, "fan_in", "linear", new Rng(7)));
        assertThrows(IllegalArgumentException.class,
                () -> Init.kaimingNormal_(weight(), 0, "fan_avg", "relu", new Rng(7)));
    }

    @Test
    void kaimingUniformWithSqrt5IsLinearsDefault() {
        Tensor t = Init.kaimingUniform_(weight(), Math.sqrt(5), "fan_in", "leaky_relu", new Rng(8));
        double bound = 1 / Math.sqrt(IN);
        double[] m = moments(t);
        assertTrue(m[2] <= (float) bound && m[2] > 0.999 * bound, "bound 1/sqrt(fan_in): max |w| = " + m[2]);
        assertVariance(1.0 / (3 * IN), t);
    }

    @Test
    void sameSeedSameValues() {
        float[] a = Init.kaimingNormal_(weight(), 0, "fan_in", "relu", new Rng(9)).toArray();
        float[] b = Init.kaimingNormal_(weight(), 0, "fan_in", "relu", new Rng(9)).toArray();
        assertArrayEquals(a, b);
    }

    @Test
    void constantsAndZeros() {
        Tensor t = Init.constant_(weight(), 0.5);
        for (float v : t.toArray()) {
            assertEquals(0.5f, v);
        }
        for (float v : Init.zeros_(t).toArray()) {
            assertEquals(0f, v);
        }
    }
}
