package unboxed.optim;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
 */
public final class SGD extends Optimizer {
    private final float lr;
    private final float momentum;
    private final float dampening;
    private final float weightDecay;
    private final boolean nesterov;
    private final boolean maximize;
    private final Map<Tensor, Tensor> momentumBuffers = new IdentityHashMap<>();

    public SGD(List<Parameter> params, double lr) {
        this(params, lr, 0, 0, 0, false, false);
    }

    public SGD(List<Parameter> params, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov, boolean maximize) {
        super(params);
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("SGD: invalid learning rate: " + lr);
        }
        if (!(momentum >= 0)) {
            throw new IllegalArgumentException("SGD: invalid momentum value: " + momentum);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("SGD: invalid weight_decay value: " + weightDecay);
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            // the offending values are part of the message (PyTorch's text alone does not say which was wrong)
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening"
                    + " (got momentum=" + momentum + ", dampening=" + dampening + ")");
        }
        this.lr = (float) lr;
        this.momentum = (float) momentum;
        this.dampening = (float) dampening;
        this.weightDecay = (float) weightDecay;
        this.nesterov = nesterov;
        this.maximize = maximize;
    }

    @Override
    public void step() {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            for (Parameter param : params) {
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
                    Tensor buf = momentumBuffers.get(p);
                    if (buf == null) {
                        buf = d.copy();
                        momentumBuffers.put(p, buf);
                    } else {
                        buf.mul_(momentum).add_(d.mul(1 - dampening));
                    }
                    d = nesterov ? d.add(buf.mul(momentum)) : buf;
                }
                p.addScaled_(d, -lr);
            }
        }
    }
}
