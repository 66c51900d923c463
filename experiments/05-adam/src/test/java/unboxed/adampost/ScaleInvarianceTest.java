package unboxed.adampost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.nn.Parameter;
import unboxed.optim.Adam;
import unboxed.optim.AdamDeparture;
import unboxed.optim.SGD;
import unboxed.tensor.Tensor;

/**
 * Adam's step does not see the gradient's scale until eps does, on a problem small enough to
 * follow by hand: one parameter vector fed a fixed sequence of gradients times c.
 */
class ScaleInvarianceTest {
    private static final float[][] GRADS = {{0.3f, -1.2f, 0.05f}, {0.1f, -0.9f, -0.02f}, {0.4f, -1.5f, 0.07f},
            {-0.2f, -1.0f, 0.01f}, {0.25f, -1.1f, 0.03f}};

    /** The parameter's displacement after the gradients, each multiplied by c. */
    private static float[] displacement(boolean adam, double c, double eps, AdamDeparture d) {
        Parameter p = new Parameter("p", Tensor.zeros(3));
        var opt = adam ? new Adam(List.of(p), 1e-3, new double[] {0.9, 0.999}, eps, 0, false, false, d)
                : new SGD(List.of(p), 1e-3);
        for (float[] g : GRADS) {
            float[] s = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                s[i] = (float) (g[i] * c);
            }
            p.data().setGrad(Tensor.of(s, 3));
            opt.step();
        }
        return p.data().toArray();
    }

    @Test
    void adamsStepIgnoresTheScale() {
        float[] ref = displacement(true, 1, 1e-8, AdamDeparture.NONE);
        for (double c : new double[] {1e-2, 1e2, 1e4, 1e6}) {
            float[] d = displacement(true, c, 1e-8, AdamDeparture.NONE);
            for (int i = 0; i < 3; i++) {
                assertEquals(ref[i], d[i], 1e-3 * Math.abs(ref[i]), "c = " + c + ", element " + i);
            }
        }
    }

    @Test
    void epsTakesOverWhenTheGradientIsSmall() {
        float[] ref = displacement(true, 1, 1e-8, AdamDeparture.NONE);
        // gradients of 1e-10 against eps 1e-8: the step is about 1e-2 of its size at c = 1
        float[] d = displacement(true, 1e-10, 1e-8, AdamDeparture.NONE);
        for (int i = 0; i < 3; i++) {
            double ratio = d[i] / ref[i];
            assertTrue(ratio > 0 && ratio < 0.05, "element " + i + ": ratio " + ratio);
        }
    }

    @Test
    void sgdsStepScalesWithTheGradient() {
        float[] ref = displacement(false, 1, 0, AdamDeparture.NONE);
        float[] d = displacement(false, 100, 0, AdamDeparture.NONE);
        for (int i = 0; i < 3; i++) {
            assertEquals(100 * ref[i], d[i], 1e-4 * Math.abs(100 * ref[i]));
        }
    }

    @Test
    void withoutBiasCorrectionTheFirstStepIsLargerByTheTheory() {
        float[] with = firstStep(AdamDeparture.NONE);
        float[] without = firstStep(AdamDeparture.NO_BIAS_CORRECTION);
        double theory = (1 - 0.9) / Math.sqrt(1 - 0.999);
        for (int i = 0; i < 3; i++) {
            assertEquals(theory, without[i] / with[i], 1e-4);
        }
    }

    private static float[] firstStep(AdamDeparture d) {
        Parameter p = new Parameter("p", Tensor.zeros(3));
        Adam opt = new Adam(List.of(p), 1e-3, new double[] {0.9, 0.999}, 1e-8, 0, false, false, d);
        p.data().setGrad(Tensor.of(GRADS[0], 3));
        opt.step();
        return p.data().toArray();
    }
}
