package unboxed.basics.byhand;

import unboxed.autograd.Autograd;
import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Tensor;

/** l = (x - t)^2, dl/dx = 2 (x - t); "mean" divides by the number of elements. */
public final class MSELossByHand {
    private final Reduction reduction;
    private Tensor diff;

    public MSELossByHand(Reduction reduction) {
        this.reduction = reduction;
    }

    public Tensor forward(Tensor x, Tensor t) {
        return Autograd.noGrad(() -> {
            diff = x.sub(t);
            Tensor sq = diff.mul(diff);
            return F.applyReduction(sq, reduction);
        });
    }

    public Tensor backward(Tensor gradOut) {
        return Autograd.noGrad(() -> {
            Tensor g = reduction == Reduction.MEAN ? gradOut.div((float) diff.numel()) : gradOut;
            return diff.mul(2f).mul(g);
        });
    }
}
