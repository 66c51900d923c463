package unboxed.transposeconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** The two textbook forms of the transposed convolution, and part 2's identity. */
class TransposedTest {
    private static final int[] ONE = {1, 1};
    private static final int[] ZERO = {0, 0};

    @Test
    void scatterStampsTheKernelAtStrideSteps() {
        float[] x = {1, 2};            // [1, 1, 1, 2]
        float[] w = {1, 10};           // [1, 1, 1, 2]
        int[] xs = {1, 1, 1, 2};
        int[] ws = {1, 1, 1, 2};
        // stride 2: the stamps sit side by side; stride 1: they overlap in the middle
        assertArrayEquals(new double[] {1, 10, 2, 20}, Transposed.scatter(x, xs, w, ws, new int[] {1, 2}, ZERO, ZERO, 1,
                ONE), 0);
        assertArrayEquals(new double[] {1, 12, 20}, Transposed.scatter(x, xs, w, ws, ONE, ZERO, ZERO, 1, ONE), 0);
        // padding 1 crops one value from each end
        assertArrayEquals(new double[] {12}, Transposed.scatter(x, xs, w, ws, ONE, new int[] {0, 1}, ZERO, 1, ONE), 0);
    }

    @Test
    void outputPaddingPicksTheInputSize() {
        assertEquals(0, Transposed.outputPaddingFor(9, 3, 2, 1, 1));
        assertEquals(1, Transposed.outputPaddingFor(8, 3, 2, 1, 1));
        assertEquals(2, Transposed.outputPaddingFor(10, 2, 3, 0, 1));
        assertEquals(8, Transposed.outputSize(4, 3, 2, 1, 1, 1));
    }

    @Test
    void everyFormAgreesOnEveryConfiguration() {
        Rng rng = new Rng(3);
        for (TransposeIsGradient.Config c : TransposeIsGradient.CONFIGS) {
            Map<String, Object> r = TransposeIsGradient.check(c, rng.fork(c.label()));
            double scale = (double) r.get("max_abs_grad");
            for (String k : new String[] {"autograd_vs_conv_transpose2d", "scatter_vs_conv_transpose2d",
                    "zero_insertion_vs_conv_transpose2d"}) {
                // float32 sums of at most a few dozen products: a few ulp of the largest value
                assertTrue((double) r.get(k) <= 1e-5 * scale, c.label() + ": " + k + " = " + r.get(k));
            }
            assertTrue((double) r.get("converse_autograd_vs_conv2d") <= 1e-5 * (double) r.get("max_abs_conv2d"),
                    c.label());
        }
    }

    @Test
    void theComparisonCatchesAWrongKernel() {
        // the forward convolution's kernel without the flip is not what zero insertion needs: a wrong form must show
        Rng rng = new Rng(4);
        Tensor g = Tensor.randn(rng, 1, 2, 4, 4);
        Tensor w = Tensor.randn(rng, 2, 3, 3, 3);
        float[] right = F.convTranspose2d(g, w, null, new int[] {2}, new int[] {1}, new int[] {1}, 1, new int[] {1})
                .toArray();
        float[] viaZeros = Transposed.zeroInsertion(g, w, new int[] {2, 2}, ONE, ONE, 1, ONE).toArray();
        assertArrayEquals(right, viaZeros, 1e-4f);
        Tensor flippedTwice = Tensor.of(flip(w.toArray(), 2 * 3, 3), 2, 3, 3, 3);
        float[] wrong = Transposed.zeroInsertion(g, flippedTwice, new int[] {2, 2}, ONE, ONE, 1, ONE).toArray();
        assertTrue(ReceptiveFields.maxAbsDiff(right, wrong) > 0.1);
    }

    private static float[] flip(float[] w, int planes, int k) {
        float[] out = new float[w.length];
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    out[(p * k + i) * k + j] = w[(p * k + (k - 1 - i)) * k + (k - 1 - j)];
                }
            }
        }
        return out;
    }
}
