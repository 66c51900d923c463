package unboxed.basics.byhand;

import unboxed.autograd.Autograd;
import unboxed.tensor.Tensor;

/**
 * y = max(x, 0). dL/dx = dL/dy where x &gt; 0, else 0: the kink at 0 gets derivative 0, PyTorch's
 * choice (any value in [0, 1] is a valid subgradient there).
 */
public final class ReLUByHand {
    private Tensor mask;

    public Tensor forward(Tensor x) {
        return Autograd.noGrad(() -> {
            mask = x.gt(Tensor.zeros(x.backend()));
            return x.relu();
        });
    }

    public Tensor backward(Tensor gradOut) {
        return Autograd.noGrad(() -> gradOut.mul(mask));
    }
}
