package unboxed.basics.matmul;

import java.util.Arrays;

/**
 * Matrix multiply, version 2 of 5: the same arithmetic, the loops in the order i-k-j.
 *
 * <p>What changes from version 1: the loops over p (the shared dimension) and j are swapped. For
 * a fixed row i of C and a fixed p, the innermost loop now adds {@code a[i,p] * b[p, :]} to the
 * whole row {@code c[i, :]}: it reads a row of B and updates a row of C, both contiguous in
 * memory.
 *
 * <p>Why it is faster: every cache line brought in is used to the last float, and sequential
 * access is what the hardware prefetcher predicts best: about 1.7x version 1 at 256 x 256.
 *
 * <p>What one might expect, and does not happen: the iterations of the inner loop are independent
 * (each j updates its own c[i,j]), the textbook case for the JIT's auto-vectoriser (C2's
 * SuperWord). But {@code c} and {@code b} are both {@code float[]}, and the loop reads
 * {@code b[p*n + j]} and writes {@code c[i*n + j]} at offsets C2 cannot relate: for all it knows
 * they are the same array and a write lands on a later read. JDK 17's C2 then leaves the loop
 * scalar (a stand-alone probe, y[yo+j] += a*x[xo+j], is vectorised when both offsets are 0 and
 * runs 6-7x slower once one of them changes from call to call). Version 4 stops hoping and
 * writes the vector code itself.
 *
 * <p>What does not change: each c[i,j] still receives its products in increasing p, starting from
 * zero, each rounded by a separate multiply and add. Java never fuses or reorders floating-point
 * operations, so the result is bit-for-bit the result of version 1 (MatmulVersionsTest checks it).
 *
 * <p>What is left: every multiply-add loads and stores an element of C, so the loop is bound by
 * loads and stores, not arithmetic; and for large matrices each row of B is read again for every
 * row of A, from L3 or memory once B outgrows L2 (4 MiB at n = 1024, against 1 MiB). Version 3
 * blocks for both.
 */
public final class MatmulV2LoopOrder {
    private MatmulV2LoopOrder() {
    }

    public static void matmul(int m, int n, int k, float[] a, float[] b, float[] c) {
        Arrays.fill(c, 0, m * n, 0f);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                float aip = a[i * k + p];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += aip * b[p * n + j];
                }
            }
        }
    }
}
