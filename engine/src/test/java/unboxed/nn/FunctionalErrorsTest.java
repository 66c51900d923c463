package unboxed.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import unboxed.nn.functional.F;
import unboxed.nn.functional.F.CrossEntropyOptions;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Tensor;

/** What PyTorch rejects, the engine rejects too, with a message naming the op and the offending shapes or values. */
class FunctionalErrorsTest {

    static <T extends Throwable> T rejects(Class<T> type, Executable call, String... parts) {
        T e = assertThrows(type, call);
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p),
                    "message should contain '" + p + "': " + e.getMessage());
        }
        return e;
    }

    static IllegalArgumentException rejects(Executable call, String... parts) {
        return rejects(IllegalArgumentException.class, call, parts);
    }

    private static final Tensor LOGITS = Tensor.zeros(2, 3);

    // ------------------------------------------------------------------ cross_entropy

    @Test
    void crossEntropyTargetOutOfBounds() {
        rejects(() -> F.crossEntropy(LOGITS, Tensor.of(new float[] {0, 3}, 2)), "cross_entropy", "target 3",
                "out of bounds", "3 classes");
        rejects(() -> F.crossEntropy(LOGITS, Tensor.of(new float[] {-1, 0}, 2)), "cross_entropy", "target -1",
                "out of bounds");
        // but the ignore index may lie outside the classes
        F.crossEntropy(LOGITS, Tensor.of(new float[] {-1, 0}, 2), CrossEntropyOptions.DEFAULT.withIgnoreIndex(-1));
        rejects(() -> F.crossEntropy(LOGITS, Tensor.of(new float[] {0.5f, 1}, 2)), "cross_entropy", "0.5", "whole number");
    }

    @Test
    void crossEntropyWeightOfWrongSize() {
        rejects(() -> F.crossEntropy(LOGITS, Tensor.of(new float[] {0, 1}, 2),
                CrossEntropyOptions.DEFAULT.withWeight(Tensor.ones(2))), "cross_entropy", "weight", "[2]", "3 classes");
        rejects(() -> F.crossEntropy(LOGITS, Tensor.of(new float[] {0, 1}, 2),
                CrossEntropyOptions.DEFAULT.withWeight(Tensor.ones(1, 3))), "cross_entropy", "weight", "[1, 3]");
    }

    @Test
    void crossEntropyLabelSmoothingAboveOne() {
        rejects(() -> F.crossEntropy(LOGITS, Tensor.of(new float[] {0, 1}, 2),
                CrossEntropyOptions.DEFAULT.withLabelSmoothing(1.5)), "cross_entropy", "label_smoothing", "1.5");
        rejects(() -> F.crossEntropy(LOGITS, Tensor.of(new float[] {0, 1}, 2),
                CrossEntropyOptions.DEFAULT.withLabelSmoothing(Double.NaN)), "cross_entropy", "label_smoothing", "NaN");
    }

    @Test
    void crossEntropyMismatchedBatch() {
        rejects(() -> F.crossEntropy(Tensor.zeros(3, 5), Tensor.zeros(4)), "cross_entropy", "[3, 5]", "[4]", "[3]");
        rejects(() -> F.crossEntropy(Tensor.zeros(2, 3, 4), Tensor.zeros(2, 3)), "cross_entropy", "[2, 3, 4]",
                "[2, 3]", "[2, 4]");
    }

    @Test
    void crossEntropyProbabilityTargetsWithIgnoreIndex() {
        rejects(() -> F.crossEntropy(LOGITS, Tensor.full(1f / 3, 2, 3), CrossEntropyOptions.DEFAULT.withIgnoreIndex(1)),
                "cross_entropy", "ignore_index", "(1)", "probabilit");
    }

    @Test
    void crossEntropyZeroDimInput() {
        rejects(() -> F.crossEntropy(Tensor.scalar(1), Tensor.scalar(0)), "cross_entropy", "0-dim");
    }

    // ------------------------------------------------------------------ binary_cross_entropy_with_logits

    @Test
    void bceTargetShapeMismatch() {
        rejects(() -> F.binaryCrossEntropyWithLogits(Tensor.zeros(2, 3), Tensor.zeros(3, 2), null, Reduction.MEAN, null),
                "binary_cross_entropy_with_logits", "[3, 2]", "[2, 3]");
        rejects(() -> F.binaryCrossEntropyWithLogits(Tensor.zeros(2, 3), Tensor.zeros(3), null, Reduction.MEAN, null),
                "binary_cross_entropy_with_logits", "[3]", "[2, 3]");
    }

    @Test
    void bceWeightNotBroadcastableOrBiggerThanTheInput() {
        Tensor x = Tensor.zeros(2, 3);
        rejects(() -> F.binaryCrossEntropyWithLogits(x, x, Tensor.ones(4), Reduction.MEAN, null),
                "binary_cross_entropy_with_logits", "weight", "[4]", "[2, 3]");
        rejects(() -> F.binaryCrossEntropyWithLogits(x, x, Tensor.ones(5, 2, 3), Reduction.MEAN, null),
                "binary_cross_entropy_with_logits", "weight", "[5, 2, 3]", "[2, 3]");
        rejects(() -> F.binaryCrossEntropyWithLogits(x, x, Tensor.ones(2, 1, 1), Reduction.MEAN, null),
                "binary_cross_entropy_with_logits", "weight", "[2, 1, 1]", "[2, 3]");
        rejects(() -> F.binaryCrossEntropyWithLogits(x, x, null, Reduction.MEAN, Tensor.ones(2)),
                "binary_cross_entropy_with_logits", "pos_weight", "[2]", "[2, 3]");
        // what does broadcast is accepted
        F.binaryCrossEntropyWithLogits(x, x, Tensor.ones(2, 1), Reduction.MEAN, Tensor.ones(3));
    }

    // ------------------------------------------------------------------ linear

    @Test
    void linearFeatureMismatch() {
        rejects(() -> F.linear(Tensor.zeros(2, 4), Tensor.zeros(3, 5), null), "linear", "[2, 4]", "[3, 5]", "4", "5");
        rejects(() -> F.linear(Tensor.zeros(2, 5), Tensor.zeros(3, 5), Tensor.zeros(4)), "linear", "bias", "[4]", "[2, 3]");
        rejects(() -> F.linear(Tensor.zeros(2, 5), Tensor.zeros(1, 3, 5), null), "linear", "weight", "[1, 3, 5]");
        rejects(() -> F.linear(Tensor.scalar(1), Tensor.zeros(3, 1), null), "linear", "0-dim");
        rejects(() -> new Linear(5, 3, new unboxed.tensor.Rng(0)).forward(Tensor.zeros(2, 4)), "linear", "[2, 4]", "[3, 5]");
    }

    // ------------------------------------------------------------------ matmul

    @Test
    void matmulZeroDimOperand() {
        rejects(() -> Tensor.scalar(2).matmul(Tensor.zeros(3)), "matmul", "[]", "[3]");
        rejects(() -> Tensor.zeros(3).matmul(Tensor.scalar(2)), "matmul", "[3]", "[]");
    }

    @Test
    void matmulInnerSizeMismatch() {
        rejects(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)), "matmul", "[2, 3]", "[4, 5]");
        rejects(() -> Tensor.zeros(3).matmul(Tensor.zeros(4)), "matmul", "[3]", "[4]");
        rejects(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(2)), "matmul", "[2, 3]", "[2]");
    }

    @Test
    void matmulBatchDimensionsThatDoNotBroadcast() {
        rejects(() -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(3, 4, 5)), "matmul", "[2, 3, 4]", "[3, 4, 5]", "batch");
        rejects(() -> Tensor.zeros(2, 2, 3, 4).matmul(Tensor.zeros(3, 4, 5)), "matmul", "[2, 2, 3, 4]", "[3, 4, 5]");
    }

    // ------------------------------------------------------------------ softmax

    @Test
    void softmaxDimOutOfRange() {
        rejects(IndexOutOfBoundsException.class, () -> F.softmax(Tensor.zeros(2, 3), 2), "softmax", "dimension 2", "rank 2");
        rejects(IndexOutOfBoundsException.class, () -> F.logSoftmax(Tensor.zeros(2, 3), -3), "log_softmax", "-3");
        rejects(IndexOutOfBoundsException.class, () -> F.softmax(Tensor.scalar(1), 1), "softmax", "dimension 1");
    }

    // ------------------------------------------------------------------ convolution and pooling

    // The messages are PyTorch 1.13's (RuntimeError text of torch.nn.functional.conv2d and
    // conv_transpose2d for the same call), after the op's name, plus the values that broke them.

    private static final int[] ONE = {1};
    private static final int[] ZERO = {0};

    private static Tensor conv(Tensor x, Tensor w, int[] stride, int[] padding, int[] dilation, int groups) {
        return F.conv2d(x, w, null, stride, padding, dilation, groups);
    }

    private static Tensor convT(Tensor x, Tensor w, int[] stride, int[] padding, int[] outputPadding, int groups,
                                int[] dilation) {
        return F.convTranspose2d(x, w, null, stride, padding, outputPadding, groups, dilation);
    }

    @Test
    void conv2dRejectsWhatPyTorchRejects() {
        Tensor x = Tensor.zeros(2, 3, 3, 3);
        rejects(() -> F.conv2d(x, Tensor.zeros(4, 3, 5, 5), null, 0), "conv2d", "Calculated padded input size per channel: (3 x 3)",
                "Kernel size: (5 x 5)", "can't be greater than actual input size");
        F.conv2d(x, Tensor.zeros(4, 3, 5, 5), null, 1); // padding 1 makes it fit exactly
        rejects(() -> F.conv2d(x, Tensor.zeros(4, 2, 3, 3), null, 1), "conv2d", "weight of size [4, 2, 3, 3]",
                "to have 2 channels, but got 3 channels");
        rejects(() -> F.conv2d(Tensor.zeros(3, 3), Tensor.zeros(4, 3, 1, 1), null, 0), "conv2d",
                "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [3, 3]");
        rejects(() -> F.conv2d(Tensor.zeros(1, 2, 3, 3, 3), Tensor.zeros(4, 3, 1, 1), null, 0), "conv2d",
                "Expected 3D (unbatched) or 4D (batched) input", "[1, 2, 3, 3, 3]");
        rejects(() -> F.conv2d(x, Tensor.zeros(4, 3, 1), null, 0), "conv2d", "weight must be 4-D", "[4, 3, 1]");
        rejects(() -> F.conv2d(x, Tensor.zeros(4, 3, 1, 1), Tensor.zeros(3), 0), "conv2d",
                "expected bias to be 1-dimensional with 4 elements, but got bias of size [3]", "bias must have shape [4]");
    }

    @Test
    void conv2dKernelLargerThanThePaddedInput() {
        Tensor x = Tensor.zeros(2, 4, 5, 5);
        // torch: Calculated padded input size per channel: (5 x 5). Kernel size: (7 x 7). Kernel size can't be
        // greater than actual input size
        rejects(() -> conv(x, Tensor.zeros(4, 4, 7, 7), ONE, ZERO, ONE, 1), "conv2d",
                "Calculated padded input size per channel: (5 x 5). Kernel size: (7 x 7). Kernel size can't be greater"
                        + " than actual input size");
        // a dilated kernel counts with its holes: 3 taps at dilation 3 span 7
        rejects(() -> conv(x, Tensor.zeros(4, 4, 3, 3), ONE, ZERO, new int[] {3}, 1), "conv2d",
                "Kernel size: (7 x 7)");
        // one axis is enough, and the padding of that axis counts
        rejects(() -> conv(x, Tensor.zeros(4, 4, 3, 8), ONE, new int[] {0, 1}, ONE, 1), "conv2d",
                "Calculated padded input size per channel: (5 x 7). Kernel size: (3 x 8)");
        rejects(() -> F.conv2d(x, Tensor.zeros(4, 4, 6, 6), null, ONE, "valid", ONE, 1), "conv2d",
                "Kernel size: (6 x 6)", "can't be greater than actual input size");
        // 'same' pads enough for any kernel
        assertArrayEquals(new int[] {2, 4, 5, 5}, F.conv2d(x, Tensor.zeros(4, 4, 7, 7), null, ONE, "same", ONE, 1).shape());
    }

    @Test
    void conv2dGroupsMustDivideTheChannels() {
        Tensor x = Tensor.zeros(2, 4, 5, 5);
        // torch: Given groups=4, expected weight to be divisible by 4 at dimension 0, but got weight of size
        // [[6, 2, 3, 3]] instead
        rejects(() -> conv(x, Tensor.zeros(6, 1, 3, 3), ONE, ZERO, ONE, 4), "conv2d",
                "Given groups=4, expected weight to be divisible by 4 at dimension 0, but got weight of size [6, 1, 3, 3]");
        rejects(() -> conv(x, Tensor.zeros(2, 1, 3, 3), ONE, ZERO, ONE, 4), "conv2d",
                "Given groups=4, expected weight to be at least 4 at dimension 0, but got weight of size [2, 1, 3, 3]");
        // groups=3 over 4 input channels: weight [6, 2] asks for 3 * 2 = 6
        rejects(() -> conv(x, Tensor.zeros(6, 2, 3, 3), ONE, ZERO, ONE, 3), "conv2d",
                "Given groups=3, weight of size [6, 2, 3, 3], expected input[2, 4, 5, 5] to have 6 channels, but got 4"
                        + " channels instead");
        rejects(() -> conv(x, Tensor.zeros(4, 3, 3, 3), ONE, ZERO, ONE, 2), "conv2d",
                "Given groups=2, weight of size [4, 3, 3, 3], expected input[2, 4, 5, 5] to have 6 channels");
        // an unbatched input is named as torch names it, with its batch dimension of 1
        rejects(() -> conv(Tensor.zeros(3, 5, 5), Tensor.zeros(6, 2, 3, 3), ONE, ZERO, ONE, 2), "conv2d",
                "Given groups=2, weight of size [6, 2, 3, 3], expected input[1, 3, 5, 5] to have 4 channels, but got 3"
                        + " channels instead");
        rejects(() -> conv(x, Tensor.zeros(4, 4, 3, 3), ONE, ZERO, ONE, 0), "conv2d",
                "non-positive groups is not supported", "groups=0");
        rejects(() -> conv(x, Tensor.zeros(4, 4, 3, 3), ONE, ZERO, ONE, -1), "conv2d", "groups=-1");
        // and what works: depthwise, and a channel multiplier of 2
        assertArrayEquals(new int[] {2, 4, 3, 3}, conv(x, Tensor.zeros(4, 1, 3, 3), ONE, ZERO, ONE, 4).shape());
        assertArrayEquals(new int[] {2, 8, 3, 3}, conv(x, Tensor.zeros(8, 1, 3, 3), ONE, ZERO, ONE, 4).shape());
    }

    @Test
    void conv2dStridePaddingAndDilationMustBeInRange() {
        Tensor x = Tensor.zeros(2, 4, 5, 5);
        Tensor w = Tensor.zeros(4, 4, 3, 3);
        rejects(() -> conv(x, w, new int[] {0}, ZERO, ONE, 1), "conv2d", "non-positive stride is not supported",
                "stride=[0, 0]");
        rejects(() -> conv(x, w, new int[] {1, -1}, ZERO, ONE, 1), "conv2d", "non-positive stride", "stride=[1, -1]");
        rejects(() -> conv(x, w, ONE, new int[] {-1}, ONE, 1), "conv2d", "negative padding is not supported",
                "padding=[-1, -1]");
        rejects(() -> conv(x, w, ONE, ZERO, new int[] {0}, 1), "conv2d", "dilation should be greater than zero",
                "dilation=[0, 0]");
        // torch checks padding before stride
        rejects(() -> conv(x, w, new int[] {0}, new int[] {-1}, ONE, 1), "conv2d", "negative padding");
        rejects(() -> conv(x, w, new int[] {1, 2, 3}, ZERO, ONE, 1), "conv2d", "stride", "an int or a pair", "[1, 2, 3]");
    }

    @Test
    void conv2dPaddingStrings() {
        Tensor x = Tensor.zeros(2, 4, 5, 5);
        Tensor w = Tensor.zeros(4, 4, 3, 3);
        // torch: padding='same' is not supported for strided convolutions
        rejects(() -> F.conv2d(x, w, null, new int[] {2}, "same", ONE, 1), "conv2d",
                "padding='same' is not supported for strided convolutions", "stride=[2, 2]");
        rejects(() -> F.conv2d(x, w, null, new int[] {1, 2}, "same", ONE, 1), "conv2d", "strided", "stride=[1, 2]");
        // torch: Invalid padding string: 'full'
        rejects(() -> F.conv2d(x, w, null, ONE, "full", ONE, 1), "conv2d", "Invalid padding string: 'full'");
        // 'valid' with a stride is fine
        assertArrayEquals(new int[] {2, 4, 2, 2}, F.conv2d(x, w, null, new int[] {2}, "valid", ONE, 1).shape());
        // the other checks still apply under 'same'
        rejects(() -> F.conv2d(x, w, null, ONE, "same", ONE, 3), "conv2d", "Given groups=3, expected weight to be"
                + " divisible by 3 at dimension 0");
        rejects(() -> F.conv2d(x, w, null, ONE, "same", ZERO, 1), "conv2d", "dilation should be greater than zero");
        rejects(() -> F.conv2d(Tensor.zeros(5, 5), w, null, ONE, "same", ONE, 1), "conv2d", "Expected 3D (unbatched)");
    }

    @Test
    void convTranspose2dRejectsWhatPyTorchRejects() {
        Tensor x = Tensor.zeros(2, 4, 5, 5);
        Tensor w = Tensor.zeros(4, 3, 3, 3);
        // torch: output padding must be smaller than either stride or dilation, but got output_padding_height: 2
        // output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1
        rejects(() -> convT(x, w, new int[] {2}, ONE, new int[] {2}, 1, ONE), "conv_transpose2d",
                "output padding must be smaller than either stride or dilation, but got output_padding_height: 2"
                        + " output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1");
        rejects(() -> convT(x, w, ONE, ZERO, ONE, 1, ONE), "conv_transpose2d",
                "output padding must be smaller than either stride or dilation", "output_padding_height: 1");
        rejects(() -> convT(x, w, new int[] {2}, ZERO, new int[] {1, 2}, 1, ONE), "conv_transpose2d",
                "output_padding_width: 2 stride_height: 2 stride_width: 2");
        // below the dilation is enough, even at the stride
        assertArrayEquals(new int[] {2, 3, 10, 10}, convT(x, w, ONE, ZERO, ONE, 1, new int[] {2}).shape());
        rejects(() -> convT(x, w, new int[] {2}, ZERO, new int[] {-1}, 1, ONE), "conv_transpose2d",
                "negative output_padding is not supported", "output_padding=[-1, -1]");
        // torch: Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of size
        // [[4, 3, 3, 3]] instead
        rejects(() -> convT(x, w, ONE, ZERO, ZERO, 3, ONE), "conv_transpose2d",
                "Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of size [4, 3, 3, 3]");
        rejects(() -> convT(x, Tensor.zeros(2, 4, 3, 3), ONE, ZERO, ZERO, 4, ONE), "conv_transpose2d",
                "Given groups=4, expected weight to be at least 4 at dimension 0");
        // torch: Given transposed=1, weight of size [3, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 channels,
        // but got 4 channels instead
        rejects(() -> convT(x, Tensor.zeros(3, 3, 3, 3), ONE, ZERO, ZERO, 1, ONE), "conv_transpose2d",
                "Given transposed=1, weight of size [3, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 channels, but"
                        + " got 4 channels instead");
        rejects(() -> convT(x, Tensor.zeros(6, 3, 3, 3), ONE, ZERO, ZERO, 2, ONE), "conv_transpose2d",
                "expected input[2, 4, 5, 5] to have 6 channels");
        rejects(() -> F.convTranspose2d(x, w, Tensor.zeros(4), ONE, ZERO, ZERO, 1, ONE), "conv_transpose2d",
                "Given transposed=1, weight of size [4, 3, 3, 3], expected bias to be 1-dimensional with 3 elements, but"
                        + " got bias of size [4] instead");
        rejects(() -> F.convTranspose2d(x, w, Tensor.zeros(3), ONE, ZERO, ZERO, 2, ONE), "conv_transpose2d",
                "expected bias to be 1-dimensional with 6 elements");
        // torch: Given input size per channel: (1 x 1). Calculated output size per channel: (-1 x -1). Output
        // size is too small
        rejects(() -> convT(Tensor.zeros(1, 4, 1, 1), Tensor.zeros(4, 3, 1, 1), ONE, ONE, ZERO, 1, ONE),
                "conv_transpose2d", "Given input size per channel: (1 x 1). Calculated output size per channel:"
                        + " (-1 x -1). Output size is too small");
        rejects(() -> convT(Tensor.zeros(4, 2, 2), Tensor.zeros(4, 3, 1, 1), ONE, ONE, ZERO, 1, ONE),
                "conv_transpose2d", "Calculated output size per channel: (0 x 0)");
        rejects(() -> convT(x, w, new int[] {1, 0}, ZERO, ZERO, 1, ONE), "conv_transpose2d",
                "non-positive stride is not supported", "stride=[1, 0]");
        rejects(() -> convT(x, w, ONE, new int[] {1, -1}, ZERO, 1, ONE), "conv_transpose2d",
                "negative padding is not supported", "padding=[1, -1]");
        rejects(() -> convT(x, w, ONE, ZERO, ZERO, 1, new int[] {1, 0}), "conv_transpose2d",
                "dilation should be greater than zero", "dilation=[1, 0]");
        rejects(() -> convT(x, w, ONE, ZERO, ZERO, 0, ONE), "conv_transpose2d", "non-positive groups is not supported");
        rejects(() -> convT(Tensor.zeros(5, 5), w, ONE, ZERO, ZERO, 1, ONE), "conv_transpose2d",
                "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: [5, 5]");
        rejects(() -> convT(x, Tensor.zeros(4, 3, 3), ONE, ZERO, ZERO, 1, ONE), "conv_transpose2d",
                "weight must be 4-D [in_channels, out_channels/groups, kH, kW]", "[4, 3, 3]");
        rejects(() -> convT(x, w, ONE, ZERO, new int[] {0, 0, 0}, 1, ONE), "conv_transpose2d", "output_padding",
                "an int or a pair");
    }

    @Test
    void poolingRejectsWhatPyTorchRejects() {
        Tensor x = Tensor.zeros(1, 2, 4, 4);
        rejects(() -> F.maxPool2d(x, new int[] {3}, null, new int[] {2}, new int[] {1}, false), "max_pool2d",
                "pad should be smaller than or equal to half of kernel size", "padW = 2", "kW = 3");
        rejects(() -> F.avgPool2d(x, new int[] {5}, null, new int[] {0}, false, true, null), "avg_pool2d",
                "Output size is too small");
        rejects(() -> F.avgPool2d(x, new int[] {2}, null, new int[] {0}, false, true, 0), "avg_pool2d", "divisor must be not zero");
        rejects(() -> F.maxPool2d(Tensor.zeros(4, 4), new int[] {2}, null, new int[] {0}, new int[] {1}, false), "max_pool2d",
                "3-D (unbatched) or 4-D");
        rejects(() -> F.maxPool2d(x, new int[] {2, 2, 2}, null, new int[] {0}, new int[] {1}, false), "kernel_size",
                "an int or a pair");
    }
}
