package unboxed.convolutions.versions;

/**
 * 2-D convolution, version 1 of 3: the definition, written as seven nested loops.
 *
 * <pre>
 *   version 1  Conv2dV1SevenLoops  n, o, oy, ox, c, i, j: one sum per output element       (this file)
 *   version 2  Conv2dV2LoopOrder   n, o, c, i, j, oy, ox: the same sums, in an order the caches like
 *   version 3  Conv2dV3Im2col      im2col, then one matrix product per image (the engine's Sgemm)
 *   then       unboxed.tensor.Convolution (the engine's conv2d): version 3 as graph ops, with gradients
 * </pre>
 *
 * All three compute PyTorch's {@code F.conv2d(x, weight, bias, stride=1, padding=(padH, padW))},
 * which is a cross-correlation (the kernel is not flipped), and all three have the same signature,
 * so the post's test (ConvVersionsTest) and benchmark treat them alike:
 * <ul>
 *   <li>{@code x} is row-major {@code [n, c, h, w]}: n images of c channels of h x w pixels;</li>
 *   <li>{@code weight} is row-major {@code [o, c, kh, kw]}: o filters, each c x kh x kw;</li>
 *   <li>{@code bias} is {@code [o]}, or null for none;</li>
 *   <li>{@code out} is row-major {@code [n, o, oh, ow]} with {@code oh = h + 2 padH - kh + 1} and
 *       {@code ow = w + 2 padW - kw + 1}; every element is overwritten.</li>
 * </ul>
 *
 * <p>What this version does: for every element of the output (image b, filter f, row oy,
 * column ox) it lays filter f over the input at that position and adds up the products of the
 * c x kh x kw pairs it covers:
 * <pre>
 *   out[b, f, oy, ox] = bias[f] + sum over ci, i, j of x[b, ci, oy + i - padH, ox + j - padW] * weight[f, ci, i, j]
 * </pre>
 * Zero padding means that a pair whose input position falls outside the image contributes
 * nothing; here that is a test on every single term, and the term is skipped. The sum starts from
 * the bias (or 0) and receives its products in the order ci, i, j, each rounded by a separate
 * multiply and add in float. This is the reference that every later version is checked against;
 * its arithmetic is easiest to trust because it is the formula, letter for letter.
 *
 * <p>Why it is slow, although every product is needed: the work is right, the memory traffic and
 * the control flow are not.
 * <ul>
 *   <li>The innermost loop runs over j, the kernel's width: a handful of iterations (1 to 7 in
 *       the usual networks), so the loop overhead, the index arithmetic and the four-way padding
 *       test are paid for every multiply-add, and no loop is long enough for the JIT to vectorise.</li>
 *   <li>The two loops around it jump: i moves to the next input row ({@code w} floats on), ci to
 *       the next channel ({@code h * w} floats on). One output element touches c x kh short runs
 *       of the input scattered over the whole image, and the weights of one filter are read anew
 *       for every output element.</li>
 *   <li>The sum is one chain of dependent additions, which the JIT may not reorder
 *       (floating-point addition is not associative), so each addition waits for the last.</li>
 * </ul>
 *
 * <p>What it costs: nothing beyond the output; no buffer of any kind. Version 2 keeps that
 * property and changes only the order of the loops.
 */
public final class Conv2dV1SevenLoops {
    private Conv2dV1SevenLoops() {
    }

    public static void conv2d(float[] x, int n, int c, int h, int w, float[] weight, int o, int kh, int kw,
                              float[] bias, int padH, int padW, float[] out) {
        int oh = h + 2 * padH - kh + 1;
        int ow = w + 2 * padW - kw + 1;
        for (int b = 0; b < n; b++) {
            for (int f = 0; f < o; f++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float sum = bias == null ? 0f : bias[f];
                        for (int ci = 0; ci < c; ci++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy + i - padH;
                                    int ix = ox + j - padW;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        sum += x[((b * c + ci) * h + iy) * w + ix]
                                                * weight[((f * c + ci) * kh + i) * kw + j];
                                    }
                                }
                            }
                        }
                        out[((b * o + f) * oh + oy) * ow + ox] = sum;
                    }
                }
            }
        }
    }
}
