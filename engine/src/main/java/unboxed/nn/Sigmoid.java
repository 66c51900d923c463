package unboxed.nn;

import unboxed.tensor.Tensor;

/** {@code nn.Sigmoid()}: 1 / (1 + exp(−x)) elementwise. */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.sigmoid();
    }
}
