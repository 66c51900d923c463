package unboxed.nn;

import unboxed.tensor.Tensor;

/**
 * A named learnable tensor of a module: a leaf that requires a gradient. Optimizers update
 * {@link #data()} in place, so the tensor a module computes with is always the current one.
 */
public final class Parameter {
    private final String name;
    private final Tensor data;

    public Parameter(String name, Tensor data) {
        if (!data.isLeaf()) {
            throw new IllegalArgumentException("parameter '" + name + "' must be a leaf tensor; pass t.detach()");
        }
        this.name = name;
        this.data = data.requiresGrad(true);
    }

    public String name() {
        return name;
    }

    public Tensor data() {
        return data;
    }

    public Tensor grad() {
        return data.grad();
    }

    @Override
    public String toString() {
        return "Parameter(" + name + ", shape=" + java.util.Arrays.toString(data.shape()) + ")";
    }
}
