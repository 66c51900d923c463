package unboxed.basics.byhand;

import unboxed.autograd.Autograd;
import unboxed.tensor.Tensor;

/**
 * Stochastic gradient descent on one parameter tensor, written out step by step as
 * torch.optim.SGD documents it:
 * <pre>
 *   g   = maximize ? -grad : grad
 *   g   = g + weight_decay * p                       (L2 penalty folded into the gradient)
 *   buf = first step ? g : momentum * buf + (1 - dampening) * g
 *   g   = nesterov ? g + momentum * buf : buf        (only when momentum != 0)
 *   p   = p - lr * g
 * </pre>
 * Returns the new parameter rather than updating in place, which keeps each step easy to test.
 */
public final class SGDByHand {
    private final float lr;
    private final float momentum;
    private final float dampening;
    private final float weightDecay;
    private final boolean nesterov;
    private final boolean maximize;
    private Tensor buffer;

    public SGDByHand(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                     boolean maximize) {
        this.lr = (float) lr;
        this.momentum = (float) momentum;
        this.dampening = (float) dampening;
        this.weightDecay = (float) weightDecay;
        this.nesterov = nesterov;
        this.maximize = maximize;
    }

    public Tensor step(Tensor param, Tensor grad) {
        return Autograd.noGrad(() -> {
            Tensor g = maximize ? grad.neg() : grad;
            if (weightDecay != 0) {
                g = g.add(param.mul(weightDecay));
            }
            if (momentum != 0) {
                buffer = buffer == null ? g : buffer.mul(momentum).add(g.mul(1 - dampening));
                g = nesterov ? g.add(buffer.mul(momentum)) : buffer;
            }
            return param.sub(g.mul(lr));
        });
    }
}
