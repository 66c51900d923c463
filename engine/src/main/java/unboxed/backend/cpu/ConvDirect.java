package unboxed.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d's forward as a register-blocked direct convolution, for the shapes where the product
 * form spends more on packing than on multiplying: few taps per output (K = C/G*kh*kw small, a
 * first layer on 1 or 3 channels) or few output channels per group (depthwise). No packing:
 * a tile of output channels x output positions is held in registers while the taps stream past,
 * the weight broadcast from its row and the image read straight from the zero-padded copy
 * (ConvGemm.Geometry), a vector of consecutive output positions at a time (unit column stride).
 *
 * <p>Each output is the same fused multiply-add chain over the taps, in tap order from 0, as the
 * product form computes (one K block, since K is at most Sgemm.KC here), so the same bits.
 */
final class ConvDirect {
    private ConvDirect() {
    }

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SP.length();
    /** Output channels per tile: 6 x 2 vectors in 12 registers with AVX-512, 4 x 2 in 8 with AVX2. */
    private static final int CB = VL >= 16 ? 6 : 4;

    /** Whether the direct form applies and pays: unit column stride, one K block, and few taps or few channels. */
    static boolean suits(int k, int og, int strideW) {
        return strideW == 1 && k <= Sgemm.KC && (k <= 32 || og < CB);
    }

    /**
     * Output channels [0, og) of one image and group: y[yOffset + o*L + oy*OW + ox], weights at
     * wt[wOffset + o*K + p], the image in {@code padded} (with at least 4 vectors of slack).
     */
    static void forward(ConvGemm.Geometry geo, float[] padded, float[] wt, int wOffset, int og, float[] y,
                        int yOffset) {
        float[] tail = new float[4 * VL];
        int o0 = 0;
        if (og >= CB) {
            for (; o0 + CB <= og; o0 += CB) {
                for (int oy = 0; oy < geo.oh; oy++) {
                    for (int ox = 0; ox < geo.ow; ox += 2 * VL) {
                        tile(geo, padded, wt, wOffset + o0 * geo.k, y, yOffset + o0 * geo.l, oy, ox, tail);
                    }
                }
            }
        }
        for (; o0 < og; o0++) {
            for (int oy = 0; oy < geo.oh; oy++) {
                for (int ox = 0; ox < geo.ow; ox += 4 * VL) {
                    single(geo, padded, wt, wOffset + o0 * geo.k, y, yOffset + o0 * geo.l, oy, ox, tail);
                }
            }
        }
    }

    /** CB channels x 2 vectors of positions from (oy, ox). */
    private static void tile(ConvGemm.Geometry geo, float[] padded, float[] wt, int w0, float[] y, int y0, int oy,
                             int ox, float[] tail) {
        int k = geo.k;
        int base = oy * geo.sh * geo.wp + ox;
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        boolean six = CB == 6;
        for (int p = 0; p < k; p++) {
            int at = geo.rowOffset[p] + base;
            FloatVector b0 = FloatVector.fromArray(SP, padded, at);
            FloatVector b1 = FloatVector.fromArray(SP, padded, at + VL);
            FloatVector a = FloatVector.broadcast(SP, wt[w0 + p]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SP, wt[w0 + k + p]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SP, wt[w0 + 2 * k + p]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SP, wt[w0 + 3 * k + p]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            if (six) {
                a = FloatVector.broadcast(SP, wt[w0 + 4 * k + p]);
                c40 = a.fma(b0, c40);
                c41 = a.fma(b1, c41);
                a = FloatVector.broadcast(SP, wt[w0 + 5 * k + p]);
                c50 = a.fma(b0, c50);
                c51 = a.fma(b1, c51);
            }
        }
        int l = geo.l;
        int at = y0 + oy * geo.ow + ox;
        int n = Math.min(2 * VL, geo.ow - ox);
        store(c00, c01, y, at, n, tail);
        store(c10, c11, y, at + l, n, tail);
        store(c20, c21, y, at + 2 * l, n, tail);
        store(c30, c31, y, at + 3 * l, n, tail);
        if (six) {
            store(c40, c41, y, at + 4 * l, n, tail);
            store(c50, c51, y, at + 5 * l, n, tail);
        }
    }

    /** One channel x 4 vectors of positions from (oy, ox): the depthwise case. */
    private static void single(ConvGemm.Geometry geo, float[] padded, float[] wt, int w0, float[] y, int y0, int oy,
                               int ox, float[] tail) {
        int base = oy * geo.sh * geo.wp + ox;
        FloatVector c0 = FloatVector.zero(SP), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0; p < geo.k; p++) {
            int at = geo.rowOffset[p] + base;
            FloatVector a = FloatVector.broadcast(SP, wt[w0 + p]);
            c0 = a.fma(FloatVector.fromArray(SP, padded, at), c0);
            c1 = a.fma(FloatVector.fromArray(SP, padded, at + VL), c1);
            c2 = a.fma(FloatVector.fromArray(SP, padded, at + 2 * VL), c2);
            c3 = a.fma(FloatVector.fromArray(SP, padded, at + 3 * VL), c3);
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
