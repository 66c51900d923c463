package unboxed.autogradpost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.nn.Sequential;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

class RecordedGraphTest {

    @Test
    void countsNodesEdgesLeavesAndWhatTheRulesKeep() {
        Tensor x = Tensor.randn(new Rng(1), 3, 4).requiresGrad(true);
        Tensor y = Tensor.randn(new Rng(2), 3, 4).requiresGrad(true);
        Tensor c = Tensor.randn(new Rng(3), 3, 4);             // a constant: no edge
        Tensor z = x.mul(y).add(x).mul(c).sum();
        RecordedGraph g = RecordedGraph.of(z, Map.of(x, "x", y, "y"));
        // mul(x, y), add(., x), mul(., c), sum: four nodes; edges x, y, mul, x, add, mul
        assertEquals(4, g.nodes.size());
        assertEquals(6, g.edges);
        assertEquals(2, g.leaves.size());
        assertEquals(List.of("MulBackward0", "AddBackward0", "MulBackward0", "SumBackward0"),
                g.nodes.stream().map(RecordedGraph.NodeInfo::name).toList());
        // x*y keeps x and y (parameters); (..)*c keeps c (a constant, "batch") and x*y+x (an intermediate)
        assertEquals(2, g.storages("parameter"));
        assertEquals(1, g.storages("batch"));
        assertEquals(1, g.storages("intermediate"));
        assertEquals(4 * 12, g.bytes("intermediate"));
        assertEquals(4 * 12 * 4, g.bytes(null));
    }

    @Test
    void aViewOfAParameterCountsAsTheParametersStorage() {
        Tensor w = Tensor.randn(new Rng(4), 5, 3).requiresGrad(true);
        Tensor x = Tensor.randn(new Rng(5), 2, 3);
        Tensor loss = x.matmul(w.t()).sum();
        RecordedGraph g = RecordedGraph.of(loss);
        assertEquals(4 * 15, g.bytes("parameter"), "the product saves w.t(), a view of w's storage");
        assertEquals(0, g.bytes("intermediate"));
    }

    @Test
    void nothingRecordedIsAClearError() {
        Tensor x = Tensor.randn(new Rng(6), 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordedGraph.of(x.mul(2f)));
        assertTrue(e.getMessage().contains("no grad_fn"), e.getMessage());
        Tensor p = x.requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> RecordedGraph.of(Autograd.noGrad(() -> p.mul(2f))));
    }

    @Test
    void nodesGrowByTheSameNumberForEveryLayer() {
        Tensor images = Tensor.uniform(new Rng(7), 0, 1, 8, 784);
        Tensor labels = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);
        int[] nodes = new int[6];
        int[] edges = new int[6];
        for (int layers = 2; layers < 6; layers++) {
            Sequential m = DeepMlp.create(layers, new Rng(0));
            RecordedGraph g = RecordedGraph.of(F.crossEntropy(m.forward(images), labels));
            nodes[layers] = g.nodes.size();
            edges[layers] = g.edges;
            assertEquals(2 * layers, g.leaves.size(), "a weight and a bias per layer");
        }
        for (int layers = 3; layers < 6; layers++) {
            assertEquals(nodes[3] - nodes[2], nodes[layers] - nodes[layers - 1], "nodes per layer");
            assertEquals(edges[3] - edges[2], edges[layers] - edges[layers - 1], "edges per layer");
        }
    }

    @Test
    void theFigureHasEveryNodeAndAnArrowPerEdge() throws Exception {
        Map<String, Object> r = GraphPicture.run(0);
        String svg = GraphFigure.svg(new ObjectMapper().valueToTree(r));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) r.get("nodes");
        for (Map<String, Object> n : nodes) {
            assertTrue(svg.contains((String) n.get("name")), n.get("name") + " is missing from the figure");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) r.get("summary");
        int arrows = svg.split("marker-end=", -1).length - 1;
        assertEquals(summary.get("edges"), arrows);
        assertTrue(svg.contains("0.weight") && svg.contains("2.bias"));
    }
}
