package unboxed.basics;

import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Tensor;

/**
 * Losses written as functions of p, the probability the network gives the correct class
 * (p = softmax(z)_y). Cross-entropy is -log p; the alternatives keep the same minimum (p = 1) but
 * weight mistakes differently. All are averaged over the batch.
 *
 * <p>What decides whether they train is the gradient that reaches the correct class's logit:
 * dL/dz_y = L'(p) * p (1 - p), because dp/dz_y = p (1 - p).
 */
public enum LossOfP {
    CROSS_ENTROPY("cross_entropy", "-log p", "-(1 - p)"),
    INV_SQRT_P("inv_sqrt_p", "1/sqrt(p)", "-(1 - p) / (2 sqrt(p))"),
    INV_P("inv_p", "1/p", "-(1 - p) / p"),
    ONE_MINUS_P("one_minus_p", "1 - p", "-p (1 - p)"),
    ONE_MINUS_P_SQUARED("one_minus_p_squared", "(1 - p)^2", "-2 p (1 - p)^2"),
    MSE_ONE_HOT("mse_one_hot", "MSE(softmax(z), one-hot)", "depends on all classes; see the report");

    private final String id;
    private final String formula;
    private final String logitGradient;

    LossOfP(String id, String formula, String logitGradient) {
        this.id = id;
        this.formula = formula;
        this.logitGradient = logitGradient;
    }

    public String id() {
        return id;
    }

    public String formula() {
        return formula;
    }

    /** dL/dz_y written out, for the report's table. */
    public String logitGradient() {
        return logitGradient;
    }

    /** The batch-mean loss of logits (N, C) against class indices (N). */
    public Tensor loss(Tensor logits, Tensor target) {
        if (this == CROSS_ENTROPY) {
            // the stable form: log-softmax, never log(softmax)
            return F.crossEntropy(logits, target);
        }
        int c = logits.size(1);
        Tensor oneHot = target.unsqueeze(1).eq(Tensor.arange(c).to(logits.backend()).reshape(1, c));
        Tensor probs = logits.softmax(1);
        if (this == MSE_ONE_HOT) {
            // what nn.MSELoss()(softmax(z), one_hot) computes: the mean over all N * C entries
            return F.mseLoss(probs, oneHot, Reduction.MEAN);
        }
        Tensor p = probs.mul(oneHot).sum(1, false);
        switch (this) {
            case INV_SQRT_P:
                return p.pow(-0.5f).mean();
            case INV_P:
                return p.pow(-1f).mean();
            case ONE_MINUS_P:
                return p.neg().add(1f).mean();
            case ONE_MINUS_P_SQUARED:
                return p.neg().add(1f).pow(2f).mean();
            default:
                throw new AssertionError(this);
        }
    }

    /** The closed form of |dL/dz_y| for one sample with the rest of the mass spread evenly (not for MSE). */
    public double analyticLogitGradient(double p) {
        switch (this) {
            case CROSS_ENTROPY:
                return 1 - p;
            case INV_SQRT_P:
                return (1 - p) / (2 * Math.sqrt(p));
            case INV_P:
                return (1 - p) / p;
            case ONE_MINUS_P:
                return p * (1 - p);
            case ONE_MINUS_P_SQUARED:
                return 2 * p * (1 - p) * (1 - p);
            default:
                return Double.NaN;
        }
    }
}
