package unboxed.autogradpost;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.nn.Linear;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * One recorded graph, node by node, for the report's figure: post 01's architecture at toy size
 * (Linear(4, 3), ReLU, Linear(3, 2), cross-entropy on a batch of 5), so every node fits on the
 * page. The nodes are listed in the order backward's topological sort visits them in reverse:
 * every node after the nodes it takes gradients from.
 */
final class GraphPicture {
    private GraphPicture() {
    }

    static Map<String, Object> run(long seed) {
        Rng rng = new Rng(seed).fork("picture");
        Linear l1 = new Linear(4, 3, rng);
        Linear l2 = new Linear(3, 2, rng);
        Sequential model = new Sequential(l1, new ReLU(), l2);
        Tensor x = Tensor.randn(rng, 5, 4);
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0, 1}, 5);
        Map<Tensor, String> names = new IdentityHashMap<>();
        names.put(l1.weight().data(), "0.weight");
        names.put(l1.bias().data(), "0.bias");
        names.put(l2.weight().data(), "2.weight");
        names.put(l2.bias().data(), "2.bias");
        Tensor loss = F.crossEntropy(model.forward(x), y);
        RecordedGraph g = RecordedGraph.of(loss, names);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", "Linear(4, 3), ReLU, Linear(3, 2); cross_entropy, mean; a batch of 5");
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (RecordedGraph.NodeInfo n : g.nodes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", n.id());
            m.put("name", n.name());
            m.put("shape", n.shape());
            m.put("input_nodes", n.inputNodes());
            m.put("input_leaves", n.inputLeaves());
            m.put("saved_shapes", n.savedShapes());
            nodes.add(m);
        }
        List<Map<String, Object>> leaves = new ArrayList<>();
        for (RecordedGraph.LeafInfo l : g.leaves) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", l.id());
            m.put("label", l.label());
            m.put("shape", l.shape());
            leaves.add(m);
        }
        r.put("root", g.nodes.size() - 1);
        r.put("nodes", nodes);
        r.put("leaves", leaves);
        r.put("summary", GraphCost.graphSummary(g));
        return r;
    }
}
