package unboxed.nn;

import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Tensor;

/** {@code nn.BCEWithLogitsLoss(weight=None, reduction='mean', pos_weight=None)}. */
public final class BCEWithLogitsLoss implements Loss {
    private final Tensor weight;
    private final Reduction reduction;
    private final Tensor posWeight;

    public BCEWithLogitsLoss() {
        this(null, Reduction.MEAN, null);
    }

    public BCEWithLogitsLoss(Tensor weight, Reduction reduction, Tensor posWeight) {
        this.weight = weight;
        this.reduction = reduction;
        this.posWeight = posWeight;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.binaryCrossEntropyWithLogits(input, target, weight, reduction, posWeight);
    }
}
