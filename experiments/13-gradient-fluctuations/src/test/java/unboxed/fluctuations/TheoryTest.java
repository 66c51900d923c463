package unboxed.fluctuations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The variance argument's recursions: closed forms where they exist, quadrature checked against them. */
class TheoryTest {
    @Test
    void quadratureAgreesWithTheClosedForms() {
        for (double q : new double[] {1e-6, 0.3, 1, 7, 250, 1e6}) {
            Theory.Moments exact = Theory.moments(Activation.RELU, q);
            assertEquals(exact.mean(), Theory.quadrature(Activation.RELU::f, q), 1e-9 * Math.sqrt(q), "E[relu], q=" + q);
            assertEquals(exact.square(), Theory.quadrature(z -> Math.max(z, 0) * Math.max(z, 0), q), 1e-9 * q,
                    "E[relu²], q=" + q);
            assertEquals(q, Theory.quadrature(z -> z * z, q), 1e-9 * q, "E[z²], q=" + q);
        }
    }

    @Test
    void tanhIsLinearNearZeroAndSaturatesFarFromIt() {
        Theory.Moments small = Theory.moments(Activation.TANH, 1e-6);
        assertEquals(1e-6, small.square(), 1e-11);
        assertEquals(1, small.slopeSquare(), 1e-5);
        Theory.Moments large = Theory.moments(Activation.TANH, 1e6);
        assertEquals(1, large.square(), 1e-3);
        // E[sech⁴(z)] for z ~ N(0, q) → (4/3) / sqrt(2πq) when q is large
        assertEquals(4.0 / 3 / Math.sqrt(2 * Math.PI * 1e6), large.slopeSquare(), 1e-6);
        Theory.Moments sig = Theory.moments(Activation.SIGMOID, 1e-8);
        assertEquals(0.5, sig.mean(), 1e-6);
        assertEquals(1.0 / 16, sig.slopeSquare(), 1e-6);
    }

    @Test
    void linearLayersMultiplyTheVarianceByNTimesVarW() {
        int[] widths = {100, 100, 100, 100};
        double[] wv = {0.02, 0.02, 0.02};
        Theory.Prediction p = Theory.of(widths, Activation.NONE, wv, new double[3], 8);
        // n·Var[w] = 2 per layer: the std grows by sqrt(2) forward, and by sqrt(2) per layer backward from the top
        assertEquals(Math.sqrt(2), p.preStd()[0], 1e-12);
        assertEquals(Math.sqrt(8), p.preStd()[2], 1e-12);
        assertEquals(1, p.gradStd()[2], 1e-12);
        assertEquals(Math.sqrt(4), p.gradStd()[0], 1e-12);
        // ‖∂L/∂W_1‖² = n_out·n_in·B·E[δ²]·E[x²] with E[x_0²] = 1
        assertEquals(Math.sqrt(100.0 * 100 * 8 * 4), p.weightGradNorm()[0], 1e-9);
    }

    @Test
    void heKeepsReluAtItsScaleAndBiasesSetAFloor() {
        int[] widths = Stack.square(64, 30);
        Stack he = new Stack(widths, Activation.RELU, Scheme.HE, 16, 0, 1, new int[0]);
        Theory.Prediction p = he.theory();
        assertEquals(Math.sqrt(2), p.preStd()[29], 1e-12);
        assertEquals(Math.sqrt(0.5), p.gradStd()[0], 1e-12);
        // PyTorch's default: the weights shrink the variance by 6 per ReLU layer; the bias adds 1/(3n)
        // every layer, so the variance settles where v = v/6 + 1/(3n): v = 2/(5n)
        Stack def = new Stack(widths, Activation.RELU, Scheme.DEFAULT, 16, 0, 1, new int[0]);
        assertEquals(Math.sqrt(2.0 / (5 * 64)), def.theory().preStd()[29], 1e-9);
    }
}
