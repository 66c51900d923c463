package unboxed.brain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import unboxed.autograd.Autograd;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.Linear;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.nn.functional.F;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * How many examples does an MLP 784-H-10 need to reach a test accuracy? Post 01's network and
 * training (PyTorch's default initialisation, plain SGD with lr 0.1, batches of 64, raw pixels in
 * [0, 1], cross-entropy) at hidden width H, evaluated on the whole MNIST test set at examples
 * counts spaced evenly in log scale ({@code perOctave} per doubling), since the answer spans
 * orders of magnitude across widths.
 *
 * <p>The examples needed for a target accuracy are read off the curve where it first reaches the
 * target, interpolated linearly in log(examples) between the two evaluations around it; a run
 * that never reaches it within its budget has none (null), which the tables count rather than
 * average.
 */
record WidthRun(int width, int epochs, int batch, double lr, int perOctave, double[] targets) {
    static final int INPUT = 784;
    static final int CLASSES = 10;

    /**
     * Training FLOP per example: 6 per weight (2 forward, 4 backward: the rule C = 6 N D of Kaplan
     * et al. 2020), biases and the ReLU left out.
     */
    static double flopPerExample(int width) {
        return 6.0 * weights(width);
    }

    /** The weights of 784-H-10 (biases not counted: they are H + 10 against 794 H). */
    static long weights(int width) {
        return (long) INPUT * width + (long) width * CLASSES;
    }

    /** The steps after which the test set is evaluated: 0, then ⌈2^(k / perOctave)⌉ up to the last step, and the last. */
    static List<Integer> schedule(int totalSteps, int perOctave) {
        TreeSet<Integer> at = new TreeSet<>();
        at.add(0);
        for (int k = 0; ; k++) {
            int s = (int) Math.ceil(Math.pow(2, (double) k / perOctave));
            if (s >= totalSteps) {
                break;
            }
            at.add(s);
        }
        at.add(totalSteps);
        return new ArrayList<>(at);
    }

    /**
     * The examples at which the curve first reaches {@code target}, interpolated in log(examples)
     * between the evaluations around the crossing (linearly from 0 where the first is at 0 examples);
     * null when it never does.
     */
    static Double examplesTo(double target, List<Long> examples, List<Double> accuracy) {
        for (int j = 0; j < accuracy.size(); j++) {
            if (accuracy.get(j) >= target) {
                if (j == 0) {
                    return (double) examples.get(0);
                }
                double a0 = accuracy.get(j - 1);
                double a1 = accuracy.get(j);
                double f = (target - a0) / (a1 - a0);
                double e0 = examples.get(j - 1);
                double e1 = examples.get(j);
                if (e0 <= 0) {
                    return e0 + f * (e1 - e0);
                }
                return Math.exp(Math.log(e0) + f * (Math.log(e1) - Math.log(e0)));
            }
        }
        return null;
    }

    Map<String, Object> run(long seed, Dataset train, Dataset test) {
        Rng rng = new Rng(seed);
        Rng init = rng.fork("init");
        Sequential model = new Sequential(new Linear(INPUT, width, init), new ReLU(), new Linear(width, CLASSES, init));
        SGD opt = new SGD(model.parameters(), lr);
        DataLoader loader = new DataLoader(train, batch, true, false, true, rng.fork("shuffle"));
        int total = epochs * loader.numBatches();
        List<Integer> at = schedule(total, perOctave);
        List<Long> examples = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        long seen = 0;
        int step = 0;
        int next = 0;
        examples.add(0L);
        accuracy.add(accuracy(model, test));
        next++;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (DataLoader.Batch b : loader.epoch()) {
                Tensor loss = F.crossEntropy(model.forward(b.images()), b.labels());
                opt.zeroGrad();
                loss.backward();
                opt.step();
                seen += b.size();
                step++;
                if (next < at.size() && step == at.get(next)) {
                    examples.add(seen);
                    accuracy.add(accuracy(model, test));
                    next++;
                }
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("weights", weights(width));
        r.put("flop_per_example", flopPerExample(width));
        r.put("examples", examples);
        r.put("test_accuracy", accuracy);
        r.put("final_test_accuracy", accuracy.get(accuracy.size() - 1));
        List<Double> needed = new ArrayList<>();
        for (double t : targets) {
            needed.add(examplesTo(t, examples, accuracy));
        }
        r.put("examples_to_target", needed);
        return r;
    }

    /** Accuracy on a whole dataset, in chunks of 1000, without recording a graph. */
    static double accuracy(Sequential model, Dataset data) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(data, 1000, false, false, true, null);
            long correct = 0;
            for (DataLoader.Batch b : loader.epoch()) {
                float[] pred = model.forward(b.images()).argmax(1).toArray();
                float[] y = b.labels().toArray();
                for (int i = 0; i < y.length; i++) {
                    correct += pred[i] == y[i] ? 1 : 0;
                }
            }
            return (double) correct / data.size();
        });
    }
}
