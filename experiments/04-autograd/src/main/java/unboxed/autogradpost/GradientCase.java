package unboxed.autogradpost;

import java.util.List;
import java.util.stream.Collectors;
import unboxed.tensor.Op;
import unboxed.tensor.Tensor;

/**
 * One gradient-check case: an op, the function that applies it (with its arguments), and the
 * inputs it differentiates with respect to, each with its shape, layout and values.
 *
 * @param op     the op of the registry the case exercises (its node must appear in the recorded graph)
 * @param args   the arguments in words, PyTorch's names: {@code "dim=1 keepdim=true"}
 * @param inputs the differentiated inputs, in the order {@code f} receives them
 * @param f      the function checked; constants (masks, indices) live inside it
 * @param seed   the seed of the random upstream gradient
 */
record GradientCase(Op op, String args, List<CheckedInput> inputs, Fn f, long seed) {

    /** The function under test, from the leaves (one per input) to the output. */
    @FunctionalInterface
    interface Fn {
        Tensor apply(Tensor[] in);
    }

    /** The case in one line: op, arguments, and every input's shape and layout. */
    String describe() {
        String in = inputs.stream().map(CheckedInput::describe).collect(Collectors.joining(", "));
        return op.torchName() + (args.isEmpty() ? "" : " " + args) + "; " + in;
    }

    @Override
    public String toString() {
        return describe();
    }
}
