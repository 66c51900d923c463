package unboxed.adampost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.kit.Progress;
import unboxed.optim.Adam;

/**
 * β1 × β2 on the MNIST MLP: every pair of β1 in {0, 0.5, 0.9, 0.99} and β2 in {0.9, 0.99, 0.999,
 * 0.9999}, Adam at lr 1e−3 for a fixed number of steps, judged by the validation cross-entropy at
 * the end. The two extremes of each axis: β1 = 0 is no momentum (RMSprop with bias correction),
 * β1 = 0.99 averages the gradient over about a hundred steps; β2 = 0.9 normalises by the last ten
 * squared gradients, β2 = 0.9999 by the last ten thousand.
 */
public final class BetaSweep {
    static final double[] BETA1 = {0, 0.5, 0.9, 0.99};
    static final double[] BETA2 = {0.9, 0.99, 0.999, 0.9999};
    static final double LR = 1e-3;

    private BetaSweep() {
    }

    public static Map<String, Object> run(long[] seeds, MnistSplit data, MlpTraining.Settings s, Progress progress) {
        List<Object> cells = new ArrayList<>();
        for (double b1 : BETA1) {
            for (double b2 : BETA2) {
                List<MlpTraining.Run> runs = new ArrayList<>();
                for (long seed : seeds) {
                    progress.message("betas (" + b1 + ", " + b2 + "), seed " + seed);
                    long done = progress.current();
                    runs.add(MlpTraining.train(seed, FamilyLoss.NEG_LOG::loss,
                            MlpTraining.Recipe.of(ps -> new Adam(ps, LR, new double[] {b1, b2}, 1e-8, 0, false, false), LR),
                            data.train(), data.validation(), null, s, step -> progress.stepTo(done + step)));
                    progress.stepTo(done + s.steps());
                }
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("beta1", b1);
                c.put("beta2", b2);
                c.put("runs", runs);
                cells.add(c);
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", "post 01's MLP, 784-256-ReLU-10, PyTorch's default init");
        config.put("loss", "mean cross-entropy");
        config.put("optimizer", "Adam, lr " + LR + ", eps 1e-8");
        config.put("lr", LR);
        config.put("beta1", BETA1);
        config.put("beta2", BETA2);
        config.put("steps", s.steps());
        config.put("batch_size", s.batchSize());
        config.put("log_every_steps", s.logEvery());
        config.put("seeds", seeds);
        config.put("metric", "validation cross-entropy after the last step");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", config);
        out.put("data", data.describe());
        out.put("cells", cells);
        return out;
    }

    static long totalSteps(int seeds, MlpTraining.Settings s) {
        return (long) BETA1.length * BETA2.length * seeds * s.steps();
    }
}
