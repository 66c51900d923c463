package unboxed.optim;

import java.util.List;
import unboxed.nn.Parameter;

/** Updates parameters from their gradients; {@link #step()} runs without recording a graph. */
public abstract class Optimizer {
    protected final List<Parameter> params;

    protected Optimizer(List<Parameter> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        this.params = List.copyOf(params);
    }

    public abstract void step();

    /** Sets every gradient to null, like {@code zero_grad(set_to_none=True)}. */
    public void zeroGrad() {
        for (Parameter p : params) {
            p.data().setGrad(null);
        }
    }
}
