package unboxed.nn;

import unboxed.tensor.Tensor;

/** {@code nn.Tanh()}: tanh(x) elementwise. */
public final class Tanh extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.tanh();
    }
}
