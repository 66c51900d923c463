package unboxed.adampost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.basics.Mlp;
import unboxed.kit.Progress;
import unboxed.optim.Adam;
import unboxed.optim.SGD;
import unboxed.tensor.Tensor;

/**
 * The loss family of the series' notes, trained with the series' plain SGD and with Adam, and the
 * two interventions that test why Adam trains where SGD does not.
 *
 * <p>The explanation under test: SGD's step is lr times the gradient, and the gradient that
 * reaches the correct logit, |L'(x)|·x(1 − x), spans orders of magnitude across the family where x
 * is small (a new network has x ≈ 0.1): x^−5 sends about 4.5e5 where −log x sends 0.9, and 1 − x
 * sends 0.09 and less. One learning rate cannot suit them all: too large a step explodes, too small
 * a one stalls. Adam divides by sqrt(v̂), so its step is about lr whatever the gradient's size.
 * <ul>
 *   <li>{@code sgd_clip}: SGD with the gradient's norm clipped to {@link #CLIP_NORM}. Clipping caps the
 *       step where the gradient is huge and leaves small ones alone, so it should rescue the
 *       exploding losses (1/x, x^−3, x^−5) and not 1 − x.</li>
 *   <li>{@code adam_huge_eps}: Adam with eps = {@link #HUGE_EPS}, far above sqrt(v̂), and lr = η·eps:
 *       the denominator is eps, a constant, so the update is η·m̂, SGD on a running mean of the
 *       gradient at SGD's own learning rate η. Only the normalisation is gone; if it is what
 *       rescues the losses, they should fail again, while −log x keeps training.</li>
 * </ul>
 */
public final class LossFamily {
    static final double SGD_LR = 0.1;
    static final double ADAM_LR = 1e-3;
    static final double CLIP_NORM = 1.0;
    static final double HUGE_EPS = 1e6;

    /** The optimizers of the table and of the interventions. */
    enum Recipe {
        SGD_PLAIN("sgd", "SGD, lr " + SGD_LR + " (post 01's)"),
        ADAM("adam", "Adam, lr " + ADAM_LR + ", betas (0.9, 0.999), eps 1e-8"),
        SGD_CLIP("sgd_clip", "SGD, lr " + SGD_LR + ", gradient norm clipped to " + CLIP_NORM),
        ADAM_HUGE_EPS("adam_huge_eps", "Adam, eps " + HUGE_EPS + ", lr " + SGD_LR + " x eps, betas (0.9, 0.999)");

        final String id;
        final String label;

        Recipe(String id, String label) {
            this.id = id;
            this.label = label;
        }

        MlpTraining.Recipe recipe() {
            switch (this) {
                case SGD_PLAIN:
                    return MlpTraining.Recipe.of(ps -> new SGD(ps, SGD_LR), SGD_LR);
                case ADAM:
                    return MlpTraining.Recipe.of(ps -> new Adam(ps, ADAM_LR), ADAM_LR);
                case SGD_CLIP:
                    return MlpTraining.Recipe.of(ps -> new SGD(ps, SGD_LR), SGD_LR).clipped(CLIP_NORM);
                case ADAM_HUGE_EPS:
                    double lr = SGD_LR * HUGE_EPS;
                    return MlpTraining.Recipe.of(ps -> new Adam(ps, lr, new double[] {0.9, 0.999}, HUGE_EPS, 0, false,
                            false), lr);
                default:
                    throw new AssertionError(this);
            }
        }
    }

    private LossFamily() {
    }

    /** The table: SGD and Adam on every loss, with the gradient magnitude against x. */
    public static Map<String, Object> table(long[] seeds, MnistSplit data, MlpTraining.Settings s, Progress progress) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", config(seeds, s, List.of(Recipe.SGD_PLAIN, Recipe.ADAM)));
        out.put("data", data.describe());
        out.put("gradient_vs_x", gradientVsX(61));
        out.put("optimizers", runs(List.of(Recipe.SGD_PLAIN, Recipe.ADAM), seeds, data, s, progress));
        return out;
    }

    /** The interventions: clipped SGD and Adam with a huge eps, on every loss. */
    public static Map<String, Object> interventions(long[] seeds, MnistSplit data, MlpTraining.Settings s,
                                                    Progress progress) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> config = config(seeds, s, List.of(Recipe.SGD_CLIP, Recipe.ADAM_HUGE_EPS));
        config.put("clip_norm", CLIP_NORM);
        config.put("huge_eps", HUGE_EPS);
        config.put("huge_eps_lr", SGD_LR * HUGE_EPS);
        config.put("sgd_lr", SGD_LR);
        out.put("config", config);
        out.put("data", data.describe());
        out.put("optimizers", runs(List.of(Recipe.SGD_CLIP, Recipe.ADAM_HUGE_EPS), seeds, data, s, progress));
        return out;
    }

    private static Map<String, Object> config(long[] seeds, MlpTraining.Settings s, List<Recipe> recipes) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", "post 01's MLP, 784-256-ReLU-10, PyTorch's default init");
        List<Object> losses = new ArrayList<>();
        for (FamilyLoss l : FamilyLoss.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", l.id());
            m.put("formula", l.formula());
            losses.add(m);
        }
        config.put("losses", losses);
        Map<String, Object> opt = new LinkedHashMap<>();
        for (Recipe r : recipes) {
            opt.put(r.id, r.label);
        }
        config.put("optimizers", opt);
        config.put("steps", s.steps());
        config.put("batch_size", s.batchSize());
        config.put("log_every_steps", s.logEvery());
        config.put("seeds", seeds);
        config.put("diverged", "a run stops at the first step whose batch loss is not a finite float32 number");
        config.put("reported", "test cross-entropy and accuracy after the last step (NaN for a diverged run)");
        return config;
    }

    private static Map<String, Object> runs(List<Recipe> recipes, long[] seeds, MnistSplit data,
                                            MlpTraining.Settings s, Progress progress) {
        Map<String, Object> byOptimizer = new LinkedHashMap<>();
        for (Recipe r : recipes) {
            Map<String, Object> byLoss = new LinkedHashMap<>();
            for (FamilyLoss loss : FamilyLoss.values()) {
                List<MlpTraining.Run> runs = new ArrayList<>();
                for (long seed : seeds) {
                    progress.message(r.id + ", " + loss.formula() + ", seed " + seed);
                    long done = progress.current();
                    runs.add(MlpTraining.train(seed, loss::loss, r.recipe(), data.train(), data.test(), null, s,
                            step -> progress.stepTo(done + step)));
                    progress.stepTo(done + s.steps());
                }
                byLoss.put(loss.id(), runs);
            }
            byOptimizer.put(r.id, byLoss);
        }
        return byOptimizer;
    }

    /**
     * |dL/dz_y| against x, measured with the engine's autograd on one sample whose logits put
     * probability x on the correct class and spread the rest evenly over the other nine, beside the
     * closed form |L'(x)|·x(1 − x); x log-spaced from 1e−4 to 0.99.
     */
    static Map<String, Object> gradientVsX(int points) {
        List<Double> xs = new ArrayList<>();
        for (int i = 0; i < points; i++) {
            xs.add(Math.pow(10, -4 + i * (4 + Math.log10(0.99)) / (points - 1)));
        }
        Map<String, Object> measured = new LinkedHashMap<>();
        Map<String, Object> closed = new LinkedHashMap<>();
        for (FamilyLoss loss : FamilyLoss.values()) {
            List<Double> m = new ArrayList<>();
            List<Double> c = new ArrayList<>();
            for (double x : xs) {
                m.add(measure(loss, x));
                c.add(loss.logitGradient(x));
            }
            measured.put(loss.id(), m);
            closed.put(loss.id(), c);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("x", xs);
        out.put("abs_grad_correct_logit", measured);
        out.put("closed_form", closed);
        return out;
    }

    static double measure(FamilyLoss loss, double x) {
        int c = Mlp.CLASSES;
        float[] z = new float[c];
        for (int j = 0; j < c; j++) {
            z[j] = (float) (j == 0 ? Math.log(x) : Math.log((1 - x) / (c - 1)));
        }
        Tensor logits = Tensor.of(z, 1, c).requiresGrad(true);
        loss.loss(logits, Tensor.of(new float[] {0}, 1)).backward();
        return Math.abs(logits.grad().toArray()[0]);
    }

    static long totalSteps(int recipes, int seeds, MlpTraining.Settings s) {
        return (long) recipes * FamilyLoss.values().length * seeds * s.steps();
    }
}
