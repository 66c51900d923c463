package unboxed.transposeconv;

import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/**
 * Two textbook descriptions of {@code conv_transpose2d}, written out so that the engine's
 * {@code F.convTranspose2d} can be checked against each:
 * <ol>
 *   <li>{@link #scatter}, the definition: every input value stamps a copy of its kernel, scaled
 *       by the value, into the output, at stride steps; overlapping stamps add. In plain loops
 *       with double accumulation, as a reference.</li>
 *   <li>{@link #zeroInsertion}, the "fractionally strided" view: put stride − 1 zeros between the
 *       input values, pad by dilation·(k − 1) − padding (plus output_padding at the end), and run an
 *       ordinary stride-1 convolution with the kernel flipped and its in/out channels swapped.</li>
 * </ol>
 * Weight layout as in PyTorch: [C_in, C_out / groups, kH, kW]. Stride, padding, output_padding and
 * dilation are pairs {rows, columns}.
 */
public final class Transposed {
    private Transposed() {
    }

    /** The output size along one axis: (in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1. */
    public static int outputSize(int in, int kernel, int stride, int padding, int outputPadding, int dilation) {
        return (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
    }

    /**
     * The output_padding that makes a transposed convolution give back {@code inputSize}, the size a
     * convolution with the same arguments read: a stride-s convolution maps s different input sizes
     * to the same output size, and output_padding says which one to return to.
     */
    public static int outputPaddingFor(int inputSize, int kernel, int stride, int padding, int dilation) {
        int convOut = (inputSize + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
        return inputSize - outputSize(convOut, kernel, stride, padding, 0, dilation);
    }

    /**
     * conv_transpose2d by its definition: y[n, g·Og + o, i·s − p + a·d, j·s − p + b·d] += x[n, g·Cg + c, i, j]
     * · w[g·Cg + c, o, a, b], for positions inside the output. Returns y, [N, C_out, OH, OW], row-major.
     */
    public static double[] scatter(float[] x, int[] xShape, float[] w, int[] wShape, int[] stride, int[] padding,
                                   int[] outputPadding, int groups, int[] dilation) {
        int n = xShape[0];
        int cin = xShape[1];
        int h = xShape[2];
        int wd = xShape[3];
        int og = wShape[1];
        int kh = wShape[2];
        int kw = wShape[3];
        int cg = cin / groups;
        int cout = og * groups;
        int oh = outputSize(h, kh, stride[0], padding[0], outputPadding[0], dilation[0]);
        int ow = outputSize(wd, kw, stride[1], padding[1], outputPadding[1], dilation[1]);
        double[] y = new double[n * cout * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < cin; ci++) {
                int g = ci / cg;
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < wd; j++) {
                        double v = x[((b * cin + ci) * h + i) * wd + j];
                        for (int o = 0; o < og; o++) {
                            int co = g * og + o;
                            for (int a = 0; a < kh; a++) {
                                int r = i * stride[0] - padding[0] + a * dilation[0];
                                if (r < 0 || r >= oh) {
                                    continue;
                                }
                                for (int c = 0; c < kw; c++) {
                                    int col = j * stride[1] - padding[1] + c * dilation[1];
                                    if (col < 0 || col >= ow) {
                                        continue;
                                    }
                                    y[((b * cout + co) * oh + r) * ow + col] += v * w[((ci * og + o) * kh + a) * kw + c];
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    /**
     * conv_transpose2d as zero insertion, padding and a stride-1 convolution with the flipped,
     * channel-swapped kernel, through the engine's conv2d. Needs padding ≤ dilation·(k − 1) (a
     * larger padding would crop, which a convolution's padding cannot express).
     */
    public static Tensor zeroInsertion(Tensor x, Tensor w, int[] stride, int[] padding, int[] outputPadding, int groups,
                                       int[] dilation) {
        int[] xs = x.shape();
        int[] ws = w.shape();
        int n = xs[0];
        int cin = xs[1];
        int og = ws[1];
        int kh = ws[2];
        int kw = ws[3];
        int cg = cin / groups;
        int padTop = dilation[0] * (kh - 1) - padding[0];
        int padLeft = dilation[1] * (kw - 1) - padding[1];
        if (padTop < 0 || padLeft < 0) {
            throw new IllegalArgumentException("zeroInsertion: padding " + padding[0] + "x" + padding[1]
                    + " exceeds dilation * (kernel - 1); a convolution cannot crop");
        }
        // the input spread out, stride − 1 zeros between neighbours, inside its padding
        int sh = (xs[2] - 1) * stride[0] + 1 + padTop + padTop + outputPadding[0];
        int sw = (xs[3] - 1) * stride[1] + 1 + padLeft + padLeft + outputPadding[1];
        float[] src = x.contiguous().toArray();
        float[] spread = new float[n * cin * sh * sw];
        for (int p = 0; p < n * cin; p++) {
            for (int i = 0; i < xs[2]; i++) {
                for (int j = 0; j < xs[3]; j++) {
                    spread[(p * sh + padTop + i * stride[0]) * sw + padLeft + j * stride[1]]
                            = src[(p * xs[2] + i) * xs[3] + j];
                }
            }
        }
        // weight [C_in, C_out/g, kh, kw] becomes the convolution weight [C_out, C_in/g, kh, kw], flipped in space
        float[] wv = w.contiguous().toArray();
        int cout = og * groups;
        float[] flipped = new float[cout * cg * kh * kw];
        for (int g = 0; g < groups; g++) {
            for (int c = 0; c < cg; c++) {
                for (int o = 0; o < og; o++) {
                    for (int a = 0; a < kh; a++) {
                        for (int b = 0; b < kw; b++) {
                            flipped[(((g * og + o) * cg + c) * kh + a) * kw + b]
                                    = wv[(((g * cg + c) * og + o) * kh + (kh - 1 - a)) * kw + (kw - 1 - b)];
                        }
                    }
                }
            }
        }
        return F.conv2d(Tensor.of(spread, n, cin, sh, sw), Tensor.of(flipped, cout, cg, kh, kw), null,
                new int[] {1}, new int[] {0}, dilation, groups);
    }
}
