package unboxed.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import unboxed.backend.Backend;
import unboxed.backend.BackendUnavailableException;
import unboxed.backend.Backends;
import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/**
 * The cuda backend against the CPU backend, op by op, on a machine with a GPU (skipped elsewhere,
 * with the reason). The CPU backend is the reference because the fixtures hold it to PyTorch; the
 * GPU check (tools/gpu) runs those fixtures on cuda as well.
 */
class CudaBackendTest {
    static Backend cpu;
    static Backend cuda;
    static String unavailable;

    @BeforeAll
    static void backends() {
        cpu = Backends.create("cpu", 1);
        try {
            cuda = Backends.create("cuda", 1);
        } catch (BackendUnavailableException e) {
            unavailable = e.getMessage();
        }
    }

    static void needGpu() {
        assumeTrue(cuda != null, "no GPU on this machine, so nothing runs on cuda: " + unavailable);
    }

    static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return a;
    }

    record Case(String name, int[] shape, Function<Tensor, Tensor> op, double tolerance) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cs = List.of(
                new Case("relu", new int[] {7, 33}, Tensor::relu, 0),
                new Case("neg of a transposed view", new int[] {7, 33}, x -> x.t().neg(), 0),
                new Case("exp", new int[] {300}, Tensor::exp, 1e-6),
                new Case("log of |x|", new int[] {300}, x -> x.abs().log(), 1e-6),
                new Case("sigmoid", new int[] {5, 64}, Tensor::sigmoid, 1e-6),
                new Case("tanh", new int[] {5, 64}, Tensor::tanh, 1e-6),
                new Case("broadcast add", new int[] {6, 10}, x -> x.add(x.sum(0, true)), 1e-6),
                new Case("x * x.t() broadcast", new int[] {1, 9}, x -> x.mul(x.t()), 0),
                new Case("sum over all", new int[] {37, 41}, Tensor::sum, 1e-6),
                new Case("sum over dim 0", new int[] {1000, 3}, x -> x.sum(0, false), 1e-6),
                new Case("mean over dims 0, 2", new int[] {4, 5, 6}, x -> x.mean(new int[] {0, 2}, true), 1e-6),
                new Case("amax over dim 1", new int[] {4, 50, 3}, x -> x.amax(new int[] {1}, false), 0),
                new Case("argmax", new int[] {64, 10}, x -> x.argmax(1), 0),
                new Case("softmax", new int[] {64, 10}, x -> x.softmax(1), 1e-6),
                new Case("log_softmax over 300", new int[] {3, 300}, x -> x.logSoftmax(1), 1e-6),
                new Case("softmax over dim 0 of a transposed view", new int[] {20, 7}, x -> x.t().softmax(0), 1e-6),
                new Case("matmul 65x33 @ 33x17", new int[] {65, 33}, x -> x.matmul(x.t().narrow(1, 0, 17)), 1e-5),
                new Case("matmul x.t() @ x", new int[] {64, 128}, x -> x.t().matmul(x), 1e-5),
                new Case("max_pool2d 2x2", new int[] {2, 3, 9, 9}, x -> F.maxPool2d(x, new int[] {2, 2}, null, new int[] {0, 0}, new int[] {1, 1}, false), 0),
                new Case("avg_pool2d 3, stride 2, pad 1", new int[] {2, 3, 9, 9}, x -> F.avgPool2d(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true, false, null), 1e-6),
                new Case("conv2d 'same' 3x3", new int[] {2, 3, 8, 8},
                        x -> F.conv2d(x, x.narrow(0, 0, 1).narrow(2, 0, 3).narrow(3, 0, 3).expand(4, 3, 3, 3).contiguous(),
                                null, 1), 1e-5));
        return cs.stream().map(Arguments::of);
    }

    static Tensor on(Backend b, float[] data, int[] shape) {
        return Tensor.of(b, data, shape);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheCpu(Case c) {
        needGpu();
        int n = 1;
        for (int s : c.shape()) {
            n *= s;
        }
        float[] data = random(c.name().hashCode(), n);
        float[] want = c.op().apply(on(cpu, data, c.shape())).toArray();
        float[] got = c.op().apply(on(cuda, data, c.shape())).toArray();
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            double tol = c.tolerance() * Math.max(1, Math.abs(want[i]));
            assertTrue(Math.abs(want[i] - got[i]) <= tol || Float.compare(want[i], got[i]) == 0,
                    c.name() + " element " + i + ": cpu " + want[i] + ", cuda " + got[i]);
        }
        float[] again = c.op().apply(on(cuda, data, c.shape())).toArray();
        assertArrayEquals(got, again, c.name() + ": two runs on cuda must give the same bits");
    }

    @Test
    void gradientsOfASmallNetworkMatchTheCpu() {
        needGpu();
        float[] x = random(1, 32 * 20);
        float[] w = random(2, 16 * 20);
        float[] y = new float[32];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 16;
        }
        float[][] grads = new float[2][];
        Backend[] bs = {cpu, cuda};
        for (int k = 0; k < 2; k++) {
            Tensor tw = on(bs[k], w, new int[] {16, 20}).requiresGrad(true);
            Tensor loss = F.crossEntropy(on(bs[k], x, new int[] {32, 20}).matmul(tw.t()).relu(), on(bs[k], y, new int[] {32}));
            loss.backward();
            grads[k] = tw.grad().toArray();
        }
        for (int i = 0; i < grads[0].length; i++) {
            assertEquals(grads[0][i], grads[1][i], 1e-5, "d loss / d w[" + i + "]");
        }
    }

    @Test
    void nanAndSignedZeroSurviveExactly() {
        needGpu();
        float[] d = {Float.NaN, -0.0f, 0.0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (Function<Tensor, Tensor> f : List.<Function<Tensor, Tensor>>of(Tensor::relu, Tensor::neg, Tensor::abs,
                x -> x.maximum(x.neg()))) {
            float[] want = f.apply(on(cpu, d, new int[] {d.length})).toArray();
            float[] got = f.apply(on(cuda, d, new int[] {d.length})).toArray();
            for (int i = 0; i < d.length; i++) {
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]),
                        "element " + i + ": cpu " + want[i] + ", cuda " + got[i]);
            }
        }
    }

    @Test
    void aBadGatherIndexIsReportedWithItsValue() {
        needGpu();
        Tensor x = on(cuda, random(3, 12), new int[] {3, 4});
        Tensor idx = on(cuda, new float[] {0, 5, 1}, new int[] {3, 1});
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> x.gather(1, idx).toArray());
        assertTrue(e.getMessage().contains("5.0"), e.getMessage());
    }
}
