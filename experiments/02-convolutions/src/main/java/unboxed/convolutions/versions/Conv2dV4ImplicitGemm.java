package unboxed.convolutions.versions;

import java.util.Arrays;
import unboxed.backend.cpu.Sgemm;

/**
 * 2-D convolution, version 4: the matrix product of version 3 without the im2col buffer.
 *
 * <p>What changes from version 3: the columns are never written out. Sgemm does not multiply
 * the matrices it is given; it first copies B, one block of K x NC at a time, into small
 * "panels" in the exact order its micro-kernel reads them (post 01, version 5). Version 3 builds
 * the [K, L] column matrix, and Sgemm then copies it once more into panels. Here Sgemm is handed
 * a {@link Sgemm.PanelSource} instead of a matrix: a function that fills a panel straight from
 * the image, with im2col's index arithmetic. The column matrix (9 times the image for a 3 x 3
 * kernel) is never allocated, written or read back.
 *
 * <p>To keep that arithmetic free of tests, the image is first copied once into a buffer with
 * its zero padding around it, [c, h + 2 padH, w + 2 padW]. Element (p, l) of the column matrix,
 * p = (ci kh + i) kw + j and l = oy ow + ox, is then
 * <pre>
 *   padded[(ci hp + oy + i) wp + ox + j]        (hp = h + 2 padH, wp = w + 2 padW)
 * </pre>
 * so a panel row (one p, nr consecutive l) is one or two contiguous runs of a padded row: a copy.
 *
 * <p>What it buys: the memory traffic of the column matrix, which at N, C, H, K = 64, 64, 32, 64
 * is 151 MB written and read per forward pass when the whole batch is unfolded at once (the
 * engine's old path), 2.4 MB per image here in version 3. What it costs: nothing in arithmetic.
 * The panels hold the same floats as Sgemm's own packing of version 3's matrix would, and Sgemm's
 * result does not depend on where its panels come from, so version 4 gives version 3's bits.
 *
 * <p>The engine's conv2d (unboxed.backend.cpu.ConvGemm) is this version, with vector copies in
 * the packing, the images spread over the threads (version 6), and the same idea for the two
 * gradients.
 */
public final class Conv2dV4ImplicitGemm {
    private Conv2dV4ImplicitGemm() {
    }

    public static void conv2d(float[] x, int n, int c, int h, int w, float[] weight, int o, int kh, int kw,
                              float[] bias, int padH, int padW, float[] out) {
        int oh = h + 2 * padH - kh + 1;
        int ow = w + 2 * padW - kw + 1;
        int l = oh * ow;
        for (int b = 0; b < n; b++) {
            image(x, b, c, h, w, weight, o, kh, kw, padH, padW, out, b * o * l);
            Conv2dV5Direct.addBias(bias, out, b * o * l, o, l);
        }
    }

    /** The outputs of image b (without bias) at out[outOff..]. */
    static void image(float[] x, int b, int c, int h, int w, float[] weight, int o, int kh, int kw, int padH,
                      int padW, float[] out, int outOff) {
        int ow = w + 2 * padW - kw + 1;
        int l = (h + 2 * padH - kh + 1) * ow;
        int k = c * kh * kw;
        float[] padded = pad(x, b * c * h * w, c, h, w, padH, padW);
        Columns cols = new Columns(padded, c, h + 2 * padH, w + 2 * padW, kh, kw, ow);
        Sgemm.sgemm(o, l, k, 1f, weight, 0, k, 1, cols, 0f, out, outOff, l, 1);
    }

    /** The image [c, h, w] at xOff with zeros around it: [c, h + 2 padH, w + 2 padW]. */
    static float[] pad(float[] x, int xOff, int c, int h, int w, int padH, int padW) {
        int hp = h + 2 * padH;
        int wp = w + 2 * padW;
        float[] padded = new float[c * hp * wp];
        for (int ci = 0; ci < c; ci++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(x, xOff + (ci * h + y) * w, padded, (ci * hp + y + padH) * wp + padW, w);
            }
        }
        return padded;
    }

    /** The column matrix [c kh kw, oh ow] of one padded image, packed on demand. */
    static final class Columns implements Sgemm.PanelSource {
        private final float[] padded;
        private final int hp;
        private final int wp;
        private final int kh;
        private final int kw;
        private final int ow;

        Columns(float[] padded, int c, int hp, int wp, int kh, int kw, int ow) {
            this.padded = padded;
            this.hp = hp;
            this.wp = wp;
            this.kh = kh;
            this.kw = kw;
            this.ow = ow;
        }

        /** Panel jp, row p: columns l = jc + jp nr .. + nr of row pc + p, zeros past nc. */
        @Override
        public void pack(int kc, int nc, int pc, int jc, int nr, float[] bp) {
            int panels = (nc + nr - 1) / nr;
            for (int jp = 0; jp < panels; jp++) {
                int cols = Math.min(nr, nc - jp * nr);
                for (int p = 0; p < kc; p++) {
                    int row = pc + p;
                    int ci = row / (kh * kw);
                    int i = row / kw % kh;
                    int j = row % kw;
                    int dst = (jp * kc + p) * nr;
                    // the nr positions, one output row's run at a time
                    for (int t = 0; t < cols; ) {
                        int l = jc + jp * nr + t;
                        int oy = l / ow;
                        int ox = l % ow;
                        int run = Math.min(cols - t, ow - ox);
                        System.arraycopy(padded, (ci * hp + oy + i) * wp + ox + j, bp, dst + t, run);
                        t += run;
                    }
                    Arrays.fill(bp, dst + cols, dst + nr, 0f);
                }
            }
        }
    }
}
