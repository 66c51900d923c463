package unboxed.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d's forward as a register-blocked direct convolution: no packing. A tile of output
 * channels x output positions is held in registers while the taps stream past, the weight
 * broadcast from its row and the image read straight from the zero-padded copy
 * (ConvGemm.Geometry), vectors of consecutive output positions (unit column stride).
 * {@link #forwardRows} is a matrix micro-kernel (Sgemm's, eight rows tall with AVX-512) with the
 * image as its B panel, for any number of taps, wherever the output rows fill its vectors or the
 * taps are few (a first layer); {@link #forward} takes one channel at a time where there are
 * fewer output channels per group than a tile (depthwise). Both gradients use the same tile
 * unpacked ({@link #backwardInputRows}, {@link #backwardWeightRows}); the weight gradient of a
 * depthwise convolution and the input gradient for few output channels per group are here too.
 *
 * <p>Each output is the same fused multiply-add chain over the taps, in tap order from 0 and in
 * Sgemm's K blocks, as the product form computes, so the same bits.
 */
final class ConvDirect {
    private ConvDirect() {
    }

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SP.length();
    /**
     * Rows of a tile (output channels, input channels or kernel taps) x two vectors: 8 x 2 in 16
     * of AVX-512's 32 registers (measured 10-20 % faster than Sgemm's 6 x 2 here, and no wasted
     * rows on 16, 32 or 64 channels), 4 x 2 in 8 of AVX2's 16 (6 x 2 spilled: twice as slow).
     */
    static final int CB = VL >= 16 ? 8 : 4;
    private static final int TALL = VL >= 16 ? 12 : 8;

    /**
     * {@code -Dunboxed.conv.kernel=gemm} or {@code direct} forces the forward kernel wherever the
     * direct form applies, to measure one against the other; both give the same bits.
     */
    private static final String FORCE = System.getProperty("unboxed.conv.kernel", "");

    /**
     * Whether the small direct tile of {@link #forward} applies and pays: an output row's columns
     * side by side in the loaded image ({@code colStep} 1: unit column stride, or column stride 2
     * with its rows split by parity, {@link ConvGemm.Geometry}), one K block, and fewer output channels per group than a tile of {@link #forwardRows} (a
     * depthwise convolution).
     */
    static boolean suits(int k, int og, int colStep) {
        return !FORCE.equals("gemm") && colStep == 1 && k <= Sgemm.KC && og < CB;
    }

    /**
     * Whether the unpacked tile of {@link #forwardRows} applies and pays: an output row's columns
     * side by side in the loaded image (as for {@link #suits}), a tile's worth of output channels, and either few taps (a first layer on 1 or 3 channels,
     * where the product form's packing costs as much as its arithmetic) or output rows that fill
     * its vectors well (at least seven eighths of the lanes: rows of 14 or 16 as one vector each,
     * rows of 32 or 64 as two). Any number of taps. Elsewhere the product form packs the image
     * into full panels. At stride 2 the tile took the s2 shape's forward (N, C, H, K = 64, 64, 32,
     * 64) from 10.7 to 8.3 ms by hand on a Zen 5: packing its columns cost a fifth of the time.
     */
    static boolean suitsRows(int ow, int og, int colStep, int k) {
        if (FORCE.equals("gemm") || colStep != 1 || og < CB) {
            return false;
        }
        if (FORCE.equals("direct") || k <= 32) {
            return true;
        }
        int lanes = ow <= VL ? VL : (ow + 2 * VL - 1) / (2 * VL) * 2 * VL;
        return 8L * ow >= 7L * lanes;
    }

    /**
     * Output channels [0, og) of one image and group, unpacked: a tile of CB channels x two
     * vectors of output positions, read straight from the padded image: two output rows, one
     * vector each, when rows are no longer than a vector (the 14 x 14 and 16 x 16 maps of small
     * networks with AVX-512), else two consecutive vectors along one row (lanes past the row
     * compute values nobody keeps). It is a matrix micro-kernel with the image as its B panel,
     * without packing it: on the MNIST CNN's 14 x 14 maps the product form copied a run of 14
     * floats per (tap, row) and left a third of its 32-wide tiles empty. By hand on a Zen 5,
     * {@link #rowPair} alone on operands in L1 (200 taps, 8 x 2 sums) ran at 215-220 GFLOP/s, the
     * core's FMA peak (PeakBench: 217); the same loop with three vectors (8 x 3 sums) at 150. On
     * the CNN's second convolution (64, 16, 14, 32, 5 x 5) the forward took 2.0 ms against the
     * 1.7 its multiply-adds need at that peak with two of 16 lanes idle: the rest went to the
     * merges ({@link #mergeOne}, ~8 % of samples, storing into a fresh output) and the padded copy.
     * The filters in the lanes instead (2 vectors of 32 filters x 14 positions of a row, each
     * position's image value broadcast, the tile transposed back to planes 16 x 16 at a time, the
     * same bits) was tried on that layer: its tile alone ran at the same peak, but the whole
     * forward took 1.9 ms in some JVMs and 2.3 to 3.0 in others (mean of eight JVMs 2.18 against
     * this tile's 2.14), and 2.4 against 1.4 ms on the first layer's 25 taps, where transposing
     * costs as much as the multiply-adds.
     *
     * <p>Bits: each output is the product form's computation, in Sgemm's K blocks
     * ({@link Sgemm#kBlock}): per block an fma chain over its taps from 0, the first block stored
     * as it is (alpha = 1, beta = 0), each later one merged as fma(s, 1, c). The last tile of
     * channels starts at og - CB, recomputing a few channels of the tile before it (the same
     * values). The bias (null: none) is added to each output as the last block is stored, one
     * addition as a pass of its own would make. The weights come as {@link #weightPanels}' panels,
     * this group's from pOffset.
     */
    static void forwardRows(ConvGemm.Geometry geo, float[] padded, float[] panels, int pOffset, int og, float[] bias,
                            int biasOffset, float[] y, int yOffset) {
        forwardRows(geo, padded, 0, panels, pOffset, og, bias, biasOffset, y, yOffset);
    }

    /**
     * As above, with the image at {@code origin} in {@code padded} (an unpadded image read in
     * place: its rows are then read up to two vectors past their end, which the caller keeps
     * inside the array).
     */
    static void forwardRows(ConvGemm.Geometry geo, float[] padded, int origin, float[] panels, int pOffset, int og,
                            float[] bias, int biasOffset, float[] y, int yOffset) {
        float[] tile = new float[2 * CB * VL];
        int ow = geo.ow;
        boolean pairs = ow <= VL;
        VectorMask<Float> partial = SP.indexInRange(0, pairs ? ow : ow % VL);
        int k = geo.k;
        int kb = Sgemm.kBlock(k);
        int rowStep = geo.rowStep;
        for (int o = 0; o < og; o += CB) {
            int o0 = Math.min(o, og - CB);
            int w0 = pOffset + o / CB * k * CB;
            int y0 = yOffset + o0 * geo.l;
            if (pairs) {
                for (int oy = 0; oy < geo.oh; oy += 2) {
                    int oy1 = Math.min(oy + 1, geo.oh - 1);
                    for (int pc = 0; pc < k; pc += kb) {
                        int pe = Math.min(k, pc + kb);
                        rowPair(geo.rowOffset, padded, panels, w0, pc, pe, origin + oy * rowStep,
                                origin + oy1 * rowStep, tile);
                        // an odd last row is computed twice and merged once
                        mergePair(tile, pc == 0, pe == k ? bias : null, biasOffset + o0, y, y0, geo.l, oy * ow, ow,
                                oy1 * ow, oy1 > oy ? ow : 0, partial);
                    }
                }
            } else {
                for (int oy = 0; oy < geo.oh; oy++) {
                    for (int ox = 0; ox < ow; ox += 2 * VL) {
                        int n0 = Math.min(VL, ow - ox);
                        int n1 = Math.max(0, Math.min(VL, ow - ox - VL));
                        int base = origin + oy * rowStep + ox;
                        for (int pc = 0; pc < k; pc += kb) {
                            int pe = Math.min(k, pc + kb);
                            rowPair(geo.rowOffset, padded, panels, w0, pc, pe, base, base + VL, tile);
                            mergePair(tile, pc == 0, pe == k ? bias : null, biasOffset + o0, y, y0, geo.l,
                                    oy * ow + ox, n0, oy * ow + ox + VL, n1, partial);
                        }
                    }
                }
            }
        }
    }

    /**
     * The sums over terms [pc, pe) of CB channels x two vectors, into tile: channel r's at (2r)*VL
     * and (2r+1)*VL. Term p multiplies wt[w0 + p*CB + r] (a panel: {@link #weightPanels} or
     * {@link #weightsByTap}) by the vectors at padded[rowOffset[p] + base0] and [.. + base1]: in
     * the forward the terms are the taps, the vectors two output rows
     * of the padded image; in the input gradient ({@link #backwardInputRows}) the terms are the
     * output channels of one tap, the vectors two rows of the upstream gradient, added to running
     * sums ({@link #rowPairMasked}). One loop, so that the JIT keeps the sixteen sums (AVX-512;
     * eight with AVX2) in registers.
     */
    static void rowPair(int[] rowOffset, float[] padded, float[] wt, int w0, int pc, int pe, int base0,
                                int base1, float[] tile) {
        boolean six = CB == 6;
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        boolean eight = CB == 8;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = pc; p < pe; p++) {
            int r = rowOffset[p];
            int at = w0 + p * CB;
            FloatVector b0 = FloatVector.fromArray(SP, padded, r + base0);
            FloatVector b1 = FloatVector.fromArray(SP, padded, r + base1);
            FloatVector a = FloatVector.broadcast(SP, wt[at]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SP, wt[at + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SP, wt[at + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SP, wt[at + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            if (six || eight) {
                a = FloatVector.broadcast(SP, wt[at + 4]);
                c40 = a.fma(b0, c40);
                c41 = a.fma(b1, c41);
                a = FloatVector.broadcast(SP, wt[at + 5]);
                c50 = a.fma(b0, c50);
                c51 = a.fma(b1, c51);
            }
            if (eight) {
                a = FloatVector.broadcast(SP, wt[at + 6]);
                c60 = a.fma(b0, c60);
                c61 = a.fma(b1, c61);
                a = FloatVector.broadcast(SP, wt[at + 7]);
                c70 = a.fma(b0, c70);
                c71 = a.fma(b1, c71);
            }
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, VL);
        c10.intoArray(tile, 2 * VL);
        c11.intoArray(tile, 3 * VL);
        c20.intoArray(tile, 4 * VL);
        c21.intoArray(tile, 5 * VL);
        c30.intoArray(tile, 6 * VL);
        c31.intoArray(tile, 7 * VL);
        if (six || eight) {
            c40.intoArray(tile, 8 * VL);
            c41.intoArray(tile, 9 * VL);
            c50.intoArray(tile, 10 * VL);
            c51.intoArray(tile, 11 * VL);
        }
        if (eight) {
            c60.intoArray(tile, 12 * VL);
            c61.intoArray(tile, 13 * VL);
            c70.intoArray(tile, 14 * VL);
            c71.intoArray(tile, 15 * VL);
        }
    }
    /**
     * {@link #rowPair} for the input gradient ({@link #backwardInputRows}): the sums, each tap's
     * column values, are added to the running sums in {@code sums} (channel r's at 2r*VL and
     * (2r+1)*VL), +0 in the lanes m0 (first vectors) and m1 (second) leave out: the positions
     * the tap does not reach. Written out in full, without a helper: a vector passed to a method
     * the JIT does not inline is boxed (a shared method, or helpers for the additions, measured
     * 1.5x slower).
     */
    static void rowPairMasked(int[] rowOffset, float[] padded, float[] wt, int w0, int pc, int pe,
                                      int base0, int base1, float[] sums, VectorMask<Float> m0, VectorMask<Float> m1) {
        boolean six = CB == 6;
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        boolean eight = CB == 8;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = pc; p < pe; p++) {
            int r = rowOffset[p];
            int at = w0 + p * CB;
            FloatVector b0 = FloatVector.fromArray(SP, padded, r + base0);
            FloatVector b1 = FloatVector.fromArray(SP, padded, r + base1);
            FloatVector a = FloatVector.broadcast(SP, wt[at]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SP, wt[at + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SP, wt[at + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SP, wt[at + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            if (six || eight) {
                a = FloatVector.broadcast(SP, wt[at + 4]);
                c40 = a.fma(b0, c40);
                c41 = a.fma(b1, c41);
                a = FloatVector.broadcast(SP, wt[at + 5]);
                c50 = a.fma(b0, c50);
                c51 = a.fma(b1, c51);
            }
            if (eight) {
                a = FloatVector.broadcast(SP, wt[at + 6]);
                c60 = a.fma(b0, c60);
                c61 = a.fma(b1, c61);
                a = FloatVector.broadcast(SP, wt[at + 7]);
                c70 = a.fma(b0, c70);
                c71 = a.fma(b1, c71);
            }
        }
        FloatVector z = FloatVector.zero(SP);
        FloatVector.fromArray(SP, sums, 0).add(z.blend(c00, m0)).intoArray(sums, 0);
        FloatVector.fromArray(SP, sums, VL).add(z.blend(c01, m1)).intoArray(sums, VL);
        FloatVector.fromArray(SP, sums, 2 * VL).add(z.blend(c10, m0)).intoArray(sums, 2 * VL);
        FloatVector.fromArray(SP, sums, 3 * VL).add(z.blend(c11, m1)).intoArray(sums, 3 * VL);
        FloatVector.fromArray(SP, sums, 4 * VL).add(z.blend(c20, m0)).intoArray(sums, 4 * VL);
        FloatVector.fromArray(SP, sums, 5 * VL).add(z.blend(c21, m1)).intoArray(sums, 5 * VL);
        FloatVector.fromArray(SP, sums, 6 * VL).add(z.blend(c30, m0)).intoArray(sums, 6 * VL);
        FloatVector.fromArray(SP, sums, 7 * VL).add(z.blend(c31, m1)).intoArray(sums, 7 * VL);
        if (six || eight) {
            FloatVector.fromArray(SP, sums, 8 * VL).add(z.blend(c40, m0)).intoArray(sums, 8 * VL);
            FloatVector.fromArray(SP, sums, 9 * VL).add(z.blend(c41, m1)).intoArray(sums, 9 * VL);
            FloatVector.fromArray(SP, sums, 10 * VL).add(z.blend(c50, m0)).intoArray(sums, 10 * VL);
            FloatVector.fromArray(SP, sums, 11 * VL).add(z.blend(c51, m1)).intoArray(sums, 11 * VL);
        }
        if (eight) {
            FloatVector.fromArray(SP, sums, 12 * VL).add(z.blend(c60, m0)).intoArray(sums, 12 * VL);
            FloatVector.fromArray(SP, sums, 13 * VL).add(z.blend(c61, m1)).intoArray(sums, 13 * VL);
            FloatVector.fromArray(SP, sums, 14 * VL).add(z.blend(c70, m0)).intoArray(sums, 14 * VL);
            FloatVector.fromArray(SP, sums, 15 * VL).add(z.blend(c71, m1)).intoArray(sums, 15 * VL);
        }
    }


    /**
     * One K block's tile into CB channels (planes of l from y0): its two vectors hold n0 outputs
     * at {@code at0} and n1 at {@code at1} in each plane (n1 may be 0). Stored as they are for
     * the first block (alpha = 1, beta = 0), else fma(s, 1, c), Sgemm's merge at alpha = beta = 1.
     * Whole vectors where they stay inside the channel's plane: a first block's vector stores
     * past its row into positions written later; a later block's keeps the lanes past its n as
     * they were ({@code partial}: the lanes of a short vector). Elsewhere element by element.
     * With {@code bias} (the last block only), channel r's bias[b0 + r] is then added.
     */
    private static void mergePair(float[] tile, boolean first, float[] bias, int b0, float[] y, int y0, int l, int at0,
                                  int n0, int at1, int n1, VectorMask<Float> partial) {
        for (int r = 0; r < CB; r++) {
            int plane = y0 + r * l;
            boolean biased = bias != null;
            float b = biased ? bias[b0 + r] : 0f;
            mergeOne(tile, (2 * r) * VL, first, biased, b, y, plane + at0, n0, plane + l, partial);
            if (n1 > 0) {
                mergeOne(tile, (2 * r + 1) * VL, first, biased, b, y, plane + at1, n1, plane + l, partial);
            }
        }
    }

    private static void mergeOne(float[] tile, int from, boolean first, boolean biased, float b, float[] y, int at,
                                 int n, int planeEnd, VectorMask<Float> partial) {
        if (at + VL <= planeEnd) {
            FloatVector s = FloatVector.fromArray(SP, tile, from);
            FloatVector c = first ? s : FloatVector.fromArray(SP, y, at);
            FloatVector v = first ? s : s.fma(ONE, c);
            if (biased) {
                v = v.add(FloatVector.broadcast(SP, b));
            }
            (first || n == VL ? v : c.blend(v, partial)).intoArray(y, at);
        } else {
            for (int i = 0; i < n; i++) {
                float v = first ? tile[from + i] : Math.fma(tile[from + i], 1f, y[at + i]);
                y[at + i] = biased ? v + b : v;
            }
        }
    }

    private static final FloatVector ONE = FloatVector.broadcast(SP, 1f);

    /** Whether the direct input gradient applies and pays: unit column stride and few output channels per group. */
    static boolean suitsBackwardInput(int og, int strideW) {
        return strideW == 1 && og < CB && og <= Sgemm.KC;
    }

    /**
     * Output channels [0, og) of one image and group, one channel at a time (og < CB, see
     * {@link #suits}): y[yOffset + o*L + oy*OW + ox], weights at wt[wOffset + o*K + p], one K
     * block, the image in {@code padded} (with at least 4 vectors of slack). The bias (null: none)
     * of channel o, bias[biasOffset + o], is added to each sum before it is stored, the one
     * rounded addition a pass of its own over the outputs would make: on the depthwise shape
     * (N, C, H = 64, 64, 32) that pass held a quarter of a profile's samples.
     */
    static void forward(ConvGemm.Geometry geo, float[] padded, float[] wt, int wOffset, int og, float[] bias,
                        int biasOffset, float[] y, int yOffset) {
        float[] tail = new float[4 * VL];
        for (int o0 = 0; o0 < og; o0++) {
            FloatVector bv = bias == null ? null : FloatVector.broadcast(SP, bias[biasOffset + o0]);
            if (geo.ow <= 2 * VL) {
                // short rows: two rows of two vectors (the last row again when there is an odd count)
                for (int oy = 0; oy < geo.oh; oy += 2) {
                    twoRows(geo, padded, wt, wOffset + o0 * geo.k, bv, y, yOffset + o0 * geo.l, oy,
                            Math.min(oy + 1, geo.oh - 1), tail);
                }
                continue;
            }
            for (int oy = 0; oy < geo.oh; oy++) {
                for (int ox = 0; ox < geo.ow; ox += 4 * VL) {
                    single(geo, padded, wt, wOffset + o0 * geo.k, bv, y, yOffset + o0 * geo.l, oy, ox, tail);
                }
            }
        }
    }

    /** One channel, output rows oy0 and oy1 (ow at most two vectors): the depthwise case on small images. */
    private static void twoRows(ConvGemm.Geometry geo, float[] padded, float[] wt, int w0, FloatVector bias, float[] y,
                                int y0, int oy0, int oy1, float[] tail) {
        int base0 = oy0 * geo.rowStep;
        int base1 = oy1 * geo.rowStep;
        FloatVector c0 = FloatVector.zero(SP), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0; p < geo.k; p++) {
            int r = geo.rowOffset[p];
            FloatVector a = FloatVector.broadcast(SP, wt[w0 + p]);
            c0 = a.fma(FloatVector.fromArray(SP, padded, r + base0), c0);
            c1 = a.fma(FloatVector.fromArray(SP, padded, r + base0 + VL), c1);
            c2 = a.fma(FloatVector.fromArray(SP, padded, r + base1), c2);
            c3 = a.fma(FloatVector.fromArray(SP, padded, r + base1 + VL), c3);
        }
        if (bias != null) {
            c0 = c0.add(bias);
            c1 = c1.add(bias);
            c2 = c2.add(bias);
            c3 = c3.add(bias);
        }
        int n = geo.ow;
        store(c0, c1, y, y0 + oy0 * geo.ow, n, tail);
        store(c2, c3, y, y0 + oy1 * geo.ow, n, tail);
    }

    /** One channel x 4 vectors of positions from (oy, ox): the depthwise case. */
    private static void single(ConvGemm.Geometry geo, float[] padded, float[] wt, int w0, FloatVector bias, float[] y,
                               int y0, int oy, int ox, float[] tail) {
        int base = oy * geo.rowStep + ox;
        FloatVector c0 = FloatVector.zero(SP), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0; p < geo.k; p++) {
            int at = geo.rowOffset[p] + base;
            FloatVector a = FloatVector.broadcast(SP, wt[w0 + p]);
            c0 = a.fma(FloatVector.fromArray(SP, padded, at), c0);
            c1 = a.fma(FloatVector.fromArray(SP, padded, at + VL), c1);
            c2 = a.fma(FloatVector.fromArray(SP, padded, at + 2 * VL), c2);
            c3 = a.fma(FloatVector.fromArray(SP, padded, at + 3 * VL), c3);
        }
        if (bias != null) {
            c0 = c0.add(bias);
            c1 = c1.add(bias);
            c2 = c2.add(bias);
            c3 = c3.add(bias);
        }
        int at = y0 + oy * geo.ow + ox;
        int n = Math.min(4 * VL, geo.ow - ox);
        if (n == 4 * VL) {
            c0.intoArray(y, at);
            c1.intoArray(y, at + VL);
            c2.intoArray(y, at + 2 * VL);
            c3.intoArray(y, at + 3 * VL);
        } else {
            c0.intoArray(tail, 0);
            c1.intoArray(tail, VL);
            c2.intoArray(tail, 2 * VL);
            c3.intoArray(tail, 3 * VL);
            System.arraycopy(tail, 0, y, at, n);
        }
    }

    /**
     * The input gradient of one image and group for few output channels per group (og < CB, as in
     * a depthwise convolution) at unit column stride, without the columns: each element of
     * gradIn sums, over the taps that reach it in tap order, the column value
     * cols[p, l] = fma chain over o of w[o, p] * gOut[o, l] (from 0, as the product form computes
     * it), which is exactly what the product and col2im add. Vectors cover the columns that every
     * tap reaches; the border columns are summed one by one.
     */
    static void backwardInput(float[] gy, int gyOffset, int og, float[] wt, int wOffset, int k,
                              unboxed.backend.Window2d w, float[] gx, int gxOffset, int cg, int h, int wd) {
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int l = oh * ow;
        int kh = w.kernelH();
        int kw = w.kernelW();
        int pw = w.padW();
        int dw = w.dilationW();
        int xa = Math.max(0, (kw - 1) * dw - pw);
        int xb = Math.min(wd, ow - pw);
        int nvec = xb - xa >= VL ? (xb - xa + VL - 1) / VL : 0;
        int[] oyOf = new int[kh];
        int[] iOf = new int[kh];
        int[] srcs = new int[kh * kw];
        int[] wAts = new int[kh * kw];
        for (int ch = 0; ch < cg; ch++) {
            for (int y = 0; y < h; y++) {
                int taps = Windows.kernelRowsReaching(w, y, oh, iOf, oyOf);
                int at = gxOffset + (ch * h + y) * wd;
                // one flat list of (upstream gradient, weight) offsets in tap order
                int nq = 0;
                for (int t = 0; t < taps; t++) {
                    int p0 = (ch * kh + iOf[t]) * kw;
                    for (int j = 0; j < kw; j++, nq++) {
                        srcs[nq] = gyOffset + oyOf[t] * ow + pw - j * dw;
                        wAts[nq] = wOffset + p0 + j;
                    }
                }
                for (int v = 0; v < nvec; v++) {
                    int x = Math.min(xa + v * VL, xb - VL);
                    if (og == 1) {
                        sumOne(gy, srcs, wAts, nq, x, wt, gx, at + x);
                    } else {
                        sumColumns(gy, srcs, wAts, nq, x, og, l, k, wt, gx, at + x);
                    }
                }
                for (int x = 0; x < wd; x++) {
                    if (nvec > 0 && x == xa) {
                        x = xb - 1;                   // the vectors did [xa, xb)
                        continue;
                    }
                    float sum = 0f;
                    for (int t = 0; t < taps; t++) {
                        int p0 = (ch * kh + iOf[t]) * kw;
                        for (int j = 0; j < kw; j++) {
                            int ox = x + pw - j * dw;
                            if (ox >= 0 && ox < ow) {
                                float s = 0f;
                                for (int q = 0; q < og; q++) {
                                    s = Math.fma(wt[wOffset + q * k + p0 + j], gy[gyOffset + q * l + oyOf[t] * ow + ox], s);
                                }
                                sum += s;
                            }
                        }
                    }
                    gx[at + x] = sum;
                }
            }
        }
    }

    /** gx[at..] = sum over q of fma(w[wAts[q]], gOut[srcs[q] + x ..], 0): one output channel per group. */
    private static void sumOne(float[] gy, int[] srcs, int[] wAts, int nq, int x, float[] wt, float[] gx, int at) {
        FloatVector zero = FloatVector.zero(SP);
        FloatVector acc = zero;
        for (int q = 0; q < nq; q++) {
            acc = acc.add(FloatVector.broadcast(SP, wt[wAts[q]]).fma(FloatVector.fromArray(SP, gy, srcs[q] + x), zero));
        }
        acc.intoArray(gx, at);
    }

    /** As sumOne, each column value an fma chain over the og output channels (l and k apart). */
    private static void sumColumns(float[] gy, int[] srcs, int[] wAts, int nq, int x, int og, int l, int k, float[] wt,
                                   float[] gx, int at) {
        FloatVector acc = FloatVector.zero(SP);
        for (int q = 0; q < nq; q++) {
            FloatVector s = FloatVector.zero(SP);
            for (int o = 0; o < og; o++) {
                s = FloatVector.broadcast(SP, wt[wAts[q] + o * k]).fma(FloatVector.fromArray(SP, gy, srcs[q] + x + o * l), s);
            }
            acc = acc.add(s);
        }
        acc.intoArray(gx, at);
    }

    /**
     * Whether the unpacked input gradient ({@link #backwardInputRows}) applies and pays: unit
     * strides, a tile's worth of input channels per group, the output channels per group in one
     * of Sgemm's K blocks (each column value is then one fma chain), and input rows that fill the
     * vectors as {@link #suitsRows} asks of output rows. With AVX2's 4-channel tiles, rows longer
     * than the tile's two vectors go to the product form: each tap's masked additions then cost
     * more than the columns they save (at N, C, H, K = 64, 64, 32, 64 under -XX:UseAVX=2 on a
     * Zen 5: 81 against 49 ms; with AVX-512's 8-channel tiles 64-wide rows gain, 5.0 against 6.1
     * ms at 32, 16, 64, 16).
     */
    static boolean suitsBackwardInputRows(int wd, int cg, int og, unboxed.backend.Window2d w) {
        if (FORCE.equals("gemm") || w.strideH() != 1 || w.strideW() != 1 || cg < CB || og > Sgemm.KC) {
            return false;
        }
        if (FORCE.equals("direct")) {
            return true;
        }
        int lanes = wd <= VL ? VL : (wd + 2 * VL - 1) / (2 * VL) * 2 * VL;
        return 8L * wd >= 7L * lanes && (CB >= 8 || wd <= 2 * VL);
    }

    /** Tiles of CB channels that cover n channels (the last one overlapping the one before). */
    static int tiles(int n) {
        return (n + CB - 1) / CB;
    }

    /**
     * The weights as {@link #forwardRows}' A panels: [G][tiles of output channels][K][CB], tile t
     * holding channels min(t*CB, O/G - CB) .. +CB, so that one term's CB weights are adjacent and
     * the tile's loop reads them at fixed distances from one index. Read as O/G rows K floats apart,
     * the eight broadcasts took eight base offsets, more than the JIT kept in registers along with
     * the loop's others: it ran at one of two speeds from one JVM to the next (21 or 25 ms at
     * N, C, H, K = 64, 128, 16, 128 on a Zen 5); from panels, at the faster one.
     */
    static float[] weightPanels(float[] wt, int wOffset, int groups, int og, int k) {
        int tiles = tiles(og);
        float[] panels = new float[groups * tiles * k * CB];
        for (int g = 0; g < groups; g++) {
            for (int t = 0; t < tiles; t++) {
                int o0 = Math.min(t * CB, og - CB);
                int at = (g * tiles + t) * k * CB;
                for (int p = 0; p < k; p++) {
                    for (int r = 0; r < CB; r++) {
                        panels[at + p * CB + r] = wt[wOffset + (g * og + o0 + r) * k + p];
                    }
                }
            }
        }
        return panels;
    }

    /**
     * The weights by tap as {@link #backwardInputRows}' A panels: [G][taps][tiles of input
     * channels][O/G][CB], tile t holding input channels min(t*CB, C/G - CB) .. +CB, so that one
     * tap's weights for a tile are CB adjacent floats per output channel (rowPairMasked's terms).
     */
    static float[] weightsByTap(float[] wt, int wOffset, int groups, int og, int cg, int taps) {
        int k = cg * taps;
        int tiles = tiles(cg);
        float[] byTap = new float[groups * taps * tiles * og * CB];
        for (int g = 0; g < groups; g++) {
            for (int tap = 0; tap < taps; tap++) {
                for (int t = 0; t < tiles; t++) {
                    int c0 = Math.min(t * CB, cg - CB);
                    int at = ((g * taps + tap) * tiles + t) * og * CB;
                    for (int q = 0; q < og; q++) {
                        for (int r = 0; r < CB; r++) {
                            byTap[at + q * CB + r] = wt[wOffset + (g * og + q) * k + (c0 + r) * taps + tap];
                        }
                    }
                }
            }
        }
        return byTap;
    }

    /** The upstream gradient of one image and group, with zero rows and columns around it, per thread. */
    private static final ThreadLocal<float[][]> GRADIENT = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * The input gradient of one image and group at unit strides without the columns: for a tile
     * of CB input channels and two vectors of input positions (two rows, or two vectors along a
     * row), each tap's column values are computed in registers by {@link #rowPairMasked}, an fma chain
     * over the output channels from 0 (the product form's cols = W^T x gOut, one K block), and
     * added to the sums of the positions that tap reaches, in tap order from +0: what the
     * product and col2im add, so the same bits. The positions a tap does not reach (beyond the
     * image's border) add +0 through a mask, which leaves a sum started at +0 unchanged, whatever
     * the weights; the rows and columns they read are zeros around a copy of the upstream
     * gradient. On the MNIST CNN's second layer (14 x 14 maps) the product form wrote 20 MB of
     * columns per batch and read them again.
     *
     * @param gy upstream gradient of this image and group, [O/G, OH, OW] at gyOffset
     * @param byTap {@link #weightsByTap}, this group's from wTap
     * @param gx gradient of the input, [C/G, H, W] at gxOffset, overwritten
     */
    static void backwardInputRows(float[] gy, int gyOffset, int og, float[] byTap, int wTap,
                                  unboxed.backend.Window2d w, float[] gx, int gxOffset, int cg, int h, int wd) {
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int l = oh * ow;
        int kh = w.kernelH();
        int kw = w.kernelW();
        int ph = w.padH();
        int pw = w.padW();
        int dh = w.dilationH();
        int dw = w.dilationW();
        // zero rows above and below, zero columns left and right: every row a tap reads, at any
        // of its lanes, lies inside the buffer
        int top = Math.max(0, (kh - 1) * dh - ph) + 1;
        int left = Math.max(0, (kw - 1) * dw - pw) + 1;
        int bottom = Math.max(0, (kh - 1) * dh - ph) + 1;
        int lead = top * ow + left;
        float[] gp = gradientWithMargins(gy, gyOffset, og * l, lead, lead + og * l + bottom * ow + pw + 2 * VL + wd);
        // the output channels, the terms of rowPair's chains: row q of each tap's gradient
        int[] channelAt = channelOffsets(og, l);
        boolean pairs = wd <= VL;
        int perRow = pairs ? 1 : (wd + 2 * VL - 1) / (2 * VL) * 2;    // vectors per row, a whole number of pairs
        // reach[v * kw + j]: the lanes of vector v of a row that tap column j reaches
        VectorMask<Float>[] reach = Windows.columnMasks(perRow, kw, wd, ow, pw, dw);
        VectorMask<Float> none = SP.maskAll(false);
        float[] sums = new float[2 * CB * VL];
        int tiles = tiles(cg);
        for (int c = 0; c < cg; c += CB) {
            int c0 = Math.min(c, cg - CB);                // the last tile overlaps the one before: same values
            for (int y = 0; y < h; y += pairs ? 2 : 1) {
                int y1 = pairs ? Math.min(y + 1, h - 1) : y;
                for (int x0 = 0; x0 < wd; x0 += pairs ? VL : 2 * VL) {
                    int v0 = pairs ? 0 : x0 / VL;
                    java.util.Arrays.fill(sums, 0f);
                    for (int i = 0; i < kh; i++) {
                        int oy0 = y + ph - i * dh;
                        int oy1 = y1 + ph - i * dh;
                        boolean in0 = oy0 >= 0 && oy0 < oh;
                        boolean in1 = oy1 >= 0 && oy1 < oh && y1 > y;
                        if (!in0 && !in1) {
                            continue;
                        }
                        for (int j = 0; j < kw; j++) {
                            int shift = lead + pw - j * dw + x0;
                            int base0 = shift + oy0 * ow;
                            int base1 = pairs ? shift + oy1 * ow : base0 + VL;
                            VectorMask<Float> m0 = in0 ? reach[v0 * kw + j] : none;
                            VectorMask<Float> m1 = pairs ? (in1 ? reach[j] : none) : reach[(v0 + 1) * kw + j];
                            rowPairMasked(channelAt, gp, byTap, wTap + ((i * kw + j) * tiles + c / CB) * og * CB, 0, og,
                                    base0, base1, sums, m0, m1);
                        }
                    }
                    for (int r = 0; r < CB; r++) {
                        int plane = gxOffset + (c0 + r) * h * wd;
                        if (pairs) {
                            storeRow(sums, 2 * r * VL, gx, plane + y * wd, wd);
                            if (y1 > y) {
                                storeRow(sums, (2 * r + 1) * VL, gx, plane + y1 * wd, wd);
                            }
                        } else {
                            storeRow(sums, 2 * r * VL, gx, plane + y * wd + x0, Math.min(VL, wd - x0));
                            if (x0 + VL < wd) {
                                storeRow(sums, (2 * r + 1) * VL, gx, plane + y * wd + x0 + VL, Math.min(VL, wd - x0 - VL));
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether the unpacked input gradient at column stride 2 ({@link #backwardInputRows2}) applies
     * and pays: a tile's worth of input channels per group, the output channels per group in one
     * K block, and the even columns of an input row (its wider half) filling the vectors as
     * {@link #suitsBackwardInputRows} asks of whole rows. By hand on a Zen 5, the forward of a
     * transposed convolution with kernel 4, stride 2, padding 1 went from 6.8 to 5.3 ms at
     * (N, C, H) = (64, 32, 16 -> 32) and from 4.8 to 4.1 ms at (32, 16, 32 -> 64); under
     * -XX:UseAVX=2 from 14.4 to 8.3 ms at (64, 64, 8 -> 16) and from 14.6 to 9.7 ms at 16 -> 32.
     * With AVX-512 the 16-wide outputs of 8 -> 16 stay with the product form: their eight even
     * columns fill half a vector, and the tile took 8.3 ms against its 5.5.
     */
    static boolean suitsBackwardInputRows2(int wd, int cg, int og, unboxed.backend.Window2d w) {
        if (FORCE.equals("gemm") || w.strideW() != 2 || cg < CB || og > Sgemm.KC) {
            return false;
        }
        if (FORCE.equals("direct")) {
            return true;
        }
        int m = (wd + 1) / 2;
        int lanes = m <= VL ? VL : (m + 2 * VL - 1) / (2 * VL) * 2 * VL;
        return 8L * m >= 7L * lanes && (CB >= 8 || m <= 2 * VL);
    }

    /**
     * {@link #backwardInputRows} at column stride 2 (any row stride): the forward pass of a
     * transposed convolution that upsamples by 2, and the input gradient of a stride-2
     * convolution, without the columns. An input row's even and odd columns (its phases a = 0, 1:
     * x = 2t + a) are computed apart: for a phase, the tap columns j that reach it are those with
     * a + pw - j*dw even, each reading the upstream gradient's row contiguously along t (output
     * column t + e, e = (a + pw - j*dw) / 2), so a tile of CB input channels x two vectors of
     * positions is {@link #rowPairMasked}'s, as at unit stride: each reaching tap's column values
     * (an fma chain over the output channels from 0) added to the sums in tap order from +0, +0
     * where the tap's output column lies outside the row. The two vectors are two rows of one
     * phase, y and y + sh, which the same kernel rows reach (output rows one apart), when a phase
     * fits a vector; else two vectors along one row. Then the two phases' sums are interleaved
     * (a lane permutation of each, and a blend) into the row. Per element, the terms col2im adds,
     * in its order: the same bits. A NaN may lose its payload in the permutation before the JIT
     * compiles it, so a block whose sums hold one is interleaved one float at a time.
     */
    static void backwardInputRows2(float[] gy, int gyOffset, int og, float[] byTap, int wTap,
                                   unboxed.backend.Window2d w, float[] gx, int gxOffset, int cg, int h, int wd) {
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int l = oh * ow;
        int kh = w.kernelH();
        int kw = w.kernelW();
        int sh = w.strideH();
        int ph = w.padH();
        int pw = w.padW();
        int dh = w.dilationH();
        int dw = w.dilationW();
        int m = (wd + 1) / 2;                             // positions of the even phase
        boolean pairs = m <= VL;
        int perRow = pairs ? 1 : (m + 2 * VL - 1) / (2 * VL) * 2;     // vectors per phase row, in pairs
        // the upstream gradient with zeros before and after, a row and a few columns each way:
        // every lane a tap reads lies inside, the rows one above and one below the gradient's
        // included (the row of a pair that a kernel row does not reach is still read)
        int lead = ow + (kw - 1) * dw / 2 + 1;
        float[] gp = gradientWithMargins(gy, gyOffset, og * l, lead, lead + og * l + ow + perRow * VL + VL + pw + 2);
        int[] channelAt = channelOffsets(og, l);
        // per phase: the tap columns that reach it, their shifts e, and the lanes each reaches
        int[][] cols = new int[2][kw];
        int[][] shift = new int[2][kw];
        int[] reaching = new int[2];
        @SuppressWarnings("unchecked")
        VectorMask<Float>[][] reach = new VectorMask[2][perRow * kw];
        for (int a = 0; a < 2; a++) {
            for (int j = 0; j < kw; j++) {
                int num = a + pw - j * dw;
                if (Math.floorMod(num, 2) != 0) {
                    continue;
                }
                int q = reaching[a]++;
                cols[a][q] = j;
                shift[a][q] = Math.floorDiv(num, 2);
                for (int v = 0; v < perRow; v++) {
                    boolean[] bits = new boolean[VL];
                    for (int lane = 0; lane < VL; lane++) {
                        int t = v * VL + lane;
                        int ox = t + shift[a][q];
                        bits[lane] = 2 * t + a < wd && ox >= 0 && ox < ow;
                    }
                    reach[a][v * kw + q] = VectorMask.fromArray(SP, bits, 0);
                }
            }
        }
        VectorMask<Float> none = SP.maskAll(false);
        float[][] sums = {new float[2 * CB * VL], new float[2 * CB * VL]};
        float[] line = new float[2 * VL];
        int tiles = tiles(cg);
        for (int c = 0; c < cg; c += CB) {
            int c0 = Math.min(c, cg - CB);                // the last tile overlaps the one before: same values
            for (int y = 0; y < h; y++) {
                // pairs: rows y and y + sh, taken from the first sh rows of each 2*sh (the last
                // row alone, computed twice, where y + sh is past the image)
                if (pairs && (y % (2 * sh)) >= sh) {
                    continue;
                }
                int y1 = pairs ? (y + sh < h ? y + sh : y) : y;
                for (int t0 = 0; t0 < (pairs ? 1 : m); t0 += 2 * VL) {
                    int v0 = pairs ? 0 : t0 / VL;
                    for (int a = 0; a < 2; a++) {
                        float[] phase = sums[a];
                        java.util.Arrays.fill(phase, 0f);
                        for (int i = 0; i < kh; i++) {
                            int num = y + ph - i * dh;
                            if (Math.floorMod(num, sh) != 0) {
                                continue;
                            }
                            int oy0 = Math.floorDiv(num, sh);
                            int oy1 = pairs ? oy0 + (y1 - y) / sh : oy0;
                            boolean in0 = oy0 >= 0 && oy0 < oh;
                            boolean in1 = pairs && y1 > y && oy1 >= 0 && oy1 < oh;
                            if (!in0 && !in1) {
                                continue;
                            }
                            for (int q = 0; q < reaching[a]; q++) {
                                int j = cols[a][q];
                                int from = lead + shift[a][q] + t0;
                                int base0 = from + oy0 * ow;
                                int base1 = pairs ? from + oy1 * ow : base0 + VL;
                                VectorMask<Float> m0 = in0 ? reach[a][v0 * kw + q] : none;
                                VectorMask<Float> m1 = pairs ? (in1 ? reach[a][q] : none) : reach[a][(v0 + 1) * kw + q];
                                rowPairMasked(channelAt, gp, byTap, wTap + ((i * kw + j) * tiles + c / CB) * og * CB, 0,
                                        og, base0, base1, phase, m0, m1);
                            }
                        }
                    }
                    // whole interleaved vectors go straight to the row; a row's short end through line
                    for (int r = 0; r < CB; r++) {
                        int plane = gxOffset + (c0 + r) * h * wd;
                        if (pairs) {
                            storeInterleaved(sums, 2 * r * VL, gx, plane + y * wd, wd, line);
                            if (y1 > y) {
                                storeInterleaved(sums, (2 * r + 1) * VL, gx, plane + y1 * wd, wd, line);
                            }
                        } else {
                            int x0 = 2 * t0;
                            storeInterleaved(sums, 2 * r * VL, gx, plane + y * wd + x0, Math.min(2 * VL, wd - x0), line);
                            if (x0 + 2 * VL < wd) {
                                storeInterleaved(sums, (2 * r + 1) * VL, gx, plane + y * wd + x0 + 2 * VL,
                                        Math.min(2 * VL, wd - x0 - 2 * VL), line);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * dst[at .. at + n) = the first n of the 2*VL columns whose even ones are at sums[0][from ..]
     * and odd ones at sums[1][from ..], interleaved (x = 2t + a): two lane permutations and a
     * blend, stored in place when n is 2*VL, else through {@code line}; one float at a time where
     * either holds a NaN, whose payload a permutation may replace before the JIT compiles it.
     */
    private static void storeInterleaved(float[][] sums, int from, float[] dst, int at, int n, float[] line) {
        float[] even = sums[0];
        float[] odd = sums[1];
        FloatVector e = FloatVector.fromArray(SP, even, from);
        FloatVector o = FloatVector.fromArray(SP, odd, from);
        FloatVector both = e.add(o);
        if (both.compare(VectorOperators.NE, both).anyTrue()) {
            for (int x = 0; x < n; x++) {
                dst[at + x] = (x & 1) == 0 ? even[from + x / 2] : odd[from + x / 2];
            }
        } else if (n == 2 * VL) {
            Windows.interleave(e, o, dst, at);
        } else {
            Windows.interleave(e, o, line, 0);
            System.arraycopy(line, 0, dst, at, n);
        }
    }

    /**
     * This thread's copy of the upstream gradient gy[gyOffset .. + count) at {@code lead}, with zeros
     * before it and after it up to {@code size}.
     */
    private static float[] gradientWithMargins(float[] gy, int gyOffset, int count, int lead, int size) {
        float[][] holder = GRADIENT.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        float[] gp = holder[0];
        java.util.Arrays.fill(gp, 0, lead, 0f);
        System.arraycopy(gy, gyOffset, gp, lead, count);
        java.util.Arrays.fill(gp, lead + count, size, 0f);
        return gp;
    }

    /** Where each of {@code og} planes of {@code l} floats starts: the terms of the input gradient's chains. */
    private static int[] channelOffsets(int og, int l) {
        int[] at = new int[og];
        for (int q = 0; q < og; q++) {
            at[q] = q * l;
        }
        return at;
    }

    /** y[at .. at+n) = the first n lanes at sums[from]. */
    private static void storeRow(float[] sums, int from, float[] y, int at, int n) {
        if (n == VL) {
            FloatVector.fromArray(SP, sums, from).intoArray(y, at);
        } else {
            System.arraycopy(sums, from, y, at, n);
        }
    }

    /**
     * Whether the unpacked weight gradient ({@link #backwardWeightRows}) applies and pays: a tile's
     * worth of kernel taps (C/G x kh x kw), each image on one thread, and one of the two packings
     * it saves used too little to pay for itself: few output channels (at most 32, one or two
     * tiles' widths, where the product form's packed im2col rows serve one or two tiles), or few
     * taps (under four tiles, where its packed upstream gradient serves few), or strided windows,
     * whose rows the product form packs more slowly (9.8-10 against 10.7-11.3 ms at stride 2,
     * N, C, H, K = 64, 64, 32, 64 on a Zen 5). With many of both at unit stride the product form
     * was faster: 24-26 against 37-38 ms at 64, 128, 16, 128 and 26 against 33 at 64, 64, 32, 64
     * (with AVX2, 51 against 55-60, measured before the tiles took positions in blocks).
     */
    static boolean suitsWeightRows(int k, int og, int strideW) {
        if (FORCE.equals("gemm") || k < CB) {
            return false;
        }
        return FORCE.equals("direct") || og <= 32 || k < 4 * CB || strideW > 1;
    }

    /**
     * Whether the unpacked weight gradient takes whole kernel rows a tile ({@link
     * #weightTileTwoRows5}, {@link #weightTileThreeRows3}): 5 x 5 or 3 x 3 kernels whose rows'
     * taps read side by side, at least a tile's worth of kernel rows, more than a vector of
     * output channels, AVX-512. With up to 64 channels per group it also beat the packed product:
     * at N, C, H, K = 64, 64, 32, 64 the weight gradient took 32 ms against 34.5 on one thread
     * (by hand on a Zen 5), while at 128 channels the two were even.
     */
    static boolean suitsKernelRowTiles(ConvGemm.Geometry geo, int og) {
        int tileRows = geo.kw == 5 ? 2 : geo.kw == 3 ? 3 : 0;
        return VL == 16 && !FORCE.equals("gemm") && tileRows > 0 && geo.k / geo.kw >= tileRows && og > VL
                && geo.tapsSideBySide();
    }

    /** Positions a weight tile's four-tap passes share before moving on (their upstream gradient rows stay in L1). */
    private static final int SUB = 128;

    /** The upstream gradient of one image and group, transposed, per thread. */
    private static final ThreadLocal<float[][]> TRANSPOSED = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * The output positions' offsets in the padded image: position l = oy*OW + ox at
     * oy*rowStep + ox*colStep, added to a tap's row offset (Geometry.rowOffset) to read its im2col
     * element.
     */
    static int[] positions(ConvGemm.Geometry geo) {
        int[] pos = new int[geo.l];
        for (int oy = 0, t = 0; oy < geo.oh; oy++) {
            for (int ox = 0; ox < geo.ow; ox++, t++) {
                pos[t] = oy * geo.rowStep + ox * geo.colStep;
            }
        }
        return pos;
    }

    /**
     * gW[g]^T of one image, [K, O/G] into slot from s0, unpacked: the product form's
     * cols x gOut^T with a tile of CB x two vectors, its A (CB kernel taps, one im2col element each per
     * position, broadcast) read from the padded image in place and its B the upstream gradient
     * transposed once per image, [L][O/G] (zero columns up to two vectors when O/G is fewer).
     * Each element is the product form's computation: an fma chain over the positions from 0 in
     * Sgemm's K blocks, the first block stored as it is, each later one merged as fma(s, 1, c).
     * The last tile of taps, and of channels, overlaps the one before it (the same values,
     * computed again from the first block on). On the MNIST CNN the product form spent a third of
     * the weight gradient packing the im2col rows of each image.
     */
    static void backwardWeightRows(ConvGemm.Geometry geo, float[] padded, int[] pos, float[] gy, int gyOffset, int og,
                                   float[] slot, int s0) {
        int l = geo.l;
        int k = geo.k;
        int width = og <= VL && k >= TALL ? VL : Math.max(og, 2 * VL);
        float[][] holder = TRANSPOSED.get();
        if (holder[0].length < l * width) {
            holder[0] = new float[l * width];
        }
        float[] gt = holder[0];
        transpose(gy, gyOffset, og, l, gt, width);
        int kb = Sgemm.kBlock(l);
        float[] tile = new float[Math.max(Math.max(2 * CB, TALL), 20) * VL];
        if (suitsKernelRowTiles(geo, og)) {
            // whole kernel rows a tile: two of five taps, three of three
            int kw = geo.kw;
            int kernelRows = k / kw;
            int tileRows = kw == 5 ? 2 : 3;
            int taps = tileRows * kw;
            for (int r = 0; r < kernelRows; r += tileRows) {
                int p0 = Math.min(r, kernelRows - tileRows) * kw;    // the last tile overlaps the one before
                for (int q = 0; q < og; q += 2 * VL) {
                    int q0 = og >= 2 * VL ? Math.min(q, og - 2 * VL) : 0;
                    int n = Math.min(2 * VL, og - q0);
                    for (int lc = 0; lc < l; lc += kb) {
                        int le = Math.min(l, lc + kb);
                        if (kw == 5) {
                            weightTileTwoRows5(geo.rowOffset[p0], geo.rowOffset[p0 + 5], padded, pos, gt, width, q0,
                                    lc, le, tile);
                        } else {
                            weightTileThreeRows3(geo.rowOffset[p0], geo.rowOffset[p0 + 3], geo.rowOffset[p0 + 6],
                                    padded, pos, gt, width, q0, lc, le, tile);
                        }
                        mergeWeightTile(tile, lc == 0, slot, s0 + p0 * og + q0, og, n, taps, 2);
                    }
                }
            }
            return;
        }
        if (og <= VL && k >= TALL) {
            // one vector of channels (the first layer's 16 with AVX-512): TALL taps a tile
            for (int p = 0; p < k; p += TALL) {
                int p0 = Math.min(p, k - TALL);
                for (int lc = 0; lc < l; lc += kb) {
                    int le = Math.min(l, lc + kb);
                    weightTileTall(geo.rowOffset, p0, padded, pos, gt, width, lc, le, tile);
                    mergeWeightTile(tile, lc == 0, slot, s0 + p0 * og, og, og, TALL, 1);
                }
            }
            return;
        }
        for (int p = 0; p < k; p += CB) {
            int p0 = Math.min(p, k - CB);
            for (int q = 0; q < og; q += 2 * VL) {
                int q0 = og >= 2 * VL ? Math.min(q, og - 2 * VL) : 0;
                int n = Math.min(2 * VL, og - q0);
                for (int lc = 0; lc < l; lc += kb) {
                    int le = Math.min(l, lc + kb);
                    // SUB positions at a time, every four taps in turn, the sums kept in tile in
                    // between: the upstream gradient's SUB rows are read from L1 by all but the first
                    for (int sc = lc; sc < le; sc += SUB) {
                        int se = Math.min(le, sc + SUB);
                        for (int h = 0; h < CB; h += 4) {
                            weightTile(geo.rowOffset, p0 + h, padded, pos, gt, width, q0, sc, se, tile, 2 * h * VL,
                                    sc == lc);
                        }
                    }
                    mergeWeightTile(tile, lc == 0, slot, s0 + p0 * og + q0, og, n, CB, 2);
                }
            }
        }
    }

    /**
     * The sums over positions [lc, le) of four taps p0 .. p0+3 x channels q0 .. q0+2VL-1 into tile
     * from {@code at} (tap r's at at + 2r*VL); a tile of CB taps takes CB/4 of these. Four taps,
     * not eight in one loop: each tap costs the loop an offset into the image besides the vector
     * registers, and with eight the JIT had more integers live than registers, spilled some of them
     * to vector registers in some JVMs and not in others, and the same loop ran 1.5 times slower
     * in those (CNN's 16 -> 32 channel layer, 14 x 14: 1.9 or 2.8 ms a batch on a Zen 5; four taps:
     * 1.8-2.2). Each pass starts from the sums in tile unless {@code fresh} (a float stored and
     * loaded is the same float, so the chains are unchanged); the caller takes SUB positions at a
     * time through all of a tile's passes, so the upstream gradient's rows come from L1 after the
     * first.
     */
    private static void weightTile(int[] rowOffset, int p0, float[] padded, int[] pos, float[] gt, int width, int q0,
                                   int lc, int le, float[] tile, int at, boolean fresh) {
        int r0 = rowOffset[p0];
        int r1 = rowOffset[p0 + 1];
        int r2 = rowOffset[p0 + 2];
        int r3 = rowOffset[p0 + 3];
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        if (!fresh) {
            // the same chains, carried on from the positions before: a float stored and loaded is the same float
            c00 = FloatVector.fromArray(SP, tile, at);
            c01 = FloatVector.fromArray(SP, tile, at + VL);
            c10 = FloatVector.fromArray(SP, tile, at + 2 * VL);
            c11 = FloatVector.fromArray(SP, tile, at + 3 * VL);
            c20 = FloatVector.fromArray(SP, tile, at + 4 * VL);
            c21 = FloatVector.fromArray(SP, tile, at + 5 * VL);
            c30 = FloatVector.fromArray(SP, tile, at + 6 * VL);
            c31 = FloatVector.fromArray(SP, tile, at + 7 * VL);
        }
        for (int t = lc; t < le; t++) {
            int x = pos[t];
            int g = t * width + q0;
            FloatVector b0 = FloatVector.fromArray(SP, gt, g);
            FloatVector b1 = FloatVector.fromArray(SP, gt, g + VL);
            FloatVector a = FloatVector.broadcast(SP, padded[r0 + x]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SP, padded[r1 + x]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SP, padded[r2 + x]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SP, padded[r3 + x]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        c00.intoArray(tile, at);
        c01.intoArray(tile, at + VL);
        c10.intoArray(tile, at + 2 * VL);
        c11.intoArray(tile, at + 3 * VL);
        c20.intoArray(tile, at + 4 * VL);
        c21.intoArray(tile, at + 5 * VL);
        c30.intoArray(tile, at + 6 * VL);
        c31.intoArray(tile, at + 7 * VL);
    }

    /**
     * As {@link #weightTile} for two kernel rows of five taps (5 x 5 kernels, taps side by side:
     * {@link ConvGemm.Geometry#tapsSideBySide}) x two vectors of channels, tap r's at 2r*VL, from
     * the positions lc: twenty sums, enough to cover the FMA latency twice over, where four taps
     * (eight sums) waited on it. Each row's taps are read at constant offsets from one index,
     * so the loop holds two offsets, not ten. The chains are weightTile's (each (tap, channel)
     * pair's fma chain over the positions from lc, in order): the same bits. AVX-512 only: the
     * twenty-three vectors it holds would not fit AVX2's sixteen registers.
     */
    private static void weightTileTwoRows5(int ra, int rb, float[] padded, int[] pos, float[] gt, int width, int q0,
                                           int lc, int le, float[] tile) {
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00;
        FloatVector c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00;
        FloatVector c70 = c00, c71 = c00, c80 = c00, c81 = c00, c90 = c00, c91 = c00;
        for (int t = lc; t < le; t++) {
            int x = pos[t] + ra;
            int y = pos[t] + rb;
            int g = t * width + q0;
            FloatVector b0 = FloatVector.fromArray(SP, gt, g);
            FloatVector b1 = FloatVector.fromArray(SP, gt, g + VL);
            FloatVector a;
            a = FloatVector.broadcast(SP, padded[x]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SP, padded[x + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SP, padded[x + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SP, padded[x + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(SP, padded[x + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(SP, padded[y]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(SP, padded[y + 1]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(SP, padded[y + 2]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(SP, padded[y + 3]);
            c80 = a.fma(b0, c80);
            c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(SP, padded[y + 4]);
            c90 = a.fma(b0, c90);
            c91 = a.fma(b1, c91);
        }
        c00.intoArray(tile, 0 * VL);
        c01.intoArray(tile, 1 * VL);
        c10.intoArray(tile, 2 * VL);
        c11.intoArray(tile, 3 * VL);
        c20.intoArray(tile, 4 * VL);
        c21.intoArray(tile, 5 * VL);
        c30.intoArray(tile, 6 * VL);
        c31.intoArray(tile, 7 * VL);
        c40.intoArray(tile, 8 * VL);
        c41.intoArray(tile, 9 * VL);
        c50.intoArray(tile, 10 * VL);
        c51.intoArray(tile, 11 * VL);
        c60.intoArray(tile, 12 * VL);
        c61.intoArray(tile, 13 * VL);
        c70.intoArray(tile, 14 * VL);
        c71.intoArray(tile, 15 * VL);
        c80.intoArray(tile, 16 * VL);
        c81.intoArray(tile, 17 * VL);
        c90.intoArray(tile, 18 * VL);
        c91.intoArray(tile, 19 * VL);
    }

    /** As {@link #weightTileTwoRows5} for three kernel rows of three taps (3 x 3 kernels): eighteen sums. */
    private static void weightTileThreeRows3(int ra, int rb, int rc, float[] padded, int[] pos, float[] gt, int width,
                                             int q0, int lc, int le, float[] tile) {
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00;
        FloatVector c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00;
        FloatVector c70 = c00, c71 = c00, c80 = c00, c81 = c00;
        for (int t = lc; t < le; t++) {
            int x = pos[t] + ra;
            int y = pos[t] + rb;
            int z = pos[t] + rc;
            int g = t * width + q0;
            FloatVector b0 = FloatVector.fromArray(SP, gt, g);
            FloatVector b1 = FloatVector.fromArray(SP, gt, g + VL);
            FloatVector a;
            a = FloatVector.broadcast(SP, padded[x]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SP, padded[x + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SP, padded[x + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SP, padded[y]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(SP, padded[y + 1]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(SP, padded[y + 2]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(SP, padded[z]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(SP, padded[z + 1]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(SP, padded[z + 2]);
            c80 = a.fma(b0, c80);
            c81 = a.fma(b1, c81);
        }
        c00.intoArray(tile, 0 * VL);
        c01.intoArray(tile, 1 * VL);
        c10.intoArray(tile, 2 * VL);
        c11.intoArray(tile, 3 * VL);
        c20.intoArray(tile, 4 * VL);
        c21.intoArray(tile, 5 * VL);
        c30.intoArray(tile, 6 * VL);
        c31.intoArray(tile, 7 * VL);
        c40.intoArray(tile, 8 * VL);
        c41.intoArray(tile, 9 * VL);
        c50.intoArray(tile, 10 * VL);
        c51.intoArray(tile, 11 * VL);
        c60.intoArray(tile, 12 * VL);
        c61.intoArray(tile, 13 * VL);
        c70.intoArray(tile, 14 * VL);
        c71.intoArray(tile, 15 * VL);
        c80.intoArray(tile, 16 * VL);
        c81.intoArray(tile, 17 * VL);
    }

    /**
     * The upstream gradient of one image [O/G][L] as [L][width] (zero columns from O/G on): 16 x 16
     * blocks by lane permutations with AVX-512 (Sgemm's packing transpose), the rest one by one.
     */
    private static void transpose(float[] gy, int gyOffset, int og, int l, float[] gt, int width) {
        int q16 = VL == 16 ? og / 16 * 16 : 0;
        int t16 = VL == 16 ? l / 16 * 16 : 0;
        for (int q = 0; q < q16; q += 16) {
            for (int t = 0; t < t16; t += 16) {
                Sgemm.Transpose16.run(gy, gyOffset + q * l + t, l, gt, t * width + q, width);
            }
        }
        for (int t = 0; t < l; t++) {
            for (int q = t < t16 ? q16 : 0; q < og; q++) {
                gt[t * width + q] = gy[gyOffset + q * l + t];
            }
            for (int q = og; q < width; q++) {
                gt[t * width + q] = 0f;
            }
        }
    }

    /**
     * As {@link #weightTile} for 2CB taps x one vector of channels (tap r's at r*VL). With one
     * vector of channels each multiply-add needs its own broadcast, so the tile loads as often as
     * it multiplies. Tried and dropped: the MNIST CNN's first convolution (1 -> 16 channels,
     * 28 x 28, 5 x 5) with the images in the lanes instead, a tile of one kernel row's five taps
     * x two channels whose operands are all vectors (seven loads for ten multiply-adds, the same
     * chains): its arithmetic took about 0.15 ms a batch of 64, but copying the upstream gradient
     * into the lanes layout took twice that, and the weight gradient was no faster in total (by
     * hand on a Zen 5, one thread, 0.97-1.25 ms against 1.05-1.17 ms, JVMs alternating). PyTorch
     * (oneDNN, one thread, glibc keeping freed memory) took 0.35 ms for that layer's forward and
     * about 0.35 ms more for its weight and bias gradients, against ours 0.50-0.55 and 0.95-1.0 ms.
     */
    private static void weightTileTall(int[] rowOffset, int p0, float[] padded, int[] pos, float[] gt, int width,
                                       int lc, int le, float[] tile) {
        boolean six = TALL == 12;
        int r0 = rowOffset[p0];
        int r1 = rowOffset[p0 + 1];
        int r2 = rowOffset[p0 + 2];
        int r3 = rowOffset[p0 + 3];
        int r4 = rowOffset[p0 + 4];
        int r5 = rowOffset[p0 + 5];
        int r6 = rowOffset[p0 + 6];
        int r7 = rowOffset[p0 + 7];
        int r8 = six ? rowOffset[p0 + 8] : 0;
        int r9 = six ? rowOffset[p0 + 9] : 0;
        int r10 = six ? rowOffset[p0 + 10] : 0;
        int r11 = six ? rowOffset[p0 + 11] : 0;
        FloatVector c0 = FloatVector.zero(SP), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int t = lc; t < le; t++) {
            int at = pos[t];
            FloatVector b = FloatVector.fromArray(SP, gt, t * width);
            c0 = FloatVector.broadcast(SP, padded[r0 + at]).fma(b, c0);
            c1 = FloatVector.broadcast(SP, padded[r1 + at]).fma(b, c1);
            c2 = FloatVector.broadcast(SP, padded[r2 + at]).fma(b, c2);
            c3 = FloatVector.broadcast(SP, padded[r3 + at]).fma(b, c3);
            c4 = FloatVector.broadcast(SP, padded[r4 + at]).fma(b, c4);
            c5 = FloatVector.broadcast(SP, padded[r5 + at]).fma(b, c5);
            c6 = FloatVector.broadcast(SP, padded[r6 + at]).fma(b, c6);
            c7 = FloatVector.broadcast(SP, padded[r7 + at]).fma(b, c7);
            if (six) {
                c8 = FloatVector.broadcast(SP, padded[r8 + at]).fma(b, c8);
                c9 = FloatVector.broadcast(SP, padded[r9 + at]).fma(b, c9);
                c10 = FloatVector.broadcast(SP, padded[r10 + at]).fma(b, c10);
                c11 = FloatVector.broadcast(SP, padded[r11 + at]).fma(b, c11);
            }
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, VL);
        c2.intoArray(tile, 2 * VL);
        c3.intoArray(tile, 3 * VL);
        c4.intoArray(tile, 4 * VL);
        c5.intoArray(tile, 5 * VL);
        c6.intoArray(tile, 6 * VL);
        c7.intoArray(tile, 7 * VL);
        if (six) {
            c8.intoArray(tile, 8 * VL);
            c9.intoArray(tile, 9 * VL);
            c10.intoArray(tile, 10 * VL);
            c11.intoArray(tile, 11 * VL);
        }
    }

    /**
     * {@code rows} rows of n (at most vectors x VL) sums, row r's at r*vectors*VL in tile, into
     * slot rows {@code stride} apart from {@code at}: stored as they are for the first K block,
     * else fma(s, 1, c), Sgemm's merge.
     */
    private static void mergeWeightTile(float[] tile, boolean first, float[] slot, int at, int stride, int n, int rows,
                                        int vectors) {
        for (int r = 0; r < rows; r++) {
            int row = at + r * stride;
            int from = r * vectors * VL;
            if (n == vectors * VL) {
                for (int v = 0; v < vectors; v++) {
                    FloatVector s = FloatVector.fromArray(SP, tile, from + v * VL);
                    (first ? s : s.fma(ONE, FloatVector.fromArray(SP, slot, row + v * VL))).intoArray(slot, row + v * VL);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    float s = tile[from + i];
                    slot[row + i] = first ? s : Math.fma(s, 1f, slot[row + i]);
                }
            }
        }
    }

    /** Whether the depthwise weight gradient applies: one input and one output channel per group, whole vectors of groups. */
    static boolean suitsDepthwiseWeight(int og, int cg, int groups) {
        return og == 1 && cg == 1 && groups % VL == 0;
    }

    /**
     * The weight gradient of a depthwise convolution (one channel per group), channels in the
     * vector lanes: gW[g, p] sums over the images, in image order in double, the fma chain over
     * the output positions (in Sgemm's K blocks) of gOut[g, l] * cols[g][p, l], which is what the
     * product form computes for each group; here VL groups run side by side, one lane each, on
     * the image and the upstream gradient laid out channel-last ([H+2ph][W+2pw][VL] and [L][VL]).
     * Any stride and dilation.
     */
    static void backwardWeightDepthwise(float[] x, unboxed.backend.Strided in, float[] gy, int gyOffset,
                                        unboxed.backend.Window2d w, int groups, float[] gw, int gwOffset, int threads) {
        ConvGemm.Geometry geo = new ConvGemm.Geometry(in, w, groups);
        int n = in.size(0);
        int k = geo.k;
        int l = geo.l;
        int kb = Sgemm.kBlock(l);
        int hw = geo.hp * geo.wp;
        // each tap's offset in the channel-last image [H+2ph][W+2pw] (one channel per group: no
        // channel term; not Geometry.rowOffset, which addresses the loaded image's layout)
        int[] taps = new int[k];
        for (int i = 0, p = 0; i < w.kernelH(); i++) {
            for (int j = 0; j < w.kernelW(); j++, p++) {
                taps[p] = i * w.dilationH() * geo.wp + j * w.dilationW();
            }
        }
        Sgemm.parallelFor(groups / VL, Math.min(threads, groups / VL), cv -> {
            int g0 = cv * VL;
            float[] xt = new float[hw * VL];
            float[] gt = new float[l * VL];
            float[] lanes = new float[VL];
            float[] lanes3 = new float[3 * VL];
            double[] acc = new double[VL * k];
            for (int b = 0; b < n; b++) {
                // channel-last copies of this image's VL channels (the padding stays zero)
                for (int t = 0; t < VL; t++) {
                    int src = geo.offset + b * geo.sN + (g0 + t) * geo.sC;
                    for (int y = 0; y < geo.h; y++) {
                        int d = ((y + geo.ph) * geo.wp + geo.pw) * VL + t;
                        int s0 = src + y * geo.sH;
                        for (int q = 0; q < geo.wd; q++, d += VL) {
                            xt[d] = x[s0 + q * geo.sW];
                        }
                    }
                    int gs = gyOffset + (b * groups + g0 + t) * l;
                    for (int q = 0, d = t; q < l; q++, d += VL) {
                        gt[d] = gy[gs + q];
                    }
                }
                int p = 0;
                // three taps at a time: three independent chains hide the fma latency
                for (; p + 3 <= k; p += 3) {
                    chains3(xt, gt, taps[p], taps[p + 1], taps[p + 2], geo, kb, lanes3);
                    for (int u = 0; u < 3; u++) {
                        for (int t = 0; t < VL; t++) {
                            acc[t * k + p + u] += lanes3[u * VL + t];
                        }
                    }
                }
                for (; p < k; p++) {
                    FloatVector c = chain(xt, gt, taps[p], geo, kb);
                    c.intoArray(lanes, 0);
                    for (int t = 0; t < VL; t++) {
                        acc[t * k + p] += lanes[t];
                    }
                }
            }
            for (int t = 0; t < VL; t++) {
                for (int p = 0; p < k; p++) {
                    gw[gwOffset + (g0 + t) * k + p] = (float) acc[t * k + p];
                }
            }
        });
    }

    /**
     * One tap's sums for VL channels: per K block of positions, s = fma chain of gOut * image from
     * 0; the first block's s is the result, each later one is added to it (Sgemm's merge).
     */
    private static FloatVector chain(float[] xt, float[] gt, int tapOffset, ConvGemm.Geometry geo, int kb) {
        FloatVector c = FloatVector.zero(SP);
        int ow = geo.ow;
        for (int l0 = 0; l0 < geo.l; l0 += kb) {
            int l1 = Math.min(geo.l, l0 + kb);
            FloatVector s = blockChain(xt, gt, tapOffset, geo, l0, l1, ow);
            c = l0 == 0 ? s : s.add(c);
        }
        return c;
    }

    /** chain() for three taps at once, their results to out[0..3*VL), tap by tap. */
    private static void chains3(float[] xt, float[] gt, int tap0, int tap1, int tap2, ConvGemm.Geometry geo, int kb,
                                float[] out) {
        FloatVector c0 = FloatVector.zero(SP);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        int ow = geo.ow;
        int rowStep = geo.sh * geo.wp;
        for (int l0 = 0; l0 < geo.l; l0 += kb) {
            int l1 = Math.min(geo.l, l0 + kb);
            FloatVector s0 = FloatVector.zero(SP);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            int oy = l0 / ow;
            int ox = l0 - oy * ow;
            for (int q = l0; q < l1; q++) {
                int pix = oy * rowStep + ox * geo.sw;
                FloatVector g = FloatVector.fromArray(SP, gt, q * VL);
                s0 = g.fma(FloatVector.fromArray(SP, xt, (tap0 + pix) * VL), s0);
                s1 = g.fma(FloatVector.fromArray(SP, xt, (tap1 + pix) * VL), s1);
                s2 = g.fma(FloatVector.fromArray(SP, xt, (tap2 + pix) * VL), s2);
                if (++ox == ow) {
                    ox = 0;
                    oy++;
                }
            }
            if (l0 == 0) {
                c0 = s0;
                c1 = s1;
                c2 = s2;
            } else {
                c0 = s0.add(c0);
                c1 = s1.add(c1);
                c2 = s2.add(c2);
            }
        }
        c0.intoArray(out, 0);
        c1.intoArray(out, VL);
        c2.intoArray(out, 2 * VL);
    }

    private static FloatVector blockChain(float[] xt, float[] gt, int tapOffset, ConvGemm.Geometry geo, int l0, int l1,
                                          int ow) {
        FloatVector s = FloatVector.zero(SP);
        int oy = l0 / ow;
        int ox = l0 - oy * ow;
        for (int q = l0; q < l1; q++) {
            int pix = tapOffset + oy * geo.sh * geo.wp + ox * geo.sw;
            s = FloatVector.fromArray(SP, gt, q * VL).fma(FloatVector.fromArray(SP, xt, pix * VL), s);
            if (++ox == ow) {
                ox = 0;
                oy++;
            }
        }
        return s;
    }

    /** The first n of two vectors' lanes to y[at..]: whole vectors where they fit, the rest through tail. */
    private static void store(FloatVector v0, FloatVector v1, float[] y, int at, int n, float[] tail) {
        if (n == 2 * VL) {
            v0.intoArray(y, at);
            v1.intoArray(y, at + VL);
        } else {
            v0.intoArray(tail, 0);
            v1.intoArray(tail, VL);
            System.arraycopy(tail, 0, y, at, n);
        }
    }
}
