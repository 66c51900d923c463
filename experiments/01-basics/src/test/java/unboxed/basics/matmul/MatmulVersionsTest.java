package unboxed.basics.matmul;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;
import unboxed.backend.cpu.Sgemm;

/**
 * Every numbered matmul version against version 1, on odd sizes that leave edges everywhere
 * (rows past the last register tile, columns past the last vector, K past the last block).
 *
 * <ul>
 *   <li>Versions 2 and 3 perform the same roundings in the same order as version 1 (a multiply,
 *       then an add, for increasing p): they must agree to the bit.</li>
 *   <li>Version 4 and the engine's Sgemm use fused multiply-adds, so they differ from version 1
 *       in the last bits. Each of the two results is within gamma_k * sum_p |a_ip b_pj| of the
 *       exact product, gamma_k = k u / (1 - k u), u = 2^-24 (Higham, Accuracy and Stability of
 *       Numerical Algorithms, section 3.1; Sgemm adds one rounding per K block), so they are
 *       within twice that of each other: a proven bound, which a single wrong or missing product
 *       exceeds.</li>
 *   <li>Version 4 and Sgemm, with K in one block (k <= Sgemm.KC), perform the very same fused
 *       chain for every element, so they agree to the bit: the engine is faster, not different.</li>
 * </ul>
 */
class MatmulVersionsTest {

    interface Matmul {
        void matmul(int m, int n, int k, float[] a, float[] b, float[] c);
    }

    /** Version 5: the engine's Sgemm behind the same simple signature, one thread. */
    static void sgemm(int m, int n, int k, float[] a, float[] b, float[] c) {
        Sgemm.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, 1);
    }

    private static final int[][] SHAPES = {
            {1, 1, 1}, {1, 7, 3}, {5, 1, 9}, {3, 5, 7}, {17, 33, 65}, {31, 47, 129},
            {67, 131, 259}, {130, 300, 270}, {9, 517, 33},
    };

    private static float[] random(int size, Random rnd) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    private static float[] run(Matmul f, int[] s, float[] a, float[] b) {
        float[] c = new float[s[0] * s[1]];
        java.util.Arrays.fill(c, Float.NaN);      // every version must overwrite all of C
        f.matmul(s[0], s[1], s[2], a, b, c);
        return c;
    }

    @Test
    void versionsTwoAndThreeAreBitIdenticalToVersionOne() {
        Random rnd = new Random(1);
        for (int[] s : SHAPES) {
            float[] a = random(s[0] * s[2], rnd);
            float[] b = random(s[2] * s[1], rnd);
            float[] ref = run(MatmulV1Naive::matmul, s, a, b);
            assertArrayEquals(ref, run(MatmulV2LoopOrder::matmul, s, a, b), "V2 " + java.util.Arrays.toString(s));
            assertArrayEquals(ref, run(MatmulV3Blocked::matmul, s, a, b), "V3 " + java.util.Arrays.toString(s));
        }
    }

    @Test
    void fusedVersionsAreWithinTheRoundingBoundOfVersionOne() {
        Random rnd = new Random(2);
        double u = Math.ulp(1.0f) / 2;
        for (int[] s : SHAPES) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            float[] a = random(m * k, rnd);
            float[] b = random(k * n, rnd);
            float[] ref = run(MatmulV1Naive::matmul, s, a, b);
            Matmul[] fused = {MatmulV4Vector::matmul, MatmulVersionsTest::sgemm};
            String[] names = {"V4", "Sgemm"};
            for (int v = 0; v < fused.length; v++) {
                float[] c = run(fused[v], s, a, b);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double abs = 0;
                        for (int p = 0; p < k; p++) {
                            abs += Math.abs((double) a[i * k + p] * b[p * n + j]);
                        }
                        double gamma = (k + k / Sgemm.KC + 4) * u / (1 - (k + k / Sgemm.KC + 4) * u);
                        double bound = 2 * gamma * abs;
                        double err = Math.abs((double) c[i * n + j] - ref[i * n + j]);
                        if (!(err <= bound)) {
                            fail(names[v] + " " + java.util.Arrays.toString(s) + " C[" + i + "," + j + "] = "
                                    + c[i * n + j] + ", V1 " + ref[i * n + j] + ", |diff| " + err + " > " + bound);
                        }
                    }
                }
            }
        }
    }

    @Test
    void versionFourAndTheEngineAgreeToTheBitWhenKIsOneBlock() {
        Random rnd = new Random(3);
        for (int[] s : SHAPES) {
            if (s[2] > Sgemm.KC) {
                continue;
            }
            float[] a = random(s[0] * s[2], rnd);
            float[] b = random(s[2] * s[1], rnd);
            assertArrayEquals(run(MatmulV4Vector::matmul, s, a, b), run(MatmulVersionsTest::sgemm, s, a, b),
                    java.util.Arrays.toString(s));
        }
    }
}
