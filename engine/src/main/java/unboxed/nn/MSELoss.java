package unboxed.nn;

import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Tensor;

/** {@code nn.MSELoss(reduction='mean')}. */
public final class MSELoss implements Loss {
    private final Reduction reduction;

    public MSELoss() {
        this(Reduction.MEAN);
    }

    public MSELoss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.mseLoss(input, target, reduction);
    }
}
