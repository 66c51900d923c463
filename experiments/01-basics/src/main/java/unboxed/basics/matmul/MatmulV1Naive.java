package unboxed.basics.matmul;

/**
 * Matrix multiply, version 1 of 5: the textbook triple loop.
 *
 * <pre>
 *   version 1  MatmulV1Naive      i-j-k triple loop, one dot product per element of C   (this file)
 *   version 2  MatmulV2LoopOrder  i-k-j: the same sums, in an order the caches like
 *   version 3  MatmulV3Blocked    cache blocking: work on tiles that stay in L1 / L2
 *   version 4  MatmulV4Vector     the Vector API: a register tile of C, fused multiply-adds
 *   version 5  unboxed.backend.cpu.Sgemm (the engine's): packing, a 6x32 micro-kernel, threads
 * </pre>
 *
 * All five compute C[m,n] = A[m,k] * B[k,n] for row-major, contiguous arrays, and all have the
 * same signature, so the post's benchmark (MatmulBench) and test (MatmulVersionsTest) treat
 * them alike.
 *
 * <p>What this version does: for every element of C, walk along a row of A and down a column of
 * B and add up the products. It is the definition of the product and the reference that every
 * later version is checked against.
 *
 * <p>Why it is slow: the innermost loop walks down a column of B, {@code b[p * n + j]} with p
 * moving, so consecutive reads are {@code n} floats apart. Each one lands on a different cache
 * line (64 bytes hold 16 floats), and only one float of each line is used before the line is
 * evicted; for n = 1024 every read is a miss to L2 or beyond. The processor spends its time
 * waiting for memory, not multiplying: about 2 GFLOP/s at 256 x 256, against some 100 on the
 * same core for the final version. And the loop is a chain of dependent additions ({@code sum += ...}), which the
 * JIT may not reorder (floating-point addition is not associative), so it cannot be vectorised.
 */
public final class MatmulV1Naive {
    private MatmulV1Naive() {
    }

    public static void matmul(int m, int n, int k, float[] a, float[] b, float[] c) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = sum;
            }
        }
    }
}
