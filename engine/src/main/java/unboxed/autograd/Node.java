package unboxed.autograd;

import unboxed.tensor.Tensor;

/**
 * One recorded operation in the graph: which tensors went in, and how to turn the gradient of
 * the output into gradients of the inputs (the "local backward rule").
 */
public final class Node {
    /** Turns d(loss)/d(output) into d(loss)/d(input_i) for each input (null where not needed). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String name;
    private final Tensor[] inputs;
    private Backward backward;

    Node(String name, Tensor[] inputs, Backward backward) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** PyTorch-style name of the op that recorded this node, such as {@code MulBackward}. */
    public String name() {
        return name;
    }

    Tensor[] inputs() {
        return inputs;
    }

    Tensor[] apply(Tensor gradOutput) {
        if (backward == null) {
            throw new IllegalStateException("Trying to backward through the graph a second time (" + name
                    + "): the saved tensors were freed after the first backward; call backward(gradient, true) (retain_graph=True)"
                    + " the first time to keep them");
        }
        return backward.apply(gradOutput);
    }

    /** Frees the closure (and the tensors it saved), like PyTorch does after backward without retain_graph. */
    void release() {
        backward = null;
    }
}
