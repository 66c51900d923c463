package unboxed.backend.cuda;

import java.util.Arrays;
import jcuda.driver.CUdeviceptr;
import unboxed.backend.Window2d;

/**
 * The launchers of conv.cu: 2-D convolution (NCHW, float, all tensors contiguous), forward and
 * backward, in two versions each: {@link Version#V1_DIRECT} (one thread per output element, the
 * loops of the definition) and {@link Version#V2_IMPLICIT_GEMM} (the same sums as a tiled GEMM whose
 * operand tiles are gathered from the tensors with im2col's index arithmetic, no buffer in between).
 *
 * <p>Shapes follow {@code F.conv2d}: x [N, C, H, W], weight [O, C, R, S], bias [O], y [N, O, OH, OW],
 * with stride, padding and dilation per axis (height, width), groups = 1. Every launcher takes the
 * same 15 sizes in that order and checks them (OH and OW must be what the window gives) before
 * launching anything. Nothing is accumulated with atomics; v1 and v2 of the forward and data
 * passes give the same bits, and the weight gradient's v2 differs from v1 only in the order in
 * which its K chunks are added (see {@link #weightSplit}).
 */
public final class ConvKernels {
    /** Threads per block of every conv kernel (conv.cu's CTHREADS and BIAS_THREADS, and the direct kernels'). */
    static final int BLOCK = 256;
    /** conv.cu's implicit-GEMM tile: CBM x CBN elements of C per block, K in steps of CBK. */
    static final int TILE_M = 64;
    static final int TILE_N = 64;
    static final int TILE_K = 8;
    /**
     * Blocks the weight gradient's split-K aims for: about two per SM of a 132-SM H200. A constant
     * rather than the device's SM count, because the split decides the order of summation, and the
     * same shape must give the same bits on every GPU.
     */
    static final int TARGET_BLOCKS = 256;
    /** The shortest K chunk worth a split: below it the partial sums cost more traffic than the parallelism gains. */
    static final int MIN_CHUNK = 256;

    private ConvKernels() {
    }

    public enum Version {
        V1_DIRECT("conv2d_fwd_v1_direct", "conv2d_bwd_data_v1_direct", "conv2d_bwd_weight_v1_direct",
                "one thread per output element, looping over the window"),
        V2_IMPLICIT_GEMM("conv2d_fwd_v2_implicit_gemm", "conv2d_bwd_data_v2_implicit_gemm",
                "conv2d_bwd_weight_v2_implicit_gemm",
                "a 64x64-tiled GEMM whose tiles are gathered with im2col's index arithmetic");

        private final String forward;
        private final String backwardData;
        private final String backwardWeight;
        private final String description;

        Version(String forward, String backwardData, String backwardWeight, String description) {
            this.forward = forward;
            this.backwardData = backwardData;
            this.backwardWeight = backwardWeight;
            this.description = description;
        }

        public String forwardKernel() {
            return forward;
        }

        public String backwardDataKernel() {
            return backwardData;
        }

        public String backwardWeightKernel() {
            return backwardWeight;
        }

        public String description() {
            return description;
        }
    }

    /** The kernel that adds the weight gradient's partial sums (v2, more than one chunk). */
    static final String WEIGHT_REDUCE_KERNEL = "conv2d_bwd_weight_v2_reduce";
    /** The bias gradient's kernel (one version). */
    static final String BIAS_KERNEL = "conv2d_bwd_bias";

    // ------------------------------------------------------------------ launchers

    /** y = conv2d(x, w) + bias; {@code bias} may be null or the null pointer for none. */
    public static void forward(Kernels kernels, Version v, CUdeviceptr x, CUdeviceptr w, CUdeviceptr bias,
                               CUdeviceptr y, int n, int c, int h, int wd, int o, int r, int s, int oh, int ow,
                               int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
        Shape sh = new Shape(n, c, h, wd, o, r, s, oh, ow, strideH, strideW, padH, padW, dilH, dilW).check("forward");
        if (n == 0) {
            return; // an empty batch: nothing to compute
        }
        CUdeviceptr b = bias == null ? new CUdeviceptr() : bias;
        kernels.launch("conv", v.forward, forwardGrid(v, n, o, oh, ow), Dim3.of(BLOCK), 0, sh.args(x, w, b, y));
    }

    /** grad_input from grad_output and the weight (grad_input overwritten). */
    public static void backwardData(Kernels kernels, Version v, CUdeviceptr gradOut, CUdeviceptr w,
                                    CUdeviceptr gradInput, int n, int c, int h, int wd, int o, int r, int s, int oh,
                                    int ow, int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
        Shape sh = new Shape(n, c, h, wd, o, r, s, oh, ow, strideH, strideW, padH, padW, dilH, dilW)
                .check("backward data");
        if (n == 0) {
            return; // an empty batch: nothing to compute
        }
        kernels.launch("conv", v.backwardData, backwardDataGrid(v, n, c, h, wd), Dim3.of(BLOCK), 0,
                sh.args(gradOut, w, gradInput));
    }

    /**
     * How many floats of device memory {@link #backwardWeight} needs as its {@code workspace}: the
     * partial sums of v2's split-K ({@code splits * O*C*R*S}), 0 when it does not split (and for v1).
     */
    public static long backwardWeightWorkspaceFloats(Version v, int n, int c, int o, int r, int s, int oh, int ow) {
        if (v == Version.V1_DIRECT) {
            return 0;
        }
        WeightSplit split = weightSplit(n, c, o, r, s, oh, ow);
        return split.splits() == 1 ? 0 : (long) split.splits() * o * c * r * s;
    }

    /**
     * grad_weight from the input and grad_output (grad_weight overwritten, also when N == 0: zeros).
     * {@code workspace} holds at least {@link #backwardWeightWorkspaceFloats} floats, or may be null
     * (or the null pointer) when that is 0.
     */
    public static void backwardWeight(Kernels kernels, Version v, CUdeviceptr x, CUdeviceptr gradOut,
                                      CUdeviceptr gradWeight, CUdeviceptr workspace, int n, int c, int h, int wd,
                                      int o, int r, int s, int oh, int ow, int strideH, int strideW, int padH,
                                      int padW, int dilH, int dilW) {
        Shape sh = new Shape(n, c, h, wd, o, r, s, oh, ow, strideH, strideW, padH, padW, dilH, dilW)
                .check("backward weight");
        int count = o * c * r * s; // fits: checked by Shape
        if (v == Version.V1_DIRECT) {
            kernels.launch("conv", v.backwardWeight, directGrid(count), Dim3.of(BLOCK), 0, sh.args(x, gradOut,
                    gradWeight));
            return;
        }
        WeightSplit split = weightSplit(n, c, o, r, s, oh, ow);
        if (split.splits() == 1) {
            kernels.launch("conv", v.backwardWeight, gemmGrid(o, c * r * s, 1), Dim3.of(BLOCK), 0,
                    sh.args(x, gradOut, gradWeight, split.kChunk()));
            return;
        }
        if (workspace == null || SgemmKernels.address(workspace) == 0) {
            throw new IllegalArgumentException("conv2d backward weight (" + v.backwardWeight + ") splits K = "
                    + (long) n * oh * ow + " into " + split.splits() + " chunks and needs a workspace of "
                    + backwardWeightWorkspaceFloats(v, n, c, o, r, s, oh, ow)
                    + " floats (backwardWeightWorkspaceFloats), got a null pointer");
        }
        kernels.launch("conv", v.backwardWeight, gemmGrid(o, c * r * s, split.splits()), Dim3.of(BLOCK), 0,
                sh.args(x, gradOut, workspace, split.kChunk()));
        kernels.launch("conv", WEIGHT_REDUCE_KERNEL, directGrid(count), Dim3.of(BLOCK), 0, workspace, gradWeight,
                split.splits(), count);
    }

    /** grad_bias[o] = the sum of grad_output over N, OH, OW (one block per channel, a fixed-order tree). */
    public static void backwardBias(Kernels kernels, CUdeviceptr gradOut, CUdeviceptr gradBias, int n, int o, int oh,
                                    int ow) {
        if (n < 0 || o < 0 || oh < 0 || ow < 0) {
            throw new IllegalArgumentException("conv2d backward bias: sizes must not be negative, got N = " + n
                    + ", O = " + o + ", OH = " + oh + ", OW = " + ow);
        }
        if ((long) n * o * oh * ow > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d backward bias: grad_output of " + (long) n * o * oh * ow
                    + " elements is more than the kernels' int indices reach (2^31 - 1)");
        }
        if (o == 0) {
            return;
        }
        kernels.launch("conv", BIAS_KERNEL, Dim3.of(o), Dim3.of(BLOCK), 0, gradOut, gradBias, n, o, oh, ow);
    }

    // ------------------------------------------------------------------ launch shapes

    /** The forward pass: v1 one thread per element of y; v2 the GEMM O x N*OH*OW. */
    static Dim3 forwardGrid(Version v, int n, int o, int oh, int ow) {
        long pixels = (long) n * oh * ow;
        return v == Version.V1_DIRECT ? directGrid(pixels * o) : gemmGrid(o, pixels, 1);
    }

    /** The data gradient: v1 one thread per element of grad_input; v2 the GEMM C x N*H*W. */
    static Dim3 backwardDataGrid(Version v, int n, int c, int h, int w) {
        long pixels = (long) n * h * w;
        return v == Version.V1_DIRECT ? directGrid(pixels * c) : gemmGrid(c, pixels, 1);
    }

    /** One thread per element: ceil(count / 256) blocks of 256. */
    static Dim3 directGrid(long count) {
        return Dim3.of((int) ((count + BLOCK - 1) / BLOCK));
    }

    /** The implicit GEMM's grid: 64-column tiles along x, 64-row tiles along y, K chunks along z. */
    static Dim3 gemmGrid(int m, long gemmN, int splits) {
        long y = (m + (long) TILE_M - 1) / TILE_M;
        if (y > SgemmKernels.MAX_GRID_YZ) {
            throw new IllegalArgumentException("conv2d implicit GEMM: M = " + m + " needs " + y
                    + " row tiles, more than CUDA's 65535 blocks along y");
        }
        return new Dim3((int) ((gemmN + TILE_N - 1) / TILE_N), (int) y, splits);
    }

    /** How v2 cuts the weight gradient's K = N*OH*OW: {@code splits} chunks of {@code kChunk} (the last shorter). */
    record WeightSplit(int splits, int kChunk) {
    }

    /**
     * The weight gradient's GEMM is O x C*R*S, a handful of 64x64 tiles, with a long K (the batch's
     * pixels). It is cut into as many K chunks as bring the grid to about {@link #TARGET_BLOCKS}
     * blocks, each chunk at least {@link #MIN_CHUNK} long and a whole number of tiles; none is
     * empty. A function of the shape only, so the order of summation is too.
     */
    static WeightSplit weightSplit(int n, int c, int o, int r, int s, int oh, int ow) {
        long k = (long) n * oh * ow;
        long tiles = ((o + (long) TILE_M - 1) / TILE_M) * ((c * (long) r * s + TILE_N - 1) / TILE_N);
        long wanted = Math.max(1, TARGET_BLOCKS / Math.max(1, tiles));
        long splits = Math.min(wanted, Math.max(1, k / MIN_CHUNK));
        if (splits <= 1) {
            return new WeightSplit(1, (int) k);
        }
        long chunk = (k + splits - 1) / splits;
        chunk = (chunk + TILE_K - 1) / TILE_K * TILE_K;
        return new WeightSplit((int) ((k + chunk - 1) / chunk), (int) chunk);
    }

    // ------------------------------------------------------------------ shape checks

    /** The 15 sizes every conv kernel takes, in the kernels' order. */
    record Shape(int n, int c, int h, int w, int o, int r, int s, int oh, int ow, int strideH, int strideW, int padH,
                 int padW, int dilH, int dilW) {

        /** Itself, once the sizes are consistent; otherwise an IllegalArgumentException naming what is wrong. */
        Shape check(String pass) {
            String where = "conv2d " + pass + ": ";
            if (n < 0 || c < 1 || h < 1 || w < 1 || o < 1 || r < 1 || s < 1) {
                throw new IllegalArgumentException(where + "sizes must be positive (N may be 0), got N = " + n
                        + ", C = " + c + ", H = " + h + ", W = " + w + ", O = " + o + ", R = " + r + ", S = " + s);
            }
            if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0 || dilH < 1 || dilW < 1) {
                throw new IllegalArgumentException(where + "stride and dilation must be positive and padding"
                        + " non-negative, got stride " + strideH + "x" + strideW + ", padding " + padH + "x" + padW
                        + ", dilation " + dilH + "x" + dilW);
            }
            int wantH = Window2d.outputSize(h, r, strideH, padH, dilH, false);
            int wantW = Window2d.outputSize(w, s, strideW, padW, dilW, false);
            if (wantH < 1 || wantW < 1) {
                throw new IllegalArgumentException(where + "the " + r + "x" + s + " kernel (dilation " + dilH + "x"
                        + dilW + ") does not fit the padded " + h + "x" + w + " input (padding " + padH + "x" + padW
                        + "): the output would be empty");
            }
            if (oh != wantH || ow != wantW) {
                throw new IllegalArgumentException(where + "OH x OW = " + oh + "x" + ow + " does not match the"
                        + " window: input " + h + "x" + w + ", kernel " + r + "x" + s + ", stride " + strideH + "x"
                        + strideW + ", padding " + padH + "x" + padW + ", dilation " + dilH + "x" + dilW + " give "
                        + wantH + "x" + wantW);
            }
            long biggest = Math.max((long) n * c * h * w, Math.max((long) o * c * r * s, (long) n * o * oh * ow));
            if (biggest > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(where + "a tensor of " + biggest + " elements is more than the"
                        + " kernels' int indices reach (2^31 - 1)");
            }
            return this;
        }

        /** The kernel's arguments: the pointers, then the 15 sizes. */
        Object[] args(CUdeviceptr... pointers) {
            Object[] sizes = {n, c, h, w, o, r, s, oh, ow, strideH, strideW, padH, padW, dilH, dilW};
            Object[] all = new Object[pointers.length + sizes.length];
            System.arraycopy(pointers, 0, all, 0, pointers.length);
            System.arraycopy(sizes, 0, all, pointers.length, sizes.length);
            return all;
        }

        /** As {@link #args(CUdeviceptr...)}, then the weight gradient's chunk length. */
        Object[] args(CUdeviceptr x, CUdeviceptr gradOut, CUdeviceptr out, int kChunk) {
            Object[] head = args(x, gradOut, out);
            Object[] all = Arrays.copyOf(head, head.length + 1);
            all[head.length] = kChunk;
            return all;
        }
    }
}
