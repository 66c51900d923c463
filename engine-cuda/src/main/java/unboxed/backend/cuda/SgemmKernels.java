package unboxed.backend.cuda;

import java.util.Arrays;
import jcuda.driver.CUdeviceptr;
import unboxed.backend.Strided;

/**
 * The launchers of sgemm.cu's numbered versions, and the backend's matmul, which picks one.
 *
 * <p>Every version computes, for each batch b, {@code C[b] = A[b] @ B[b]} with A [M, K] and B [K, N]
 * at any element strides (0 for a broadcast batch) and C a contiguous [batch, M, N]. All of them
 * compute each element of C with the same chain of fused multiply-adds, k ascending, so they give
 * the same bits (sgemm.cu's header says why): a faster version never changes a result.
 */
public final class SgemmKernels {
    /** CUDA's limit on gridDim.y and gridDim.z. */
    static final int MAX_GRID_YZ = 65535;

    private SgemmKernels() {
    }

    /** The numbered versions, in reading order; each names its kernel in sgemm.cu. */
    public enum Version {
        V1_NAIVE("sgemm_v1_naive", 32, "one thread per element of C, threads of a warp along M (uncoalesced)"),
        V2_COALESCED("sgemm_v2_coalesced", 32, "threads of a warp along N: B read and C written 128 bytes at a time"),
        V3_SHARED("sgemm_v3_shared", 32, "32x32 tiles of A and B staged in shared memory"),
        V4_REGISTER("sgemm_v4_register", 128, "128x128 tile per block, 8x8 per thread in registers, any strides"),
        V5_VECTORISED("sgemm_v5_vectorised", 128,
                "version 4 with float4 loads, conflict-free shared memory and double-buffered tiles");

        private final String kernel;
        private final int tile;
        private final String description;

        Version(String kernel, int tile, String description) {
            this.kernel = kernel;
            this.tile = tile;
            this.description = description;
        }

        /** The {@code extern "C"} kernel in sgemm.cu. */
        public String kernel() {
            return kernel;
        }

        /** One line: what this version adds. */
        public String description() {
            return description;
        }

        /** Threads per block: a 32x32 square for versions 1 to 3 (one thread per element of C), 256 for 4 and 5. */
        public Dim3 block() {
            return tile == 32 ? Dim3.of(32, 32) : Dim3.of(256);
        }

        /**
         * Blocks for a product: one per tile of C, batch along z. Version 1 puts M along x (its
         * threadIdx.x runs along M), the others put N along x.
         *
         * @throws IllegalArgumentException when the grid exceeds CUDA's limits (y and z at most 65535)
         */
        public Dim3 grid(int batch, int m, int n) {
            int tilesM = ceilDiv(m, tile);
            int tilesN = ceilDiv(n, tile);
            int x = this == V1_NAIVE ? tilesM : tilesN;
            int y = this == V1_NAIVE ? tilesN : tilesM;
            if (y > MAX_GRID_YZ || batch > MAX_GRID_YZ) {
                throw new IllegalArgumentException(kernel + ": a grid of (" + x + ", " + y + ", " + batch
                        + ") blocks for batch " + batch + ", M = " + m + ", N = " + n + " exceeds CUDA's limit of "
                        + MAX_GRID_YZ + " along y and z");
            }
            return new Dim3(x, y, batch);
        }

        /** Static shared memory only: the launch asks for no dynamic shared memory. */
        public int sharedBytes() {
            return 0;
        }
    }

    /**
     * Why {@code v} cannot compute this product, or null when it can. Versions 1 to 4 take any
     * strides and sizes. Version 5 loads and stores whole float4, which needs:
     * <ul>
     *   <li>{@code sAk == 1} and {@code sBn == 1}: the 4 floats are adjacent;</li>
     *   <li>{@code K % 4 == 0} and {@code N % 4 == 0}: a float4 never straddles the matrix's edge;</li>
     *   <li>the address of every float4 a multiple of 16 bytes: A, B and C start 16-byte aligned,
     *       and {@code sAm}, {@code sBk} (and {@code sAb}, {@code sBb} across batches) are multiples
     *       of 4. A stride is not needed when its dimension has a single index (M == 1, batch == 1).</li>
     * </ul>
     * Addresses are device byte addresses (only their value mod 16 matters).
     */
    public static String unmetRequirement(Version v, int batch, int m, int n, int k, int sAb, int sAm, int sAk,
                                           int sBb, int sBk, int sBn, long aAddress, long bAddress, long cAddress) {
        if (batch < 0 || m < 0 || n < 0 || k < 0) {
            return v.kernel + ": sizes must not be negative, got batch " + batch + ", M " + m + ", N " + n + ", K " + k;
        }
        if (v != Version.V5_VECTORISED) {
            return null;
        }
        String name = v.kernel + " ";
        if (sAk != 1) {
            return name + "needs A's rows contiguous (sAk == 1), got sAk = " + sAk;
        }
        if (sBn != 1) {
            return name + "needs B's rows contiguous (sBn == 1), got sBn = " + sBn;
        }
        if (k % 4 != 0) {
            return name + "needs K % 4 == 0, got K = " + k;
        }
        if (n % 4 != 0) {
            return name + "needs N % 4 == 0, got N = " + n;
        }
        if (m > 1 && sAm % 4 != 0) {
            return name + "needs sAm % 4 == 0 (16-byte aligned rows of A), got sAm = " + sAm;
        }
        if (k > 1 && sBk % 4 != 0) {
            return name + "needs sBk % 4 == 0 (16-byte aligned rows of B), got sBk = " + sBk;
        }
        if (batch > 1 && sAb % 4 != 0) {
            return name + "needs sAb % 4 == 0 (16-byte aligned batches of A), got sAb = " + sAb;
        }
        if (batch > 1 && sBb % 4 != 0) {
            return name + "needs sBb % 4 == 0 (16-byte aligned batches of B), got sBb = " + sBb;
        }
        if (aAddress % 16 != 0 || bAddress % 16 != 0 || cAddress % 16 != 0) {
            return name + "needs A, B and C 16-byte aligned, got addresses mod 16 of " + Math.floorMod(aAddress, 16)
                    + ", " + Math.floorMod(bAddress, 16) + ", " + Math.floorMod(cAddress, 16)
                    + " (a view whose offset is not a multiple of 4 floats)";
        }
        return null;
    }

    /** Whether {@code v} can compute this product ({@link #unmetRequirement} finds nothing). */
    public static boolean supports(Version v, int batch, int m, int n, int k, int sAb, int sAm, int sAk, int sBb,
                                   int sBk, int sBn, long aAddress, long bAddress, long cAddress) {
        return unmetRequirement(v, batch, m, n, k, sAb, sAm, sAk, sBb, sBk, sBn, aAddress, bAddress, cAddress) == null;
    }

    /**
     * The version the backend's matmul runs: version 5 where its requirements hold (row-major
     * operands with sizes and offsets in multiples of 4 floats, which is what a forward pass
     * mostly sees), else version 4, the fastest that takes any strides and sizes (the backward
     * pass's transposed views, odd sizes, views at odd offsets). Never 1 to 3: they exist to be
     * read and timed. Both give the same bits, so the choice changes only the speed.
     */
    static Version choose(int batch, int m, int n, int k, int sAb, int sAm, int sAk, int sBb, int sBk, int sBn,
                          long aAddress, long bAddress, long cAddress) {
        return supports(Version.V5_VECTORISED, batch, m, n, k, sAb, sAm, sAk, sBb, sBk, sBn, aAddress, bAddress,
                cAddress) ? Version.V5_VECTORISED : Version.V4_REGISTER;
    }

    /**
     * Launches version {@code v}: C[b] = A[b] @ B[b] for b in [0, batch), C overwritten. Batches
     * beyond gridDim.z's limit of 65535 go in several launches, each from its own base addresses.
     *
     * @throws IllegalArgumentException naming the requirement and the values when {@code v} cannot
     *     compute this product (see {@link #unmetRequirement})
     */
    public static void run(Kernels kernels, Version v, CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, int batch, int m,
                           int n, int k, int sAb, int sAm, int sAk, int sBb, int sBk, int sBn) {
        String unmet = unmetRequirement(v, batch, m, n, k, sAb, sAm, sAk, sBb, sBk, sBn, address(a), address(b),
                address(c));
        if (unmet != null) {
            throw new IllegalArgumentException(unmet);
        }
        if (batch == 0 || m == 0 || n == 0) {
            return; // C is empty; K == 0 still launches, to write the zeros
        }
        for (int b0 = 0; b0 < batch; b0 += MAX_GRID_YZ) {
            int slice = Math.min(MAX_GRID_YZ, batch - b0);
            kernels.launch("sgemm", v.kernel, v.grid(slice, m, n), v.block(), v.sharedBytes(),
                    a.withByteOffset(4L * b0 * sAb), b.withByteOffset(4L * b0 * sBb),
                    c.withByteOffset(4L * b0 * m * n), m, n, k, sAb, sAm, sAk, sBb, sBk, sBn);
        }
    }

    /**
     * The backend's matmul: a [B, M, K] and b [B, K, N] at any strides, out a contiguous [B, M, N],
     * overwritten; version 5 when it applies, else version 4 ({@link #choose}).
     */
    public static void matmul(Kernels kernels, Strided a, Strided b, Strided out) {
        if (a.dim() != 3 || b.dim() != 3 || out.dim() != 3) {
            throw new IllegalArgumentException("matmul: expected [B, M, K] @ [B, K, N] -> [B, M, N], got ranks "
                    + a.dim() + ", " + b.dim() + ", " + out.dim());
        }
        int batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
        if (a.size(0) != batch || b.size(0) != batch || a.size(1) != m || b.size(1) != k || b.size(2) != n) {
            throw new IllegalArgumentException("matmul: shapes do not match: a " + Arrays.toString(a.shape())
                    + ", b " + Arrays.toString(b.shape()) + ", out " + Arrays.toString(out.shape()));
        }
        if (!out.isContiguous()) {
            throw new IllegalArgumentException("matmul: out must be contiguous, got strides "
                    + Arrays.toString(out.strides()));
        }
        CUdeviceptr pa = CudaBackend.pointer(a), pb = CudaBackend.pointer(b), pc = CudaBackend.pointer(out);
        int sAb = a.stride(0), sAm = a.stride(1), sAk = a.stride(2);
        int sBb = b.stride(0), sBk = b.stride(1), sBn = b.stride(2);
        Version v = choose(batch, m, n, k, sAb, sAm, sAk, sBb, sBk, sBn, address(pa), address(pb), address(pc));
        run(kernels, v, pa, pb, pc, batch, m, n, k, sAb, sAm, sAk, sBb, sBk, sBn);
    }

    /**
     * The device address a pointer stands for (its base plus the offset of withByteOffset). JCuda
     * keeps both protected; a subclass may read them from its own copy.
     */
    static long address(CUdeviceptr p) {
        return new Address(p).value();
    }

    private static final class Address extends CUdeviceptr {
        Address(CUdeviceptr p) {
            super(p);
        }

        long value() {
            return getNativePointer() + getByteOffset();
        }
    }

    static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }
}
