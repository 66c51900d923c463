package unboxed.optim;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import unboxed.autograd.Autograd;
import unboxed.nn.Parameter;
import unboxed.tensor.Tensor;

/**
 * {@code torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False)},
 * with the same update, in the same order of floating-point operations:
 * <pre>
 *   g = maximize ? -grad : grad
 *   g = g + weight_decay * p
 *   buf = first step ? g : momentum * buf + (1 - dampening) * g
 *   g = nesterov ? g + momentum * buf : buf          (when momentum != 0)
 *   p = p - lr * g
 * </pre>
 * Each option is read from the parameter's {@link ParamGroup} at every step. PyTorch's CPU kernels
 * fuse each {@code a * x + y} into one multiply-add; here the product is rounded first
 * ({@link Tensor#addScaled_}), an ulp per step at most. That stays so, because the pinned results
 * of posts 01 to 03 were computed with it and must reproduce bit for bit.
 *
 * <p>State per parameter ({@code state_dict}): {@code momentum_buffer}, once a step with momentum
 * has run (PyTorch keeps {@code None} until then; here the entry is absent).
 */
public final class SGD extends Optimizer {

    /** {@code SGD(params, lr)}: no momentum, no weight decay. */
    public SGD(List<Parameter> params, double lr) {
        this(params, lr, 0, 0, 0, false, false);
    }

    public SGD(List<Parameter> params, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov, boolean maximize) {
        super("SGD", params, defaults(lr, momentum, dampening, weightDecay, nesterov, maximize));
    }

    /** Param groups, each taking these values for the options it does not set. */
    public SGD(Collection<ParamGroup> groups, double lr) {
        this(groups, lr, 0, 0, 0, false, false);
    }

    public SGD(Collection<ParamGroup> groups, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov, boolean maximize) {
        super("SGD", groups, defaults(lr, momentum, dampening, weightDecay, nesterov, maximize));
    }

    private static Map<String, Object> defaults(double lr, double momentum, double dampening, double weightDecay,
                                                boolean nesterov, boolean maximize) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lr", lr);
        d.put("momentum", momentum);
        d.put("dampening", dampening);
        d.put("weight_decay", weightDecay);
        d.put("nesterov", nesterov);
        d.put("maximize", maximize);
        return d;
    }

    @Override
    protected void checkGroup(Map<String, Object> o, String where) {
        double lr = number(o, "lr", where);
        double momentum = number(o, "momentum", where);
        double dampening = number(o, "dampening", where);
        double weightDecay = number(o, "weight_decay", where);
        boolean nesterov = flag(o, "nesterov", where);
        flag(o, "maximize", where);
        if (!(lr >= 0)) {
            throw new IllegalArgumentException(where + ": Invalid learning rate: " + lr + " (lr must be at least 0)");
        }
        if (!(momentum >= 0)) {
            throw new IllegalArgumentException(where + ": Invalid momentum value: " + momentum
                    + " (momentum must be at least 0)");
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException(where + ": Invalid weight_decay value: " + weightDecay
                    + " (weight_decay must be at least 0)");
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            // the offending values are part of the message (PyTorch's text alone does not say which was wrong)
            throw new IllegalArgumentException(where + ": Nesterov momentum requires a momentum and zero dampening"
                    + " (got momentum=" + momentum + ", dampening=" + dampening + ")");
        }
    }

    /** A parameter's momentum buffer. */
    private record Momentum(Tensor buffer) implements ParamState {
        @Override
        public Map<String, Tensor> toStateDict() {
            return Map.of("momentum_buffer", buffer.copy());
        }
    }

    @Override
    protected ParamState restoreState(Map<String, Tensor> saved, Tensor param, Map<String, Object> options,
                                      String where) {
        onlyKeys(saved, Set.of("momentum_buffer"), where);
        return new Momentum(savedLike(saved, "momentum_buffer", param, where));
    }

    @Override
    public void step() {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            for (ParamGroup group : paramGroups()) {
                // the options as float32 scalars, as the kernels take them (and as before param groups:
                // the same casts, so the same bits)
                float lr = (float) group.getDouble("lr");
                float momentum = (float) group.getDouble("momentum");
                float dampening = (float) group.getDouble("dampening");
                float weightDecay = (float) group.getDouble("weight_decay");
                boolean nesterov = group.getBoolean("nesterov");
                boolean maximize = group.getBoolean("maximize");
                for (Parameter param : group.params()) {
                    Tensor p = param.data();
                    Tensor grad = p.grad();
                    if (grad == null) {
                        continue;
                    }
                    Tensor d = maximize ? grad.neg() : grad;
                    if (weightDecay != 0) {
                        d = d.add(p.mul(weightDecay));
                    }
                    if (momentum != 0) {
                        Momentum state = (Momentum) state(p);
                        Tensor buf;
                        if (state == null) {
                            buf = d.copy();
                            putState(p, new Momentum(buf));
                        } else {
                            buf = state.buffer();
                            buf.mul_(momentum).add_(d.mul(1 - dampening));
                        }
                        d = nesterov ? d.add(buf.mul(momentum)) : buf;
                    }
                    p.addScaled_(d, -lr);
                }
            }
        }
    }
}
