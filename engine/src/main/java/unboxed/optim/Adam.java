package unboxed.optim;

import java.util.Collection;
import java.util.List;
import unboxed.nn.Parameter;

/**
 * {@code torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, maximize=False)}:
 * Kingma and Ba's Adam with PyTorch's bias corrections, L2 weight decay added to the gradient,
 * AMSGrad's running maximum of the second moment, and {@code maximize}. The update and its order
 * of float32 operations are PyTorch 1.13's, written out in {@link AdamUpdate}; on the CPU backend
 * a step gives PyTorch's bits.
 *
 * <p>Options per {@link ParamGroup}: {@code lr}, {@code betas} (two numbers), {@code eps},
 * {@code weight_decay}, {@code amsgrad}, {@code maximize}. State per parameter ({@code state_dict}):
 * {@code step} (a 0-dim float32 tensor), {@code exp_avg}, {@code exp_avg_sq}, and with amsgrad
 * {@code max_exp_avg_sq}. PyTorch's {@code foreach}, {@code capturable}, {@code differentiable} and
 * {@code fused} choose other implementations of the same update and are not options here.
 */
public final class Adam extends AdamBase {

    /** {@code Adam(params)}: every option at PyTorch's default. */
    public Adam(List<Parameter> params) {
        this(params, 1e-3);
    }

    public Adam(List<Parameter> params, double lr) {
        this(params, lr, new double[] {0.9, 0.999}, 1e-8, 0, false, false);
    }

    /** @param betas (beta1, beta2), the decay rates of the first and second moment averages */
    public Adam(List<Parameter> params, double lr, double[] betas, double eps, double weightDecay, boolean amsgrad,
                boolean maximize) {
        this(params, lr, betas, eps, weightDecay, amsgrad, maximize, AdamDeparture.NONE);
    }

    /** Param groups, each taking these values for the options it does not set. */
    public Adam(Collection<ParamGroup> groups, double lr) {
        this(groups, lr, new double[] {0.9, 0.999}, 1e-8, 0, false, false);
    }

    public Adam(Collection<ParamGroup> groups, double lr, double[] betas, double eps, double weightDecay,
                boolean amsgrad, boolean maximize) {
        super("Adam", groups, AdamUpdate.defaults(lr, betas, eps, weightDecay, amsgrad, maximize), false);
    }

    /**
     * Adam with one of the near misses of {@link AdamDeparture}, for experiments and the tests that
     * tell them apart ({@link AdamDeparture#NONE}: the same update as the other constructors).
     */
    public Adam(List<Parameter> params, double lr, double[] betas, double eps, double weightDecay, boolean amsgrad,
                boolean maximize, AdamDeparture departure) {
        super("Adam", params, AdamUpdate.defaults(lr, betas, eps, weightDecay, amsgrad, maximize), false, departure);
    }
}
