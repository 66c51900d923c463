package unboxed.basics.byhand;

import unboxed.autograd.Autograd;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Tensor;

/**
 * Cross-entropy on logits z (N, C) with class-index targets y (N), optional class weights w,
 * ignore_index and label smoothing eps, as nn.CrossEntropyLoss computes it.
 *
 * <p>Write the loss of item i as a weighted sum of negative log-probabilities,
 * L_i = sum_c a_ic (-log p_ic), with p = softmax(z_i) and
 * a_ic = (1 - eps) w_{y_i} [c = y_i] + (eps / C) w_c   (zero for an ignored item).
 * Since d(-log p_ic)/dz_ij = p_ij - [c = j],
 * <pre>
 *   dL_i/dz_ij = (sum_c a_ic) p_ij - a_ij
 * </pre>
 * which for plain cross-entropy (w = 1, eps = 0) is the familiar p_ij - [j = y_i]. "mean" divides
 * by the total weight of the counted items, sum_i w_{y_i}.
 */
public final class CrossEntropyByHand {
    private final Tensor weight;
    private final int ignoreIndex;
    private final Reduction reduction;
    private final double labelSmoothing;
    private Tensor coefficients;
    private Tensor probabilities;
    private float normaliser;

    public CrossEntropyByHand(Tensor weight, int ignoreIndex, Reduction reduction, double labelSmoothing) {
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
        this.labelSmoothing = labelSmoothing;
    }

    public CrossEntropyByHand() {
        this(null, -100, Reduction.MEAN, 0.0);
    }

    public Tensor forward(Tensor logits, Tensor target) {
        if (logits.dim() != 2 || target.dim() != 1 || target.size(0) != logits.size(0)) {
            throw new IllegalArgumentException("CrossEntropyByHand: expects logits (N, C) and class indices (N), got "
                    + java.util.Arrays.toString(logits.shape()) + " and " + java.util.Arrays.toString(target.shape()));
        }
        return Autograd.noGrad(() -> {
            int c = logits.size(1);
            Tensor oneHot = target.unsqueeze(1).eq(Tensor.arange(c).reshape(1, c));
            Tensor valid = target.ne(Tensor.scalar(ignoreIndex)).unsqueeze(1);
            Tensor w = weight == null ? Tensor.ones(1, c) : weight.reshape(1, c);
            Tensor wTarget = oneHot.mul(w).sum(1, true); // w_{y_i}, (N, 1)
            double eps = labelSmoothing > 0 ? labelSmoothing : 0;
            Tensor a = oneHot.mul(wTarget).mul((float) (1 - eps));
            if (eps > 0) {
                a = a.add(w.mul((float) (eps / c)));
            }
            a = a.mul(valid);
            normaliser = reduction == Reduction.MEAN ? wTarget.mul(valid).sum().item() : 1f;
            coefficients = a;
            probabilities = logits.softmax(1);
            Tensor perItem = a.mul(logits.logSoftmax(1)).sum(1, false).neg();
            switch (reduction) {
                case NONE:
                    return perItem;
                case SUM:
                    return perItem.sum();
                default:
                    return perItem.sum().div(normaliser);
            }
        });
    }

    /** dL/dz for an upstream gradient (a scalar for mean/sum, (N) for none). */
    public Tensor backward(Tensor gradOut) {
        return Autograd.noGrad(() -> {
            Tensor g = reduction == Reduction.NONE ? gradOut.unsqueeze(1) : gradOut.div(normaliser);
            Tensor rowTotal = coefficients.sum(1, true);
            return rowTotal.mul(probabilities).sub(coefficients).mul(g);
        });
    }
}
