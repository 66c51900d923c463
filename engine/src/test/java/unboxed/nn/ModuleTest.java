package unboxed.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** Modules: Linear's initialisation and arithmetic, parameter naming, zeroGrad, loss modules vs functional forms. */
class ModuleTest {

    static boolean sameBits(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    @Test
    void linearInitIsUniformWithinOneOverSqrtIn() {
        Linear l = new Linear(16, 32, new Rng(0));
        double bound = 1 / Math.sqrt(16);
        float[] w = l.weight().data().toArray();
        float[] b = l.bias().data().toArray();
        assertArrayEquals(new int[] {32, 16}, l.weight().data().shape());
        assertArrayEquals(new int[] {32}, l.bias().data().shape());
        double maxW = 0;
        double mean = 0;
        for (float v : w) {
            assertTrue(Math.abs(v) <= bound, "weight " + v + " outside +-" + bound);
            maxW = Math.max(maxW, Math.abs(v));
            mean += v;
        }
        mean /= w.length;
        assertTrue(maxW > 0.95 * bound, "weights fill the interval: max |w| = " + maxW);
        assertEquals(0, mean, 0.03, "centred");
        double maxB = 0;
        for (float v : b) {
            assertTrue(Math.abs(v) <= bound, "bias " + v + " outside +-" + bound);
            maxB = Math.max(maxB, Math.abs(v));
        }
        assertTrue(maxB > 0.6 * bound, "the bias uses the same bound, not a smaller one: max |b| = " + maxB);
        // a different fan-in, a different bound
        for (float v : new Linear(100, 4, new Rng(1)).weight().data().toArray()) {
            assertTrue(Math.abs(v) <= 0.1, "fan-in 100: " + v);
        }
        assertEquals(16, l.inFeatures());
        assertEquals(32, l.outFeatures());
    }

    @Test
    void linearInitIsDeterminedBySeed() {
        Linear a = new Linear(5, 3, new Rng(11));
        Linear b = new Linear(5, 3, new Rng(11));
        Linear c = new Linear(5, 3, new Rng(12));
        assertTrue(sameBits(a.weight().data().toArray(), b.weight().data().toArray()));
        assertTrue(sameBits(a.bias().data().toArray(), b.bias().data().toArray()));
        assertFalse(sameBits(a.weight().data().toArray(), c.weight().data().toArray()));
    }

    @Test
    void linearComputesXWTransposePlusB() {
        Linear l = new Linear(2, 3, new Rng(0));
        float[] w = l.weight().data().toArray();
        float[] b = l.bias().data().toArray();
        float[] x = {1, 2, -1, 0.5f};
        float[] y = l.forward(Tensor.of(x, 2, 2)).toArray();
        for (int i = 0; i < 2; i++) {
            for (int o = 0; o < 3; o++) {
                double e = b[o] + (double) x[i * 2] * w[o * 2] + (double) x[i * 2 + 1] * w[o * 2 + 1];
                assertEquals(e, y[i * 3 + o], 1e-6);
            }
        }
        Linear nb = new Linear(2, 3, false, new Rng(0));
        assertNull(nb.bias());
        assertEquals(List.of("weight"), List.copyOf(nb.namedParameters().keySet()));
        assertArrayEquals(new int[] {4, 3}, nb.forward(Tensor.zeros(4, 2)).shape());
        assertArrayEquals(new float[12], nb.forward(Tensor.zeros(4, 2)).toArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Linear(-1, 2, new Rng(0)));
        assertTrue(e.getMessage().contains("Linear") && e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void sequentialNamesParametersLikeStateDictKeys() {
        Sequential s = new Sequential(new Linear(4, 8, new Rng(0)), new ReLU(), new Linear(8, 2, new Rng(1)));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(s.namedParameters().keySet()));
        assertEquals(4, s.parameters().size());
        assertEquals(3, s.size());
        assertSame(((Linear) s.get(2)).bias(), s.namedParameters().get("2.bias"));
        Sequential nested = new Sequential(new ReLU(), s, new Linear(2, 1, new Rng(2)));
        assertEquals(List.of("1.0.weight", "1.0.bias", "1.2.weight", "1.2.bias", "2.weight", "2.bias"),
                List.copyOf(nested.namedParameters().keySet()));
        // parameters are leaves that require a gradient
        for (Parameter p : nested.parameters()) {
            assertTrue(p.data().requiresGrad());
            assertTrue(p.data().isLeaf());
        }
        assertEquals("weight", ((Linear) s.get(0)).weight().name());
    }

    @Test
    void sequentialAppliesLayersInOrder() {
        Linear l1 = new Linear(3, 4, new Rng(0));
        Linear l2 = new Linear(4, 2, new Rng(1));
        Sequential s = new Sequential(l1, new ReLU(), l2);
        Tensor x = Tensor.randn(new Rng(2), 5, 3);
        assertTrue(sameBits(l2.forward(l1.forward(x).relu()).toArray(), s.forward(x).toArray()));
    }

    @Test
    void zeroGradClearsEveryGradient() {
        Sequential s = new Sequential(new Linear(3, 4, new Rng(0)), new ReLU(), new Linear(4, 2, new Rng(1)));
        s.forward(Tensor.randn(new Rng(3), 2, 3)).sum().backward();
        for (Parameter p : s.parameters()) {
            assertNotNull(p.grad(), p.name());
        }
        s.zeroGrad();
        for (Parameter p : s.parameters()) {
            assertNull(p.grad(), p.name());
        }
        s.forward(Tensor.randn(new Rng(3), 2, 3)).sum().backward();
        SGD opt = new SGD(s.parameters(), 0.1);
        opt.zeroGrad();
        for (Parameter p : s.parameters()) {
            assertNull(p.grad(), p.name());
        }
    }

    @Test
    void gradientsFlowToEveryParameter() {
        Linear l = new Linear(3, 2, new Rng(0));
        Tensor x = Tensor.of(new float[] {1, 2, 3, -1, 0, 1}, 2, 3);
        l.forward(x).sum().backward();
        // d sum(x W^T + b) / dW[o, i] = sum over the batch of x[:, i]; d/db = batch size
        assertArrayEquals(new float[] {0, 2, 4, 0, 2, 4}, l.weight().grad().toArray());
        assertArrayEquals(new float[] {2, 2}, l.bias().grad().toArray());
    }

    @Test
    void trainAndEvalPropagate() {
        Sequential inner = new Sequential(new ReLU());
        Sequential s = new Sequential(inner, new Linear(1, 1, new Rng(0)));
        assertTrue(s.isTraining());
        s.eval();
        assertFalse(s.isTraining());
        assertFalse(inner.isTraining());
        assertFalse(inner.get(0).isTraining());
        s.train(true);
        assertTrue(inner.get(0).isTraining());
    }

    @Test
    void parameterMustBeALeaf() {
        Tensor x = Tensor.zeros(2).requiresGrad(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Parameter("w", x.mul(2f)));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("leaf"), e.getMessage());
        Parameter p = new Parameter("v", Tensor.zeros(3));
        assertTrue(p.data().requiresGrad());
        assertTrue(p.toString().contains("v") && p.toString().contains("[3]"));
    }

    // ------------------------------------------------------------------ loss modules

    @Test
    void crossEntropyLossModuleEqualsTheFunctionalForm() {
        Tensor x = Tensor.randn(new Rng(4), 6, 4);
        Tensor t = Tensor.of(new float[] {0, 3, 1, 2, 2, 1}, 6);
        assertTrue(sameBits(F.crossEntropy(x, t).toArray(), new CrossEntropyLoss().forward(x, t).toArray()));
        Tensor w = Tensor.of(new float[] {1, 0.5f, 2, 1.5f}, 4);
        F.CrossEntropyOptions o = new F.CrossEntropyOptions(w, 2, Reduction.SUM, 0.1);
        float[] viaModule = new CrossEntropyLoss(w, 2, Reduction.SUM, 0.1).forward(x, t).toArray();
        assertTrue(sameBits(F.crossEntropy(x, t, o).toArray(), viaModule));
        assertTrue(sameBits(viaModule, new CrossEntropyLoss(o).forward(x, t).toArray()));
        assertFalse(sameBits(viaModule, F.crossEntropy(x, t).toArray()), "the options must reach the loss");
        float[] none = new CrossEntropyLoss(null, -100, Reduction.NONE, 0).forward(x, t).toArray();
        assertEquals(6, none.length);
    }

    @Test
    void bceWithLogitsLossModuleEqualsTheFunctionalForm() {
        Tensor x = Tensor.randn(new Rng(5), 3, 4);
        Tensor y = Tensor.uniform(new Rng(6), 0, 1, 3, 4);
        assertTrue(sameBits(F.binaryCrossEntropyWithLogits(x, y, null, Reduction.MEAN, null).toArray(),
                new BCEWithLogitsLoss().forward(x, y).toArray()));
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        Tensor pw = Tensor.of(new float[] {0.5f, 1, 2, 3}, 4);
        float[] viaModule = new BCEWithLogitsLoss(w, Reduction.SUM, pw).forward(x, y).toArray();
        assertTrue(sameBits(F.binaryCrossEntropyWithLogits(x, y, w, Reduction.SUM, pw).toArray(), viaModule));
        assertFalse(sameBits(viaModule, new BCEWithLogitsLoss().forward(x, y).toArray()));
    }

    @Test
    void mseLossModuleEqualsTheFunctionalForm() {
        Tensor x = Tensor.randn(new Rng(7), 3, 4);
        Tensor y = Tensor.randn(new Rng(8), 3, 4);
        for (Reduction r : Reduction.values()) {
            assertTrue(sameBits(F.mseLoss(x, y, r).toArray(), new MSELoss(r).forward(x, y).toArray()), r.toString());
        }
        assertTrue(sameBits(F.mseLoss(x, y, Reduction.MEAN).toArray(), new MSELoss().forward(x, y).toArray()));
    }

    @Test
    void lossValuesByHand() {
        Tensor logits = Tensor.of(new float[] {1, 2, 3, 0, 0, 0}, 2, 3);
        Tensor target = Tensor.of(new float[] {2, 0}, 2);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double l0 = -(3 - Math.log(z));
        double l1 = Math.log(3);
        assertEquals((l0 + l1) / 2, F.crossEntropy(logits, target).item(), 1e-6);
        // weighted mean divides by the weights of the targets
        Tensor w = Tensor.of(new float[] {2, 1, 3}, 3);
        assertEquals((3 * l0 + 2 * l1) / 5,
                F.crossEntropy(logits, target, F.CrossEntropyOptions.DEFAULT.withWeight(w)).item(), 1e-6);
        // an ignored target counts for nothing, in the sum and in the mean's divisor
        assertEquals(l0, F.crossEntropy(logits, target, F.CrossEntropyOptions.DEFAULT.withIgnoreIndex(0)).item(), 1e-6);
        // label smoothing: (1 - eps) * nll + eps * mean over classes of -log p
        double s0 = -((1 - Math.log(z)) + (2 - Math.log(z)) + (3 - Math.log(z))) / 3;
        double expected = ((0.9 * l0 + 0.1 * s0) + (0.9 * l1 + 0.1 * l1)) / 2;
        assertEquals(expected, F.crossEntropy(logits, target,
                F.CrossEntropyOptions.DEFAULT.withLabelSmoothing(0.1)).item(), 1e-6);
        // BCE with logits: log(1 + e^-x) for target 1, log(1 + e^x) for target 0, stable for large |x|
        Tensor x = Tensor.of(new float[] {0.5f, -2, 100, -100}, 4);
        Tensor y = Tensor.of(new float[] {1, 0, 0, 1}, 4);
        float[] bce = F.binaryCrossEntropyWithLogits(x, y, null, Reduction.NONE, null).toArray();
        assertEquals(Math.log1p(Math.exp(-0.5)), bce[0], 1e-6);
        assertEquals(Math.log1p(Math.exp(-2)), bce[1], 1e-6);
        assertEquals(100, bce[2], 1e-4);
        assertEquals(100, bce[3], 1e-4);
        // pos_weight scales the positive term, weight the whole: -w [pw y log s(x) + (1 - y) log(1 - s(x))]
        Tensor xs = Tensor.of(new float[] {0.5f, -2, 1}, 3);
        Tensor ys = Tensor.of(new float[] {1, 0, 0.3f}, 3);
        float[] weighted = F.binaryCrossEntropyWithLogits(xs, ys, Tensor.of(new float[] {1, 2, 0.5f}, 3), Reduction.NONE,
                Tensor.of(new float[] {3, 3, 2}, 3)).toArray();
        double ls1 = -Math.log1p(Math.exp(-1)); // log s(1)
        double lm1 = -Math.log1p(Math.exp(1)); // log(1 - s(1))
        assertEquals(3 * Math.log1p(Math.exp(-0.5)), weighted[0], 1e-6);
        assertEquals(2 * Math.log1p(Math.exp(-2)), weighted[1], 1e-6);
        assertEquals(-0.5 * (2 * 0.3 * ls1 + 0.7 * lm1), weighted[2], 1e-6);
        // MSE
        assertEquals((1 + 4 + 9) / 3.0, F.mseLoss(Tensor.of(new float[] {1, 2, 3}, 3), Tensor.zeros(3), Reduction.MEAN).item(), 1e-6);
        assertEquals(14, F.mseLoss(Tensor.of(new float[] {1, 2, 3}, 3), Tensor.zeros(3), Reduction.SUM).item(), 1e-6);
    }

    @Test
    void reductionParsesPyTorchSpelling() {
        assertEquals(Reduction.NONE, Reduction.of("none"));
        assertEquals(Reduction.SUM, Reduction.of("sum"));
        assertEquals(Reduction.MEAN, Reduction.of("mean"));
        assertEquals("mean", Reduction.MEAN.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reduction.of("avg"));
        assertTrue(e.getMessage().contains("reduction") && e.getMessage().contains("'avg'"), e.getMessage());
        assertTrue(Arrays.asList(Reduction.values()).size() == 3);
    }

    /** A module with a running statistic, as BatchNorm keeps one. */
    static final class Running extends Module {
        final Parameter scale = registerParameter("scale", Tensor.of(new float[] {2, 2}, 2));

        Running() {
            registerBuffer("running_mean", Tensor.zeros(2));
        }

        @Override
        public Tensor forward(Tensor input) {
            if (isTraining()) {
                buffer("running_mean").mul_(0.9f).add_(input.detach().mean(0, false).mul(0.1f));
            }
            return input.mul(scale.data());
        }
    }

    @Test
    void buffersAreStateButNotParameters() {
        Sequential net = new Sequential(new Running());
        assertEquals(List.of("0.scale"), List.copyOf(net.namedParameters().keySet()), "a buffer is not trained");
        assertEquals(List.of("0.running_mean"), List.copyOf(net.namedBuffers().keySet()));
        assertEquals(List.of("0.scale", "0.running_mean"), List.copyOf(net.stateDict().keySet()));
        Tensor loss = net.forward(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)).sum();
        assertArrayEquals(new float[] {0.2f, 0.3f}, net.namedBuffers().get("0.running_mean").toArray(), 1e-7f);
        assertFalse(net.namedBuffers().get("0.running_mean").requiresGrad());
        loss.backward();
        assertNotNull(net.parameters().get(0).grad());
        // a checkpoint round trip, and a strict load that names what does not fit
        Sequential other = new Sequential(new Running());
        other.loadStateDict(net.stateDict());
        assertArrayEquals(new float[] {0.2f, 0.3f}, other.namedBuffers().get("0.running_mean").toArray(), 1e-7f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.loadStateDict(java.util.Map.of("0.scale", Tensor.zeros(3))));
        assertTrue(e.getMessage().contains("missing key '0.running_mean'") && e.getMessage().contains("'0.scale': checkpoint shape [3]"),
                e.getMessage());
        assertArrayEquals(new float[] {2, 2}, other.parameters().get(0).data().toArray(), "a failed load copies nothing");
    }
}
