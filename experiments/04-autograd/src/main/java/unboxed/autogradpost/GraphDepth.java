package unboxed.autogradpost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.Sequential;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * How the recorded graph grows with depth: nodes, edges, leaves and the bytes its backward rules
 * keep alive, for MLPs of 1 to 64 Linear layers ({@link DeepMlp}) on one MNIST batch. The time of
 * forward and backward against depth is a JMH benchmark ({@code GraphBench}).
 */
final class GraphDepth {
    static final int[] DEPTHS = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64};

    private GraphDepth() {
    }

    static Map<String, Object> run(long seed) {
        Dataset train;
        try {
            train = Dataset.mnist(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DataLoader.Batch b = new DataLoader(train, MnistMlpStep.BATCH, false, true, true, new Rng(seed))
                .epoch().iterator().next();
        Map<String, Object> r = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", "Linear(784, " + DeepMlp.WIDTH + "), (L - 2) x [ReLU, Linear(" + DeepMlp.WIDTH + ", "
                + DeepMlp.WIDTH + ")], ReLU, Linear(" + DeepMlp.WIDTH + ", 10); L = 1: Linear(784, 10);"
                + " cross_entropy, mean");
        config.put("width", DeepMlp.WIDTH);
        config.put("batch", MnistMlpStep.BATCH);
        config.put("data", "the first " + MnistMlpStep.BATCH + " images of MNIST's training set, in file order");
        config.put("depths", DEPTHS);
        r.put("config", config);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int depth : DEPTHS) {
            Sequential model = DeepMlp.create(depth, new Rng(seed));
            Tensor loss = F.crossEntropy(model.forward(b.images()), b.labels());
            RecordedGraph g = RecordedGraph.of(loss);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("layers", depth);
            row.put("parameters", model.parameters().stream().mapToLong(p -> p.data().numel()).sum());
            row.putAll(GraphCost.graphSummary(g));
            loss.backward();
            boolean everyParameterHasAGradient = model.parameters().stream().allMatch(p -> p.grad() != null);
            row.put("every_parameter_has_a_gradient", everyParameterHasAGradient);
            rows.add(row);
        }
        r.put("rows", rows);
        return r;
    }
}
