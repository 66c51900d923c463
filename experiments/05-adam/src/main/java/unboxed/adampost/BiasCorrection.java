package unboxed.adampost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.kit.Progress;
import unboxed.optim.Adam;
import unboxed.optim.AdamDeparture;

/**
 * What bias correction does in the first steps, by ablation. m and v start at 0, so after t steps
 * of a steady gradient g they hold (1 − β1^t)·g and (1 − β2^t)·g²: both too small, v far more so
 * when β2 is closer to 1. Adam divides them by those factors. Without that, the step is
 * lr · (1 − β1^t) / sqrt(1 − β2^t) times the corrected one: 3.2 at step 1 for the default betas,
 * about 6.6 near step 12, and it falls to 1 only after thousands of steps. The MLP is trained with
 * and without the correction, at two learning rates, logging every step.
 */
public final class BiasCorrection {
    static final double[] LRS = {1e-3, 1e-2};
    static final double[] BETAS = {0.9, 0.999};

    private BiasCorrection() {
    }

    public static Map<String, Object> run(long[] seeds, MnistSplit data, MlpTraining.Settings s, Progress progress) {
        List<Object> configs = new ArrayList<>();
        for (double lr : LRS) {
            for (boolean corrected : new boolean[] {true, false}) {
                AdamDeparture d = corrected ? AdamDeparture.NONE : AdamDeparture.NO_BIAS_CORRECTION;
                List<MlpTraining.Run> runs = new ArrayList<>();
                for (long seed : seeds) {
                    progress.message("lr " + lr + (corrected ? ", corrected" : ", uncorrected") + ", seed " + seed);
                    long done = progress.current();
                    runs.add(MlpTraining.train(seed, FamilyLoss.NEG_LOG::loss,
                            MlpTraining.Recipe.of(ps -> new Adam(ps, lr, BETAS, 1e-8, 0, false, false, d), lr),
                            data.train(), data.validation(), null, s, step -> progress.stepTo(done + step)));
                    progress.stepTo(done + s.steps());
                }
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("lr", lr);
                c.put("bias_correction", corrected);
                c.put("runs", runs);
                configs.add(c);
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", "post 01's MLP, 784-256-ReLU-10, PyTorch's default init");
        config.put("loss", "mean cross-entropy");
        config.put("optimizer", "Adam, betas (" + BETAS[0] + ", " + BETAS[1] + "), eps 1e-8, with and without bias"
                + " correction (without: m and v used as they are, step size lr)");
        config.put("betas", BETAS);
        config.put("learning_rates", LRS);
        config.put("steps", s.steps());
        config.put("batch_size", s.batchSize());
        config.put("log_every_steps", s.logEvery());
        config.put("seeds", seeds);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", config);
        out.put("data", data.describe());
        out.put("configs", configs);
        return out;
    }

    static long totalSteps(int seeds, MlpTraining.Settings s) {
        return 2L * LRS.length * seeds * s.steps();
    }
}
