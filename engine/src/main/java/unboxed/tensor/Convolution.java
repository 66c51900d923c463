package unboxed.tensor;

import java.util.Arrays;
import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.backend.Window2d;

/**
 * Convolution as a matrix product: {@code unfold} (im2col) lays every receptive field of the input
 * out as a column, one product with the weight, viewed as [O, C*kh*kw], computes every output,
 * and the bias broadcasts over the positions. {@code fold} (col2im), the adjoint of unfold, is
 * unfold's backward and the other way round, so every gradient of conv2d (input, weight, bias)
 * comes from autograd, and so do its higher-order gradients.
 */
public final class Convolution {
    private Convolution() {
    }

    /** {@code F.unfold(input, kernel_size, dilation, padding, stride)} of a 4-D input: [N, C*kh*kw, L]. */
    public static Tensor unfold(Tensor input, Window2d w) {
        if (input.dim() != 4) {
            throw new IllegalArgumentException("unfold: expected a 4-D input (N, C, H, W), got shape " + Shape.str(input.shape()));
        }
        int[] s = input.shape();
        int oh = w.outH(s[2], false);
        int ow = w.outW(s[3], false);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("unfold: the kernel " + w.kernelH() + "x" + w.kernelW() + " with padding "
                    + w.padH() + "x" + w.padW() + " and dilation " + w.dilationH() + "x" + w.dilationW()
                    + " does not fit the input " + s[2] + "x" + s[3] + " (output " + oh + "x" + ow + ")");
        }
        Tensor out = Tensor.empty(input.backend(), s[0], s[1] * w.kernelH() * w.kernelW(), oh * ow);
        input.backend().im2col(input.strided(), w, out.strided());
        int[] size = {s[2], s[3]};
        return Autograd.record(Op.UNFOLD.gradFn(), out, g -> new Tensor[] {fold(g, size, w)}, input);
    }

    /** {@code F.fold(input, output_size, kernel_size, dilation, padding, stride)}: [N, C*kh*kw, L] to [N, C, H, W], overlaps summed. */
    public static Tensor fold(Tensor cols, int[] outputSize, Window2d w) {
        int[] s = cols.shape();
        int kk = w.kernelH() * w.kernelW();
        int oh = w.outH(outputSize[0], false);
        int ow = w.outW(outputSize[1], false);
        if (cols.dim() != 3 || s[1] % kk != 0 || s[2] != oh * ow) {
            throw new IllegalArgumentException("fold: expected input of shape [N, C*" + kk + ", " + (oh * ow)
                    + "] for output size " + outputSize[0] + "x" + outputSize[1] + ", got " + Shape.str(s));
        }
        Tensor out = Tensor.empty(cols.backend(), s[0], s[1] / kk, outputSize[0], outputSize[1]);
        cols.backend().col2im(cols.strided(), w, out.strided());
        return Autograd.record(Op.FOLD.gradFn(), out, g -> new Tensor[] {unfold(g, w)}, cols);
    }

    /**
     * {@code F.conv2d(input, weight, bias, stride, padding, dilation, groups=1)}: input [N, C, H, W] or
     * unbatched [C, H, W], weight [O, C, kh, kw], bias [O] or null.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        boolean unbatched = input.dim() == 3;
        if (input.dim() != 4 && !unbatched) {
            throw new IllegalArgumentException("conv2d: expected 3-D (unbatched) or 4-D (batched) input, but got input of"
                    + " size: " + Shape.str(input.shape()));
        }
        if (weight.dim() != 4) {
            throw new IllegalArgumentException("conv2d: weight must be 4-D [out_channels, in_channels, kH, kW], got "
                    + Shape.str(weight.shape()));
        }
        Tensor x = unbatched ? Views.unsqueeze(input, 0) : input;
        int[] xs = x.shape();
        int[] ws = weight.shape();
        if (xs[1] != ws[1]) {
            throw new IllegalArgumentException("conv2d: Given groups=1, weight of size " + Shape.str(ws) + ", expected input"
                    + Shape.str(input.shape()) + " to have " + ws[1] + " channels, but got " + xs[1] + " channels instead");
        }
        int padH = xs[2] + 2 * padding[0];
        int padW = xs[3] + 2 * padding[1];
        int effH = dilation[0] * (ws[2] - 1) + 1;
        int effW = dilation[1] * (ws[3] - 1) + 1;
        if (effH > padH || effW > padW) {
            throw new IllegalArgumentException("conv2d: Calculated padded input size per channel: (" + padH + " x " + padW
                    + "). Kernel size: (" + effH + " x " + effW + "). Kernel size can't be greater than actual input size");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0])) {
            throw new IllegalArgumentException("conv2d: bias must have shape [" + ws[0] + "], got " + Shape.str(bias.shape()));
        }
        Window2d w = new Window2d(ws[2], ws[3], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
        int oh = w.outH(xs[2], false);
        int ow = w.outW(xs[3], false);
        Tensor cols = unfold(x, w);                                        // [N, C*kh*kw, L]
        Tensor w2 = Views.reshape(weight, new int[] {ws[0], ws[1] * ws[2] * ws[3]});
        Tensor y = Products.matmul(w2, cols);                              // [N, O, L]
        y = Views.reshape(y, new int[] {xs[0], ws[0], oh, ow});
        if (bias != null) {
            y = Pointwise.add(y, Views.reshape(bias, new int[] {ws[0], 1, 1}));
        }
        return unbatched ? Views.squeeze(y, 0) : y;
    }

    public static int[] pair(String op, String name, int[] v) {
        if (v.length == 1) {
            return new int[] {v[0], v[0]};
        }
        if (v.length != 2) {
            throw new IllegalArgumentException(op + ": " + name + " must be an int or a pair, got " + Arrays.toString(v));
        }
        return v.clone();
    }

    static List<Integer> boxed(int[] v) {
        return Arrays.stream(v).boxed().toList();
    }
}
