package unboxed.nn;

import unboxed.nn.functional.F;
import unboxed.nn.functional.F.CrossEntropyOptions;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Tensor;

/** {@code nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0)}. */
public final class CrossEntropyLoss implements Loss {
    private final CrossEntropyOptions options;

    public CrossEntropyLoss() {
        this(CrossEntropyOptions.DEFAULT);
    }

    public CrossEntropyLoss(Tensor weight, int ignoreIndex, Reduction reduction, double labelSmoothing) {
        this(new CrossEntropyOptions(weight, ignoreIndex, reduction, labelSmoothing));
    }

    public CrossEntropyLoss(CrossEntropyOptions options) {
        this.options = options;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.crossEntropy(input, target, options);
    }
}
