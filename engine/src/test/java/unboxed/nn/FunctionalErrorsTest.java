package unboxed.nn;

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

    @Test
    void conv2dRejectsWhatPyTorchRejects() {
        Tensor x = Tensor.zeros(2, 3, 3, 3);
        rejects(() -> F.conv2d(x, Tensor.zeros(4, 3, 5, 5), null, 0), "conv2d", "Calculated padded input size per channel: (3 x 3)",
                "Kernel size: (5 x 5)", "can't be greater than actual input size");
        F.conv2d(x, Tensor.zeros(4, 3, 5, 5), null, 1); // padding 1 makes it fit exactly
        rejects(() -> F.conv2d(x, Tensor.zeros(4, 2, 3, 3), null, 1), "conv2d", "weight of size [4, 2, 3, 3]",
                "to have 2 channels, but got 3 channels");
        rejects(() -> F.conv2d(Tensor.zeros(3, 3), Tensor.zeros(4, 3, 1, 1), null, 0), "conv2d", "3-D (unbatched) or 4-D");
        rejects(() -> F.conv2d(x, Tensor.zeros(4, 3, 1, 1), Tensor.zeros(3), 0), "conv2d", "bias must have shape [4]");
        rejects(UnsupportedOperationException.class, () -> F.conv2d(x, Tensor.zeros(4, 3, 1, 1), null, new int[] {1},
                new int[] {0}, new int[] {1}, 3), "groups=3");
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
