package unboxed.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import unboxed.backend.Window2d;

/**
 * conv2d's forward and input gradient with the batch's images in the vector lanes: VL images at
 * a time are copied into a layout [channel][row][column][image] (zero-padded), so that one vector
 * holds one position of VL images, and ConvDirect's register tile (CB channels x two vectors)
 * runs over it with every lane busy, whatever the width of the maps. Positions in lanes
 * ({@link ConvDirect#forwardRows}) leave lanes idle where the rows do not fill the vectors: two
 * of sixteen on the MNIST CNN's 14 x 14 maps with AVX-512, and the padding of each row's second
 * vector elsewhere.
 *
 * <p>Bits: the same as the unfold form's, as ConvDirect computes them. In the forward, each
 * output is an fma chain over the taps from 0 in Sgemm's K blocks, the first block stored, each
 * later one merged as fma(s, 1, c), then the bias added; in the input gradient each tap's value is
 * an fma chain over the output channels from 0, added to the sum of the positions the tap
 * reaches in tap order from +0 (a tap that reaches neither of a tile's two positions is skipped,
 * one that reaches one of them adds +0 to the other, which leaves it unchanged). Which image lies
 * in which lane changes no arithmetic, so the images past the last whole group of VL run through
 * ConvDirect and give the same bits as here.
 *
 * <p>The cost is two transposes (in and out), by Sgemm's 16 x 16 (AVX-512) or 8 x 8 (AVX2) lane
 * permutations. Taken only where a tile of positions in lanes wastes lanes (see {@link #suits}).
 * By hand on a Zen 5 (AVX-512, one thread, old and new paired in one JVM), the CNN's second
 * convolution (64, 16, 14 x 14, 32, 5 x 5): forward 2.35 -> 2.12 ms (median of the paired ratios
 * 1.11), forward + backward 7.39 -> 6.75 ms (1.09); less than the two idle lanes of sixteen
 * promised, because the transposes took about a tenth of the forward and input gradient in a
 * profile (JFR), and the input gradient keeps its per-tap additions through memory.
 */
final class ConvLanes {
    private ConvLanes() {
    }

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    static final int VL = SP.length();
    private static final int CB = ConvDirect.CB;
    private static final FloatVector ONE = FloatVector.broadcast(SP, 1f);
    private static final VectorMask<Float> ALL = SP.maskAll(true);
    private static final VectorMask<Float> NONE = SP.maskAll(false);

    /**
     * Most bytes of one group's copy in the lanes layout (input for the forward, padded upstream
     * gradient for the input gradient): the tile reads every channel for each pair of positions,
     * so the copy should stay in L2 (the CNN's second layer: 83 KB and 663 KB with AVX-512).
     */
    private static final long MAX_COPY_BYTES = 1L << 20;

    /**
     * Whether the images-in-lanes forward applies and pays: unit strides and dilation, one group,
     * a tile's worth of output channels, more than 32 taps (a first layer's few taps run faster
     * unpacked, where the transposes would cost as much as the arithmetic), rows that leave lanes
     * of ConvDirect's tile idle, at least one group of VL images per thread, and the lanes copy
     * within {@link #MAX_COPY_BYTES}.
     */
    static boolean suits(int n, int c, int o, Window2d w, int groups, int h, int wd, int threads) {
        if (!unitWindows(n, w, groups, threads) || o < CB) {
            return false;
        }
        int k = c * w.kernelH() * w.kernelW();
        int ow = w.outW(wd, false);
        long copy = 4L * c * (h + 2L * w.padH()) * (wd + 2L * w.padW()) * VL;
        return k > 32 && wastesLanes(ow) && copy <= MAX_COPY_BYTES;
    }

    /**
     * Whether the images-in-lanes input gradient applies and pays: as {@link #suits} for the
     * input's channels, the output channels in one of Sgemm's K blocks (each tap's value is then
     * one fma chain, as {@link ConvDirect#backwardInputRows} computes it), padding at most the
     * kernel's size less one, input rows that leave the tile's lanes idle, and the padded
     * upstream gradient's copy within {@link #MAX_COPY_BYTES}.
     */
    static boolean suitsBackwardInput(int n, int c, int o, Window2d w, int groups, int h, int wd, int threads) {
        if (!unitWindows(n, w, groups, threads) || c < CB || o > Sgemm.KC) {
            return false;
        }
        int mh = w.kernelH() - 1 - w.padH();
        int mw = w.kernelW() - 1 - w.padW();
        if (mh < 0 || mw < 0) {
            return false;
        }
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        long copy = 4L * o * (oh + 2L * mh) * (ow + 2L * mw) * VL;
        return o * w.kernelH() * w.kernelW() > 32 && wastesLanes(wd) && copy <= MAX_COPY_BYTES;
    }

    /** Sgemm's transposes cover 16 (AVX-512) and 8 (AVX2) lanes; other widths keep positions in lanes. */
    private static final boolean SUPPORTED = VL == 16 || VL == 8;

    /**
     * What both passes ask of the shape: vectors Sgemm's transposes cover, one group, unit strides
     * and dilation, and a group of VL images for each thread.
     */
    private static boolean unitWindows(int n, Window2d w, int groups, int threads) {
        return SUPPORTED && groups == 1 && w.strideH() == 1 && w.strideW() == 1 && w.dilationH() == 1
                && w.dilationW() == 1 && n / VL >= Math.max(1, threads);
    }

    /**
     * Whether ConvDirect's tile leaves lanes idle on rows of {@code width}: one vector per row up
     * to VL, else whole pairs of vectors.
     */
    static boolean wastesLanes(int width) {
        int lanes = width <= VL ? VL : (width + 2 * VL - 1) / (2 * VL) * 2 * VL;
        return width < lanes;
    }

    /** Each thread's lanes copy of the input (or the padded upstream gradient), and of the output. */
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[2][0]);

    private static float[] buffer(int which, int size) {
        float[][] holder = BUFFERS.get();
        if (holder[which].length < size) {
            holder[which] = new float[size];
        }
        return holder[which];
    }

    /**
     * out [N, O, OH, OW] for images [0, n / VL * VL) (contiguous input [N, C, H, W] at xOffset,
     * contiguous weight at wOffset, bias null for none); returns how many images it computed. Each
     * group of VL images is one task.
     */
    static int forward(float[] x, int xOffset, int n, int c, int h, int wd, float[] wt, int wOffset, int o,
                       float[] bias, Window2d w, float[] y, int yOffset, int threads) {
        int kh = w.kernelH();
        int kw = w.kernelW();
        int hp = h + 2 * w.padH();
        int wp = wd + 2 * w.padW();
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int l = oh * ow;
        int k = c * kh * kw;
        // term p = (channel, kernel row, kernel column) as the unfold form orders its rows
        int[] rowOffset = new int[k];
        for (int ch = 0, p = 0; ch < c; ch++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, p++) {
                    rowOffset[p] = ((ch * hp + i) * wp + j) * VL;
                }
            }
        }
        int[] at = positions(l, ow, wp);
        float[] panels = ConvDirect.weightPanels(wt, wOffset, 1, o, k);
        int kb = Sgemm.kBlock(k);
        int groups = n / VL;
        ConvGemm.forTasks(groups, threads, gi -> {
            int n0 = gi * VL;
            float[] lanes = buffer(0, c * hp * wp * VL);
            toLanes(x, xOffset + n0 * c * h * wd, c * h * wd, c, h, wd, lanes, w.padH(), w.padW(), hp, wp);
            float[] out = buffer(1, o * l * VL);
            float[] tile = new float[2 * CB * VL];
            for (int t = 0; t < o; t += CB) {
                int o0 = Math.min(t, o - CB);              // the last tile overlaps the one before: same values
                int w0 = t / CB * k * CB;
                // a K block's channels over all positions, then the next block's: one block's rows of
                // input stay in L1 along a row of positions, where alternating blocks evicted each other
                // (by hand, Zen 5, one thread, the CNN's second convolution, paired in one JVM: the
                // forward 1.05-1.13x faster than with the blocks inside the positions' loop)
                for (int pc = 0; pc < k; pc += kb) {
                    int pe = Math.min(k, pc + kb);
                    for (int q = 0; q < l; q += 2) {
                        int q1 = Math.min(q + 1, l - 1);   // an odd last position is computed twice, stored once
                        ConvDirect.rowPair(rowOffset, lanes, panels, w0, pc, pe, at[q], at[q1], tile);
                        merge(tile, pc == 0, pe == k ? bias : null, o0, out, l, q, q1);
                    }
                }
            }
            fromLanes(out, o, l, y, yOffset + n0 * o * l, o * l);
        });
        return groups * VL;
    }

    /** Where position q of rows {@code ow} wide lies in a lanes copy with rows {@code wp} wide. */
    private static int[] positions(int l, int ow, int wp) {
        int[] at = new int[l];
        for (int q = 0; q < l; q++) {
            at[q] = (q / ow * wp + q % ow) * VL;
        }
        return at;
    }

    /**
     * One K block's tile (CB channels from o0 x positions q and q1, channel r's at 2r*VL and
     * (2r+1)*VL) into the lanes output [O][L][VL]: stored for the first block, else merged as
     * fma(s, 1, c); then the bias (null: none, or not the last block) added.
     */
    private static void merge(float[] tile, boolean first, float[] bias, int o0, float[] out, int l, int q, int q1) {
        for (int r = 0; r < CB; r++) {
            int at = ((o0 + r) * l + q) * VL;
            FloatVector v = FloatVector.fromArray(SP, tile, 2 * r * VL);
            if (!first) {
                v = v.fma(ONE, FloatVector.fromArray(SP, out, at));
            }
            if (bias != null) {
                v = v.add(bias[o0 + r]);
            }
            v.intoArray(out, at);
            if (q1 > q) {
                at += (q1 - q) * VL;
                v = FloatVector.fromArray(SP, tile, (2 * r + 1) * VL);
                if (!first) {
                    v = v.fma(ONE, FloatVector.fromArray(SP, out, at));
                }
                if (bias != null) {
                    v = v.add(bias[o0 + r]);
                }
                v.intoArray(out, at);
            }
        }
    }

    /**
     * gradInput [N, C, H, W] for images [0, n / VL * VL) (overwritten, contiguous at gxOffset) from
     * the contiguous gradOut at gyOffset and the contiguous weight; returns how many images it
     * computed. The upstream gradient is copied with kh - 1 - ph zero rows above and below and
     * kw - 1 - pw zero columns either side, so that every tap of every input position reads
     * inside it.
     */
    static int backwardInput(float[] gy, int gyOffset, float[] wt, int wOffset, int o, Window2d w, float[] gx,
                             int gxOffset, int n, int c, int h, int wd, int threads) {
        int kh = w.kernelH();
        int kw = w.kernelW();
        int ph = w.padH();
        int pw = w.padW();
        int taps = kh * kw;
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int l = oh * ow;
        int mh = kh - 1 - ph;
        int mw = kw - 1 - pw;
        int hq = oh + 2 * mh;
        int wq = ow + 2 * mw;
        int plane = hq * wq * VL;
        int[] channelAt = new int[o];
        for (int q = 0; q < o; q++) {
            channelAt[q] = q * plane;
        }
        int positions = h * wd;
        // input position (y, x)'s upstream gradient at tap (0, 0): (y + ph, x + pw) past the margins
        int[] at = positions(positions, wd, wq);
        int lead = ((ph + mh) * wq + pw + mw) * VL;
        float[] byTap = ConvDirect.weightsByTap(wt, wOffset, 1, o, c, taps);
        int tiles = ConvDirect.tiles(c);
        int groups = n / VL;
        ConvGemm.forTasks(groups, threads, gi -> {
            int n0 = gi * VL;
            float[] lanes = buffer(0, o * plane);
            toLanes(gy, gyOffset + n0 * o * l, o * l, o, oh, ow, lanes, mh, mw, hq, wq);
            float[] out = buffer(1, c * positions * VL);
            float[][] sums = new float[tiles][2 * CB * VL];
            // each tap's upstream vectors serve every tile of input channels while they are in L1
            // (by hand as above: forward + backward 1.01-1.06x faster than a tile's positions at a time;
            // a copy with the output channels of a position together, [row][column][channel][image],
            // was 3-5 % slower)
            for (int q = 0; q < positions; q += 2) {
                int q1 = Math.min(q + 1, positions - 1);
                int y0 = q / wd;
                int x0 = q % wd;
                int y1 = q1 / wd;
                int x1 = q1 % wd;
                for (float[] tileSums : sums) {
                    Arrays.fill(tileSums, 0f);
                }
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        boolean in0 = reaches(y0 + ph - i, oh) && reaches(x0 + pw - j, ow);
                        boolean in1 = q1 > q && reaches(y1 + ph - i, oh) && reaches(x1 + pw - j, ow);
                        if (!in0 && !in1) {
                            continue;
                        }
                        int shift = (i * wq + j) * VL - lead;
                        for (int t = 0; t < tiles; t++) {
                            ConvDirect.rowPairMasked(channelAt, lanes, byTap, ((i * kw + j) * tiles + t) * o * CB, 0, o,
                                    at[q] - shift, at[q1] - shift, sums[t], in0 ? ALL : NONE, in1 ? ALL : NONE);
                        }
                    }
                }
                for (int t = 0; t < tiles; t++) {
                    int c0 = Math.min(t * CB, c - CB);     // the last tile overlaps the one before: same values
                    for (int r = 0; r < CB; r++) {
                        int to = ((c0 + r) * positions + q) * VL;
                        FloatVector.fromArray(SP, sums[t], 2 * r * VL).intoArray(out, to);
                        if (q1 > q) {
                            FloatVector.fromArray(SP, sums[t], (2 * r + 1) * VL).intoArray(out, to + (q1 - q) * VL);
                        }
                    }
                }
            }
            fromLanes(out, c, positions, gx, gxOffset + n0 * c * positions, c * positions);
        });
        return groups * VL;
    }

    /** Whether a tap's upstream row (or column) {@code i} lies inside the upstream gradient's {@code size}. */
    private static boolean reaches(int i, int size) {
        return i >= 0 && i < size;
    }

    /**
     * VL images of [channels][h][w] (image i at srcOffset + i * imageStride) into dst as
     * [channels][hp][wp][VL] with {@code top} zero rows and {@code left} zero columns before each
     * plane's rows and columns, zeros around. Blocks of VL columns are transposed by lane
     * permutations; a block may run past a row's end into its right padding (reading the next
     * row's first values), which is then set back to zero.
     */
    static void toLanes(float[] src, int srcOffset, int imageStride, int channels, int h, int w, float[] dst, int top,
                        int left, int hp, int wp) {
        int room = wp - left;                          // columns from a row's first to its plane row's end
        for (int ch = 0; ch < channels; ch++) {
            // zeros where the copies write nothing: the rows above and below, each row's margins
            int plane = ch * hp * wp * VL;
            Arrays.fill(dst, plane, plane + (top * wp + left) * VL, 0f);
            for (int r = 0; r + 1 < h; r++) {
                int end = ((ch * hp + r + top) * wp + left + w) * VL;
                Arrays.fill(dst, end, end + (wp - w) * VL, 0f);
            }
            Arrays.fill(dst, ((ch * hp + h - 1 + top) * wp + left + w) * VL, plane + hp * wp * VL, 0f);
            for (int r = 0; r < h; r++) {
                int s = srcOffset + (ch * h + r) * w;
                int d = ((ch * hp + r + top) * wp + left) * VL;
                int x = 0;
                for (; x < w && x + VL <= room && s + x + (VL - 1) * imageStride + VL <= src.length; x += VL) {
                    transpose(src, s + x, imageStride, dst, d + x * VL, VL);
                }
                if (x > w) {
                    Arrays.fill(dst, d + w * VL, d + x * VL, 0f);
                }
                for (; x < w; x++) {
                    for (int i = 0; i < VL; i++) {
                        dst[d + x * VL + i] = src[s + x + i * imageStride];
                    }
                }
            }
        }
    }

    /**
     * The lanes layout [channels][l][VL] back into VL images of [channels][l] (image i at
     * dstOffset + i * imageStride): blocks of VL positions by lane permutations, the rest one by one.
     */
    static void fromLanes(float[] src, int channels, int l, float[] dst, int dstOffset, int imageStride) {
        for (int ch = 0; ch < channels; ch++) {
            int s = ch * l * VL;
            int d = dstOffset + ch * l;
            int q = 0;
            for (; q + VL <= l; q += VL) {
                transpose(src, s + q * VL, VL, dst, d + q, imageStride);
            }
            for (; q < l; q++) {
                for (int i = 0; i < VL; i++) {
                    dst[d + q + i * imageStride] = src[s + q * VL + i];
                }
            }
        }
    }

    /** dst[d + p*ld + j] = src[s + j*cs + p] for p, j in [0, VL). */
    private static void transpose(float[] src, int s, int cs, float[] dst, int d, int ld) {
        if (VL == 16) {
            Sgemm.Transpose16.run(src, s, cs, dst, d, ld);
        } else {
            Sgemm.Transpose8.run(src, s, cs, dst, d, ld);
        }
    }
}
