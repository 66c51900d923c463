package unboxed.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import org.junit.jupiter.api.Test;
import unboxed.backend.cuda.ConvKernels.WeightSplit;
import unboxed.backend.cuda.SgemmKernels.Version;

/**
 * What the SGEMM and convolution launchers decide before any kernel runs, checked without a GPU:
 * that every version names a kernel that exists in its .cu file, the launch shapes at the edges,
 * the version-5 preconditions and their messages, the matmul dispatch, the weight gradient's K
 * split, and the argument checks. Nothing here loads the driver: every check that throws does so
 * before the first launch.
 */
class KernelVersionsHostTest {
    private static final Pattern KERNEL = Pattern.compile(
            "extern\\s+\"C\"\\s+__global__\\s+void\\s+(?:__launch_bounds__\\s*\\([^)]*\\)\\s+)?(\\w+)\\s*\\(");

    /** The {@code extern "C" __global__} kernels defined in engine-cuda/src/main/cuda/{@code file}, in order. */
    private static Set<String> kernelsIn(String file) throws IOException {
        String root = System.getProperty("unboxed.root");
        assertTrue(root != null && !root.isBlank(), "system property unboxed.root is not set (run through Maven)");
        String source = Files.readString(Path.of(root, "engine-cuda/src/main/cuda", file));
        Set<String> names = new LinkedHashSet<>();
        Matcher m = KERNEL.matcher(source);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    // ------------------------------------------------------------------ kernel names

    @Test
    void everySgemmVersionNamesAKernelOfSgemmCuAndEveryKernelHasAVersion() throws IOException {
        Set<String> kernels = kernelsIn("sgemm.cu");
        List<String> named = new ArrayList<>();
        for (Version v : Version.values()) {
            assertTrue(kernels.contains(v.kernel()), v + " names " + v.kernel() + ", which sgemm.cu does not define"
                    + " (it defines " + kernels + ")");
            named.add(v.kernel());
        }
        assertEquals(List.copyOf(kernels), named, "sgemm.cu's kernels, in file order, are the versions in order");
    }

    @Test
    void everyConvVersionNamesAKernelOfConvCuAndEveryKernelIsLaunched() throws IOException {
        Set<String> kernels = kernelsIn("conv.cu");
        Set<String> named = new LinkedHashSet<>();
        for (ConvKernels.Version v : ConvKernels.Version.values()) {
            named.add(v.forwardKernel());
            named.add(v.backwardDataKernel());
            named.add(v.backwardWeightKernel());
        }
        named.add(ConvKernels.WEIGHT_REDUCE_KERNEL);
        named.add(ConvKernels.BIAS_KERNEL);
        for (String k : named) {
            assertTrue(kernels.contains(k), "ConvKernels launches " + k + ", which conv.cu does not define (it"
                    + " defines " + kernels + ")");
        }
        assertEquals(Set.copyOf(kernels), Set.copyOf(named), "every kernel of conv.cu has a launcher");
    }

    // ------------------------------------------------------------------ sgemm launch shapes

    @Test
    void sgemmGridsCoverEveryElementOfCWithOneBlockPerTile() {
        // version 1 runs M along x, the others N along x
        assertEquals(new Dim3(1, 1, 1), Version.V1_NAIVE.grid(1, 1, 1));
        assertEquals(new Dim3(2, 1, 3), Version.V1_NAIVE.grid(3, 33, 32));
        assertEquals(new Dim3(1, 2, 3), Version.V2_COALESCED.grid(3, 33, 32));
        assertEquals(new Dim3(2, 1, 1), Version.V3_SHARED.grid(1, 32, 33));
        assertEquals(new Dim3(1, 1, 1), Version.V4_REGISTER.grid(1, 128, 128));
        assertEquals(new Dim3(2, 3, 5), Version.V4_REGISTER.grid(5, 257, 129));
        assertEquals(new Dim3(32, 32, 1), Version.V5_VECTORISED.grid(1, 4096, 4096));
        assertEquals(new Dim3(1, 1, 1), Version.V5_VECTORISED.grid(1, 1, 4));
        assertEquals(Dim3.of(32, 32), Version.V1_NAIVE.block());
        assertEquals(Dim3.of(32, 32), Version.V3_SHARED.block());
        assertEquals(Dim3.of(256), Version.V4_REGISTER.block());
        assertEquals(Dim3.of(256), Version.V5_VECTORISED.block());
    }

    @Test
    void aGridBeyondCudasLimitsIsRefusedWithTheSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Version.V2_COALESCED.grid(1, 32 * 65536, 32));
        assertTrue(e.getMessage().contains("sgemm_v2_coalesced") && e.getMessage().contains("65535"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Version.V4_REGISTER.grid(65536, 1, 1));
        assertEquals(65535, Version.V4_REGISTER.grid(1, 128 * 65535, 1).y());
    }

    // ------------------------------------------------------------------ version 5's preconditions

    /** A row-major [2, 64, 32] @ [2, 32, 48] that version 5 accepts, with addresses aligned. */
    private static String v5(int batch, int m, int n, int k, int sAb, int sAm, int sAk, int sBb, int sBk, int sBn,
                             long a, long b, long c) {
        return SgemmKernels.unmetRequirement(Version.V5_VECTORISED, batch, m, n, k, sAb, sAm, sAk, sBb, sBk, sBn, a, b,
                c);
    }

    @Test
    void versionFiveAcceptsRowMajorOperandsInMultiplesOfFour() {
        assertNull(v5(2, 64, 48, 32, 64 * 32, 32, 1, 32 * 48, 48, 1, 0, 256, 512));
        assertNull(v5(2, 64, 48, 32, 0, 32, 1, 32 * 48, 48, 1, 1024, 256, 512), "a broadcast batch (stride 0)");
        assertNull(v5(1, 1, 4, 4, 7, 3, 1, 5, 4, 1, 16, 32, 48), "strides of single-index dimensions do not matter");
        assertNull(v5(3, 5, 8, 0, 0, 0, 1, 0, 8, 1, 0, 0, 0), "K == 0");
    }

    @Test
    void versionFiveNamesTheFirstUnmetRequirementWithItsValue() {
        assertEquals("sgemm_v5_vectorised needs A's rows contiguous (sAk == 1), got sAk = 64",
                v5(1, 64, 48, 32, 0, 1, 64, 0, 48, 1, 0, 0, 0));
        assertEquals("sgemm_v5_vectorised needs B's rows contiguous (sBn == 1), got sBn = 32",
                v5(1, 64, 48, 32, 0, 32, 1, 0, 1, 32, 0, 0, 0));
        assertEquals("sgemm_v5_vectorised needs K % 4 == 0, got K = 30",
                v5(1, 64, 48, 30, 0, 30, 1, 0, 48, 1, 0, 0, 0));
        assertEquals("sgemm_v5_vectorised needs N % 4 == 0, got N = 50",
                v5(1, 64, 50, 32, 0, 32, 1, 0, 50, 1, 0, 0, 0));
        assertEquals("sgemm_v5_vectorised needs sAm % 4 == 0 (16-byte aligned rows of A), got sAm = 34",
                v5(1, 64, 48, 32, 0, 34, 1, 0, 48, 1, 0, 0, 0));
        assertEquals("sgemm_v5_vectorised needs sBk % 4 == 0 (16-byte aligned rows of B), got sBk = 49",
                v5(1, 64, 48, 32, 0, 32, 1, 0, 49, 1, 0, 0, 0));
        assertEquals("sgemm_v5_vectorised needs sAb % 4 == 0 (16-byte aligned batches of A), got sAb = 2050",
                v5(2, 64, 48, 32, 2050, 32, 1, 0, 48, 1, 0, 0, 0));
        assertEquals("sgemm_v5_vectorised needs sBb % 4 == 0 (16-byte aligned batches of B), got sBb = 1537",
                v5(2, 64, 48, 32, 0, 32, 1, 1537, 48, 1, 0, 0, 0));
        assertEquals("sgemm_v5_vectorised needs A, B and C 16-byte aligned, got addresses mod 16 of 4, 0, 8 (a view"
                + " whose offset is not a multiple of 4 floats)", v5(1, 64, 48, 32, 0, 32, 1, 0, 48, 1, 260, 512, 24));
    }

    @Test
    void versionsOneToFourTakeAnyStridesAndSizes() {
        for (Version v : new Version[] {Version.V1_NAIVE, Version.V2_COALESCED, Version.V3_SHARED,
                Version.V4_REGISTER}) {
            assertTrue(SgemmKernels.supports(v, 3, 7, 5, 3, 0, 1, 7, 15, 1, 3, 4, 2, 6), v.toString());
        }
        assertTrue(SgemmKernels.unmetRequirement(Version.V4_REGISTER, 1, -1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                .contains("must not be negative"));
    }

    @Test
    void matmulRunsVersionFiveWhereItAppliesAndVersionFourElsewhere() {
        // a row-major [8, 128, 64] @ [8, 64, 256]: the forward pass's Linear
        assertEquals(Version.V5_VECTORISED,
                SgemmKernels.choose(8, 128, 256, 64, 128 * 64, 64, 1, 64 * 256, 256, 1, 0, 512, 1024));
        // the backward pass's x^T @ grad: A transposed
        assertEquals(Version.V4_REGISTER,
                SgemmKernels.choose(1, 64, 256, 128, 0, 1, 64, 0, 256, 1, 0, 512, 1024));
        // W^T as B
        assertEquals(Version.V4_REGISTER, SgemmKernels.choose(1, 128, 64, 256, 0, 256, 1, 0, 1, 256, 0, 512, 1024));
        // a view starting one float into its storage
        assertEquals(Version.V4_REGISTER,
                SgemmKernels.choose(1, 128, 256, 64, 0, 64, 1, 0, 256, 1, 4, 512, 1024));
        // MNIST's 784 inputs and 10 classes: N = 10 is no multiple of 4
        assertEquals(Version.V4_REGISTER, SgemmKernels.choose(1, 64, 10, 784, 0, 784, 1, 0, 10, 1, 0, 512, 1024));
    }

    @Test
    void runRefusesVersionFiveOutsideItsRequirementsBeforeLaunching() {
        Kernels kernels = new Kernels(new CUstream());
        CUdeviceptr p = new CUdeviceptr();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SgemmKernels.run(kernels, Version.V5_VECTORISED, p, p, p, 1, 16, 16, 16, 0, 16, 2, 0, 16, 1));
        assertEquals("sgemm_v5_vectorised needs A's rows contiguous (sAk == 1), got sAk = 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SgemmKernels.run(kernels, Version.V5_VECTORISED, p,
                p.withByteOffset(8), p, 1, 16, 16, 16, 0, 16, 1, 0, 16, 1));
        assertTrue(e.getMessage().contains("got addresses mod 16 of 0, 8, 0"), e.getMessage());
        // empty products launch nothing (no driver call, so this passes without a GPU)
        SgemmKernels.run(kernels, Version.V4_REGISTER, p, p, p, 0, 16, 16, 16, 0, 16, 1, 0, 16, 1);
        SgemmKernels.run(kernels, Version.V5_VECTORISED, p, p, p, 2, 0, 16, 16, 0, 16, 1, 0, 16, 1);
        assertEquals(0, kernels.launches());
    }

    @Test
    void addressReadsTheBaseAndTheByteOffset() {
        CUdeviceptr p = new CUdeviceptr();
        assertEquals(0, SgemmKernels.address(p));
        assertEquals(20, SgemmKernels.address(p.withByteOffset(4).withByteOffset(16)));
    }

    // ------------------------------------------------------------------ convolution

    @Test
    void convGridsCoverEveryOutput() {
        assertEquals(Dim3.of(1), ConvKernels.directGrid(1));
        assertEquals(Dim3.of(1), ConvKernels.directGrid(256));
        assertEquals(Dim3.of(2), ConvKernels.directGrid(257));
        assertEquals(new Dim3(1, 2, 3), ConvKernels.gemmGrid(65, 64, 3));
        // MNIST's second layer at batch 64: x [64, 16, 14, 14], weight [32, 16, 5, 5], y [64, 32, 14, 14]
        ConvKernels.Version v1 = ConvKernels.Version.V1_DIRECT, v2 = ConvKernels.Version.V2_IMPLICIT_GEMM;
        assertEquals(Dim3.of(64 * 32 * 14 * 14 / 256), ConvKernels.forwardGrid(v1, 64, 32, 14, 14));
        // forward GEMM: M = O = 32 (one row tile), N = 64 * 14 * 14 = 12544 pixels (196 column tiles)
        assertEquals(new Dim3(196, 1, 1), ConvKernels.forwardGrid(v2, 64, 32, 14, 14));
        assertEquals(Dim3.of(64 * 16 * 14 * 14 / 256), ConvKernels.backwardDataGrid(v1, 64, 16, 14, 14));
        // data-gradient GEMM: M = C = 16, N = 64 * 14 * 14
        assertEquals(new Dim3(196, 1, 1), ConvKernels.backwardDataGrid(v2, 64, 16, 14, 14));
        // edges: a single pixel, and channels one past a tile
        assertEquals(new Dim3(1, 2, 1), ConvKernels.forwardGrid(v2, 1, 65, 1, 1));
        assertEquals(new Dim3(2, 1, 1), ConvKernels.backwardDataGrid(v2, 1, 3, 5, 13));
    }

    @Test
    void theWeightGradientSplitsKIntoNonEmptyChunksChosenFromTheShapeAlone() {
        // MNIST's second layer, batch 64: dW is 32 x 400 (7 tiles), K = 64 * 14 * 14 = 12544
        WeightSplit s = ConvKernels.weightSplit(64, 16, 32, 5, 5, 14, 14);
        assertEquals(36, s.splits());
        assertEquals(352, s.kChunk());
        assertCovers(s, 12544);
        // K too short to split
        assertEquals(new WeightSplit(1, 300), ConvKernels.weightSplit(3, 16, 32, 5, 5, 10, 10));
        // no batch: one empty chunk, whose GEMM writes zeros
        assertEquals(new WeightSplit(1, 0), ConvKernels.weightSplit(0, 16, 32, 5, 5, 14, 14));
        // many tiles already: no split
        assertEquals(1, ConvKernels.weightSplit(64, 512, 512, 3, 3, 8, 8).splits());
        for (int n : new int[] {1, 2, 7, 64, 1000}) {
            for (int hw : new int[] {1, 5, 28, 100}) {
                WeightSplit w = ConvKernels.weightSplit(n, 3, 8, 3, 3, hw, hw);
                assertCovers(w, (long) n * hw * hw);
                assertTrue(w.splits() == 1 || w.kChunk() >= ConvKernels.MIN_CHUNK && w.kChunk() % 8 == 0, w.toString());
            }
        }
        ConvKernels.Version v1 = ConvKernels.Version.V1_DIRECT, v2 = ConvKernels.Version.V2_IMPLICIT_GEMM;
        assertEquals(0, ConvKernels.backwardWeightWorkspaceFloats(v1, 64, 16, 32, 5, 5, 14, 14));
        assertEquals(36L * 32 * 16 * 25, ConvKernels.backwardWeightWorkspaceFloats(v2, 64, 16, 32, 5, 5, 14, 14));
        assertEquals(0, ConvKernels.backwardWeightWorkspaceFloats(v2, 3, 16, 32, 5, 5, 10, 10), "unsplit");
    }

    /** The chunks cover [0, k) and the last one is not empty. */
    private static void assertCovers(WeightSplit s, long k) {
        assertTrue((long) s.splits() * s.kChunk() >= k, s + " covers less than K = " + k);
        assertTrue(s.splits() == 1 || (long) (s.splits() - 1) * s.kChunk() < k, s + " has an empty chunk for K = " + k);
    }

    @Test
    void convRefusesInconsistentShapesWithTheirValues() {
        Kernels kernels = new Kernels(new CUstream());
        CUdeviceptr p = new CUdeviceptr();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvKernels.forward(kernels,
                ConvKernels.Version.V2_IMPLICIT_GEMM, p, p, null, p, 2, 1, 28, 28, 16, 5, 5, 24, 28, 1, 1, 2, 2, 1, 1));
        assertEquals("conv2d forward: OH x OW = 24x28 does not match the window: input 28x28, kernel 5x5, stride 1x1,"
                + " padding 2x2, dilation 1x1 give 28x28", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvKernels.backwardData(kernels,
                ConvKernels.Version.V1_DIRECT, p, p, p, 2, 1, 3, 3, 16, 5, 5, 1, 1, 1, 1, 0, 0, 1, 1));
        assertTrue(e.getMessage().startsWith("conv2d backward data: the 5x5 kernel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvKernels.forward(kernels,
                ConvKernels.Version.V1_DIRECT, p, p, null, p, 2, 1, 28, 28, 16, 5, 5, 28, 28, 0, 1, 2, 2, 1, 1));
        assertTrue(e.getMessage().contains("stride 0x1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvKernels.backwardWeight(kernels,
                ConvKernels.Version.V2_IMPLICIT_GEMM, p, p, p, null, 64, 16, 14, 14, 32, 5, 5, 14, 14, 1, 1, 2, 2, 1,
                1));
        assertEquals("conv2d backward weight (conv2d_bwd_weight_v2_implicit_gemm) splits K = 12544 into 36 chunks and"
                + " needs a workspace of 460800 floats (backwardWeightWorkspaceFloats), got a null pointer",
                e.getMessage());
        // an empty batch: nothing to compute for the forward and data passes, no launch
        ConvKernels.forward(kernels, ConvKernels.Version.V2_IMPLICIT_GEMM, p, p, null, p, 0, 1, 28, 28, 16, 5, 5, 28,
                28, 1, 1, 2, 2, 1, 1);
        assertEquals(0, kernels.launches());
    }
}
