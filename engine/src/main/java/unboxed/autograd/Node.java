package unboxed.autograd;

import java.util.List;

/**
 * One recorded operation in the graph: which values went in, which it saved for backward (and at
 * which version), and how to turn the gradient of its output into gradients of its inputs (the
 * "local backward rule").
 */
public final class Node<T extends Differentiable<T>> {
    /**
     * Turns d(loss)/d(output) into d(loss)/d(input_i) for each input (null where not needed). Each
     * result must be a new value or a view of {@code gradOutput}, never a value kept elsewhere:
     * autograd takes over the memory of what a rule returns (a leaf may keep it as its
     * {@code .grad}; once consumed, a gradient nothing else sees is recycled, and its storage closed).
     */
    @FunctionalInterface
    public interface Backward<T> {
        T[] apply(T gradOutput);
    }

    private final String name;
    private List<T> inputs;
    private List<T> saved;
    private int[] savedVersions;
    private Backward<T> backward;

    Node(String name, List<T> inputs, List<T> saved, Backward<T> backward) {
        this.name = name;
        this.inputs = inputs;
        this.saved = saved;
        this.savedVersions = new int[saved.size()];
        for (int i = 0; i < saved.size(); i++) {
            savedVersions[i] = saved.get(i).version();
        }
        this.backward = backward;
    }

    /** PyTorch's name for the op that recorded this node, such as {@code MulBackward0}. */
    public String name() {
        return name;
    }

    /** The inputs (the graph's edges); empty once the node was released. */
    public List<T> inputs() {
        return inputs;
    }

    boolean released() {
        return backward == null;
    }

    T[] apply(T gradOutput) {
        if (backward == null) {
            throw new IllegalStateException("Trying to backward through the graph a second time (" + name
                    + "): the saved tensors were freed after the first backward; call backward(gradient, true)"
                    + " (retain_graph=True) the first time to keep them");
        }
        for (int i = 0; i < saved.size(); i++) {
            T s = saved.get(i);
            if (s.version() != savedVersions[i]) {
                Node<T> producer = s.gradFn();
                throw new IllegalStateException("one of the variables needed for gradient computation has been"
                        + " modified by an inplace operation: " + s.describe()
                        + (producer == null ? "" : ", which is output 0 of " + producer.name())
                        + ", is at version " + s.version() + "; expected version " + savedVersions[i]
                        + " instead (needed by " + name + "). Hint: compute the in-place change on a clone(),"
                        + " or after backward");
            }
        }
        return backward.apply(gradOutput);
    }

    /**
     * Frees the rule, the saved values and the edges, as PyTorch does after backward without
     * retain_graph: the memory of every intermediate can then be reclaimed.
     */
    void release() {
        backward = null;
        saved = List.of();
        savedVersions = new int[0];
        inputs = List.of();
    }

    @Override
    public String toString() {
        return "<" + name + ">";
    }
}
