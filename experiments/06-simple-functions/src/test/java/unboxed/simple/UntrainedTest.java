package unboxed.simple;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.kit.stats.Kinks;

/** The measurements of a fresh network, on cases whose answer is known. */
class UntrainedTest {
    @Test
    void roughnessOfAPiecewiseLinearFunctionIsItsSlopeJumpsOverTheLength() {
        double[] x = Kinks.grid(-Math.PI, Math.PI, 4097);
        double[] f = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = Math.abs(x[i] - 0.3);
        }
        // |x − 0.3| has one slope jump of 2: mean |f''| = 2 / 2π
        assertEquals(2 / (2 * Math.PI), Untrained.roughness(x, f, 4), 1e-3);
        assertEquals(0, Untrained.roughness(x, x, 4), 1e-9);
    }

    @Test
    void zeroBiasReluNetworksHaveEveryKinkAtZero() {
        // He and Glorot draw zero biases: the network is positively homogeneous, f(cx) = c f(x) for c > 0,
        // so each unit's pre-activation can change sign only at x = 0, and f has two linear pieces
        for (Net.Scheme s : new Net.Scheme[] {Net.Scheme.HE, Net.Scheme.XAVIER}) {
            var net = Net.mlp(16, 3, Net.Act.RELU, s, new unboxed.tensor.Rng(5));
            for (Kinks.Kink k : Kinks.find(net, -Math.PI, Math.PI, 4097)) {
                assertEquals(0, k.x(), 1e-12, s + ": kink away from 0");
            }
        }
    }

    @Test
    void depthOneDefaultKinksMatchTheUniformRatioExpectation() {
        // b, w uniform in ±1 (fan_in 1): P(|b/w| ≤ π) = 1 − 1/(2π) ≈ 0.841
        Map<String, Object> r = Untrained.run(1024, 1, Net.Act.RELU, Net.Scheme.DEFAULT, 0, false);
        int kinks = (Integer) r.get("kinks");
        assertTrue(Math.abs(kinks / 1024.0 - (1 - 1 / (2 * Math.PI))) < 0.05, "kinks per unit " + kinks / 1024.0);
    }

    @Test
    void sig4KeepsFourSignificantDigits() {
        assertEquals(0.1235, Untrained.sig4(0.123456), 0);
        assertEquals(-12350, Untrained.sig4(-12345.6), 0);
        assertEquals(0, Untrained.sig4(0), 0);
    }
}
