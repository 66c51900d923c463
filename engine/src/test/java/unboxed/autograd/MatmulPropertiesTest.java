package unboxed.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import unboxed.tensor.Tensor;

/** Random matmul sizes and layouts against a naive triple loop in double, forward and backward. */
class MatmulPropertiesTest {

    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** C[m,n] = A[m,k] B[k,n], plus the sum of |terms| per element (the scale of the rounding error). */
    private static double[][] naive(float[] a, float[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        double[] mag = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) a[i * k + p] * b[p * n + j];
                    s += t;
                    abs += Math.abs(t);
                }
                c[i * n + j] = s;
                mag[i * n + j] = abs;
            }
        }
        return new double[][] {c, mag};
    }

    private static void assertClose(String what, double[] expected, double[] mag, float[] got) {
        assertTrue(expected.length == got.length, what + ": " + got.length + " values, expected " + expected.length);
        for (int i = 0; i < got.length; i++) {
            double tol = 1e-6 + 4e-7 * (mag[i] + 1) * 8; // a few ulp of the sum of |terms|
            assertTrue(Math.abs(got[i] - expected[i]) <= tol,
                    what + " element " + i + ": got " + got[i] + ", expected " + expected[i] + " (tol " + tol + ")");
        }
    }

    private static float[] transpose(float[] x, int rows, int cols) {
        float[] t = new float[x.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = x[i * cols + j];
            }
        }
        return t;
    }

    @Property(tries = 60)
    void twoDimensionalProductMatchesNaive(@ForAll @IntRange(min = 1, max = 70) int m,
                                           @ForAll @IntRange(min = 0, max = 70) int k,
                                           @ForAll @IntRange(min = 1, max = 70) int n,
                                           @ForAll boolean transA, @ForAll boolean transB, @ForAll long seed) {
        Random r = new Random(seed);
        float[] a = gaussian(r, m * k);
        float[] b = gaussian(r, k * n);
        // the same logical matrices, stored transposed when asked: the product must not care
        Tensor ta = transA ? Tensor.of(transpose(a, m, k), k, m).t() : Tensor.of(a, m, k);
        Tensor tb = transB ? Tensor.of(transpose(b, k, n), n, k).t() : Tensor.of(b, k, n);
        ta.requiresGrad(transA ? false : true);
        double[][] ref = naive(a, b, m, k, n);
        Tensor c = ta.matmul(tb);
        assertArrayEquals(new int[] {m, n}, c.shape());
        assertClose("C", ref[0], ref[1], c.toArray());
        if (!transA) {
            // dA = G B^T for an upstream G
            float[] g = gaussian(r, m * n);
            c.backward(Tensor.of(g, m, n));
            double[][] da = naive(g, transpose(b, k, n), m, n, k);
            assertClose("dA", da[0], da[1], ta.grad().toArray());
        }
    }

    @Property(tries = 40)
    void batchedAndBroadcastProductsMatchNaive(@ForAll @IntRange(min = 1, max = 3) int batchA,
                                               @ForAll @IntRange(min = 1, max = 3) int batchB,
                                               @ForAll @IntRange(min = 1, max = 9) int m,
                                               @ForAll @IntRange(min = 1, max = 9) int k,
                                               @ForAll @IntRange(min = 1, max = 9) int n,
                                               @ForAll long seed) {
        // batch dims [batchA, 1] and [batchB] broadcast to [batchA, batchB]
        Random r = new Random(seed);
        float[] a = gaussian(r, batchA * m * k);
        float[] b = gaussian(r, batchB * k * n);
        Tensor ta = Tensor.of(a, batchA, 1, m, k).requiresGrad(true);
        Tensor tb = Tensor.of(b, batchB, k, n).requiresGrad(true);
        Tensor c = ta.matmul(tb);
        assertArrayEquals(new int[] {batchA, batchB, m, n}, c.shape());
        float[] got = c.toArray();
        float[] g = gaussian(r, got.length);
        double[] ga = new double[a.length];
        double[] gb = new double[b.length];
        for (int i = 0; i < batchA; i++) {
            for (int j = 0; j < batchB; j++) {
                float[] ai = java.util.Arrays.copyOfRange(a, i * m * k, (i + 1) * m * k);
                float[] bj = java.util.Arrays.copyOfRange(b, j * k * n, (j + 1) * k * n);
                double[][] ref = naive(ai, bj, m, k, n);
                float[] cij = java.util.Arrays.copyOfRange(got, (i * batchB + j) * m * n, (i * batchB + j + 1) * m * n);
                assertClose("C[" + i + "," + j + "]", ref[0], ref[1], cij);
                int go = (i * batchB + j) * m * n;
                for (int x = 0; x < m; x++) {
                    for (int y = 0; y < n; y++) {
                        for (int p = 0; p < k; p++) {
                            ga[i * m * k + x * k + p] += g[go + x * n + y] * (double) bj[p * n + y];
                            gb[j * k * n + p * n + y] += g[go + x * n + y] * (double) ai[x * k + p];
                        }
                    }
                }
            }
        }
        c.backward(Tensor.of(g, c.shape()));
        float[] da = ta.grad().toArray();
        float[] db = tb.grad().toArray();
        for (int i = 0; i < da.length; i++) {
            assertTrue(Math.abs(da[i] - ga[i]) <= 1e-4 * (1 + Math.abs(ga[i])) * 4, "dA[" + i + "] " + da[i] + " vs " + ga[i]);
        }
        for (int i = 0; i < db.length; i++) {
            assertTrue(Math.abs(db[i] - gb[i]) <= 1e-4 * (1 + Math.abs(gb[i])) * 4, "dB[" + i + "] " + db[i] + " vs " + gb[i]);
        }
    }

    @Property(tries = 30)
    void vectorFormsMatchTheirMatrixForms(@ForAll @IntRange(min = 1, max = 12) int m,
                                          @ForAll @IntRange(min = 1, max = 12) int k, @ForAll long seed) {
        Random r = new Random(seed);
        float[] a = gaussian(r, m * k);
        float[] v = gaussian(r, k);
        float[] u = gaussian(r, m);
        Tensor A = Tensor.of(a, m, k);
        // matrix . vector equals matrix . column, squeezed
        assertArrayEquals(A.matmul(Tensor.of(v, k, 1)).toArray(), A.matmul(Tensor.of(v, k)).toArray(), 0f);
        assertArrayEquals(new int[] {m}, A.matmul(Tensor.of(v, k)).shape());
        // vector . matrix equals row . matrix, squeezed
        assertArrayEquals(Tensor.of(u, 1, m).matmul(A).toArray(), Tensor.of(u, m).matmul(A).toArray(), 0f);
        assertArrayEquals(new int[] {k}, Tensor.of(u, m).matmul(A).shape());
        // dot product is 0-dim
        Tensor dot = Tensor.of(v, k).matmul(Tensor.of(v, k));
        assertArrayEquals(new int[0], dot.shape());
        double s = 0;
        double mag = 0;
        for (float x : v) {
            s += (double) x * x;
            mag += (double) x * x;
        }
        assertTrue(Math.abs(dot.item() - s) <= 1e-6 * (mag + 1) * 8);
    }
}
