package unboxed.basics.matmul;

import java.util.Arrays;

/**
 * Matrix multiply, version 3 of 5: blocking, for the caches and for the registers; still scalar.
 *
 * <p>What changes from version 2: the work is cut into pieces that each fit in one level of the
 * memory hierarchy.
 * <ul>
 *   <li>Cache blocks: a tile {@code B[p0:p0+KB, j0:j0+NB]} (256 x 256 floats = 256 KiB) is used by
 *       every row of A before the loops move on, so it is read from the 1 MiB L2 rather than
 *       streamed from L3 or memory once per row of A, as version 2 does once B outgrows L2
 *       (4 MiB at n = 1024).</li>
 *   <li>Register blocks: C is computed 4 x 4 elements at a time, in 16 local variables that the
 *       JIT keeps in registers for the whole block of p. Each step of p loads 4 values of A and
 *       4 of B and does 16 multiply-adds with them, where version 2 loaded and stored an element
 *       of C for every single multiply-add. The loads, not the arithmetic, were the bottleneck.</li>
 * </ul>
 * These sizes follow from the caches of the development machine (AMD Zen 4: 32 KiB L1d, 1 MiB
 * L2 per core): the 4 rows of A (4 KiB) and the 4-column strip of the B tile that one register
 * block walks (256 cache lines, 16 KiB) stay in L1.
 *
 * <p>What does not change: each c[i,j] still receives its products in increasing p, starting from
 * zero, each rounded by a separate multiply and add (between p blocks, the partial sum waits in C,
 * and storing a float and loading it back is exact). So the result is again bit-for-bit that of
 * version 1. The edges (rows past the last multiple of 4, columns past the last multiple of 4 in
 * a block) take a plain loop with the same arithmetic.
 *
 * <p>What is left: it is all scalar, one multiply and one add per instruction. Version 4 does the
 * same register blocking with 16-float vectors and fused multiply-adds.
 */
public final class MatmulV3Blocked {
    /** Rows of B (columns of A) per cache block: the B tile KB x NB = 256 KiB stays in L2. */
    static final int KB = 256;
    /** Columns of B and C per cache block. */
    static final int NB = 256;
    /** The register block is R x R elements of C. */
    static final int R = 4;

    private MatmulV3Blocked() {
    }

    public static void matmul(int m, int n, int k, float[] a, float[] b, float[] c) {
        Arrays.fill(c, 0, m * n, 0f);
        for (int j0 = 0; j0 < n; j0 += NB) {
            int j1 = Math.min(n, j0 + NB);
            for (int p0 = 0; p0 < k; p0 += KB) {
                int p1 = Math.min(k, p0 + KB);
                // the tile B[p0:p1, j0:j1] is now reused by every row of A
                for (int i = 0; i < m; i += R) {
                    for (int j = j0; j < j1; j += R) {
                        if (i + R <= m && j + R <= j1) {
                            block4x4(i, j, p0, p1, n, k, a, b, c);
                        } else {
                            edge(i, Math.min(m, i + R), j, Math.min(j1, j + R), p0, p1, n, k, a, b, c);
                        }
                    }
                }
            }
        }
    }

    /** C[i:i+4, j:j+4] += A[i:i+4, p0:p1] * B[p0:p1, j:j+4], the 16 sums held in locals. */
    private static void block4x4(int i, int j, int p0, int p1, int n, int k, float[] a, float[] b, float[] c) {
        int c0 = i * n + j;
        int c1 = c0 + n;
        int c2 = c1 + n;
        int c3 = c2 + n;
        float s00 = c[c0], s01 = c[c0 + 1], s02 = c[c0 + 2], s03 = c[c0 + 3];
        float s10 = c[c1], s11 = c[c1 + 1], s12 = c[c1 + 2], s13 = c[c1 + 3];
        float s20 = c[c2], s21 = c[c2 + 1], s22 = c[c2 + 2], s23 = c[c2 + 3];
        float s30 = c[c3], s31 = c[c3 + 1], s32 = c[c3 + 2], s33 = c[c3 + 3];
        int a0 = i * k;
        int a1 = a0 + k;
        int a2 = a1 + k;
        int a3 = a2 + k;
        for (int p = p0; p < p1; p++) {
            int bp = p * n + j;
            float b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3];
            float x = a[a0 + p];
            s00 += x * b0; s01 += x * b1; s02 += x * b2; s03 += x * b3;
            x = a[a1 + p];
            s10 += x * b0; s11 += x * b1; s12 += x * b2; s13 += x * b3;
            x = a[a2 + p];
            s20 += x * b0; s21 += x * b1; s22 += x * b2; s23 += x * b3;
            x = a[a3 + p];
            s30 += x * b0; s31 += x * b1; s32 += x * b2; s33 += x * b3;
        }
        c[c0] = s00; c[c0 + 1] = s01; c[c0 + 2] = s02; c[c0 + 3] = s03;
        c[c1] = s10; c[c1 + 1] = s11; c[c1 + 2] = s12; c[c1 + 3] = s13;
        c[c2] = s20; c[c2 + 1] = s21; c[c2 + 2] = s22; c[c2 + 3] = s23;
        c[c3] = s30; c[c3 + 1] = s31; c[c3 + 2] = s32; c[c3 + 3] = s33;
    }

    /** The same update, one element at a time, for the edges. */
    private static void edge(int i0, int i1, int j0, int j1, int p0, int p1, int n, int k,
                             float[] a, float[] b, float[] c) {
        for (int i = i0; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
                float s = c[i * n + j];
                for (int p = p0; p < p1; p++) {
                    s += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
    }
}
