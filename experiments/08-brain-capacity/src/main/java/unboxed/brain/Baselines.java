package unboxed.brain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.kit.Pinned;

/**
 * Examples needed to reach a test accuracy, from runs other posts pinned: post 01's MLP 784-256-10
 * (trained with cross-entropy) and post 02's CNN, both evaluated on the test set at the end of
 * each epoch only, so what they give is an upper bound: "reached within e epochs of 60 000
 * examples". Beside them, a person, from the cited table.
 */
final class Baselines {
    static final String MLP = "data/results/01-basics/loss-alternatives.json";
    static final String CNN = "data/results/02-convolutions/cnn-mnist.json";
    static final String MLP_MODEL = "784-256-10 MLP (Linear, ReLU, Linear), PyTorch's default init";
    static final String CNN_MODEL = "conv5(1->16, pad 2) ReLU maxpool2 conv5(16->32, pad 2) ReLU maxpool2"
            + " Linear(1568->128) ReLU Linear(128->10); PyTorch's default init";

    /**
     * Multiply-adds per example of post 02's CNN on a 28×28 image: conv 5×5 1→16 at 28×28, conv 5×5
     * 16→32 at 14×14, then 1568→128 and 128→10.
     */
    static final long CNN_MACS = 28L * 28 * 16 * 25 + 14L * 14 * 32 * 16 * 25 + 1568L * 128 + 128L * 10;
    static final long MLP_MACS = 784L * 256 + 256L * 10;

    private Baselines() {
    }

    static List<Map<String, Object>> sources(Path root) throws IOException {
        List<Map<String, Object>> l = new ArrayList<>();
        for (String f : List.of(MLP, CNN)) {
            l.add(Experiment.source(Pinned.load(root.resolve(f))));
        }
        return l;
    }

    static Map<String, Object> compute(Path root, Inputs inputs, double[] targets) throws IOException {
        Pinned mlp = Pinned.load(root.resolve(MLP));
        Pinned cnn = Pinned.load(root.resolve(CNN));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mlp", model(mlp, "/losses/cross_entropy/runs", MLP_MODEL, MLP_MACS, targets));
        r.put("cnn", model(cnn, "/runs", CNN_MODEL, CNN_MACS, targets));
        Estimate human = CitedTable.find(inputs.constants(), "human-learner", "examples_per_new_class");
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("classes", 10);
        h.put("examples_per_class_low", human.low());
        h.put("examples_per_class_high", human.high());
        h.put("examples_low", 10 * human.low());
        h.put("examples_high", 10 * human.high());
        h.put("source", human.source());
        r.put("human", h);
        return r;
    }

    /** One pinned model: its test accuracy after each epoch, per seed, and the examples within which each target was reached. */
    private static Map<String, Object> model(Pinned p, String runsPointer, String expectedModel, long macs,
                                             double[] targets) {
        String model = p.at("/config/model").asText();
        if (!model.equals(expectedModel)) {
            throw new IllegalStateException(p.relativePath() + " now describes its model as '" + model + "'; this post"
                    + " counts the FLOP of '" + expectedModel + "': update Baselines (MACS and model) to match");
        }
        int perEpoch = p.at("/config/train_samples").asInt();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", Experiment.source(p));
        m.put("model", model);
        m.put("train_samples_per_epoch", perEpoch);
        m.put("flop_per_example", 6.0 * macs);
        List<List<Double>> acc = new ArrayList<>();
        for (JsonNode run : p.at(runsPointer)) {
            List<Double> a = new ArrayList<>();
            run.path("testAccuracy").forEach(v -> a.add(v.asDouble()));
            acc.add(a);
        }
        m.put("test_accuracy_by_epoch", acc);
        List<List<Integer>> within = new ArrayList<>();
        for (double t : targets) {
            List<Integer> perSeed = new ArrayList<>();
            for (List<Double> a : acc) {
                Integer e = null;
                for (int k = 0; k < a.size() && e == null; k++) {
                    e = a.get(k) >= t ? (k + 1) * perEpoch : null;
                }
                perSeed.add(e);
            }
            within.add(perSeed);
        }
        m.put("examples_within", within);
        return m;
    }
}
