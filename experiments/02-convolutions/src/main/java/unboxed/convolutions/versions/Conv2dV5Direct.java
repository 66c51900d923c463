package unboxed.convolutions.versions;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import unboxed.backend.cpu.Sgemm;

/**
 * 2-D convolution, version 5: a register-blocked direct convolution with vector fused
 * multiply-adds, no matrix product and no packing at all.
 *
 * <p>What changes from version 4: versions 3 and 4 pay for copying the columns into panels, K x L
 * floats per image, and earn it back only when each copied value is reused by many filters. A
 * first layer (c = 1 or 3) has K = 25 or 27: the copy costs about as much as the arithmetic. So
 * here the micro-kernel's idea is applied to the convolution directly. A tile of 4 filters x 2
 * vectors of consecutive output positions (8 accumulators) stays in registers; for each of the K
 * taps (ci, i, j), the two vectors of input values under the tile are loaded straight from the
 * zero-padded image (consecutive output positions read consecutive input positions), each of the
 * 4 filters' weights is broadcast, and 8 fused multiply-adds update the tile. The padded image of
 * one channel is a few KB, so every load hits L1.
 *
 * <p>What it gives: version 3's bits. Each output is the same chain as in Sgemm, fma over the
 * taps in order from 0, in Sgemm's K blocks (a later block's sum is added to the earlier ones),
 * then the bias. Past the last filter the tile repeats the last one, and past the end of a row
 * the vectors read on into the next row (the padded buffer has slack): those lanes are computed
 * and not stored.
 *
 * <p>When it wins: few taps (first layers) or few filters per group (a depthwise convolution);
 * with K = 576 taps and 64 filters the product form's reuse wins. The engine picks per shape
 * (unboxed.backend.cpu.ConvDirect, with a 6-filter tile where AVX-512's 32 registers allow).
 */
public final class Conv2dV5Direct {
    private Conv2dV5Direct() {
    }

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SP.length();
    private static final int FILTERS = 4;

    public static void conv2d(float[] x, int n, int c, int h, int w, float[] weight, int o, int kh, int kw,
                              float[] bias, int padH, int padW, float[] out) {
        int oh = h + 2 * padH - kh + 1;
        int ow = w + 2 * padW - kw + 1;
        int l = oh * ow;
        for (int b = 0; b < n; b++) {
            image(x, b, c, h, w, weight, o, kh, kw, padH, padW, out, b * o * l);
            addBias(bias, out, b * o * l, o, l);
        }
    }

    /** The outputs of image b (without bias) at out[outOff..]. */
    static void image(float[] x, int b, int c, int h, int w, float[] weight, int o, int kh, int kw, int padH,
                      int padW, float[] out, int outOff) {
        int hp = h + 2 * padH;
        int wp = w + 2 * padW;
        int oh = hp - kh + 1;
        int ow = wp - kw + 1;
        int k = c * kh * kw;
        float[] padded = Conv2dV4ImplicitGemm.pad(x, b * c * h * w, c, h, w, padH, padW);
        // slack for the vectors that run past the last row
        float[] buf = java.util.Arrays.copyOf(padded, padded.length + 2 * VL + wp);
        int[] tap = new int[k];                       // where tap (ci, i, j) starts in the padded image
        for (int ci = 0, p = 0; ci < c; ci++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, p++) {
                    tap[p] = (ci * hp + i) * wp + j;
                }
            }
        }
        int kb = Sgemm.kBlock(k);
        float[] tail = new float[2 * VL];
        for (int f = 0; f < o; f += FILTERS) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox += 2 * VL) {
                    for (int p0 = 0; p0 < k; p0 += kb) {
                        tile(buf, tap, p0, Math.min(k, p0 + kb), oy * wp + ox, weight, k, f, o, out,
                                outOff + oy * ow + ox, oh * ow, Math.min(2 * VL, ow - ox), p0 > 0, tail);
                    }
                }
            }
        }
    }

    /**
     * Filters f .. f+3 (the last one repeated past o) x 2 vectors of positions: the taps
     * [p0, p1), summed from 0; written to out, or added to what earlier K blocks wrote there.
     */
    private static void tile(float[] img, int[] tap, int p0, int p1, int at, float[] weight, int k, int f, int o,
                             float[] out, int outAt, int plane, int count, boolean add, float[] tail) {
        int w0 = f * k;
        int w1 = Math.min(f + 1, o - 1) * k;
        int w2 = Math.min(f + 2, o - 1) * k;
        int w3 = Math.min(f + 3, o - 1) * k;
        FloatVector s00 = FloatVector.zero(SP), s01 = s00, s10 = s00, s11 = s00;
        FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        for (int p = p0; p < p1; p++) {
            FloatVector in0 = FloatVector.fromArray(SP, img, tap[p] + at);
            FloatVector in1 = FloatVector.fromArray(SP, img, tap[p] + at + VL);
            FloatVector wv = FloatVector.broadcast(SP, weight[w0 + p]);
            s00 = wv.fma(in0, s00);
            s01 = wv.fma(in1, s01);
            wv = FloatVector.broadcast(SP, weight[w1 + p]);
            s10 = wv.fma(in0, s10);
            s11 = wv.fma(in1, s11);
            wv = FloatVector.broadcast(SP, weight[w2 + p]);
            s20 = wv.fma(in0, s20);
            s21 = wv.fma(in1, s21);
            wv = FloatVector.broadcast(SP, weight[w3 + p]);
            s30 = wv.fma(in0, s30);
            s31 = wv.fma(in1, s31);
        }
        store(s00, s01, out, outAt + f * plane, count, add, tail);
        if (f + 1 < o) {
            store(s10, s11, out, outAt + (f + 1) * plane, count, add, tail);
        }
        if (f + 2 < o) {
            store(s20, s21, out, outAt + (f + 2) * plane, count, add, tail);
        }
        if (f + 3 < o) {
            store(s30, s31, out, outAt + (f + 3) * plane, count, add, tail);
        }
    }

    /** The first count lanes of two vectors to out[at..]: written, or added to (Sgemm's later K blocks: s + c). */
    private static void store(FloatVector v0, FloatVector v1, float[] out, int at, int count, boolean add, float[] tail) {
        v0.intoArray(tail, 0);
        v1.intoArray(tail, VL);
        for (int t = 0; t < count; t++) {
            out[at + t] = add ? tail[t] + out[at + t] : tail[t];
        }
    }

    /** out[f, :] += bias[f] for every filter f of one image (none when bias is null), as version 3 adds it. */
    static void addBias(float[] bias, float[] out, int off, int o, int l) {
        if (bias == null) {
            return;
        }
        for (int f = 0; f < o; f++) {
            float bf = bias[f];
            for (int p = 0; p < l; p++) {
                out[off + f * l + p] += bf;
            }
        }
    }
}
