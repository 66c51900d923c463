package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Sgemm against a double-precision reference (accuracy) and against its own scalar definition
 * {@link Sgemm#small} (exact bits: the blocked, packed, vectorised, threaded path must perform
 * the very same operations on every element).
 *
 * <p>Tolerance. For a sum of k products in float32 with fused multiply-adds, the worst-case
 * rounding error is bounded by gamma_k * sum |a_ip * b_pj| with gamma_k = k*u / (1 - k*u) and
 * u = 2^-24 (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., section 3.1).
 * The K blocks add one rounding each when merged, alpha and beta one each, so we assert
 * {@code |c - ref| <= (k + blocks + 3) * u * (|alpha| * sum_p |a_ip b_pj| + |beta * c0|)},
 * times 1.01 for the (1 - k*u) denominator. It is a proven bound, so a failure is a bug, not
 * bad luck; and it is tight enough that one missing or duplicated product, of the order of
 * |a b| itself, breaks it.
 */
class SgemmTest {

    private static final double U = Math.ulp(1.0f) / 2;        // 2^-24, unit roundoff of float32

    /** A matrix stored inside a larger array at an offset, with arbitrary element strides. */
    private record Mat(int rows, int cols, float[] data, int offset, int rowStride, int colStride) {
        float get(int i, int j) {
            return data[offset + i * rowStride + j * colStride];
        }

        /** layout: 0 row-major, 1 column-major (a transposed view), 2 row-major with gaps,
         *  3 column-major with gaps, 4 both strides > 1 (every other element). */
        static Mat random(int rows, int cols, int layout, Random rnd) {
            int offset = rnd.nextInt(5);
            int rs;
            int cs;
            switch (layout) {
                case 0 -> { rs = cols; cs = 1; }
                case 1 -> { rs = 1; cs = rows; }
                case 2 -> { rs = cols + 3; cs = 1; }
                case 3 -> { rs = 1; cs = rows + 2; }
                default -> { cs = 2; rs = 2 * cols + 1; }
            }
            int size = offset + Math.max(0, rows - 1) * rs + Math.max(0, cols - 1) * cs + 1 + 3;
            float[] d = new float[size];
            // the gaps hold NaN: reading one would show in the result
            Arrays.fill(d, Float.NaN);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    d[offset + i * rs + j * cs] = rnd.nextFloat() * 2 - 1;
                }
            }
            return new Mat(rows, cols, d, offset, rs, cs);
        }
    }

    /** One problem: A, B, C (with its offset and ldc) and the scalars. */
    private record Case(int m, int n, int k, float alpha, Mat a, Mat b, float beta,
                        float[] c0, int cOffset, int ldc) {
        static Case random(int m, int n, int k, Random rnd) {
            float alpha = switch (rnd.nextInt(4)) {
                case 0 -> 1f;
                case 1 -> -1f;
                default -> rnd.nextFloat() * 4 - 2;
            };
            float beta = switch (rnd.nextInt(4)) {
                case 0 -> 0f;
                case 1 -> 1f;
                default -> rnd.nextFloat() * 4 - 2;
            };
            int cOffset = rnd.nextInt(7);
            int ldc = n + rnd.nextInt(3);
            float[] c0 = new float[cOffset + Math.max(0, m - 1) * ldc + n + 2];
            for (int i = 0; i < c0.length; i++) {
                c0[i] = rnd.nextFloat() * 2 - 1;
            }
            return new Case(m, n, k, alpha, Mat.random(m, k, rnd.nextInt(5), rnd),
                    Mat.random(k, n, rnd.nextInt(5), rnd), beta, c0, cOffset, ldc);
        }

        float[] run(int threads) {
            float[] c = c0.clone();
            Sgemm.sgemm(m, n, k, alpha, a.data, a.offset, a.rowStride, a.colStride,
                    b.data, b.offset, b.rowStride, b.colStride, beta, c, cOffset, ldc, threads);
            return c;
        }

        float[] run(SgemmPlan plan, int threads) {
            float[] c = c0.clone();
            Sgemm.sgemm(plan, m, n, k, alpha, a.data, a.offset, a.rowStride, a.colStride,
                    b.data, b.offset, b.rowStride, b.colStride, beta, c, cOffset, ldc, threads);
            return c;
        }

        /** The scalar definition of the arithmetic, for exact comparison. */
        float[] runScalar() {
            float[] c = c0.clone();
            Sgemm.small(m, n, k, alpha, a.data, a.offset, a.rowStride, a.colStride,
                    b.data, b.offset, b.rowStride, b.colStride, beta, c, cOffset, ldc);
            return c;
        }

        @Override
        public String toString() {
            return "m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " beta=" + beta
                    + " A strides (" + a.rowStride + "," + a.colStride + ") B strides ("
                    + b.rowStride + "," + b.colStride + ") ldc=" + ldc;
        }

        /** Every element against the double reference, within the bound of the class comment. */
        void assertAccurate(float[] c) {
            int blocks = k == 0 ? 0 : (k + Sgemm.KC - 1) / Sgemm.KC;
            double gamma = (k + blocks + 3) * U * 1.01;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    double abs = 0;
                    for (int p = 0; p < k; p++) {
                        double x = (double) a.get(i, p) * b.get(p, j);
                        dot += x;
                        abs += Math.abs(x);
                    }
                    double old = beta == 0f ? 0 : c0[cOffset + i * ldc + j];
                    double ref = alpha * dot + beta * old;
                    double bound = gamma * (Math.abs(alpha) * abs + Math.abs(beta * old)) + 1e-30;
                    float got = c[cOffset + i * ldc + j];
                    if (!(Math.abs(got - ref) <= bound)) {
                        fail(this + ": C[" + i + "," + j + "] = " + got + ", reference " + ref
                                + ", error " + Math.abs(got - ref) + " > bound " + bound);
                    }
                }
            }
            // nothing outside the m x n window of C was touched
            for (int idx = 0; idx < c.length; idx++) {
                int rel = idx - cOffset;
                boolean inside = m > 0 && n > 0 && rel >= 0 && rel / ldc < m && rel % ldc < n;
                if (!inside) {
                    assertEquals(Float.floatToRawIntBits(c0[idx]), Float.floatToRawIntBits(c[idx]),
                            this + ": element " + idx + " outside C was written");
                }
            }
        }
    }

    private static int[] bits(float[] x) {
        int[] r = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = Float.floatToRawIntBits(x[i]);
        }
        return r;
    }

    @Test
    void randomShapesStridesAndScalarsMatchTheDoubleReferenceAndTheScalarDefinition() {
        Random rnd = new Random(20240501);
        for (int trial = 0; trial < 300; trial++) {
            // mostly small and odd, sometimes past MR, NR, KC and MC
            int m = rnd.nextInt(trial % 10 == 0 ? 140 : 40);
            int n = rnd.nextInt(trial % 10 == 0 ? 140 : 70);
            int k = rnd.nextInt(trial % 7 == 0 ? 700 : 60);
            Case cs = Case.random(m, n, k, rnd);
            float[] c = cs.run(1 + rnd.nextInt(3));
            cs.assertAccurate(c);
            if (k > 0) {      // (k = 0 is C = beta * C, outside the scalar definition's loop)
                assertArrayEquals(bits(cs.runScalar()), bits(c), cs + ": differs from the scalar definition");
            }
        }
    }

    /**
     * The plans of both machine kinds, AVX-512 (6 x 32 tiles in 512-bit vectors, A read in place,
     * NC for a 1 MiB L2) and AVX2 (4 x 16 tiles in 256-bit vectors, A packed k-major, NC up to
     * 4096 columns), run in this one JVM
     * whatever its CPU (a width the hardware lacks is emulated by the Vector API: slow, same
     * arithmetic), give the very same bits, on shapes around both plans' tile and block edges,
     * transposed operands included.
     */
    @Test
    void bothMachineKindsPlansGiveIdenticalBits() {
        CpuInfo here = CpuInfo.get();
        CpuInfo zen4 = new CpuInfo("AVX-512 kind", here.simdFlags(), 512, 32 << 10, 1 << 20, "test");
        CpuInfo zen3 = new CpuInfo("AVX2 kind", here.simdFlags(), 256, 32 << 10, 512 << 10, "test");
        SgemmPlan wide = SgemmPlan.choose(zen4, null);
        SgemmPlan narrow = SgemmPlan.choose(zen3, null);
        assertEquals(512, wide.vectorBits());
        assertEquals(256, narrow.vectorBits());
        assertTrue(narrow.nc() > wide.nc(), "the AVX2 kernel packs A once per NC block, so its blocks are wider: " + narrow.describe());
        Random rnd = new Random(99);
        int[][] shapes = {{6, 32, 256}, {4, 16, 257}, {25, 70, 300}, {64, 256, 784}, {13, 530, 40}, {97, 33, 513}, {20, 700, 300}, {5, 4200, 17}};
        List<Case> cases = new ArrayList<>();
        for (int[] sh : shapes) {
            cases.add(Case.random(sh[0], sh[1], sh[2], rnd));
        }
        // every layout of B for the training shapes: x @ W^T reads B column-major (the register transposes)
        for (int layout = 0; layout < 5; layout++) {
            cases.add(new Case(64, 256, 784, 1f, Mat.random(64, 784, 0, rnd), Mat.random(784, 256, layout, rnd), 0f,
                    new float[64 * 256], 0, 256));
            cases.add(new Case(37, 48, 100, 0.5f, Mat.random(37, 100, layout, rnd), Mat.random(100, 48, layout, rnd), 1f,
                    randomC(37 * 48, rnd), 0, 48));
        }
        for (Case cs : cases) {
            float[] a = cs.run(wide, 1);
            float[] b = cs.run(narrow, 2);
            assertArrayEquals(bits(a), bits(b), cs + ": the two machine kinds' plans differ");
            assertArrayEquals(bits(cs.runScalar()), bits(a), cs + ": differs from the scalar definition");
        }
    }

    private static float[] randomC(int n, Random rnd) {
        float[] c = new float[n];
        for (int i = 0; i < n; i++) {
            c[i] = rnd.nextFloat() * 2 - 1;
        }
        return c;
    }

    @Test
    void edgesOfTheBlockingAreExact() {
        // sizes around MR, NR, KC, MC and NC, where off-by-one errors in packing and tiling live
        int mr = SgemmPlan.get().mr();
        int nr = SgemmPlan.get().nr();
        int kc = Sgemm.KC;
        int[] ms = {1, mr - 1, mr, mr + 1, SgemmPlan.get().mc() - 1, SgemmPlan.get().mc() + 1};
        int[] ns = {1, nr - 1, nr, nr + 1, 2 * nr + 3};
        int[] ks = {1, 2, kc - 1, kc, kc + 1, 2 * kc + 5};
        Random rnd = new Random(7);
        for (int m : ms) {
            for (int n : ns) {
                for (int k : ks) {
                    Case cs = Case.random(m, n, k, rnd);
                    float[] c = cs.run(2);
                    cs.assertAccurate(c);
                    assertArrayEquals(bits(cs.runScalar()), bits(c), cs.toString());
                }
            }
        }
        // wider than one NC block of B
        Case wide = Case.random(7, SgemmPlan.get().nc() + 45, 33, rnd);
        float[] c = wide.run(1);
        wide.assertAccurate(c);
        assertArrayEquals(bits(wide.runScalar()), bits(c), wide.toString());
    }

    @Test
    void transposedViewsNeedNoCopy() {
        // C = A^T B^T with A stored [k, m] and B stored [n, k], both row-major
        int m = 37;
        int n = 45;
        int k = 301;
        Random rnd = new Random(3);
        float[] at = new float[k * m];
        float[] bt = new float[n * k];
        for (int i = 0; i < at.length; i++) {
            at[i] = rnd.nextFloat() - 0.5f;
        }
        for (int i = 0; i < bt.length; i++) {
            bt[i] = rnd.nextFloat() - 0.5f;
        }
        float[] c = new float[m * n];
        Sgemm.sgemm(m, n, k, 1f, at, 0, 1, m, bt, 0, 1, k, 0f, c, 0, n, 2);
        // the same product from explicit copies in row-major order
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                a[i * k + p] = at[p * m + i];
            }
        }
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                b[p * n + j] = bt[j * k + p];
            }
        }
        float[] ref = new float[m * n];
        Sgemm.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, ref, 0, n, 1);
        // same operations on the same values: the layout of the operands does not change a bit
        assertArrayEquals(bits(ref), bits(c));
    }

    /**
     * x @ W^T (B a transposed view, A's rows contiguous, beta 0, fewer rows than columns) runs as
     * C^T = W x^T through a buffer: the same bits as the product from a row-major copy of W^T,
     * on 1 to 3 threads, with C's padding past each row and before C left as it was.
     */
    @Test
    void swappedOperandsGiveTheSameBitsAndWriteOnlyC() {
        CpuInfo here = CpuInfo.get();
        SgemmPlan wide = SgemmPlan.choose(new CpuInfo("AVX-512 kind", here.simdFlags(), 512, 32 << 10, 1 << 20,
                "test"), null);
        SgemmPlan narrow = SgemmPlan.choose(new CpuInfo("AVX2 kind", here.simdFlags(), 256, 32 << 10, 512 << 10,
                "test"), null);
        assertTrue(Sgemm.swapsOperands(wide, 64, 256, 1, 1, 784, 0f));
        assertFalse(Sgemm.swapsOperands(wide, 64, 256, 1, 1, 784, 1f), "beta != 0 reads C");
        assertFalse(Sgemm.swapsOperands(wide, 64, 10, 1, 1, 256, 0f), "more rows than columns");
        assertFalse(Sgemm.swapsOperands(wide, 64, 256, 1, 256, 1, 0f), "B's rows contiguous: nothing to transpose");
        assertFalse(Sgemm.swapsOperands(narrow, 64, 256, 1, 1, 784, 0f), "the k-major kernel packs A anyway");
        Random rnd = new Random(11);
        int[][] shapes = {{64, 256, 784}, {16, 17, 300}, {33, 130, 1000}, {100, 513, 77}};
        for (int[] sh : shapes) {
            int m = sh[0];
            int n = sh[1];
            int k = sh[2];
            float[] x = new float[m * k];
            float[] w = new float[n * k];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextFloat() - 0.5f;
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = rnd.nextFloat() - 0.5f;
            }
            float[] wt = new float[k * n];
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) {
                    wt[p * n + j] = w[j * k + p];
                }
            }
            float[] ref = new float[m * n];
            Sgemm.sgemm(wide, m, n, k, 1f, x, 0, k, 1, wt, 0, n, 1, 0f, ref, 0, n, 1);
            for (int threads = 1; threads <= 3; threads++) {
                int ldc = n + 5;
                float[] c = new float[1 + m * ldc];
                java.util.Arrays.fill(c, -7f);
                Sgemm.sgemm(wide, m, n, k, 1f, x, 0, k, 1, w, 0, 1, k, 0f, c, 1, ldc, threads);
                float[] packed = new float[m * n];
                for (int i = 0; i < m; i++) {
                    System.arraycopy(c, 1 + i * ldc, packed, i * n, n);
                    for (int j = n; j < ldc && 1 + i * ldc + j < c.length; j++) {
                        assertEquals(-7f, c[1 + i * ldc + j], "row " + i + "'s padding written");
                    }
                }
                assertEquals(-7f, c[0], "wrote before C");
                assertArrayEquals(bits(ref), bits(packed), m + "x" + n + "x" + k + " on " + threads + " threads");
            }
        }
    }

    @Test
    void bitIdenticalForAnyThreadCountAndFromRunToRun() {
        Random rnd = new Random(11);
        int[][] shapes = {
                {64, 256, 784},   // x @ W1^T in an MNIST MLP, batch 64
                {784, 256, 64},   // x^T @ grad (weight gradient)
                {64, 784, 256},   // grad @ W1 (input gradient)
                {64, 10, 256},
                {257, 263, 269},  // odd, several tiles and K blocks
                {300, 2, 1000},   // too thin to split along N
                {2, 300, 1000},   // too thin to split along M
        };
        for (int[] s : shapes) {
            Case cs = Case.random(s[0], s[1], s[2], rnd);
            int[] one = bits(cs.run(1));
            for (int threads : new int[] {1, 2, 3, 4, 7}) {
                assertArrayEquals(one, bits(cs.run(threads)), cs + " threads=" + threads);
            }
        }
    }

    @Test
    void zeroSizes() {
        float[] c = {1, 2, 3, 4};
        float[] none = new float[0];
        Sgemm.sgemm(0, 2, 3, 1f, none, 0, 3, 1, new float[6], 0, 2, 1, 0f, c, 0, 2, 1);
        Sgemm.sgemm(2, 0, 3, 1f, new float[6], 0, 3, 1, none, 0, 0, 1, 0f, c, 0, 2, 1);
        assertArrayEquals(new float[] {1, 2, 3, 4}, c, "m = 0 or n = 0 leaves C alone");

        // k = 0: the product is empty, C = beta * C
        Sgemm.sgemm(2, 2, 0, 1f, none, 0, 0, 1, none, 0, 2, 1, 0.5f, c, 0, 2, 2);
        assertArrayEquals(new float[] {0.5f, 1, 1.5f, 2}, c);
        float[] nan = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        Sgemm.sgemm(2, 2, 0, 1f, none, 0, 0, 1, none, 0, 2, 1, 0f, nan, 0, 2, 2);
        assertArrayEquals(new float[] {0, 0, 0, 0}, nan, "k = 0, beta = 0 writes zeros, NaN or not");
    }

    @Test
    void oneByOne() {
        float[] c = {10};
        Sgemm.sgemm(1, 1, 1, 2f, new float[] {3}, 0, 1, 1, new float[] {4}, 0, 1, 1, 0.5f, c, 0, 1, 1);
        assertEquals(29f, c[0]);
    }

    @Test
    void betaZeroNeverReadsC() {
        Random rnd = new Random(5);
        for (int[] s : new int[][] {{3, 3, 3}, {13, 70, 40}, {64, 256, 784}, {100, 100, 600}}) {
            Case cs = Case.random(s[0], s[1], s[2], rnd);
            Case withNaN = new Case(cs.m, cs.n, cs.k, cs.alpha, cs.a, cs.b, 0f, cs.c0.clone(), cs.cOffset, cs.ldc);
            for (int i = 0; i < cs.m; i++) {
                Arrays.fill(withNaN.c0, cs.cOffset + i * cs.ldc, cs.cOffset + i * cs.ldc + cs.n, Float.NaN);
            }
            for (int threads : new int[] {1, 2}) {
                float[] c = withNaN.run(threads);
                for (float x : c) {
                    assertFalse(Float.isNaN(x), withNaN + ": NaN leaked from C with beta = 0");
                }
                withNaN.assertAccurate(c);
            }
        }
    }

    @Test
    void alphaZeroScalesCWithoutReadingAOrB() {
        float[] a = {Float.NaN, Float.NaN};
        float[] b = {Float.NaN, Float.NaN};
        float[] c = {1, 2};
        Sgemm.sgemm(1, 2, 1, 0f, a, 0, 1, 1, b, 0, 2, 1, 3f, c, 0, 2, 1);
        assertArrayEquals(new float[] {3, 6}, c);
    }

    @Test
    void largeProductIsAccurate() {
        // past every blocking size at once, multi-threaded
        Random rnd = new Random(13);
        Case cs = Case.random(SgemmPlan.get().mc() * 2 + 5, SgemmPlan.get().nr() * 5 + 7, Sgemm.KC * 3 + 1, rnd);
        float[] c = cs.run(2);
        cs.assertAccurate(c);
        assertArrayEquals(bits(cs.runScalar()), bits(c), cs.toString());
    }

    @Test
    void rejectsBadArguments() {
        float[] x = new float[4];
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemm(-1, 1, 1, 1f, x, 0, 1, 1, x, 0, 1, 1, 0f, x, 0, 1, 1), "negative m");
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemm(1, 1, 1, 1f, x, 0, 1, 1, x, 0, 1, 1, 0f, x, 0, 1, 0), "threads = 0");
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemm(2, 2, 1, 1f, x, 0, 1, 1, x, 0, 2, 1, 0f, x, 0, 1, 1), "ldc < n");
    }

    @Test
    void theKBlockingDependsOnKOnly() {
        for (int k = 1; k < 5 * Sgemm.KC; k++) {
            int kb = Sgemm.kBlock(k);
            assertTrue(kb >= 1 && kb <= Sgemm.KC, "k=" + k + " block " + kb);
            int blocks = (k + kb - 1) / kb;
            assertEquals((k + Sgemm.KC - 1) / Sgemm.KC, blocks, "k=" + k + ": fewest blocks of at most KC");
        }
    }

    /** The AVX2 kernel's bounds check (which also keeps it out of inlining) names the panels it was given. */
    @Test
    void theAvx2KernelRejectsPanelsTooShortForKc() {
        float[] sums = new float[Kernel256x4.MR * Kernel256x4.NR];
        float[] a = new float[4 * 10];
        float[] b = new float[16 * 10];
        Kernel256x4.sums(10, a, 0, b, 0, sums);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kernel256x4.sums(10, a, 4, b, 0, sums));
        assertTrue(e.getMessage().contains("A[4] of 40"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Kernel256x4.sums(10, a, 0, b, 1, sums));
        assertThrows(IllegalArgumentException.class, () -> Kernel256x4.sums(10, a, 0, b, 0, new float[63]));
    }
}
