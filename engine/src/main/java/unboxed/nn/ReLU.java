package unboxed.nn;

import unboxed.tensor.Tensor;

/** {@code nn.ReLU()}: max(x, 0) elementwise. */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.relu();
    }
}
