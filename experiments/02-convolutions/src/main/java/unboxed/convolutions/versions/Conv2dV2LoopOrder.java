package unboxed.convolutions.versions;

import java.util.Arrays;

/**
 * 2-D convolution, version 2 of 3: the same sums, the loops in the order n, o, c, i, j, oy, ox.
 *
 * <p>What changes from version 1: the loops over the output position (oy, ox) move from outside
 * the kernel loops (ci, i, j) to inside them. For one image and one filter, the output plane
 * {@code out[b, f]} starts as the bias; then, for every weight {@code weight[f, ci, i, j]} in turn,
 * the whole plane receives that weight times the input channel ci shifted by (i - padH, j - padW):
 * <pre>
 *   for b, f:      out[b, f, :, :] = bias[f]
 *     for ci, i, j:  wv = weight[f, ci, i, j]
 *       for oy in the rows where the shifted row exists:
 *         for ox in the columns where the shifted column exists:
 *           out[b, f, oy, ox] += wv * x[b, ci, oy + i - padH, ox + j - padW]
 * </pre>
 * It is the "shift and add" view of a convolution: kh x kw x c scaled copies of the input,
 * each shifted by its kernel offset, added onto the output.
 *
 * <p>Why it is faster: three things leave the innermost loop.
 * <ul>
 *   <li>Memory: the inner loop walks ox, so it reads one row of x and updates one row of out,
 *       both contiguous, one float after the other. Every cache line fetched is used to the last
 *       float, and the hardware prefetcher sees two sequential streams, the pattern it predicts
 *       best. Version 1's inner loops instead hopped between short runs of kw floats, one input
 *       row and one channel apart. And the inner loop is long (a whole output row, not kw terms),
 *       so its set-up is paid once per row.</li>
 *   <li>The weight: it does not depend on the output position, so it is loaded once, into a
 *       local (a register), for a whole plane, where version 1 loaded it again for every output
 *       element.</li>
 *   <li>The padding test: for a fixed (i, j), the input position {@code oy + i - padH} is inside
 *       the image exactly for oy in {@code [padH - i, h + padH - i)}, and likewise for ox. So the
 *       valid range of each row is computed once, the loops run over that range only, and the
 *       terms version 1 tested and skipped are never visited: no branch in the inner loop, no
 *       test per element.</li>
 * </ul>
 * What is left in the inner loop is one load of x, one load and one store of out, one multiply
 * and one add: independent iterations over contiguous memory, the loop shape a vectoriser wants.
 * Whether JDK 17's C2 actually vectorises it is another matter: x and out are both {@code float[]}
 * read at offsets it cannot relate, the case post 01's {@code MatmulV2LoopOrder} ran into.
 *
 * <p>What does not change: each output element still starts from the bias (or 0) and receives
 * the very same products (the padded terms left out, as before), in the same order ci, i, j,
 * each rounded by a separate multiply and add. Between two of its updates the partial sum waits
 * in {@code out}, and storing a float and loading it back is exact. Java neither fuses nor
 * reorders floating-point operations, so the result is bit-for-bit that of version 1
 * (ConvVersionsTest checks it).
 *
 * <p>What it costs, and what remains slow: still no buffer. But every multiply-add now loads and
 * stores an element of out, so the loop is bound by loads and stores rather than arithmetic, and
 * each output plane is swept c x kh x kw times; once a plane outgrows the L1 cache, every sweep
 * streams it in again from L2. Version 3 turns the whole computation into one matrix product,
 * which the engine's Sgemm already knows how to keep in registers and caches.
 */
public final class Conv2dV2LoopOrder {
    private Conv2dV2LoopOrder() {
    }

    public static void conv2d(float[] x, int n, int c, int h, int w, float[] weight, int o, int kh, int kw,
                              float[] bias, int padH, int padW, float[] out) {
        int oh = h + 2 * padH - kh + 1;
        int ow = w + 2 * padW - kw + 1;
        int plane = oh * ow;
        for (int b = 0; b < n; b++) {
            for (int f = 0; f < o; f++) {
                int outPlane = (b * o + f) * plane;
                Arrays.fill(out, outPlane, outPlane + plane, bias == null ? 0f : bias[f]);
                for (int ci = 0; ci < c; ci++) {
                    int xPlane = (b * c + ci) * h * w;
                    for (int i = 0; i < kh; i++) {
                        // rows oy whose input row oy + i - padH lies inside [0, h)
                        int oy0 = Math.max(0, padH - i);
                        int oy1 = Math.min(oh, h + padH - i);
                        for (int j = 0; j < kw; j++) {
                            // columns ox whose input column ox + j - padW lies inside [0, w)
                            int ox0 = Math.max(0, padW - j);
                            int ox1 = Math.min(ow, w + padW - j);
                            float wv = weight[((f * c + ci) * kh + i) * kw + j];
                            for (int oy = oy0; oy < oy1; oy++) {
                                int outRow = outPlane + oy * ow;
                                // x[b, ci, oy + i - padH, ox + j - padW] is x[xRow + ox]
                                int xRow = xPlane + (oy + i - padH) * w + (j - padW);
                                for (int ox = ox0; ox < ox1; ox++) {
                                    out[outRow + ox] += wv * x[xRow + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
