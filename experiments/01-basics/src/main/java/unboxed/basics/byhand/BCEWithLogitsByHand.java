package unboxed.basics.byhand;

import unboxed.autograd.Autograd;
import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Tensor;

/**
 * Binary cross-entropy on logits x with targets t in [0, 1], optional weight w and pos_weight q:
 * <pre>
 *   l = w [ q t softplus(-x) + (1 - t) softplus(x) ]
 *     = w [ (1 - t) x + (1 + (q - 1) t) softplus(-x) ]       using softplus(x) = x + softplus(-x)
 *   dl/dx = w [ (1 - t) - (1 + (q - 1) t) sigmoid(-x) ]      since d softplus(-x)/dx = -sigmoid(-x)
 * </pre>
 * With q = 1 the gradient is w (sigmoid(x) - t). softplus(-x) is evaluated as
 * max(-x, 0) + log(1 + e^-|x|), which never overflows, even for logits of +-1000.
 */
public final class BCEWithLogitsByHand {
    private final Tensor weight;
    private final Reduction reduction;
    private final Tensor posWeight;
    private Tensor localGrad;
    private int count;

    public BCEWithLogitsByHand(Tensor weight, Reduction reduction, Tensor posWeight) {
        this.weight = weight;
        this.reduction = reduction;
        this.posWeight = posWeight;
    }

    public Tensor forward(Tensor x, Tensor t) {
        return Autograd.noGrad(() -> {
            Tensor softplusNeg = x.neg().relu().add(x.abs().neg().exp().add(1f).log());
            Tensor lw = posWeight == null ? Tensor.scalar(1f) : posWeight.sub(1f).mul(t).add(1f);
            Tensor oneMinusT = t.neg().add(1f);
            Tensor loss = oneMinusT.mul(x).add(lw.mul(softplusNeg));
            Tensor grad = oneMinusT.sub(lw.mul(x.neg().sigmoid()));
            if (weight != null) {
                loss = loss.mul(weight);
                grad = grad.mul(weight);
            }
            localGrad = grad;
            count = x.numel();
            return F.applyReduction(loss, reduction);
        });
    }

    public Tensor backward(Tensor gradOut) {
        return Autograd.noGrad(() -> {
            Tensor g = reduction == Reduction.MEAN ? gradOut.div((float) count) : gradOut;
            return localGrad.mul(g);
        });
    }
}
