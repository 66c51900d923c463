package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.nn.Linear;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.tensor.Rng;

class KinksTest {

    /** 1-3-1 with hand-set weights: kinks at −b/w = 0.5, −1 and none (w = 0). */
    @Test
    void firstLayerKinksAreMinusBOverW() {
        Rng rng = new Rng(0);
        Linear l1 = new Linear(1, 3, rng);
        float[] w = {2f, -1f, 0f};
        float[] b = {-1f, -1f, 0.3f};
        set(l1, w, b);
        Sequential net = new Sequential(l1, new ReLU(), new Linear(3, 1, rng));
        List<Kinks.Kink> found = Kinks.find(net, -Math.PI, Math.PI, 4097);
        List<Kinks.Kink> exact = Kinks.firstLayer(w, b, -Math.PI, Math.PI);
        assertEquals(2, found.size());
        assertEquals(2, exact.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(exact.get(i).unit(), found.get(i).unit());
            assertEquals(exact.get(i).x(), found.get(i).x(), 1e-6, "linear interpolation is exact for a linear pre-activation");
        }
        assertEquals(0.5, exact.get(0).x(), 0);
        assertEquals(-1, exact.get(1).x(), 0);
    }

    /** A second-layer unit relu(x − 1) − 0.5 changes sign at x = 1.5, and its interpolated kink lands there. */
    @Test
    void deeperKinksAreSignChangesOfThePreActivation() {
        Rng rng = new Rng(0);
        Linear l1 = new Linear(1, 1, rng);
        set(l1, new float[] {1f}, new float[] {-1f});
        Linear l2 = new Linear(1, 1, rng);
        set(l2, new float[] {1f}, new float[] {-0.5f});
        Sequential net = new Sequential(l1, new ReLU(), l2, new ReLU(), new Linear(1, 1, rng));
        List<Kinks.Kink> k = Kinks.find(net, -Math.PI, Math.PI, 1001);
        assertEquals(2, k.size());
        assertEquals(1, k.get(0).layer());
        assertEquals(1.0, k.get(0).x(), 1e-6);
        assertEquals(2, k.get(1).layer());
        assertEquals(1.5, k.get(1).x(), 1e-6);
    }

    @Test
    void diffCountsBornDiedAndMoved() {
        List<Kinks.Kink> a = List.of(new Kinks.Kink(1, 0, 0.0), new Kinks.Kink(1, 1, 1.0));
        List<Kinks.Kink> b = List.of(new Kinks.Kink(1, 0, 0.25), new Kinks.Kink(1, 2, -1.0),
                new Kinks.Kink(2, 0, 2.0));
        Kinks.Diff d = Kinks.diff(a, b);
        assertEquals(2, d.born());
        assertEquals(1, d.died());
        assertEquals(1, d.kept());
        assertEquals(0.25, d.meanShift(), 1e-12);
    }

    @Test
    void histogramAndEntropy() {
        List<Kinks.Kink> k = List.of(new Kinks.Kink(1, 0, -0.9), new Kinks.Kink(1, 1, 0.1), new Kinks.Kink(1, 2, 0.9),
                new Kinks.Kink(1, 3, 0.95), new Kinks.Kink(1, 4, 5));
        long[] h = Kinks.histogram(k, -1, 1, 4);
        assertEquals(List.of(1L, 0L, 1L, 2L), java.util.Arrays.stream(h).boxed().toList());
        assertEquals(1.5, Kinks.entropyBits(h), 1e-12);
        assertEquals(0, Kinks.entropyBits(new long[4]), 0);
        assertTrue(Kinks.entropyBits(new long[] {1, 1, 1, 1}) > Kinks.entropyBits(h));
    }

    static void set(Linear l, float[] w, float[] b) {
        try (unboxed.autograd.Autograd.GradMode ignored = unboxed.autograd.Autograd.noGrad()) {
            l.weight().data().copy_(unboxed.tensor.Tensor.of(w, w.length, 1));
            l.bias().data().copy_(unboxed.tensor.Tensor.of(b, b.length));
        }
    }
}
