package unboxed.nn.functional;

import java.util.Arrays;
import unboxed.backend.IndexOutOfRangeException;
import unboxed.backend.Window2d;
import unboxed.tensor.Convolution;
import unboxed.tensor.Pooling;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/**
 * The functional forms, named and ordered as in {@code torch.nn.functional}, built from the
 * differentiable ops of {@link Ops}: autograd derives every gradient. (Post 01 derives the same
 * gradients by hand and checks that both agree with PyTorch.)
 */
public final class F {
    private F() {
    }

    public static Tensor relu(Tensor input) {
        return input.relu();
    }

    /** y = input W^T + b, for input of shape (*, in_features) and weight (out_features, in_features). */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        if (weight.dim() < 1 || weight.dim() > 2) {
            throw new IllegalArgumentException("linear: weight must be 1-D or 2-D (out_features, in_features), got shape "
                    + Shape.str(weight.shape()));
        }
        if (input.dim() == 0) {
            throw new IllegalArgumentException("linear: input must have at least 1 dimension, got a 0-dim tensor");
        }
        int inFeatures = weight.size(-1);
        if (input.size(-1) != inFeatures) {
            throw new IllegalArgumentException("linear: input of shape " + Shape.str(input.shape()) + " has "
                    + input.size(-1) + " features in its last dimension, but weight of shape "
                    + Shape.str(weight.shape()) + " expects " + inFeatures);
        }
        Tensor y = input.matmul(weight.t());
        if (bias != null) {
            requireBroadcastsInto("linear (bias)", bias, y.shape());
            y = y.add(bias);
        }
        return y;
    }

    public static Tensor softmax(Tensor input, int dim) {
        return input.softmax(dim);
    }

    public static Tensor logSoftmax(Tensor input, int dim) {
        return input.logSoftmax(dim);
    }

    /** Options of {@link #crossEntropy}, with PyTorch's defaults. */
    public record CrossEntropyOptions(Tensor weight, int ignoreIndex, Reduction reduction, double labelSmoothing) {
        public static final CrossEntropyOptions DEFAULT = new CrossEntropyOptions(null, -100, Reduction.MEAN, 0.0);

        public CrossEntropyOptions withWeight(Tensor w) {
            return new CrossEntropyOptions(w, ignoreIndex, reduction, labelSmoothing);
        }

        public CrossEntropyOptions withIgnoreIndex(int i) {
            return new CrossEntropyOptions(weight, i, reduction, labelSmoothing);
        }

        public CrossEntropyOptions withReduction(Reduction r) {
            return new CrossEntropyOptions(weight, ignoreIndex, r, labelSmoothing);
        }

        public CrossEntropyOptions withLabelSmoothing(double s) {
            return new CrossEntropyOptions(weight, ignoreIndex, reduction, s);
        }
    }

    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, CrossEntropyOptions.DEFAULT);
    }

    /**
     * Cross-entropy between logits and targets, as {@code F.cross_entropy}: input (C), (N, C) or
     * (N, C, d1, ...); target either class indices of the input's shape without the class
     * dimension, or class probabilities of the input's own shape.
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, CrossEntropyOptions o) {
        if (input.dim() == 0) {
            throw new IllegalArgumentException("cross_entropy: input must have at least 1 dimension (C) or (N, C, ...), "
                    + "got a 0-dim tensor");
        }
        double eps = o.labelSmoothing();
        // PyTorch rejects only values above 1; a negative value is accepted and, like 0, means no smoothing
        if (!(eps <= 1.0)) {
            throw new IllegalArgumentException("cross_entropy: label_smoothing must be between 0.0 and 1.0, got " + eps);
        }
        int classDim = input.dim() == 1 ? 0 : 1;
        int c = input.size(classDim);
        int[] classShape = new int[input.dim()];
        Arrays.fill(classShape, 1);
        classShape[classDim] = c;
        Tensor weightB = null;
        if (o.weight() != null) {
            if (o.weight().dim() != 1 || o.weight().size(0) != c) {
                throw new IllegalArgumentException("cross_entropy: weight tensor should be defined either for all " + c
                        + " classes or no classes but got weight tensor of shape " + Shape.str(o.weight().shape()));
            }
            weightB = o.weight().reshape(classShape);
        }
        Tensor logp = input.logSoftmax(classDim);
        if (Arrays.equals(target.shape(), input.shape())) {
            if (o.ignoreIndex() != -100) {
                throw new IllegalArgumentException("cross_entropy: ignore_index (" + o.ignoreIndex()
                        + ") is not supported for class-probability targets; leave it at -100");
            }
            return crossEntropyProbabilities(input, target, o, classDim, c, logp, weightB, eps);
        }
        int[] expected = withoutDim(input.shape(), classDim);
        if (!Arrays.equals(target.shape(), expected)) {
            throw new IllegalArgumentException("cross_entropy: expected target of shape " + Shape.str(expected)
                    + " (class indices) or " + Shape.str(input.shape()) + " (class probabilities) for input of shape "
                    + Shape.str(input.shape()) + ", got " + Shape.str(target.shape()));
        }
        // the picked log-probability by gather, whose kernel checks each index where the data lives
        // (no download of the targets); ignored positions read class 0 and are weighted out
        Tensor valid = target.ne((float) o.ignoreIndex());
        Tensor safeTarget = Tensor.where(valid, target, Tensor.full(target.backend(), 0f));
        Tensor picked;
        Tensor w;
        try {
            picked = logp.gather(classDim, safeTarget.unsqueeze(classDim)).squeeze(classDim);
            w = o.weight() == null ? valid
                    : o.weight().gather(0, safeTarget.reshape(-1)).reshape(target.shape()).mul(valid);
        } catch (IndexOutOfRangeException e) {
            throw new IllegalArgumentException("cross_entropy: target " + e.index() + " is out of bounds for " + c
                    + " classes (and is not ignore_index " + o.ignoreIndex() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cross_entropy: class-index target: " + e.getMessage()
                    + "; pass class indices, or probabilities of the input's shape", e);
        }
        // nll_i = -w_i log p_i(target_i)
        Tensor nll = picked.mul(w).neg();
        Tensor nllReduced = reduce(nll, o.reduction(), w);
        if (!(eps > 0.0)) {
            return nllReduced;
        }
        // label smoothing: the uniform part of the target, -sum_c w_c log p_c / C, zero where ignored
        Tensor weighted = weightB == null ? logp : logp.mul(weightB);
        Tensor smooth = weighted.sum(classDim, false).mul(valid).neg();
        Tensor smoothReduced = reduce(smooth, o.reduction(), w);
        return nllReduced.mul((float) (1.0 - eps)).add(smoothReduced.mul((float) (eps / c)));
    }

    private static Tensor crossEntropyProbabilities(Tensor input, Tensor target, CrossEntropyOptions o, int classDim,
                                                    int c, Tensor logp, Tensor weightB, double eps) {
        Tensor t = eps > 0 ? target.mul((float) (1.0 - eps)).add((float) (eps / c)) : target;
        Tensor lp = weightB == null ? logp : logp.mul(weightB);
        Tensor perItem = lp.mul(t).sum(classDim, false).neg();
        switch (o.reduction()) {
            case NONE:
                return perItem;
            case SUM:
                return perItem.sum();
            default:
                // PyTorch divides by the number of items (N * d1 * ...), not by the weights
                int items = input.numel() / Math.max(c, 1);
                return perItem.sum().div(input.numel() == 0 ? 0f : (float) items);
        }
    }

    /** "mean" divides by the total weight of the counted items, as nll_loss does. */
    private static Tensor reduce(Tensor perItem, Reduction r, Tensor weights) {
        switch (r) {
            case NONE:
                return perItem;
            case SUM:
                return perItem.sum();
            default:
                return perItem.sum().div(weights.sum());
        }
    }

    private static int[] withoutDim(int[] shape, int dim) {
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != dim) {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    /**
     * {@code F.binary_cross_entropy_with_logits}, in PyTorch's numerically stable form: with
     * m = max(-x, 0), log(1 + e^-x) = m + log(e^-m + e^(-x-m)), which never overflows.
     * {@code weight} and {@code posWeight} (may be null) broadcast against the input.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Reduction reduction,
                                                      Tensor posWeight) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("binary_cross_entropy_with_logits: target size " + Shape.str(target.shape())
                    + " must be the same as input size " + Shape.str(input.shape()));
        }
        Tensor m = input.neg().relu();
        Tensor softplusNeg = m.neg().exp().add(input.neg().sub(m).exp()).log().add(m); // log(1 + e^-x)
        Tensor oneMinusT = target.rsub(1f);
        Tensor loss;
        if (posWeight == null) {
            loss = oneMinusT.mul(input).add(softplusNeg);
        } else {
            requireBroadcastsInto("binary_cross_entropy_with_logits (pos_weight)", posWeight, input.shape());
            Tensor logWeight = posWeight.sub(1f).mul(target).add(1f);
            loss = oneMinusT.mul(input).add(logWeight.mul(softplusNeg));
        }
        if (weight != null) {
            requireBroadcastsInto("binary_cross_entropy_with_logits (weight)", weight, input.shape());
            loss = loss.mul(weight);
        }
        return applyReduction(loss, reduction);
    }

    /** {@code F.mse_loss}: (input - target)^2, reduced; the operands broadcast, as in PyTorch. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        Tensor d = input.sub(target);
        return applyReduction(d.mul(d), reduction);
    }

    /** PyTorch's in-place style ops accept an operand only if it broadcasts to the result's own shape. */
    private static void requireBroadcastsInto(String op, Tensor t, int[] shape) {
        int[] b = Shape.broadcast(op, t.shape(), shape);
        if (!Arrays.equals(b, shape)) {
            throw new IllegalArgumentException(op + ": a tensor of shape " + Shape.str(t.shape())
                    + " does not broadcast to the result's shape " + Shape.str(shape));
        }
    }

    /** Per-element losses reduced as {@code reduction} says: unchanged, their sum, or their mean. */
    public static Tensor applyReduction(Tensor loss, Reduction r) {
        switch (r) {
            case NONE:
                return loss;
            case SUM:
                return loss.sum();
            default:
                return loss.mean();
        }
    }

    // ------------------------------------------------------------------ convolution and pooling

    /**
     * {@code F.conv2d(input, weight, bias, stride, padding, dilation, groups)}: input [N, C, H, W] or
     * unbatched [C, H, W], weight [O, C/groups, kH, kW], bias [O] or null; stride, padding and
     * dilation each an int (both axes) or a pair (height, width). groups = C is a depthwise
     * convolution, and O = k * C with it gives each channel k filters (a channel multiplier).
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        return Convolution.conv2d(input, weight, bias, Convolution.pair("conv2d", "stride", stride),
                Convolution.pair("conv2d", "padding", padding), Convolution.pair("conv2d", "dilation", dilation), groups);
    }

    /**
     * {@code F.conv2d(input, weight, bias, stride, padding='same' | 'valid', dilation, groups)}: 'valid'
     * is no padding; 'same' pads so that the output keeps the input's size, with the extra row and
     * column at the bottom and right when the total padding d*(k-1) is odd, as PyTorch does. 'same'
     * needs stride 1.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation,
                                int groups) {
        return Convolution.conv2d(input, weight, bias, Convolution.pair("conv2d", "stride", stride), padding,
                Convolution.pair("conv2d", "dilation", dilation), groups);
    }

    /** {@code F.conv2d(input, weight, bias, padding=padding)}: stride 1, no dilation. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int padding) {
        return conv2d(input, weight, bias, new int[] {1}, new int[] {padding}, new int[] {1}, 1);
    }

    /**
     * {@code F.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)}:
     * input [N, C_in, H, W] or unbatched [C_in, H, W], weight [C_in, C_out/groups, kH, kW], bias
     * [C_out] or null; stride, padding, output_padding and dilation each an int or a pair. The output
     * is (H - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1 high (and as wide),
     * and output_padding must be smaller than the stride or the dilation. The adjoint of conv2d with
     * the same weight, stride, padding, dilation and groups: its gradient with respect to the input.
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int groups, int[] dilation) {
        String op = "conv_transpose2d";
        return Convolution.convTranspose2d(input, weight, bias, Convolution.pair(op, "stride", stride),
                Convolution.pair(op, "padding", padding), Convolution.pair(op, "output_padding", outputPadding), groups,
                Convolution.pair(op, "dilation", dilation));
    }

    /**
     * A locally connected layer (conv2d without weight sharing; PyTorch has no such function):
     * input [N, C, H, W] or unbatched [C, H, W], weight [OH, OW, O, C, kH, kW], one conv2d kernel
     * per output position, bias [O, OH, OW] or null; stride, padding and dilation each an int or a
     * pair. The output [N, O, OH, OW] is conv2d's, except that position (i, j) uses weight[i][j].
     */
    public static Tensor locallyConnected2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                            int[] dilation) {
        String op = "locally_connected2d";
        return Convolution.locallyConnected2d(input, weight, bias, Convolution.pair(op, "stride", stride),
                Convolution.pair(op, "padding", padding), Convolution.pair(op, "dilation", dilation));
    }

    /** {@code F.unfold(input, kernel_size, dilation, padding, stride)}. */
    public static Tensor unfold(Tensor input, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        return Convolution.unfold(input, window("unfold", kernelSize, stride, padding, dilation));
    }

    /** {@code F.fold(input, output_size, kernel_size, dilation, padding, stride)}. */
    public static Tensor fold(Tensor input, int[] outputSize, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        return Convolution.fold(input, Convolution.pair("fold", "output_size", outputSize),
                window("fold", kernelSize, stride, padding, dilation));
    }

    /** {@code F.max_pool2d(input, kernel_size, stride=None, padding, dilation, ceil_mode)}; a null stride is the kernel size. */
    public static Tensor maxPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        return maxPool2dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode).values();
    }

    /** {@code F.max_pool2d(..., return_indices=True)}: the values and their flat indices (h * W + w) in each input plane. */
    public static Tensor.ValuesIndices maxPool2dWithIndices(Tensor input, int[] kernelSize, int[] stride, int[] padding,
                                                            int[] dilation, boolean ceilMode) {
        return Pooling.maxPool2d(input, window("max_pool2d", kernelSize, stride == null ? kernelSize : stride, padding,
                dilation), ceilMode);
    }

    /**
     * {@code F.avg_pool2d(input, kernel_size, stride=None, padding, ceil_mode, count_include_pad,
     * divisor_override=None)}; a null stride is the kernel size, a null divisor_override none.
     */
    public static Tensor avgPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad, Integer divisorOverride) {
        if (divisorOverride != null && divisorOverride <= 0) {
            throw new IllegalArgumentException("avg_pool2d: divisor must be not zero, got divisor_override=" + divisorOverride);
        }
        return Pooling.avgPool2d(input, window("avg_pool2d", kernelSize, stride == null ? kernelSize : stride, padding,
                new int[] {1}), ceilMode, countIncludePad, divisorOverride == null ? 0 : divisorOverride);
    }

    private static Window2d window(String op, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        int[] k = Convolution.pair(op, "kernel_size", kernel);
        int[] s = Convolution.pair(op, "stride", stride);
        int[] p = Convolution.pair(op, "padding", padding);
        int[] d = Convolution.pair(op, "dilation", dilation);
        return new Window2d(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]);
    }
}
