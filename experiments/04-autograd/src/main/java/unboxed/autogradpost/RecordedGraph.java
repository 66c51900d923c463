package unboxed.autogradpost;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import unboxed.autograd.Node;
import unboxed.backend.Storage;
import unboxed.tensor.Tensor;

/**
 * The graph autograd recorded behind one value, taken apart: its nodes, its edges, the leaves it
 * ends in, and every tensor the backward rules keep alive until backward runs.
 *
 * <p>A node keeps tensors in two places: the list it checks for in-place changes (the version
 * counter's "saved tensors") and the variables its backward rule captured when the op ran (a Java
 * closure). Both are read here by reflection, the way a debugger would look at them: the engine
 * has no reason to expose them, and this post wants the whole truth of what the graph holds, not
 * only what the version check covers.
 *
 * <p>Memory is counted per storage, not per tensor: a view and its base share one storage and
 * cost it once. Each storage is put in one of three kinds: a <em>parameter</em>'s (the storage of a
 * leaf that requires grad, also when a node saved a view of it), the <em>batch</em> (values no op
 * recorded produced, such as the input images and labels), or an <em>intermediate</em> (a value
 * a recorded op produced). Parameters and the batch exist whether or not a
 * graph is recorded; intermediates are what the graph alone keeps alive.
 */
final class RecordedGraph {
    /** One node: its PyTorch name, the indices of the nodes it takes gradients from, and what it saves. */
    record NodeInfo(int id, String name, int[] shape, List<Integer> inputNodes, List<Integer> inputLeaves,
                    List<int[]> savedShapes) {
    }

    /** A leaf the graph ends in. */
    record LeafInfo(int id, String label, int[] shape) {
    }

    final List<NodeInfo> nodes = new ArrayList<>();
    final List<LeafInfo> leaves = new ArrayList<>();
    /** Every storage a backward rule keeps alive, with its size in bytes and its kind. */
    final Map<Storage, String> savedKinds = new IdentityHashMap<>();
    final Map<Storage, Long> savedBytes = new IdentityHashMap<>();
    int edges;
    int savedTensors;

    private final Map<Node<Tensor>, Integer> nodeIds = new IdentityHashMap<>();
    private final Map<Tensor, Integer> leafIds = new IdentityHashMap<>();

    private final Map<Tensor, String> leafNames;

    private RecordedGraph(Map<Tensor, String> leafNames) {
        this.leafNames = leafNames;
    }

    /** Walks everything reachable from {@code root} before backward runs. */
    static RecordedGraph of(Tensor root) {
        return of(root, Map.of());
    }

    /** As above, naming the leaves found in {@code leafNames} (by identity), such as parameters. */
    static RecordedGraph of(Tensor root, Map<Tensor, String> leafNames) {
        Map<Tensor, String> names = new IdentityHashMap<>();
        leafNames.forEach(names::put);
        RecordedGraph g = new RecordedGraph(names);
        if (root.gradFn() == null) {
            throw new IllegalArgumentException("RecordedGraph: " + root.describe() + " has no grad_fn: nothing was"
                    + " recorded (is a parameter missing requiresGrad(true), or did this run under noGrad?)");
        }
        g.visit(root);
        // a storage that a parameter (a leaf that requires grad) lives in is the parameter's, even
        // when what a node saved is a view of it (the transposed weight a product saves)
        Set<Storage> parameters = Collections.newSetFromMap(new IdentityHashMap<>());
        g.leafIds.keySet().forEach(l -> parameters.add(l.storage()));
        g.savedKinds.replaceAll((st, kind) -> parameters.contains(st) ? "parameter" : kind);
        return g;
    }

    private int visit(Tensor t) {
        // iterative post-order over the nodes, so a 64-layer graph does not need a deep stack
        List<Object[]> stack = new ArrayList<>();
        stack.add(new Object[] {t, 0});
        Set<Node<Tensor>> onStack = Collections.newSetFromMap(new IdentityHashMap<>());
        onStack.add(t.gradFn());
        while (!stack.isEmpty()) {
            Object[] top = stack.get(stack.size() - 1);
            Tensor value = (Tensor) top[0];
            Node<Tensor> node = value.gradFn();
            int next = (Integer) top[1];
            List<Tensor> inputs = node.inputs();
            if (next < inputs.size()) {
                top[1] = next + 1;
                Tensor in = inputs.get(next);
                if (in != null && in.gradFn() != null && !nodeIds.containsKey(in.gradFn()) && onStack.add(in.gradFn())) {
                    stack.add(new Object[] {in, 0});
                }
                continue;
            }
            stack.remove(stack.size() - 1);
            List<Integer> inNodes = new ArrayList<>();
            List<Integer> inLeaves = new ArrayList<>();
            for (Tensor in : inputs) {
                if (in == null || !in.requiresGrad()) {
                    continue;   // a constant: no edge, no gradient
                }
                edges++;
                if (in.gradFn() != null) {
                    inNodes.add(nodeIds.get(in.gradFn()));
                } else {
                    inLeaves.add(leafIds.computeIfAbsent(in, l -> {
                        leaves.add(new LeafInfo(leaves.size(), leafNames.getOrDefault(l, "leaf " + leaves.size()), l.shape()));
                        return leaves.size() - 1;
                    }));
                }
            }
            List<Tensor> saved = savedBy(node);
            for (Tensor s : saved) {
                Storage st = s.storage();
                savedBytes.putIfAbsent(st, 4L * st.size());
                savedKinds.merge(st, s.gradFn() != null ? "intermediate" : "batch", RecordedGraph::moreSpecific);
            }
            savedTensors += saved.size();
            List<int[]> shapes = new ArrayList<>();
            for (Tensor s : saved) {
                shapes.add(s.shape());
            }
            int id = nodes.size();
            nodes.add(new NodeInfo(id, node.name(), value.shape(), inNodes, inLeaves, shapes));
            nodeIds.put(node, id);
        }
        return nodeIds.get(t.gradFn());
    }

    /** A storage some op produced a view of is an intermediate, even if a constant also views it. */
    private static String moreSpecific(String a, String b) {
        return a.equals("intermediate") ? a : b;
    }

    /** Bytes of the distinct storages of one kind (null: all kinds). */
    long bytes(String kind) {
        long sum = 0;
        for (Map.Entry<Storage, Long> e : savedBytes.entrySet()) {
            if (kind == null || savedKinds.get(e.getKey()).equals(kind)) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    /** Distinct storages of one kind. */
    long storages(String kind) {
        return savedKinds.values().stream().filter(k -> k.equals(kind)).count();
    }

    /** How many nodes carry each name, in order of first appearance. */
    Map<String, Integer> nodeCounts() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (NodeInfo n : nodes) {
            m.merge(n.name(), 1, Integer::sum);
        }
        return m;
    }

    // ------------------------------------------------------------------ what a node keeps

    /** The distinct tensors a node keeps: its version-checked list and its backward rule's captures. */
    static List<Tensor> savedBy(Node<Tensor> node) {
        Set<Tensor> found = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Tensor> out = new ArrayList<>();
        collect(read(node, "saved"), found, out, 0);
        collect(read(node, "backward"), found, out, 0);
        return out;
    }

    /** Tensors held by an object: itself, its elements, or (for a closure) its captured fields. */
    static List<Tensor> tensorsHeldBy(Object o) {
        Set<Tensor> found = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Tensor> out = new ArrayList<>();
        collect(o, found, out, 0);
        return out;
    }

    private static void collect(Object o, Set<Tensor> found, List<Tensor> out, int depth) {
        if (o == null || depth > 3) {
            return;
        }
        if (o instanceof Tensor t) {
            if (found.add(t)) {
                out.add(t);
            }
        } else if (o instanceof Tensor[] arr) {
            for (Tensor t : arr) {
                collect(t, found, out, depth + 1);
            }
        } else if (o instanceof Collection<?> c) {
            for (Object e : c) {
                collect(e, found, out, depth + 1);
            }
        } else if (o instanceof Node<?>) {
            return;   // another node's tensors are counted with that node
        } else if (o.getClass().isSynthetic() || o.getClass().getName().contains("$$Lambda")
                || o.getClass().getName().startsWith("unboxed.")) {
            // a backward rule's closure (or a small engine object it captured): read its fields
            for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                        continue;
                    }
                    try {
                        f.setAccessible(true);
                        collect(f.get(o), found, out, depth + 1);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // a field we may not read holds no tensor of interest (JDK internals)
                    }
                }
            }
        }
    }

    private static Object read(Object o, String field) {
        try {
            Field f = o.getClass().getDeclaredField(field);
            f.setAccessible(true);
            return f.get(o);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("RecordedGraph: the engine's Node has no field '" + field
                    + "' any more; update RecordedGraph to the engine's current layout", e);
        }
    }
}
