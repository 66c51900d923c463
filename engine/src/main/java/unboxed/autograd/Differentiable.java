package unboxed.autograd;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What the graph engine needs of a value, and nothing more: {@code Tensor} implements it. The
 * engine (this package) therefore knows nothing of tensors, storage or backends, which keeps the
 * dependencies one-way: backend &lt;- tensor -&gt; autograd, never back.
 *
 * @param <T> the value type itself (a tensor), so gradients have the same type as the values
 */
public interface Differentiable<T extends Differentiable<T>> {
    /** The node that produced this value, or null for a leaf. */
    Node<T> gradFn();

    /** Whether gradients flow to (or through) this value. */
    boolean requiresGrad();

    /** Leaves are values the user created, not produced by a recorded op. */
    default boolean isLeaf() {
        return gradFn() == null;
    }

    /** Whether a non-leaf keeps its gradient after backward, like {@code retain_grad()}. */
    boolean retainsGrad();

    /** How many in-place writes the value's memory has seen (shared by every view of it). */
    int version();

    /** A short description for error messages, such as {@code [FloatTensor [3, 4]]}. */
    String describe();

    /** Number of elements (an implicit gradient exists only for a single one). */
    int numel();

    /** Whether {@code other} has this value's shape. */
    boolean sameShape(T other);

    /** The elementwise sum, recorded when gradients are themselves being differentiated. */
    T add(T other);

    /** A value of ones with this value's shape: the implicit gradient of a scalar. */
    T onesLike();

    /** Whether the two share memory (then neither may be kept as the other's gradient). */
    boolean sharesMemoryWith(T other);

    /** Whether this value spans all of its memory, contiguous from the start (so it can be kept as is). */
    boolean ownsAllOfItsMemory();

    /**
     * Adds {@code g} into this value's {@code .grad}. {@code mayKeep}: nothing else references g's
     * memory, so it may become the gradient without a copy. {@code createGraph}: the sum must be
     * recorded (out of place), because the gradient will itself be differentiated.
     */
    void accumulateGrad(T g, boolean mayKeep, boolean createGraph);

    /** Called when a recorded op takes this value as an input. */
    default void noteConsumed() {
    }

    /** Functions called with this value's gradient when it is computed; a non-null result replaces it. */
    List<UnaryOperator<T>> gradHooks();

    /**
     * The engine is done with this value, a gradient it consumed that nothing else references: its
     * memory may be handed out again (see {@code Backend.recycle}). The default keeps it.
     */
    default void recycle() {
    }
}
