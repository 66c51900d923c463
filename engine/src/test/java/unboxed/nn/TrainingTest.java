package unboxed.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.backend.cpu.CpuBackend;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** End to end: an MLP learns a toy problem, bit-identically from run to run and across thread counts. */
class TrainingTest {

    /** Three Gaussian blobs in 2-D, 3 classes; inputs [n, 2], labels [n]. */
    private static Tensor[] blobs(long seed, int n) {
        Rng r = new Rng(seed);
        float[] x = new float[n * 2];
        float[] y = new float[n];
        double[][] centres = {{-2, 0}, {2, 0}, {0, 2.5}};
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            y[i] = c;
            x[2 * i] = (float) (centres[c][0] + 0.7 * r.nextGaussian());
            x[2 * i + 1] = (float) (centres[c][1] + 0.7 * r.nextGaussian());
        }
        return new Tensor[] {Tensor.of(x, n, 2), Tensor.of(y, n)};
    }

    /** Trains for {@code steps} SGD steps; returns the losses and then every parameter's final values. */
    private static List<float[]> train(long seed, int steps) {
        Rng rng = new Rng(seed);
        Sequential model = new Sequential(new Linear(2, 16, rng.fork("l1")), new ReLU(), new Linear(16, 3, rng.fork("l2")));
        Tensor[] data = blobs(99, 60);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        SGD opt = new SGD(model.parameters(), 0.1, 0.9, 0, 1e-4, false, false);
        float[] losses = new float[steps];
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            Tensor loss = lossFn.forward(model.forward(data[0]), data[1]);
            losses[s] = loss.item();
            loss.backward();
            opt.step();
        }
        List<float[]> out = new ArrayList<>();
        out.add(losses);
        for (Parameter p : model.parameters()) {
            out.add(p.data().toArray());
        }
        return out;
    }

    private static void assertBitIdentical(float[] a, float[] b, String what) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]),
                    what + "[" + i + "]: " + a[i] + " vs " + b[i]);
        }
    }

    @Test
    void anMlpLearnsAToyProblem() {
        List<float[]> run = train(1, 40);
        float[] losses = run.get(0);
        assertTrue(losses[0] > 0.6, "an untrained model is near chance, log 3 = 1.1: " + losses[0]);
        assertTrue(losses[losses.length - 1] < 0.3 * losses[0],
                "the loss falls: " + losses[0] + " -> " + losses[losses.length - 1]);
        for (float l : losses) {
            assertTrue(Float.isFinite(l));
        }
    }

    @Test
    void twoRunsWithTheSameSeedAreBitIdentical() {
        List<float[]> a = train(7, 15);
        List<float[]> b = train(7, 15);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertBitIdentical(a.get(i), b.get(i), i == 0 ? "losses" : "parameter " + (i - 1));
        }
        List<float[]> c = train(8, 15);
        assertFalse(java.util.Arrays.equals(a.get(1), c.get(1)), "another seed, another initialisation");
    }

    // ------------------------------------------------------------------ thread-count independence

    private static <T> T on(Backend backend, Supplier<T> body) {
        Backend previous = Backends.current();
        Backends.use(backend);
        try {
            return body.get();
        } finally {
            Backends.use(previous);
        }
    }

    /**
     * Forward + backward of an MLP with CrossEntropy, sized so that the matrix products are split
     * across workers (m * n * k well above the per-task work), on the current backend.
     */
    private static List<float[]> gradients() {
        Rng rng = new Rng(2024);
        Sequential model = new Sequential(new Linear(96, 200, rng.fork("l1")), new ReLU(),
                new Linear(200, 160, rng.fork("l2")), new ReLU(), new Linear(160, 10, rng.fork("l3")));
        int n = 128;
        Tensor x = Tensor.randn(rng.fork("x"), n, 96);
        float[] labels = new float[n];
        Rng lr = rng.fork("y");
        for (int i = 0; i < n; i++) {
            labels[i] = lr.nextInt(10);
        }
        Tensor loss = new CrossEntropyLoss().forward(model.forward(x), Tensor.of(labels, n));
        loss.backward();
        List<float[]> out = new ArrayList<>();
        out.add(new float[] {loss.item()});
        for (Parameter p : model.parameters()) {
            assertEquals(p.data().backend(), Backends.current(), "the model lives on the backend under test");
            out.add(p.grad().toArray());
        }
        return out;
    }

    @Test
    void gradientsAreBitIdenticalForOneAndSeveralThreads() {
        CpuBackend one = new CpuBackend(1);
        CpuBackend two = new CpuBackend(2);
        CpuBackend four = new CpuBackend(4);
        List<float[]> g1 = on(one, TrainingTest::gradients);
        List<float[]> g2 = on(two, TrainingTest::gradients);
        List<float[]> g4 = on(four, TrainingTest::gradients);
        assertEquals(g1.size(), g2.size());
        for (int i = 0; i < g1.size(); i++) {
            String what = i == 0 ? "loss" : "gradient of parameter " + (i - 1);
            assertBitIdentical(g1.get(i), g2.get(i), what + " (1 vs 2 threads)");
            assertBitIdentical(g1.get(i), g4.get(i), what + " (1 vs 4 threads)");
        }
        // the gradients are real, not all zeros
        float[] gw = g1.get(1);
        double norm = 0;
        for (float v : gw) {
            norm += v * v;
        }
        assertTrue(norm > 0);
        assertArrayEquals(g1.get(0), on(new CpuBackend(3), TrainingTest::gradients).get(0));
    }
}
