package unboxed.basics.matmul;

import java.util.Arrays;

/**
 * Matrix multiply, version 3 of 5: cache blocking, still scalar Java.
 *
 * <p>What changes from version 2: the three loops are cut into blocks. For a block of K (KB rows
 * of B) and a block of N (NB columns), the tile {@code B[p0:p0+KB, j0:j0+NB]} is reused by every
 * row of A before moving on; a row segment {@code c[i, j0:j0+NB]} is updated KB times in a row.
 *
 * <p>Why it is faster: with KB = 128 and NB = 256 the B tile is 128 KiB: it stays in the 1 MiB L2
 * while all m rows of A use it, instead of streaming the whole of B from L3 or memory once per
 * row of A. The C row segment (NB floats = 1 KiB) stays in the 32 KiB L1 for the KB updates.
 * These sizes follow from the cache sizes of the development machine (AMD Zen 4: 32 KiB L1d,
 * 1 MiB L2 per core); they matter only once B outgrows L2, so at 256 x 256 (B = 256 KiB) versions
 * 2 and 3 run at about the same speed, and the gap opens at 1024 (some 25 % on the development
 * machine: the loop is still scalar, see version 2, so memory is not yet the only bottleneck).
 *
 * <p>What does not change: each c[i,j] still receives its products in increasing p (the p blocks
 * are visited in order, outside the loops that do not touch p), so the result is again bit-for-bit
 * that of version 1.
 *
 * <p>What is left: the inner loop is still scalar (version 2 explains why), and it loads and
 * stores its row of C for every p. Version 4 keeps a small tile of C in vector registers for the
 * whole sum instead, and does its arithmetic 16 floats at a time.
 */
public final class MatmulV3Blocked {
    /** Rows of B (columns of A) per block: the B tile KB x NB floats = 128 KiB stays in L2. */
    static final int KB = 128;
    /** Columns of B and C per block: a C row segment of 1 KiB stays in L1. */
    static final int NB = 256;

    private MatmulV3Blocked() {
    }

    public static void matmul(int m, int n, int k, float[] a, float[] b, float[] c) {
        Arrays.fill(c, 0, m * n, 0f);
        for (int j0 = 0; j0 < n; j0 += NB) {
            int j1 = Math.min(n, j0 + NB);
            for (int p0 = 0; p0 < k; p0 += KB) {
                int p1 = Math.min(k, p0 + KB);
                // the tile B[p0:p1, j0:j1] is now reused by every row of A
                for (int i = 0; i < m; i++) {
                    for (int p = p0; p < p1; p++) {
                        float aip = a[i * k + p];
                        for (int j = j0; j < j1; j++) {
                            c[i * n + j] += aip * b[p * n + j];
                        }
                    }
                }
            }
        }
    }
}
