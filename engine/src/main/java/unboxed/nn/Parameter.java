package unboxed.nn;

import unboxed.autograd.Autograd;
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

    /**
     * What {@code zero_grad(set_to_none)} does to one tensor: null, or its gradient filled with
     * zeros in place (the same tensor object, as PyTorch keeps it). A gradient that is itself part of
     * a graph (after {@code backward(create_graph=True)}) is first cut from it, as PyTorch's
     * {@code detach_()} does; its memory may be another graph value's, so it gets zeros of its own.
     */
    public static void zeroGrad(Tensor t, boolean setToNone) {
        Tensor g = t.grad();
        if (g == null) {
            return;
        }
        if (setToNone) {
            t.setGrad(null);
        } else if (g.requiresGrad()) {
            t.setGrad(g.zerosLike());
        } else {
            try (Autograd.GradMode ignored = Autograd.noGrad()) {
                g.zero_();
            }
        }
    }

    @Override
    public String toString() {
        return "Parameter(" + name + ", shape=" + java.util.Arrays.toString(data.shape()) + ")";
    }
}
