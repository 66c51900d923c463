package unboxed.fluctuations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.kit.stats.TensorStats;
import unboxed.nn.Linear;
import unboxed.tensor.Rng;

/** The stack measures what the theory predicts where the theory is exact in expectation, and is reproducible. */
class StackTest {
    @Test
    void schemesGiveTheirVariances() {
        for (Scheme s : Scheme.values()) {
            Linear fc = new Linear(300, 200, new Rng(1));
            s.apply(fc, new Rng(2));
            TensorStats w = TensorStats.of(fc.weight().data());
            double expected = s.weightVariance(300, 200);
            assertEquals(1, w.std() * w.std() / expected, 0.03, s.id);
            TensorStats b = TensorStats.of(fc.bias().data());
            assertEquals(s.biasVariance(300), b.rms() * b.rms(), 0.3 * s.biasVariance(300) + 1e-12, s.id + " bias");
        }
    }

    @Test
    void aLinearGlorotStackMatchesTheTheory() {
        Stack s = new Stack(Stack.square(128, 12), Activation.NONE, Scheme.XAVIER, 128, 0, 1, new int[] {12});
        Map<String, Object> r = s.run(3);
        float[] pre = (float[]) r.get("pre_std");
        float[] grad = (float[]) r.get("grad_std");
        Theory.Prediction th = s.theory();
        for (int l = 0; l < 12; l++) {
            assertEquals(th.preStd()[l], pre[l], 0.15, "forward layer " + (l + 1));
            assertEquals(th.gradStd()[l], grad[l], 0.15, "backward layer " + (l + 1));
        }
    }

    @Test
    void theRescaledLayerJumpsByItsFactor() {
        Stack plain = new Stack(Stack.square(128, 8), Activation.RELU, Scheme.HE, 64, 0, 1, new int[0]);
        Stack scaled = new Stack(Stack.square(128, 8), Activation.RELU, Scheme.HE, 64, 4, 3, new int[0]);
        float[] a = (float[]) plain.run(5).get("pre_std");
        float[] b = (float[]) scaled.run(5).get("pre_std");
        assertEquals(a[2], b[2], 0);
        // the same draws, one layer times 3: ReLU is homogeneous, so every later layer is exactly 3 times larger
        for (int l = 3; l < 8; l++) {
            assertEquals(3, b[l] / a[l], 1e-4, "layer " + (l + 1));
        }
        assertEquals(3, Math.sqrt(scaled.weightVariances()[3] / plain.weightVariances()[3]), 1e-12);
    }

    @Test
    void sameSeedSameBits() {
        Stack s = new Stack(Stack.square(32, 6), Activation.TANH, Scheme.DEFAULT, 16, 0, 1, new int[] {1, 6});
        Map<String, Object> a = s.run(9);
        Map<String, Object> b = s.run(9);
        for (String k : new String[] {"pre_std", "post_mean", "grad_std", "weight_grad_norm"}) {
            assertArrayEquals((float[]) a.get(k), (float[]) b.get(k), k);
        }
        assertTrue(((Map<?, ?>) a.get("histograms")).containsKey("6"));
    }
}
