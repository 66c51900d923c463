package unboxed.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.backend.Backend;
import unboxed.backend.Backends;

/**
 * The optimizers' in-place ops, rounded as PyTorch's CPU kernels round them: {@code add_(x, alpha)} and
 * {@code addcmul_} with one fused multiply-add per element, {@code addcdiv_} rounded at every step; in
 * the vector loop and its scalar tail alike, for broadcast operands and strided targets.
 */
class FusedInPlaceTest {

    private static float[] values(int n, long seed, double scale) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    // 37 elements: whole vectors and a scalar tail, for any vector width
    private static final int N = 37;

    @Test
    void addWithAlphaIsOneFusedMultiplyAdd() {
        float[] y = values(N, 1, 1);
        float[] x = values(N, 2, 1);
        float alpha = 0.1f;
        Tensor t = Tensor.of(y, N);
        int version = t.version();
        assertSame(t, t.add_(Tensor.of(x, N), alpha), "in place: returns the tensor it wrote");
        float[] got = t.toArray();
        int differsFromTwoRoundings = 0;
        for (int i = 0; i < N; i++) {
            assertEquals(Math.fma(alpha, x[i], y[i]), got[i], 0f, "element " + i);
            differsFromTwoRoundings += got[i] != y[i] + alpha * x[i] ? 1 : 0;
        }
        assertTrue(differsFromTwoRoundings > 0, "these values tell a fused multiply-add from two roundings");
        assertTrue(t.version() > version, "an in-place write bumps the version");
    }

    @Test
    void addcmulRoundsValueTimesT1ThenFuses() {
        float[] y = values(N, 3, 1);
        float[] a = values(N, 4, 1);
        float[] b = values(N, 5, 1);
        float value = 0.001f;
        Tensor t = Tensor.of(y, N).addcmul_(Tensor.of(a, N), Tensor.of(b, N), value);
        float[] got = t.toArray();
        for (int i = 0; i < N; i++) {
            assertEquals(Math.fma(value * a[i], b[i], y[i]), got[i], 0f, "element " + i);
        }
    }

    @Test
    void addcdivRoundsEveryStep() {
        float[] y = values(N, 6, 1);
        float[] a = values(N, 7, 1);
        float[] b = values(N, 8, 1);
        float value = -0.01f;
        Tensor t = Tensor.of(y, N).addcdiv_(Tensor.of(a, N), Tensor.of(b, N), value);
        float[] got = t.toArray();
        for (int i = 0; i < N; i++) {
            assertEquals(y[i] + (value * a[i]) / b[i], got[i], 0f, "element " + i);
        }
    }

    @Test
    void broadcastOperandsAndAStridedTarget() {
        // target: the transpose of a [5, 8] tensor (not contiguous); x broadcast along the rows
        float[] base = values(40, 9, 1);
        Tensor m = Tensor.of(base.clone(), 5, 8);
        Tensor t = m.t();
        float[] row = values(5, 10, 1);
        t.add_(Tensor.of(row, 5), 0.3f);
        float[] got = m.toArray();
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 8; j++) {
                assertEquals(Math.fma(0.3f, row[i], base[i * 8 + j]), got[i * 8 + j], 0f, i + "," + j);
            }
        }
        // a 0-dim target and operands
        Tensor s = Tensor.scalar(2f).addcmul_(Tensor.scalar(3f), Tensor.scalar(0.1f), 0.5f);
        assertEquals(Math.fma(0.5f * 3f, 0.1f, 2f), s.item(), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(3).add_(Tensor.zeros(2, 3), 1f));
        assertTrue(e.getMessage().contains("add_") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void refusedOnATensorInAGraph() {
        Tensor leaf = Tensor.zeros(3).requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> leaf.add_(Tensor.ones(3), 1f));
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            leaf.add_(Tensor.ones(3), 2f); // an optimizer's update, not recorded
        }
        assertArrayEquals(new float[] {2, 2, 2}, leaf.toArray());
    }

    /** A backend without a fused kernel (the recording test backend takes Backend's default) rounds the product first. */
    @Test
    void theDefaultRoundsTheProductFirst() {
        Backend rec = Backends.create("recording", 1);
        float[] y = values(N, 11, 1);
        float[] x = values(N, 12, 1);
        float[] got = Tensor.of(rec, y, N).add_(Tensor.of(rec, x, N), 0.1f).toArray();
        float[] a = values(N, 13, 1);
        float[] got2 = Tensor.of(rec, y, N).addcmul_(Tensor.of(rec, x, N), Tensor.of(rec, a, N), 0.5f).toArray();
        for (int i = 0; i < N; i++) {
            assertEquals(y[i] + 0.1f * x[i], got[i], 0f, "element " + i);
            assertEquals(y[i] + (0.5f * x[i]) * a[i], got2[i], 0f, "element " + i);
        }
    }
}
