package unboxed.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/**
 * Reverse-mode differentiation on the recorded graph.
 *
 * <p>Every differentiable op in {@link Ops} calls {@link #record} with its inputs and its local
 * backward rule. {@link #backward} then does what {@code loss.backward()} does in PyTorch: sort the
 * graph topologically from the output, walk it in reverse, hand each node the gradient of its
 * output, and accumulate what comes out into the inputs. Leaves that require a gradient sum it into
 * {@code .grad} (so two backward passes add up, as in PyTorch, until the optimizer zeroes them).
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
    public static AutoCloseable noGrad() {
        int[] depth = NO_GRAD_DEPTH.get();
        depth[0]++;
        return new NoGrad(depth);
    }

    private static final class NoGrad implements AutoCloseable {
        private final int[] depth;
        private boolean closed;

        NoGrad(int[] depth) {
            this.depth = depth;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                depth[0]--;
            }
        }
    }

    /** Runs {@code body} with gradient recording off. */
    public static <T> T noGrad(java.util.function.Supplier<T> body) {
        int[] depth = NO_GRAD_DEPTH.get();
        depth[0]++;
        try {
            return body.get();
        } finally {
            depth[0]--;
        }
    }

    /**
     * Attaches a backward rule to {@code out} when recording is on and some input requires a
     * gradient; otherwise leaves {@code out} a plain tensor. Returns {@code out}.
     */
    public static Tensor record(String name, Tensor out, Node.Backward backward, Tensor... inputs) {
        if (!isEnabled()) {
            return out;
        }
        boolean any = false;
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                any = true;
                break;
            }
        }
        if (any) {
            out.setGradFn(new Node(name, inputs, backward));
        }
        return out;
    }

    /** See {@link Tensor#backward(Tensor, boolean)}. */
    public static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward(): element 0 of tensors does not require grad and does not have"
                    + " a grad_fn (did you forget requiresGrad(true) on a parameter, or run under noGrad?)");
        }
        if (gradient == null) {
            if (root.numel() != 1) {
                throw new IllegalStateException("backward(): grad can be implicitly created only for scalar outputs;"
                        + " this output has shape " + Shape.str(root.shape()) + ", pass a gradient of that shape");
            }
            gradient = Tensor.full(1f, root.shape()).to(root.backend());
        } else if (!Arrays.equals(gradient.shape(), root.shape())) {
            throw new IllegalArgumentException("backward(): gradient of shape " + Shape.str(gradient.shape())
                    + " does not match the output's shape " + Shape.str(root.shape()));
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, gradient);
        // gradients whose memory nothing else references (see owned()); a leaf may keep one as its
        // .grad without a copy, which saves a full pass over every weight matrix per step
        Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        try (AutoCloseable ignored = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                boolean gOwned = owned.remove(g);
                if (t.isLeaf() || t.retainsGrad()) {
                    accumulate(t, g, gOwned && t.isLeaf());
                }
                Node node = t.gradFn();
                if (node == null) {
                    continue;
                }
                Tensor[] inputs = node.inputs();
                Tensor[] inputGrads = node.apply(g);
                if (!retainGraph) {
                    node.release();
                }
                for (int j = 0; j < inputs.length; j++) {
                    Tensor in = inputs[j];
                    if (in == null || !in.requiresGrad() || inputGrads[j] == null) {
                        continue;
                    }
                    Tensor gi = inputGrads[j];
                    if (!Arrays.equals(gi.shape(), in.shape())) {
                        throw new IllegalStateException("autograd: " + node.name() + " returned a gradient of shape "
                                + Shape.str(gi.shape()) + " for input " + j + " of shape " + Shape.str(in.shape()));
                    }
                    Tensor prev = grads.get(in);
                    if (prev == null) {
                        grads.put(in, gi);
                        if (owned(gi, g, gOwned, inputGrads, j)) {
                            owned.add(gi);
                        }
                    } else {
                        owned.remove(prev);
                        Tensor sum = Ops.add(prev, gi);
                        grads.put(in, sum);
                        owned.add(sum);
                    }
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the gradient a backward rule returned for input j has memory of its own: it does not
     * share storage with another gradient the rule returned (AddBackward hands the same tensor to
     * both inputs), and it is either new memory or a view of an incoming gradient that was itself
     * owned. Backward rules only ever return new tensors or views of the incoming gradient (see Ops).
     */
    private static boolean owned(Tensor gi, Tensor incoming, boolean incomingOwned, Tensor[] all, int j) {
        if (gi.storage() == incoming.storage() && !incomingOwned) {
            return false;
        }
        for (int k = 0; k < all.length; k++) {
            if (k != j && all[k] != null && all[k].storage() == gi.storage()) {
                return false;
            }
        }
        return true;
    }

    private static void accumulate(Tensor t, Tensor g, boolean owned) {
        Tensor prev = t.grad();
        if (prev == null && owned && g.isContiguous() && g.offset() == 0 && g.storage().size() == g.numel()) {
            t.setGrad(g);
            return;
        }
        if (prev == null) {
            // own the memory: the incoming gradient may be a view of something else, or shared
            Tensor own = g.zerosLike();
            own.backend().copy(g, own);
            t.setGrad(own);
        } else {
            prev.backend().binary(unboxed.backend.BinaryOp.ADD, prev, g, prev);
        }
    }

    /** Depth-first post-order from the root: every node appears after all of its inputs. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        // iterative, so deep graphs (long unrolled loops) do not overflow the stack
        List<Object[]> stack = new ArrayList<>();
        stack.add(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.get(stack.size() - 1);
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Node node = t.gradFn();
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs();
            if (next < inputs.length) {
                top[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && seen.add(in)) {
                    stack.add(new Object[] {in, 0});
                }
            } else {
                stack.remove(stack.size() - 1);
                order.add(t);
            }
        }
        return order;
    }
}
