package unboxed.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Reverse-mode differentiation on the recorded graph.
 *
 * <p>Every differentiable op calls {@link #record} with its inputs, the values its backward rule
 * needs, and the rule itself. {@link #backward} then does what {@code loss.backward()} does in
 * PyTorch: sort the graph topologically from the output, walk it in reverse, hand each node the
 * gradient of its output, and sum what comes out into the inputs. Leaves that require a gradient
 * add it to {@code .grad} (so two backward passes add up, as in PyTorch, until the optimizer zeroes
 * them). {@link #grad} returns gradients instead of accumulating them ({@code torch.autograd.grad}).
 *
 * <p>With {@code createGraph} the backward rules run with recording on: the gradients are
 * themselves graph values, and differentiating them gives higher-order derivatives.
 */
public final class Autograd {
    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Autograd() {
    }

    /** Whether ops called now record a graph (false inside {@link #noGrad()}). */
    public static boolean isEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /** Like {@code with torch.no_grad():} — use with try-with-resources. */
    public static GradMode noGrad() {
        int[] depth = NO_GRAD_DEPTH.get();
        int before = depth[0];
        depth[0] = before + 1;
        return new GradMode(depth, before);
    }

    /** Like {@code with torch.enable_grad():} — recording on, even inside {@link #noGrad()}. */
    public static GradMode enableGrad() {
        int[] depth = NO_GRAD_DEPTH.get();
        int before = depth[0];
        depth[0] = 0;
        return new GradMode(depth, before);
    }

    /** Runs {@code body} with gradient recording off. */
    public static <R> R noGrad(Supplier<R> body) {
        try (GradMode ignored = noGrad()) {
            return body.get();
        }
    }

    /** A scope of gradient mode; closing it restores the mode it found. */
    public static final class GradMode implements AutoCloseable {
        private final int[] depth;
        private final int restore;
        private boolean closed;

        GradMode(int[] depth, int restore) {
            this.depth = depth;
            this.restore = restore;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                depth[0] = restore;
            }
        }
    }

    /**
     * Attaches a backward rule to {@code out} when recording is on and some input requires a
     * gradient; otherwise leaves {@code out} a plain value. Saves nothing for the version check:
     * use {@link #record(String, Differentiable, List, Node.Backward, Differentiable[])} for a rule
     * that reads its inputs or output.
     */
    @SafeVarargs
    public static <T extends Differentiable<T>> T record(String name, T out, Node.Backward<T> backward, T... inputs) {
        return record(name, out, List.of(), backward, inputs);
    }

    /**
     * As above, and {@code saved} lists the values the rule reads: modifying one of them in place
     * before backward makes backward fail, as in PyTorch, instead of silently using new values.
     */
    @SafeVarargs
    public static <T extends Differentiable<T>> T record(String name, T out, List<T> saved, Node.Backward<T> backward,
                                                         T... inputs) {
        if (!isEnabled()) {
            return out;
        }
        boolean any = false;
        for (T t : inputs) {
            if (t != null && t.requiresGrad()) {
                any = true;
                break;
            }
        }
        if (any) {
            for (T t : inputs) {
                if (t != null) {
                    t.noteConsumed();
                }
            }
            attach(out, new Node<>(name, Collections.unmodifiableList(Arrays.asList(inputs)), List.copyOf(saved), backward));
        }
        return out;
    }

    /** Implemented by values that can receive a node (the tensor's setter is not public API). */
    public interface Attachable<T extends Differentiable<T>> {
        void attachGradFn(Node<T> node);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Differentiable<T>> void attach(T out, Node<T> node) {
        ((Attachable<T>) out).attachGradFn(node);
    }

    /** {@code root.backward(gradient, retain_graph, create_graph)}. */
    public static <T extends Differentiable<T>> void backward(T root, T gradient, boolean retainGraph, boolean createGraph) {
        run(List.of(root), Arrays.asList(gradient), retainGraph, createGraph, null);
    }

    /**
     * {@code torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)}:
     * the gradients of the outputs with respect to each input, returned instead of accumulated
     * into {@code .grad}. An input the outputs do not depend on gives null when {@code allowUnused},
     * else an error.
     */
    public static <T extends Differentiable<T>> List<T> grad(List<T> outputs, List<T> inputs, List<T> gradOutputs,
                                                             boolean retainGraph, boolean createGraph, boolean allowUnused) {
        Map<T, T> captured = new IdentityHashMap<>();
        for (T in : inputs) {
            if (!in.requiresGrad()) {
                throw new IllegalArgumentException("grad(): one of the inputs, " + in.describe()
                        + ", does not require grad");
            }
            captured.put(in, null);
        }
        run(outputs, gradOutputs == null ? Collections.nCopies(outputs.size(), null) : gradOutputs,
                retainGraph, createGraph, captured);
        List<T> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            T g = captured.get(inputs.get(i));
            if (g == null && !allowUnused) {
                throw new IllegalArgumentException("grad(): input " + i + " " + inputs.get(i).describe()
                        + " was not used in the graph of the outputs; pass allowUnused=true to get null for it");
            }
            out.add(g);
        }
        return out;
    }

    private static <T extends Differentiable<T>> void run(List<T> roots, List<T> rootGrads, boolean retainGraph,
                                                          boolean createGraph, Map<T, T> capture) {
        if (roots.size() != rootGrads.size()) {
            throw new IllegalArgumentException("backward: " + roots.size() + " outputs but " + rootGrads.size()
                    + " gradients");
        }
        Map<T, T> grads = new IdentityHashMap<>();
        for (int i = 0; i < roots.size(); i++) {
            T root = roots.get(i);
            T g = rootGrads.get(i);
            if (!root.requiresGrad()) {
                throw new IllegalStateException("backward(): element " + i + " of tensors does not require grad and"
                        + " does not have a grad_fn (did you forget requiresGrad(true) on a parameter, or run under noGrad?)");
            }
            if (g == null) {
                if (root.numel() != 1) {
                    throw new IllegalStateException("backward(): grad can be implicitly created only for scalar outputs;"
                            + " this output is " + root.describe() + ", pass a gradient of its shape");
                }
                g = root.onesLike();
            } else if (!root.sameShape(g)) {
                throw new IllegalArgumentException("backward(): gradient " + g.describe()
                        + " does not match the output " + root.describe());
            }
            grads.merge(root, g, T::add);
        }
        List<T> order = topologicalOrder(roots);
        // gradients whose memory nothing else references (see owned()); a leaf may keep one as its
        // .grad without a copy, which saves a full pass over every weight matrix per step
        Set<T> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        try (GradMode ignored = createGraph ? enableGrad() : noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                T t = order.get(i);
                T g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                boolean gOwned = owned.remove(g);
                for (UnaryOperator<T> hook : t.gradHooks()) {
                    T replaced = hook.apply(g);
                    if (replaced != null && replaced != g) {
                        if (!t.sameShape(replaced)) {
                            throw new IllegalStateException("hook on " + t.describe() + " returned a gradient "
                                    + replaced.describe() + " of another shape");
                        }
                        g = replaced;
                        gOwned = false;
                    }
                }
                if (capture != null) {
                    if (capture.containsKey(t)) {
                        capture.put(t, g);
                    }
                } else if (t.isLeaf() || t.retainsGrad()) {
                    t.accumulateGrad(g, gOwned && t.isLeaf(), createGraph);
                }
                Node<T> node = t.gradFn();
                if (node == null) {
                    continue;
                }
                List<T> inputs = node.inputs();
                T[] inputGrads = node.apply(g);
                if (!retainGraph) {
                    node.release();
                }
                for (int j = 0; j < inputs.size(); j++) {
                    T in = inputs.get(j);
                    if (in == null || !in.requiresGrad() || inputGrads[j] == null) {
                        continue;
                    }
                    T gi = inputGrads[j];
                    if (!in.sameShape(gi)) {
                        throw new IllegalStateException("autograd: " + node.name() + " returned a gradient "
                                + gi.describe() + " for input " + j + " " + in.describe());
                    }
                    T prev = grads.get(in);
                    if (prev == null) {
                        grads.put(in, gi);
                        if (owned(gi, g, gOwned, inputGrads, j)) {
                            owned.add(gi);
                        }
                    } else {
                        owned.remove(prev);
                        T sum = prev.add(gi);
                        grads.put(in, sum);
                        owned.add(sum);
                    }
                }
                if (gOwned && !createGraph && !t.retainsGrad() && t.gradHooks().isEmpty()
                        && (capture == null || !capture.containsKey(t)) && !returnedIn(g, inputGrads)) {
                    // consumed, and nothing else references its memory: a caching backend hands it
                    // out again (the CPU's skips the JVM's zeroing of a large new array that way)
                    g.recycle();
                }
            }
        }
    }

    /** Whether a backward rule returned {@code g} or a view of its memory. */
    private static <T extends Differentiable<T>> boolean returnedIn(T g, T[] inputGrads) {
        for (T gi : inputGrads) {
            if (gi != null && gi.sharesMemoryWith(g)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the gradient a backward rule returned for input j has memory of its own: it does not
     * share memory with another gradient the rule returned (AddBackward hands the same value to
     * both inputs), and it is either new memory or a view of an incoming gradient that was itself
     * owned. Backward rules only ever return new values or views of the incoming gradient.
     */
    private static <T extends Differentiable<T>> boolean owned(T gi, T incoming, boolean incomingOwned, T[] all, int j) {
        if (gi.sharesMemoryWith(incoming) && !incomingOwned) {
            return false;
        }
        for (int k = 0; k < all.length; k++) {
            if (k != j && all[k] != null && all[k].sharesMemoryWith(gi)) {
                return false;
            }
        }
        return true;
    }

    /** Depth-first post-order from the roots: every value appears after all of its inputs. */
    private static <T extends Differentiable<T>> List<T> topologicalOrder(List<T> roots) {
        List<T> order = new ArrayList<>();
        Set<T> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        // iterative, so deep graphs (long unrolled loops) do not overflow the stack
        List<Object[]> stack = new ArrayList<>();
        for (T root : roots) {
            if (seen.add(root)) {
                stack.add(new Object[] {root, 0});
            }
            while (!stack.isEmpty()) {
                Object[] top = stack.get(stack.size() - 1);
                @SuppressWarnings("unchecked")
                T t = (T) top[0];
                int next = (Integer) top[1];
                Node<T> node = t.gradFn();
                List<T> inputs = node == null ? List.of() : node.inputs();
                if (next < inputs.size()) {
                    top[1] = next + 1;
                    T in = inputs.get(next);
                    if (in != null && in.requiresGrad() && seen.add(in)) {
                        stack.add(new Object[] {in, 0});
                    }
                } else {
                    stack.remove(stack.size() - 1);
                    order.add(t);
                }
            }
        }
        return order;
    }
}
