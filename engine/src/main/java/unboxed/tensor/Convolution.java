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
 *
 * <p>Groups split the channels into independent convolutions that still run as one batched
 * product. The transposed convolution is conv2d's adjoint built from the same two pieces in the
 * other order: a product with the transposed weight, then fold.
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
     * {@code F.conv2d(input, weight, bias, stride, padding, dilation, groups)}: input [N, C, H, W] or
     * unbatched [C, H, W], weight [O, C/groups, kh, kw], bias [O] or null; stride, padding and
     * dilation are pairs (height, width).
     *
     * <p>Defined by its unfold form ({@link #conv2dByUnfold}): one product of the weight with the
     * unfolded input per image and group, then the bias. The backend runs that form as one kernel
     * ({@code Backend#conv2d}; the CPU's never writes the unfolded matrix out) and so do the two
     * gradients, with the same bits as the composed ops would give (but where the CPU backend runs
     * a 3x3 layer with many channels by Winograd's F(2x2, 3x3): the forward pass and both
     * gradients then round in their own, bounded way). When the backward pass itself records a
     * graph (higher-order gradients), the gradients are built from the differentiable ops of the
     * unfold form instead: the same values, and a graph to differentiate.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        checkConv2d(input, weight, bias, stride, padding, dilation, groups);
        boolean unbatched = input.dim() == 3;
        Tensor x = unbatched ? Views.unsqueeze(input, 0) : input;
        int[] xs = x.shape();
        int[] ws = weight.shape();
        Window2d w = new Window2d(ws[2], ws[3], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
        int oh = w.outH(xs[2], false);
        int ow = w.outW(xs[3], false);
        Tensor y = Tensor.empty(x.backend(), xs[0], ws[0], oh, ow);
        x.backend().conv2d(x.strided(), weight.strided(), bias == null ? null : bias.strided(), w, groups, y.strided());
        FlopCounter.product(xs[0] * groups, ws[0] / groups, oh * ow, ws[1] * ws[2] * ws[3]);
        List<Tensor> saved = bias == null ? List.of(x, weight) : List.of(x, weight, bias);
        Tensor out = Autograd.record(Op.CONV2D.gradFn(), y, saved, g -> conv2dBackward(g, x, weight, bias, w, groups),
                x, weight, bias);
        return unbatched ? Views.squeeze(out, 0) : out;
    }

    /** The gradients of conv2d (input, weight, bias; null where not required). */
    private static Tensor[] conv2dBackward(Tensor g, Tensor x, Tensor weight, Tensor bias, Window2d w, int groups) {
        int[] ws = weight.shape();
        Tensor gb = bias != null && bias.requiresGrad()
                ? Views.reshape(Reductions.sumTo(g, new int[] {ws[0], 1, 1}), new int[] {ws[0]}) : null;
        if (Autograd.isEnabled()) {
            // create_graph: the unfold form's gradients, as differentiable ops
            return new Tensor[] {
                x.requiresGrad() ? unfoldGradInput(g, weight, w, groups, new int[] {x.size(2), x.size(3)}) : null,
                weight.requiresGrad() ? unfoldGradWeight(g, x, weight, w, groups) : null,
                gb};
        }
        Tensor gc = g.contiguous();
        Tensor gx = null;
        if (x.requiresGrad()) {
            gx = Tensor.empty(x.backend(), x.shape());
            x.backend().conv2dBackwardInput(gc.strided(), weight.strided(), w, groups, gx.strided());
            FlopCounter.product(x.size(0) * groups, ws[1] * ws[2] * ws[3], g.size(2) * g.size(3), ws[0] / groups);
        }
        Tensor gw = null;
        if (weight.requiresGrad()) {
            gw = Tensor.empty(x.backend(), ws);
            x.backend().conv2dBackwardWeight(x.strided(), gc.strided(), w, groups, gw.strided());
            FlopCounter.product(x.size(0) * groups, ws[0] / groups, ws[1] * ws[2] * ws[3], g.size(2) * g.size(3));
        }
        return new Tensor[] {gx, gw, gb};
    }

    /** The input gradient of the unfold form: fold of W[g]^T times gOut[n, g], per image and group. */
    private static Tensor unfoldGradInput(Tensor g, Tensor weight, Window2d w, int groups, int[] size) {
        int[] ws = weight.shape();
        int n = g.size(0);
        int l = g.size(2) * g.size(3);
        int k = ws[1] * ws[2] * ws[3];
        Tensor wg = Views.reshape(weight, new int[] {groups, ws[0] / groups, k});
        Tensor gg = Views.reshape(g, new int[] {n, groups, ws[0] / groups, l});
        Tensor cols = Products.matmul(Views.transpose(wg, 1, 2), gg);             // [N, G, K, L]
        return fold(Views.reshape(cols, new int[] {n, groups * k, l}), size, w);
    }

    /** The weight gradient of the unfold form: gOut[n, g] times unfold(x)[n, g]^T, summed over the images. */
    private static Tensor unfoldGradWeight(Tensor g, Tensor x, Tensor weight, Window2d w, int groups) {
        int[] ws = weight.shape();
        int n = g.size(0);
        int l = g.size(2) * g.size(3);
        int k = ws[1] * ws[2] * ws[3];
        Tensor cols = Views.reshape(unfold(x, w), new int[] {n, groups, k, l});
        Tensor gg = Views.reshape(g, new int[] {n, groups, ws[0] / groups, l});
        Tensor perImage = Products.matmul(gg, Views.transpose(cols, 2, 3));      // [N, G, O/G, K]
        return Views.reshape(Reductions.sumTo(perImage, new int[] {groups, ws[0] / groups, k}), ws);
    }

    /**
     * conv2d as composed differentiable ops, the form {@link #conv2d} is defined by: one unfold
     * lays out every receptive field, and one product computes every output. With groups, output
     * channel o sees only the C/groups input channels of its group: the columns split into groups
     * along their channel axis, [N, G, C/G*kh*kw, L], the weight into [G, O/G, C/G*kh*kw], and a
     * single batched product multiplies each group's weight with its own columns. Kept as the
     * reference the fused op is tested against, bit for bit.
     */
    public static Tensor conv2dByUnfold(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                        int[] dilation, int groups) {
        checkConv2d(input, weight, bias, stride, padding, dilation, groups);
        boolean unbatched = input.dim() == 3;
        Tensor x = unbatched ? Views.unsqueeze(input, 0) : input;
        int[] xs = x.shape();
        int[] ws = weight.shape();
        Window2d w = new Window2d(ws[2], ws[3], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
        int oh = w.outH(xs[2], false);
        int ow = w.outW(xs[3], false);
        Tensor cols = unfold(x, w);                                        // [N, C*kh*kw, L]
        Tensor y;
        if (groups == 1) {
            Tensor w2 = Views.reshape(weight, new int[] {ws[0], ws[1] * ws[2] * ws[3]});
            y = Products.matmul(w2, cols);                                 // [N, O, L]
        } else {
            int k = ws[1] * ws[2] * ws[3];                                 // C/G * kh * kw
            Tensor wg = Views.reshape(weight, new int[] {groups, ws[0] / groups, k});
            Tensor cg = Views.reshape(cols, new int[] {xs[0], groups, k, oh * ow});
            y = Products.matmul(wg, cg);                                   // [N, G, O/G, L]
        }
        y = Views.reshape(y, new int[] {xs[0], ws[0], oh, ow});
        if (bias != null) {
            y = Pointwise.add(y, Views.reshape(bias, new int[] {ws[0], 1, 1}));
        }
        return unbatched ? Views.squeeze(y, 0) : y;
    }

    /**
     * {@code F.conv2d(input, weight, bias, stride, padding='same' | 'valid', dilation, groups)}.
     * 'valid' is padding 0. 'same' pads so that the output has the input's size: d*(k-1) in total
     * per axis, half on each side. When that total is odd, PyTorch puts the extra row (column) at
     * the bottom (right): it pads the input explicitly by that one, then runs the symmetric
     * convolution, and so does this. 'same' needs stride 1, as in PyTorch.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation,
                                int groups) {
        if (!"same".equals(padding) && !"valid".equals(padding)) {
            throw new IllegalArgumentException("conv2d: Invalid padding string: '" + padding + "' (padding must be"
                    + " 'same', 'valid', an int or a pair)");
        }
        if ("valid".equals(padding)) {
            return conv2d(input, weight, bias, stride, new int[] {0, 0}, dilation, groups);
        }
        if (stride[0] != 1 || stride[1] != 1) {
            throw new IllegalArgumentException("conv2d: padding='same' is not supported for strided convolutions, got"
                    + " stride=" + Arrays.toString(stride) + " (use stride 1, or give the padding as numbers)");
        }
        // the kernel always fits the input padded to 'same' size, so only the other checks apply here
        checkConv2d(input, weight, bias, stride, null, dilation, groups);
        int[] ws = weight.shape();
        int totalH = dilation[0] * (ws[2] - 1);
        int totalW = dilation[1] * (ws[3] - 1);
        Tensor x = input;
        int d = x.dim();
        if (totalH % 2 == 1) {
            x = padEnd(x, d - 2, 1);
        }
        if (totalW % 2 == 1) {
            x = padEnd(x, d - 1, 1);
        }
        return conv2d(x, weight, bias, stride, new int[] {totalH / 2, totalW / 2}, dilation, groups);
    }

    /** {@code count} rows of zeros appended along {@code dim}, differentiable (its backward is narrow). */
    private static Tensor padEnd(Tensor x, int dim, int count) {
        int[] shape = x.shape();
        shape[dim] += count;
        return Views.unnarrow(x, shape, dim, 0);
    }

    /**
     * conv2d's argument checks, in PyTorch's order and with its wording (ATen's
     * {@code check_shape_forward}), so that a call PyTorch rejects fails here with the same reason.
     * A null padding ('same') skips the check of the kernel against the padded input.
     */
    private static void checkConv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                    int[] dilation, int groups) {
        if (input.dim() != 4 && input.dim() != 3) {
            throw new IllegalArgumentException("conv2d: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got"
                    + " input of size: " + Shape.str(input.shape()));
        }
        if (weight.dim() != 4) {
            throw new IllegalArgumentException("conv2d: weight must be 4-D [out_channels, in_channels/groups, kH, kW],"
                    + " got " + Shape.str(weight.shape()));
        }
        checkParams("conv2d", stride, padding == null ? new int[] {0, 0} : padding, null, dilation, groups);
        int[] xs = input.dim() == 3 ? Products.concat(new int[] {1}, input.shape()) : input.shape();
        int[] ws = weight.shape();
        checkGroupsDivideWeight("conv2d", groups, ws);
        if (xs[1] != ws[1] * groups) {
            throw new IllegalArgumentException("conv2d: Given groups=" + groups + ", weight of size " + Shape.str(ws)
                    + ", expected input" + Shape.str(xs) + " to have " + ws[1] * groups + " channels, but got " + xs[1]
                    + " channels instead");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0])) {
            throw new IllegalArgumentException("conv2d: Given weight of size " + Shape.str(ws) + ", expected bias to be"
                    + " 1-dimensional with " + ws[0] + " elements, but got bias of size " + Shape.str(bias.shape())
                    + " instead (bias must have shape [" + ws[0] + "])");
        }
        if (padding == null) {
            return;
        }
        int padH = xs[2] + 2 * padding[0];
        int padW = xs[3] + 2 * padding[1];
        int effH = dilation[0] * (ws[2] - 1) + 1;
        int effW = dilation[1] * (ws[3] - 1) + 1;
        if (effH > padH || effW > padW) {
            throw new IllegalArgumentException("conv2d: Calculated padded input size per channel: (" + padH + " x " + padW
                    + "). Kernel size: (" + effH + " x " + effW + "). Kernel size can't be greater than actual input size");
        }
    }

    /**
     * {@code F.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)}:
     * input [N, C_in, H, W] or unbatched [C_in, H, W], weight [C_in, C_out/groups, kh, kw] (conv2d's
     * weight for the convolution that maps C_out channels to C_in), bias [C_out] or null. The output
     * is (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1 high, and as wide.
     *
     * <p>It is the adjoint of conv2d: where conv2d gathers each output from a window of inputs
     * (unfold, then a product with the weight), the transposed convolution scatters each input
     * through the same weight into a window of outputs. So it runs conv2d's two steps backwards:
     * one batched product cols = W_g^T x_g per group ([C_out/G*kh*kw, C_in/G] times [C_in/G, H*W]),
     * then fold (col2im), which adds every column into its window of the output, with the conv's
     * stride, padding and dilation; padding crops the border. Both steps are differentiable ops, so
     * autograd gives the gradients of input, weight and bias, higher orders included.
     *
     * <p>output_padding adds rows (columns) at the bottom (right) that the crop would have removed;
     * PyTorch allows it below the stride or below the dilation. Where it reaches the stride (only
     * possible with a larger dilation), fold sees one more window per stride than there are inputs,
     * so the input gets that many rows of zeros at the end, which add nothing.
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int groups, int[] dilation) {
        return convTranspose2d(input, weight, bias, stride, padding, outputPadding, groups, dilation, true);
    }

    /**
     * conv_transpose2d as composed differentiable ops, the form {@link #convTranspose2d} is defined
     * by: one batched product cols = W_g^T x_g per group, then fold. Kept as the reference the
     * fused op is tested against, bit for bit.
     */
    public static Tensor convTranspose2dByFold(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                               int[] outputPadding, int groups, int[] dilation) {
        return convTranspose2d(input, weight, bias, stride, padding, outputPadding, groups, dilation, false);
    }

    private static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                          int[] outputPadding, int groups, int[] dilation, boolean fused) {
        String op = "conv_transpose2d";
        if (input.dim() != 4 && input.dim() != 3) {
            throw new IllegalArgumentException(op + ": Expected 3D (unbatched) or 4D (batched) input to " + op
                    + ", but got input of size: " + Shape.str(input.shape()));
        }
        if (weight.dim() != 4) {
            throw new IllegalArgumentException(op + ": weight must be 4-D [in_channels, out_channels/groups, kH, kW],"
                    + " got " + Shape.str(weight.shape()));
        }
        checkParams(op, stride, padding, outputPadding, dilation, groups);
        boolean unbatched = input.dim() == 3;
        Tensor x = unbatched ? Views.unsqueeze(input, 0) : input;
        int[] xs = x.shape();
        int[] ws = weight.shape();
        checkGroupsDivideWeight(op, groups, ws);
        if (xs[1] != ws[0]) {
            throw new IllegalArgumentException(op + ": Given transposed=1, weight of size " + Shape.str(ws)
                    + ", expected input" + Shape.str(xs) + " to have " + ws[0] + " channels, but got " + xs[1]
                    + " channels instead");
        }
        int outChannels = ws[1] * groups;
        if (bias != null && (bias.dim() != 1 || bias.size(0) != outChannels)) {
            throw new IllegalArgumentException(op + ": Given transposed=1, weight of size " + Shape.str(ws)
                    + ", expected bias to be 1-dimensional with " + outChannels + " elements, but got bias of size "
                    + Shape.str(bias.shape()) + " instead");
        }
        for (int a = 0; a < 2; a++) {
            if (outputPadding[a] >= stride[a] && outputPadding[a] >= dilation[a]) {
                throw new IllegalArgumentException(op + ": output padding must be smaller than either stride or"
                        + " dilation, but got output_padding_height: " + outputPadding[0] + " output_padding_width: "
                        + outputPadding[1] + " stride_height: " + stride[0] + " stride_width: " + stride[1]
                        + " dilation_height: " + dilation[0] + " dilation_width: " + dilation[1]);
            }
        }
        int oh = transposedSize(xs[2], ws[2], stride[0], padding[0], dilation[0], outputPadding[0]);
        int ow = transposedSize(xs[3], ws[3], stride[1], padding[1], dilation[1], outputPadding[1]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": Given input size per channel: (" + xs[2] + " x " + xs[3]
                    + "). Calculated output size per channel: (" + oh + " x " + ow + "). Output size is too small");
        }
        // output_padding >= stride: fold expects output_padding / stride more windows per axis than there
        // are input rows (columns); rows of zeros stand in for them and contribute nothing
        for (int a = 0; a < 2; a++) {
            if (outputPadding[a] >= stride[a]) {
                x = padEnd(x, 2 + a, outputPadding[a] / stride[a]);
            }
        }
        Window2d w = new Window2d(ws[2], ws[3], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
        if (!fused) {
            int n = xs[0];
            int h = x.size(2);
            int wd = x.size(3);
            int k = ws[1] * ws[2] * ws[3];                                  // C_out/G * kh * kw
            Tensor wg = Views.reshape(weight, new int[] {groups, ws[0] / groups, k});
            Tensor xg = Views.reshape(x, new int[] {n, groups, ws[0] / groups, h * wd});
            Tensor cols = Products.matmul(Views.transpose(wg, 1, 2), xg);   // [N, G, C_out/G*kh*kw, H*W]
            cols = Views.reshape(cols, new int[] {n, groups * k, h * wd});
            Tensor y = fold(cols, new int[] {oh, ow}, w);                   // [N, C_out, OH, OW]
            if (bias != null) {
                y = Pointwise.add(y, Views.reshape(bias, new int[] {outChannels, 1, 1}));
            }
            return unbatched ? Views.squeeze(y, 0) : y;
        }
        // the transposed convolution is conv2d's input gradient: the backend's kernel for it runs
        // the products and col2im above with the same bits, and conv2d's other two kernels are its
        // gradients (input: conv2d of the upstream gradient; weight: conv2d's weight gradient with
        // the roles of input and upstream gradient swapped)
        Tensor xc = x.contiguous();
        Tensor y = Tensor.empty(x.backend(), xs[0], outChannels, oh, ow);
        x.backend().conv2dBackwardInput(xc.strided(), weight.strided(), w, groups, y.strided());
        FlopCounter.product(xs[0] * groups, ws[1] * ws[2] * ws[3], x.size(2) * x.size(3), ws[0] / groups);
        if (bias != null) {
            Tensor b = Views.expand(Views.reshape(bias, new int[] {outChannels, 1, 1}), y.shape());
            y.backend().binary(unboxed.backend.BinaryOp.ADD, y.strided(), b.strided(), y.strided());
        }
        Tensor xs0 = x;
        List<Tensor> saved = bias == null ? List.of(x, weight) : List.of(x, weight, bias);
        Tensor out = Autograd.record(Op.CONV_TRANSPOSE2D.gradFn(), y, saved,
                g -> convTranspose2dBackward(g, xs0, weight, bias, w, groups), x, weight, bias);
        return unbatched ? Views.squeeze(out, 0) : out;
    }

    /** The gradients of conv_transpose2d (input, weight, bias; null where not required). */
    private static Tensor[] convTranspose2dBackward(Tensor g, Tensor x, Tensor weight, Tensor bias, Window2d w,
                                                    int groups) {
        int[] ws = weight.shape();
        int outChannels = ws[1] * groups;
        Tensor gb = bias != null && bias.requiresGrad()
                ? Views.reshape(Reductions.sumTo(g, new int[] {outChannels, 1, 1}), new int[] {outChannels}) : null;
        if (Autograd.isEnabled()) {
            // create_graph: the fold form's gradients, as differentiable ops
            int n = x.size(0);
            int l = x.size(2) * x.size(3);
            int k = ws[1] * ws[2] * ws[3];
            Tensor cols = Views.reshape(unfold(g, w), new int[] {n, groups, k, l});              // [N, G, K, L]
            Tensor wg = Views.reshape(weight, new int[] {groups, ws[0] / groups, k});
            Tensor gx = x.requiresGrad()
                    ? Views.reshape(Products.matmul(wg, cols), x.shape()) : null;                  // [N, G, C_in/G, L]
            Tensor gw = null;
            if (weight.requiresGrad()) {
                Tensor xg = Views.reshape(x, new int[] {n, groups, ws[0] / groups, l});
                Tensor perImage = Products.matmul(xg, Views.transpose(cols, 2, 3));            // [N, G, C_in/G, K]
                gw = Views.reshape(Reductions.sumTo(perImage, new int[] {groups, ws[0] / groups, k}), ws);
            }
            return new Tensor[] {gx, gw, gb};
        }
        Tensor gc = g.contiguous();
        Tensor gx = null;
        if (x.requiresGrad()) {
            gx = Tensor.empty(x.backend(), x.shape());
            x.backend().conv2d(gc.strided(), weight.strided(), null, w, groups, gx.strided());
            FlopCounter.product(x.size(0) * groups, ws[0] / groups, x.size(2) * x.size(3), ws[1] * ws[2] * ws[3]);
        }
        Tensor gw = null;
        if (weight.requiresGrad()) {
            gw = Tensor.empty(x.backend(), ws);
            x.backend().conv2dBackwardWeight(gc.strided(), x.contiguous().strided(), w, groups, gw.strided());
            FlopCounter.product(x.size(0) * groups, ws[0] / groups, ws[1] * ws[2] * ws[3], x.size(2) * x.size(3));
        }
        return new Tensor[] {gx, gw, gb};
    }

    /**
     * A locally connected layer: conv2d without weight sharing. Every output position (i, j) has a
     * kernel of its own, {@code weight[i][j]} of conv2d's shape [O, C, kh, kw], so the layer keeps
     * the convolution's locality (each output reads one window) and drops its sharing (no two
     * positions share a weight). With the same kernel at every position it is conv2d; with a
     * kernel as large as the input (one position) it is a fully connected layer.
     *
     * <p>input [N, C, H, W] or unbatched [C, H, W]; weight [OH, OW, O, C, kh, kw], where OH x OW is
     * the output size conv2d's formula gives for this input, stride, padding and dilation; bias
     * [O, OH, OW] (one per output unit) or null.
     *
     * <p>One unfold lays out every window, [N, C*kh*kw, L] with L = OH*OW, and one product batched
     * over the positions computes every output: the weight viewed as [L, O, C*kh*kw] times the
     * columns viewed as [L, C*kh*kw, N]. PyTorch has no such op; its fixtures compute the same sum
     * with {@code F.unfold} and {@code torch.einsum("nkl,lok->nol")}.
     */
    public static Tensor locallyConnected2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                            int[] dilation) {
        String op = "locally_connected2d";
        if (input.dim() != 4 && input.dim() != 3) {
            throw new IllegalArgumentException(op + ": expected a 3-D (unbatched) or 4-D (batched) input, got input of"
                    + " size: " + Shape.str(input.shape()));
        }
        if (weight.dim() != 6) {
            throw new IllegalArgumentException(op + ": weight must be 6-D [out_h, out_w, out_channels, in_channels,"
                    + " kH, kW] (one conv2d kernel per output position), got " + Shape.str(weight.shape()));
        }
        checkParams(op, stride, padding, null, dilation, 1);
        boolean unbatched = input.dim() == 3;
        Tensor x = unbatched ? Views.unsqueeze(input, 0) : input;
        int[] xs = x.shape();
        int[] ws = weight.shape();
        if (xs[1] != ws[3]) {
            throw new IllegalArgumentException(op + ": weight of size " + Shape.str(ws) + " expects " + ws[3]
                    + " input channels, but the input " + Shape.str(input.shape()) + " has " + xs[1]);
        }
        Window2d w = new Window2d(ws[4], ws[5], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
        int oh = w.outH(xs[2], false);
        int ow = w.outW(xs[3], false);
        if (oh != ws[0] || ow != ws[1]) {
            throw new IllegalArgumentException(op + ": an input of " + xs[2] + "x" + xs[3] + " with kernel " + ws[4] + "x"
                    + ws[5] + ", stride " + Arrays.toString(stride) + ", padding " + Arrays.toString(padding)
                    + " and dilation " + Arrays.toString(dilation) + " has " + Math.max(oh, 0) + "x" + Math.max(ow, 0)
                    + " output positions, but the weight " + Shape.str(ws) + " has kernels for " + ws[0] + "x" + ws[1]
                    + " (a locally connected layer is built for one input size)");
        }
        int o = ws[2];
        if (bias != null && !Arrays.equals(bias.shape(), new int[] {o, oh, ow})) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + o + ", " + oh + ", " + ow
                    + "] (one per output unit), got " + Shape.str(bias.shape()));
        }
        int l = oh * ow;
        int k = ws[3] * ws[4] * ws[5];
        Tensor cols = unfold(x, w);                                                    // [N, K, L]
        Tensor wl = Views.reshape(weight, new int[] {l, o, k});                        // [L, O, K]
        Tensor y = Products.matmul(wl, Views.permute(cols, new int[] {2, 1, 0}));      // [L, O, N]
        y = Views.reshape(Views.permute(y, new int[] {2, 1, 0}), new int[] {xs[0], o, oh, ow});
        if (bias != null) {
            y = Pointwise.add(y, bias);
        }
        return unbatched ? Views.squeeze(y, 0) : y;
    }

    /** The output length of a transposed convolution along one axis, PyTorch's formula. */
    public static int transposedSize(int in, int kernel, int stride, int pad, int dilation, int outputPadding) {
        return (in - 1) * stride - 2 * pad + dilation * (kernel - 1) + outputPadding + 1;
    }

    /**
     * The checks ATen's {@code check_shape_forward} makes first, in its order and wording: groups,
     * padding, output_padding (null for conv2d, which has none), stride, dilation.
     */
    private static void checkParams(String op, int[] stride, int[] padding, int[] outputPadding, int[] dilation,
                                    int groups) {
        if (groups <= 0) {
            throw new IllegalArgumentException(op + ": non-positive groups is not supported, got groups=" + groups);
        }
        if (padding[0] < 0 || padding[1] < 0) {
            throw new IllegalArgumentException(op + ": negative padding is not supported, got padding="
                    + Arrays.toString(padding));
        }
        if (outputPadding != null && (outputPadding[0] < 0 || outputPadding[1] < 0)) {
            throw new IllegalArgumentException(op + ": negative output_padding is not supported, got output_padding="
                    + Arrays.toString(outputPadding));
        }
        if (stride[0] <= 0 || stride[1] <= 0) {
            throw new IllegalArgumentException(op + ": non-positive stride is not supported, got stride="
                    + Arrays.toString(stride));
        }
        if (dilation[0] <= 0 || dilation[1] <= 0) {
            throw new IllegalArgumentException(op + ": dilation should be greater than zero, but got dilation="
                    + Arrays.toString(dilation));
        }
    }

    /** Groups split the weight's first dimension (conv2d's output channels, conv_transpose2d's input channels). */
    private static void checkGroupsDivideWeight(String op, int groups, int[] ws) {
        if (ws[0] < groups) {
            throw new IllegalArgumentException(op + ": Given groups=" + groups + ", expected weight to be at least "
                    + groups + " at dimension 0, but got weight of size " + Shape.str(ws) + " instead");
        }
        if (ws[0] % groups != 0) {
            throw new IllegalArgumentException(op + ": Given groups=" + groups + ", expected weight to be divisible by "
                    + groups + " at dimension 0, but got weight of size " + Shape.str(ws) + " instead");
        }
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
