package unboxed.adampost;

import unboxed.basics.LossOfP;
import unboxed.tensor.Tensor;

/**
 * The loss family of the series' notes, as functions of x, the probability the network gives the
 * correct class: −log x, 1/√x, 1 − x, 1/x, x^−3 and x^−5, each averaged over the batch.
 *
 * <p>The first four are post 01's {@link LossOfP}, unchanged, so that "the series' own plain SGD"
 * is the very computation post 01 pinned. x^−3 and x^−5 are new here and are computed in log
 * space, exp(−k · log_softmax(z)_y): written as softmax(z)_y.pow(−k), their gradient −k x^(−k−1)
 * overflows float32 (3.4e38) once x falls below about 5e−7 for k = 5, before the loss itself does
 * (below about 2e−8); in log space the backward pass multiplies by x^−k only, so a run fails only
 * where the loss is no longer a float32 number.
 *
 * <p>For every member, the gradient that reaches the correct class's logit is
 * dL/dz_y = L'(x) · x (1 − x): x^−k gives −k x^−k (1 − x), which grows without bound as x → 0.
 */
public enum FamilyLoss {
    NEG_LOG("neg_log", "−log x", LossOfP.CROSS_ENTROPY, 0),
    INV_SQRT("inv_sqrt", "1/√x", LossOfP.INV_SQRT_P, 0),
    ONE_MINUS("one_minus", "1 − x", LossOfP.ONE_MINUS_P, 0),
    INV("inv", "1/x", LossOfP.INV_P, 0),
    INV_CUBE("inv_cube", "x^−3", null, 3),
    INV_FIFTH("inv_fifth", "x^−5", null, 5);

    private final String id;
    private final String formula;
    private final LossOfP seriesLoss;
    private final int power;

    FamilyLoss(String id, String formula, LossOfP seriesLoss, int power) {
        this.id = id;
        this.formula = formula;
        this.seriesLoss = seriesLoss;
        this.power = power;
    }

    public String id() {
        return id;
    }

    /** The loss as the report writes it, in x. */
    public String formula() {
        return formula;
    }

    /** The batch-mean loss of logits (N, C) against class indices (N). */
    public Tensor loss(Tensor logits, Tensor target) {
        if (seriesLoss != null) {
            return seriesLoss.loss(logits, target);
        }
        int c = logits.size(1);
        Tensor oneHot = target.unsqueeze(1).eq(Tensor.arange(c).to(logits.backend()).reshape(1, c));
        Tensor logX = logits.logSoftmax(1).mul(oneHot).sum(1, false);
        return logX.mul((float) -power).exp().mean();
    }

    /**
     * |dL/dz_y| for one sample that puts probability x on its correct class: the closed form
     * |L'(x)| · x (1 − x).
     */
    public double logitGradient(double x) {
        switch (this) {
            case NEG_LOG:
                return 1 - x;
            case INV_SQRT:
                return (1 - x) / (2 * Math.sqrt(x));
            case ONE_MINUS:
                return x * (1 - x);
            case INV:
                return (1 - x) / x;
            default:
                return power * Math.pow(x, -power) * (1 - x);
        }
    }

    public static FamilyLoss byId(String id) {
        for (FamilyLoss l : values()) {
            if (l.id.equals(id)) {
                return l;
            }
        }
        throw new IllegalArgumentException("no loss '" + id + "' in the family");
    }
}
