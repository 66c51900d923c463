package unboxed.autogradpost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import unboxed.backend.Storage;
import unboxed.tensor.Tensor;

/**
 * What the recorded graph keeps alive between forward and backward on post 01's MNIST MLP, beside
 * what post 01's hand-derived layers keep for the same step; and that both give the same gradients.
 * Memory is counted in bytes of distinct storages (see {@link RecordedGraph}); the time each takes
 * is a JMH benchmark ({@code GraphBench}), not part of this file.
 */
final class GraphCost {
    static final String[] PARAMETER_NAMES = {"0.weight", "0.bias", "2.weight", "2.bias"};

    private GraphCost() {
    }

    static Map<String, Object> run(long seed) {
        MnistMlpStep step;
        try {
            step = MnistMlpStep.firstBatch(seed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", "post 01's MLP: Linear(784, 256), ReLU, Linear(256, 10); cross_entropy, mean");
        config.put("batch", MnistMlpStep.BATCH);
        config.put("data", "the first " + MnistMlpStep.BATCH + " images of MNIST's training set, in file order");
        config.put("init_seed", seed);
        config.put("bytes", "float32 storages, each counted once however many tensors view it");
        r.put("config", config);

        // the two ways to the same gradients
        Tensor loss = step.recordedLoss();
        RecordedGraph graph = RecordedGraph.of(loss);
        r.put("autograd", graphSummary(graph));
        step.model.zeroGrad();
        loss.backward();
        List<Tensor> auto = List.of(step.first().weight().grad(), step.first().bias().grad(),
                step.second().weight().grad(), step.second().bias().grad());

        MnistMlpStep.ByHand hand = step.new ByHand();
        Tensor handLoss = hand.forward();
        r.put("by_hand", byHandSummary(step, hand));
        List<Tensor> manual = hand.backward();

        Map<String, Object> losses = new LinkedHashMap<>();
        losses.put("autograd", (double) loss.item());
        losses.put("by_hand", (double) handLoss.item());
        r.put("loss", losses);
        List<Map<String, Object>> grads = new ArrayList<>();
        boolean allIdentical = true;
        for (int i = 0; i < auto.size(); i++) {
            float[] a = auto.get(i).toArray();
            float[] m = manual.get(i).toArray();
            double max = 0;
            int differing = 0;
            for (int j = 0; j < a.length; j++) {
                double d = Math.abs((double) a[j] - m[j]);
                max = Math.max(max, d);
                differing += Float.floatToIntBits(a[j]) != Float.floatToIntBits(m[j]) ? 1 : 0;
            }
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("parameter", PARAMETER_NAMES[i]);
            g.put("elements", a.length);
            g.put("max_abs_difference", max);
            g.put("elements_differing_in_any_bit", differing);
            grads.add(g);
            allIdentical &= differing == 0;
        }
        r.put("gradients", grads);
        r.put("gradients_bit_identical", allIdentical);
        return r;
    }

    static Map<String, Object> graphSummary(RecordedGraph g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nodes", g.nodes.size());
        m.put("edges", g.edges);
        m.put("leaves", g.leaves.size());
        m.put("node_names", g.nodeCounts());
        m.put("saved_tensor_references", g.savedTensors);
        m.put("saved_storages", byKind(g::storages));
        m.put("saved_bytes", byKindBytes(g::bytes));
        return m;
    }

    /** What the hand-derived layers hold after forward: tensors they keep for their backward. */
    static Map<String, Object> byHandSummary(MnistMlpStep step, MnistMlpStep.ByHand hand) {
        Set<Storage> parameters = Collections.newSetFromMap(new IdentityHashMap<>());
        step.model.parameters().forEach(p -> parameters.add(p.data().storage()));
        Set<Storage> batch = Collections.newSetFromMap(new IdentityHashMap<>());
        batch.add(step.images.storage());
        batch.add(step.labels.storage());
        Map<Storage, String> kinds = new IdentityHashMap<>();
        Map<String, Object> perLayer = new LinkedHashMap<>();
        String[] names = {"LinearByHand 784->256", "ReLUByHand", "LinearByHand 256->10", "CrossEntropyByHand"};
        int i = 0;
        int refs = 0;
        for (Object layer : hand.layers()) {
            long layerBytes = 0;
            List<Tensor> held = RecordedGraph.tensorsHeldBy(fieldsOf(layer));
            refs += held.size();
            Set<Storage> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Tensor t : held) {
                Storage s = t.storage();
                String kind = parameters.contains(s) ? "parameter" : batch.contains(s) ? "batch" : "intermediate";
                kinds.put(s, kind);
                if (kind.equals("intermediate") && seen.add(s)) {
                    layerBytes += 4L * s.size();
                }
            }
            perLayer.put(names[i++], layerBytes);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kept_tensor_references", refs);
        m.put("kept_storages", byKind(k -> kinds.values().stream().filter(k::equals).count()));
        m.put("kept_bytes", byKindBytes(k -> {
            long sum = 0;
            for (Map.Entry<Storage, String> e : kinds.entrySet()) {
                if (k == null || e.getValue().equals(k)) {
                    sum += 4L * e.getKey().size();
                }
            }
            return sum;
        }));
        m.put("intermediate_bytes_by_layer", perLayer);
        return m;
    }

    /** The values of an object's instance fields (the layer's state), as a list to collect tensors from. */
    private static List<Object> fieldsOf(Object o) {
        List<Object> values = new ArrayList<>();
        for (java.lang.reflect.Field f : o.getClass().getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                continue;
            }
            try {
                f.setAccessible(true);
                values.add(f.get(o));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("GraphCost: cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        return values;
    }

    private static Map<String, Object> byKind(java.util.function.Function<String, Long> f) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : new String[] {"parameter", "batch", "intermediate"}) {
            m.put(k, f.apply(k));
        }
        return m;
    }

    private static Map<String, Object> byKindBytes(java.util.function.Function<String, Long> f) {
        Map<String, Object> m = byKind(f);
        m.put("total", f.apply(null));
        return m;
    }
}
