package unboxed.convolutions.versions;

import java.util.Arrays;
import unboxed.backend.cpu.Sgemm;

/**
 * 2-D convolution, version 3 of 3: im2col, then one matrix product per image.
 *
 * <p>What changes from version 2: the convolution is no longer computed by loops of its own. It
 * is rewritten as a matrix product and handed to the engine's {@link Sgemm}, the last of post
 * 01's matmul versions. Two observations make that possible.
 * <ul>
 *   <li>One filter {@code weight[f, :, :, :]} is c x kh x kw numbers; read row-major, it is a row
 *       of length K = c kh kw. The whole weight, unchanged in memory, is then a matrix
 *       {@code W[o, K]}.</li>
 *   <li>The input values under the filter at output position (oy, ox), its receptive field,
 *       are also K numbers. Write each of them as a column, in the same (ci, i, j) order, and put
 *       the L = oh ow columns side by side: a matrix {@code cols[K, L]} with
 *       <pre>
 *   cols[(ci kh + i) kw + j, oy ow + ox] = x[b, ci, oy + i - padH, ox + j - padW]   (0 outside the image)
 *       </pre>
 *       This rearrangement is called im2col ("image to columns"; PyTorch exposes it as
 *       {@code F.unfold}).</li>
 * </ul>
 * Every output element is a filter row times a receptive-field column, so the output plane of
 * every filter is the product {@code out[b] = W[o, K] x cols[K, L]}, laid out as
 * {@code [o, oh, ow]}: exactly the row-major {@code [o, L]} matrix that Sgemm writes. The bias
 * is then added to every element of row f. The padding is handled once, while the columns are
 * built: a position outside the image is written as a 0 and then multiplied like any other value.
 * The im2col loop itself uses version 2's valid ranges, so it copies contiguous runs of input
 * rows ({@code System.arraycopy}) and fills the margins with zeros, without a test per element.
 *
 * <p>Why it is faster: the arithmetic is the same multiply-adds as before, but a matrix product
 * is the one kernel whose every trick is already written. Sgemm packs W and cols into the order
 * its micro-kernel reads them, keeps a tile of out in vector registers for a whole block of K
 * (where version 2 loaded and stored out for every multiply-add), reuses each loaded weight
 * across a whole tile of positions and each loaded column value across several filters, blocks
 * for the caches, and uses vector fused multiply-adds. Version 2 would need all of that written
 * again, for convolution's own index patterns; im2col reduces the problem to the one that is
 * solved.
 *
 * <p>What it costs: memory, and the copy. The buffer {@code cols} holds K x L = c kh kw oh ow
 * floats per image: every input pixel is stored up to kh x kw times, once for each output position
 * whose receptive field covers it. For a "same" convolution (oh = h, ow = w) it is kh kw times
 * the size of the image: 9 copies for a 3 x 3 kernel, 25 for 5 x 5. Building it is pure memory
 * traffic, proportional to the buffer, against the product's o times as many multiply-adds; the
 * padding adds multiplications by zero that versions 1 and 2 skipped. The trade pays when the
 * product is big enough to run near the machine's peak, that is when o and K are not tiny: for a
 * first layer with one input channel and few filters, the product is thin and the copy weighs
 * more. Here the buffer is built for one image at a time and reused for the next, so it is one
 * image's worth; the engine's conv2d ({@code unboxed.tensor.Convolution}) unfolds the whole batch
 * at once, as a graph op, because its backward needs the columns again, and so holds n times this.
 *
 * <p>What changes in the result: Sgemm adds the products with fused multiply-adds, in blocks of at
 * most {@code Sgemm.KC} terms, and the bias comes last, not first. So the result is no longer
 * bit-for-bit that of versions 1 and 2; all three are within the same rounding bound of the exact
 * sum, gamma_(K+1) times the sum of |x||w| and |bias| (ConvVersionsTest checks each against
 * PyTorch's float64 reference and against each other).
 *
 * <p>Threads: Sgemm is called with one thread, so that the three versions are compared core for
 * core. Its result does not depend on the thread count; the engine passes its backend's.
 */
public final class Conv2dV3Im2col {
    private Conv2dV3Im2col() {
    }

    public static void conv2d(float[] x, int n, int c, int h, int w, float[] weight, int o, int kh, int kw,
                              float[] bias, int padH, int padW, float[] out) {
        int oh = h + 2 * padH - kh + 1;
        int ow = w + 2 * padW - kw + 1;
        int k = c * kh * kw;
        int l = oh * ow;
        float[] cols = new float[k * l];
        for (int b = 0; b < n; b++) {
            im2col(x, b * c * h * w, c, h, w, kh, kw, padH, padW, oh, ow, cols);
            // out[b] [o, l] = weight [o, k] x cols [k, l]; beta = 0: out is only written
            Sgemm.sgemm(o, l, k, 1f, weight, 0, k, 1, cols, 0, l, 1, 0f, out, b * o * l, l, 1);
            if (bias != null) {
                for (int f = 0; f < o; f++) {
                    float bf = bias[f];
                    int row = (b * o + f) * l;
                    for (int p = 0; p < l; p++) {
                        out[row + p] += bf;
                    }
                }
            }
        }
    }

    /** cols[(ci kh + i) kw + j, oy ow + ox] = x[xOff + (ci h + oy + i - padH) w + ox + j - padW], 0 outside. */
    static void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, int padH, int padW,
                       int oh, int ow, float[] cols) {
        int l = oh * ow;
        for (int ci = 0; ci < c; ci++) {
            for (int i = 0; i < kh; i++) {
                int oy0 = Math.max(0, padH - i);
                int oy1 = Math.min(oh, h + padH - i);
                for (int j = 0; j < kw; j++) {
                    int ox0 = Math.max(0, padW - j);
                    int ox1 = Math.min(ow, w + padW - j);
                    int row = ((ci * kh + i) * kw + j) * l;
                    if (oy0 >= oy1 || ox0 >= ox1) {
                        Arrays.fill(cols, row, row + l, 0f);   // this kernel offset never meets the image
                        continue;
                    }
                    Arrays.fill(cols, row, row + oy0 * ow, 0f);            // rows above the image
                    for (int oy = oy0; oy < oy1; oy++) {
                        int dst = row + oy * ow;
                        Arrays.fill(cols, dst, dst + ox0, 0f);             // left margin
                        int src = xOff + (ci * h + oy + i - padH) * w + ox0 + j - padW;
                        System.arraycopy(x, src, cols, dst + ox0, ox1 - ox0);   // the run inside the image
                        Arrays.fill(cols, dst + ox1, dst + ow, 0f);        // right margin
                    }
                    Arrays.fill(cols, row + oy1 * ow, row + l, 0f);       // rows below the image
                }
            }
        }
    }
}
