package unboxed.optim;

import java.util.Collection;
import java.util.List;
import unboxed.nn.Parameter;

/**
 * {@code torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *, maximize=False)}:
 * Adam with Loshchilov and Hutter's decoupled weight decay. Before the moments are updated, the
 * parameter shrinks, {@code p *= 1 - lr * weight_decay}, instead of {@code weight_decay * p} being
 * added to the gradient, where Adam's division by sqrt(v) would rescale it. The options, the state
 * and the rest of the update are {@link Adam}'s (see {@link AdamUpdate}); note the default
 * weight_decay of 1e-2.
 */
public final class AdamW extends AdamBase {

    /** {@code AdamW(params)}: every option at PyTorch's default. */
    public AdamW(List<Parameter> params) {
        this(params, 1e-3);
    }

    public AdamW(List<Parameter> params, double lr) {
        this(params, lr, new double[] {0.9, 0.999}, 1e-8, 1e-2, false, false);
    }

    /** @param betas (beta1, beta2), the decay rates of the first and second moment averages */
    public AdamW(List<Parameter> params, double lr, double[] betas, double eps, double weightDecay, boolean amsgrad,
                 boolean maximize) {
        super("AdamW", params, AdamUpdate.defaults(lr, betas, eps, weightDecay, amsgrad, maximize), true,
                AdamDeparture.NONE);
    }

    /** Param groups, each taking these values for the options it does not set. */
    public AdamW(Collection<ParamGroup> groups, double lr) {
        this(groups, lr, new double[] {0.9, 0.999}, 1e-8, 1e-2, false, false);
    }

    public AdamW(Collection<ParamGroup> groups, double lr, double[] betas, double eps, double weightDecay,
                 boolean amsgrad, boolean maximize) {
        super("AdamW", groups, AdamUpdate.defaults(lr, betas, eps, weightDecay, amsgrad, maximize), true);
    }
}
