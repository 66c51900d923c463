package unboxed.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The seeded generator: same seed, same stream; forks independent of each other and of the parent's draws. */
class RngTest {

    private static double[] doubles(Rng r, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextDouble();
        }
        return out;
    }

    @Test
    void sameSeedSameStream() {
        Rng a = new Rng(42);
        Rng b = new Rng(42);
        assertArrayEquals(doubles(a, 50), doubles(b, 50));
        assertArrayEquals(a.normal(33, 1, 2), b.normal(33, 1, 2)); // odd count: the spare normal is kept in step
        assertArrayEquals(a.uniform(10, -1, 1), b.uniform(10, -1, 1));
        assertArrayEquals(a.permutation(20), b.permutation(20));
        assertEquals(a.nextInt(1000), b.nextInt(1000));
        assertEquals(a.nextGaussian(), b.nextGaussian());
        assertEquals(42, a.seed());
    }

    @Test
    void differentSeedsDiffer() {
        assertFalse(Arrays.equals(doubles(new Rng(1), 8), doubles(new Rng(2), 8)));
    }

    @Test
    void streamIsPinnedAcrossRunsAndMachines() {
        // SplittableRandom is specified bit for bit: the first draws of seed 0 never change
        java.util.SplittableRandom ref = new java.util.SplittableRandom(0);
        Rng r = new Rng(0);
        for (int i = 0; i < 5; i++) {
            assertEquals(ref.nextDouble(), r.nextDouble());
        }
    }

    @Test
    void forkDependsOnlyOnSeedAndPurpose() {
        Rng parent = new Rng(7);
        double[] before = doubles(parent.fork("init"), 10);
        doubles(parent, 100); // drawing from the parent does not move its forks
        parent.normal(5, 0, 1);
        assertArrayEquals(before, doubles(parent.fork("init"), 10));
        assertArrayEquals(before, doubles(new Rng(7).fork("init"), 10));
    }

    @Test
    void forkDoesNotAdvanceTheParent() {
        Rng a = new Rng(9);
        Rng b = new Rng(9);
        a.fork("shuffle");
        a.fork("init");
        assertArrayEquals(doubles(a, 20), doubles(b, 20));
    }

    @Test
    void forksAreIndependentStreams() {
        Rng parent = new Rng(3);
        double[] init = doubles(parent.fork("init"), 20);
        double[] shuffle = doubles(parent.fork("shuffle"), 20);
        double[] self = doubles(new Rng(3), 20);
        assertFalse(Arrays.equals(init, shuffle));
        assertFalse(Arrays.equals(init, self));
        assertNotEquals(parent.fork("init").seed(), new Rng(4).fork("init").seed(), "the parent's seed matters");
        assertNotEquals(parent.fork("ab").seed(), parent.fork("ba").seed(), "the purpose's order matters");
        // a fork of a fork is a stream of its own too
        assertFalse(Arrays.equals(doubles(parent.fork("init").fork("init"), 20), init));
    }

    @Test
    void distributionsLookRight() {
        Rng r = new Rng(123);
        int n = 20000;
        float[] g = r.normal(n, 0, 1);
        double mean = 0;
        double sq = 0;
        for (float v : g) {
            mean += v;
            sq += (double) v * v;
        }
        mean /= n;
        double var = sq / n - mean * mean;
        assertEquals(0, mean, 0.05);
        assertEquals(1, var, 0.05);
        float[] s = r.normal(n, 3, 0.5);
        double m2 = 0;
        for (float v : s) {
            m2 += v;
        }
        assertEquals(3, m2 / n, 0.02);
        float[] u = r.uniform(n, 2, 5);
        double mu = 0;
        for (float v : u) {
            assertTrue(v >= 2 && v <= 5, "uniform " + v);
            mu += v;
        }
        assertEquals(3.5, mu / n, 0.05);
        for (int i = 0; i < 1000; i++) {
            int k = r.nextInt(7);
            assertTrue(k >= 0 && k < 7);
        }
    }

    @Test
    void permutationIsAPermutation() {
        int[] p = new Rng(5).permutation(100);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 100; i++) {
            assertEquals(i, sorted[i]);
        }
        int fixed = 0;
        for (int i = 0; i < 100; i++) {
            fixed += p[i] == i ? 1 : 0;
        }
        assertTrue(fixed < 10, "a shuffled permutation keeps few elements in place, got " + fixed);
        assertArrayEquals(new int[0], new Rng(5).permutation(0));
    }
}
