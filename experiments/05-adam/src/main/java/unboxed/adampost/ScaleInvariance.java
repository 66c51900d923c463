package unboxed.adampost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.kit.Progress;
import unboxed.nn.functional.F;
import unboxed.optim.Adam;
import unboxed.optim.SGD;

/**
 * Is Adam's step blind to the gradient's scale? The MLP trains on c · cross-entropy for c from
 * 1e−12 to 1e6, which multiplies every gradient by c and changes nothing else. Adam divides the
 * running mean of the gradient by the root of its running square, so c cancels, except where
 * sqrt(v̂) is no longer large against eps: there the step shrinks in proportion to c. SGD's step is
 * lr · c · g, in proportion to c everywhere. Per run: the mean over steps of the per-element RMS of
 * the step (in units of lr) and of the gradient, and the validation cross-entropy (unscaled) at the
 * end.
 */
public final class ScaleInvariance {
    /** The loss multipliers, a factor 100 apart. */
    static final double[] SCALES = {1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1, 1e2, 1e4, 1e6};
    static final double ADAM_LR = 1e-3;
    static final double ADAM_EPS = 1e-8;
    static final double SGD_LR = 0.1;

    private ScaleInvariance() {
    }

    public static Map<String, Object> run(long[] seeds, MnistSplit data, MlpTraining.Settings s, Progress progress) {
        Map<String, Object> byOptimizer = new LinkedHashMap<>();
        for (String optimizer : List.of("adam", "sgd")) {
            List<Object> points = new ArrayList<>();
            for (double c : SCALES) {
                List<MlpTraining.Run> runs = new ArrayList<>();
                for (long seed : seeds) {
                    MlpTraining.Recipe recipe = optimizer.equals("adam")
                            ? MlpTraining.Recipe.of(ps -> new Adam(ps, ADAM_LR, new double[] {0.9, 0.999}, ADAM_EPS, 0,
                                    false, false), ADAM_LR)
                            : MlpTraining.Recipe.of(ps -> new SGD(ps, SGD_LR), SGD_LR);
                    progress.message(optimizer + ", loss x " + c + ", seed " + seed);
                    long done = progress.current();
                    runs.add(MlpTraining.train(seed, (z, y) -> F.crossEntropy(z, y).mul((float) c), recipe, data.train(),
                            data.validation(), null, s, step -> progress.stepTo(done + step)));
                    progress.stepTo(done + s.steps());
                }
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("scale", c);
                point.put("runs", runs);
                points.add(point);
            }
            byOptimizer.put(optimizer, points);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", "post 01's MLP, 784-256-ReLU-10, PyTorch's default init");
        config.put("loss", "scale x mean cross-entropy; the validation loss reported is the unscaled cross-entropy");
        config.put("scales", SCALES);
        config.put("adam", "Adam, lr " + ADAM_LR + ", betas (0.9, 0.999), eps " + ADAM_EPS);
        config.put("adam_lr", ADAM_LR);
        config.put("adam_eps", ADAM_EPS);
        config.put("sgd", "SGD, lr " + SGD_LR + ", no momentum");
        config.put("sgd_lr", SGD_LR);
        config.put("steps", s.steps());
        config.put("batch_size", s.batchSize());
        config.put("log_every_steps", s.logEvery());
        config.put("seeds", seeds);
        config.put("measures", "per log point, the mean over its steps of the per-element RMS of the gradient"
                + " (gradRms) and of the update divided by lr (stepRmsOverLr), over every parameter of the network");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", config);
        out.put("data", data.describe());
        out.put("optimizers", byOptimizer);
        return out;
    }

    /** Runs this part's sweep does, for a progress bar. */
    static long totalSteps(int seeds, MlpTraining.Settings s) {
        return 2L * SCALES.length * seeds * s.steps();
    }
}
