package unboxed.adampost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import unboxed.kit.Progress;
import unboxed.nn.Parameter;
import unboxed.optim.Adam;
import unboxed.optim.Optimizer;
import unboxed.optim.SGD;

/**
 * Adam against SGD and SGD with momentum on the same budget of steps, each at its own best
 * learning rate: a small sweep per optimizer (five rates, a factor of about 3 apart, chosen to
 * bracket the usual values), the best chosen by the mean validation cross-entropy over seeds, and
 * the chosen runs reported on the test set.
 */
public final class OptimizerBudget {
    /** One optimizer of the comparison and the learning rates swept for it. */
    record Contender(String id, String label, double[] lrs) {
        Function<List<Parameter>, Optimizer> make(double lr) {
            switch (id) {
                case "sgd":
                    return ps -> new SGD(ps, lr);
                case "momentum":
                    return ps -> new SGD(ps, lr, 0.9, 0, 0, false, false);
                case "adam":
                    return ps -> new Adam(ps, lr);
                default:
                    throw new IllegalArgumentException(id);
            }
        }
    }

    static final List<Contender> CONTENDERS = List.of(
            new Contender("sgd", "SGD", new double[] {0.03, 0.1, 0.3, 1.0, 3.0}),
            new Contender("momentum", "SGD, momentum 0.9", new double[] {0.003, 0.01, 0.03, 0.1, 0.3}),
            new Contender("adam", "Adam", new double[] {1e-4, 3e-4, 1e-3, 3e-3, 1e-2}));

    private OptimizerBudget() {
    }

    public static Map<String, Object> run(long[] seeds, MnistSplit data, MlpTraining.Settings s, Progress progress) {
        Map<String, Object> byOptimizer = new LinkedHashMap<>();
        for (Contender c : CONTENDERS) {
            List<Object> sweep = new ArrayList<>();
            double bestLr = Double.NaN;
            double best = Double.POSITIVE_INFINITY;
            for (double lr : c.lrs()) {
                List<MlpTraining.Run> runs = new ArrayList<>();
                double sum = 0;
                for (long seed : seeds) {
                    progress.message(c.label() + ", lr " + lr + ", seed " + seed);
                    long done = progress.current();
                    MlpTraining.Run r = MlpTraining.train(seed, FamilyLoss.NEG_LOG::loss,
                            MlpTraining.Recipe.of(c.make(lr), lr), data.train(), data.validation(), data.test(), s,
                            step -> progress.stepTo(done + step));
                    progress.stepTo(done + s.steps());
                    runs.add(r);
                    // a diverged run never wins
                    sum += r.diverged() ? Double.POSITIVE_INFINITY : r.evalLoss();
                }
                double mean = sum / seeds.length;
                if (mean < best) {
                    best = mean;
                    bestLr = lr;
                }
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("lr", lr);
                point.put("runs", runs);
                sweep.add(point);
            }
            if (Double.isNaN(bestLr)) {
                throw new IllegalStateException(c.label() + ": every learning rate diverged");
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("label", c.label());
            entry.put("learning_rates", c.lrs());
            entry.put("chosen_lr", bestLr);
            entry.put("chosen_mean_validation_loss", best);
            entry.put("sweep", sweep);
            byOptimizer.put(c.id(), entry);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", "post 01's MLP, 784-256-ReLU-10, PyTorch's default init");
        config.put("loss", "mean cross-entropy");
        config.put("optimizers", "SGD; SGD with momentum 0.9 (no dampening, not Nesterov); Adam, betas (0.9, 0.999),"
                + " eps 1e-8");
        config.put("steps", s.steps());
        config.put("batch_size", s.batchSize());
        config.put("log_every_steps", s.logEvery());
        config.put("seeds", seeds);
        config.put("selection", "per optimizer, the learning rate with the lowest mean validation cross-entropy over"
                + " seeds (a diverged run counts as infinite); the test numbers of the chosen rate are reported");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", config);
        out.put("data", data.describe());
        out.put("optimizers", byOptimizer);
        return out;
    }

    static long totalSteps(int seeds, MlpTraining.Settings s) {
        long n = 0;
        for (Contender c : CONTENDERS) {
            n += (long) c.lrs().length * seeds * s.steps();
        }
        return n;
    }
}
