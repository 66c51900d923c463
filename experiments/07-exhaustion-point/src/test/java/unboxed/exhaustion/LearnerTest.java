package unboxed.exhaustion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.kit.stats.Kinks;
import unboxed.nn.Parameter;
import unboxed.simple.Net;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** The levers of the post do what they say, and the fatigue test counts what it says. */
class LearnerTest {
    static final double[] X = Kinks.grid(-Math.PI, Math.PI, 64);

    static double[] sin() {
        double[] y = new double[X.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.sin(X[i]);
        }
        return y;
    }

    static float[] out(Learner l) {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            return l.net.call(Kinks.column(X)).toArray();
        }
    }

    @Test
    void reinitialisingDeadUnitsRevivesThemWithoutChangingTheFunction() {
        try (Learner l = new Learner(16, 2, Net.Act.RELU, 1, 0, new Rng(1))) {
            l.data(X, sin());
            // kill units 0-3 of the first layer: zero weight, negative bias, so they are off for every x
            try (Autograd.GradMode ignored = Autograd.noGrad()) {
                float[] w = l.linears.get(0).weight().data().toArray();
                float[] b = l.linears.get(0).bias().data().toArray();
                for (int u = 0; u < 4; u++) {
                    w[u] = 0;
                    b[u] = -1;
                }
                l.linears.get(0).weight().data().copy_(Tensor.of(w, 16, 1));
                l.linears.get(0).bias().data().copy_(Tensor.of(b, 16));
            }
            double deadBefore = l.look().dead()[0];
            assertTrue(deadBefore >= 4 / 16.0, "the four killed units are dead: " + deadBefore);
            float[] before = out(l);
            int revived = l.reinitDead(new Rng(7));
            assertTrue(revived >= 4, "revived " + revived);
            assertArrayEquals(before, out(l), 1e-6f, "outgoing weights zeroed: the function is the same");
            assertTrue(l.look().dead()[0] < deadBefore, "fewer dead units in layer 1");
        }
    }

    @Test
    void shrinkAndPerturbIsLambdaThetaPlusNoise() {
        try (Learner l = new Learner(8, 1, Net.Act.RELU, 1, 0, new Rng(2))) {
            float[] w = l.linears.get(1).weight().data().toArray();
            l.shrinkPerturb(0.5, 0, new Rng(3));
            float[] h = l.linears.get(1).weight().data().toArray();
            for (int i = 0; i < w.length; i++) {
                assertEquals(0.5f * w[i], h[i], 1e-7f);
            }
            l.shrinkPerturb(1, 0.1, new Rng(3));
            assertNotEquals(h[0], l.linears.get(1).weight().data().toArray()[0]);
        }
    }

    @Test
    void initScaleMultipliesEveryParameter() {
        try (Learner a = new Learner(8, 2, Net.Act.TANH, 1, 0, new Rng(4));
             Learner b = new Learner(8, 2, Net.Act.TANH, 10, 0, new Rng(4))) {
            for (int i = 0; i < a.net.parameters().size(); i++) {
                Parameter p = a.net.parameters().get(i);
                Parameter q = b.net.parameters().get(i);
                float[] x = p.data().toArray();
                float[] y = q.data().toArray();
                for (int k = 0; k < x.length; k++) {
                    assertEquals(10 * x[k], y[k], 1e-5f * Math.max(1, Math.abs(y[k])));
                }
            }
        }
    }

    @Test
    void learningTheTargetReachesTheThresholdAndTheLossIsRelative() {
        try (Learner l = new Learner(16, 2, Net.Act.RELU, 1, 0, new Rng(5))) {
            l.data(X, sin());
            double start = l.relativeLoss();
            int steps = -1;
            for (int k = 0; k < 2000 && steps < 0; k++) {
                if (l.step() <= 1e-2) {
                    steps = k;
                }
            }
            assertTrue(steps > 0, "reached in " + steps + " steps");
            assertTrue(l.relativeLoss() <= 1e-2 * 1.5, "relative loss now " + l.relativeLoss());
            assertTrue(start > 0.1, "a fresh network is far off: " + start);
        }
    }

    @Test
    void theLoadIsTwoSinHalfDelta() {
        for (double d : new double[] {0.1, 1, 2, Math.PI}) {
            assertEquals(2 * Math.sin(d / 2), Cycling.amplitude(d), 2e-2 * 2 * Math.sin(d / 2));
        }
        assertEquals(0, Cycling.amplitude(0), 0);
    }

    @Test
    void aCycleThatCannotReachTheThresholdIsAFailure() {
        // a budget of 1 step can never reach 10⁻⁶: the first cycle fails
        Map<String, Object> r = Cycling.run(8, 1, Net.Act.RELU, Math.PI, 1, 5, 1e-6, Cycling.Intervention.NONE, 0, 1);
        assertEquals(1, r.get("cycles_to_failure"));
        assertEquals(false, r.get("run_out"));
        // a threshold of 10 is met at once: every cycle passes, the run runs out
        Map<String, Object> s = Cycling.run(8, 1, Net.Act.RELU, Math.PI, 3, 4, 10, Cycling.Intervention.NONE, 0, 1);
        assertEquals(-1, s.get("cycles_to_failure"));
        assertEquals(4, s.get("cycles_run"));
    }
}
