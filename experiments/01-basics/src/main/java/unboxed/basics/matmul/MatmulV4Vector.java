package unboxed.basics.matmul;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix multiply, version 4 of 5: explicit SIMD with the Vector API, a register tile of C.
 *
 * <p>What changes from version 3: the register block becomes vectors. A tile of C, 4 rows by 2
 * vectors (4 x 32 floats with AVX-512), lives in 8 vector registers for the whole sum over p.
 * Each step of p loads two vectors of a row of B, broadcasts 4 values of A, and issues 8 fused
 * multiply-adds ({@code fma}: a*b + c with a single rounding): 128 multiply-adds per step of p,
 * where version 3 did 16. Edges (the last rows, and columns past the last full pair of vectors) are done by a
 * scalar loop that performs the same fused operations, so every element of C gets the same
 * arithmetic.
 *
 * <p>Why it is faster: 16 lanes per instruction, and 8 independent accumulators hide the latency
 * of the FMA unit (4 cycles). At 256 x 256, where B fits in L2, this is already as fast as the
 * engine's version (about 100 GFLOP/s on the development machine).
 *
 * <p>What is different: {@code fma} rounds once where versions 1-3 round twice (multiply, then
 * add), so the result is no longer bit-identical to version 1, only close (MatmulVersionsTest
 * states the bound).
 *
 * <p>What is left (version 5, the engine's {@code unboxed.backend.cpu.Sgemm}): B is read in place,
 * with rows {@code n} floats apart, and A in 4 separate row streams; no cache blocking. At
 * 1024 x 1024 B (4 MiB) no longer fits in L2 and each register tile's loads stall on L3: half the
 * speed of 256. The engine copies ("packs") blocks of A and B into exactly the order the inner
 * loop reads them, blocks all loops for the caches, uses a 6 x 32 tile, and splits C across
 * threads.
 */
public final class MatmulV4Vector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Rows of the register tile. */
    static final int MR = 4;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * V;

    private MatmulV4Vector() {
    }

    public static void matmul(int m, int n, int k, float[] a, float[] b, float[] c) {
        int i = 0;
        for (; i + MR <= m; i += MR) {
            int j = 0;
            for (; j + NR <= n; j += NR) {
                tile(i, j, n, k, a, b, c);
            }
            for (int r = i; r < i + MR; r++) {
                edge(r, j, n, n, k, a, b, c);
            }
        }
        for (; i < m; i++) {
            edge(i, 0, n, n, k, a, b, c);
        }
    }

    /** C[i:i+4, j:j+NR] in 8 vector registers. */
    private static void tile(int i, int j, int n, int k, float[] a, float[] b, float[] c) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int a0 = i * k;
        int a1 = a0 + k;
        int a2 = a1 + k;
        int a3 = a2 + k;
        for (int p = 0; p < k; p++) {
            int bRow = p * n + j;
            FloatVector b0 = FloatVector.fromArray(S, b, bRow);
            FloatVector b1 = FloatVector.fromArray(S, b, bRow + V);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        int c0 = i * n + j;
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + V);
        c10.intoArray(c, c0 + n);
        c11.intoArray(c, c0 + n + V);
        c20.intoArray(c, c0 + 2 * n);
        c21.intoArray(c, c0 + 2 * n + V);
        c30.intoArray(c, c0 + 3 * n);
        c31.intoArray(c, c0 + 3 * n + V);
    }

    /** C[i, j0:j1] one element at a time, with the same fused multiply-adds as the tile. */
    private static void edge(int i, int j0, int j1, int n, int k, float[] a, float[] b, float[] c) {
        for (int j = j0; j < j1; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) {
                s = Math.fma(a[i * k + p], b[p * n + j], s);
            }
            c[i * n + j] = s;
        }
    }
}
