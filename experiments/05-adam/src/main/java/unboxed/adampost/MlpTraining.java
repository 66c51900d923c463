package unboxed.adampost;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;
import unboxed.autograd.Autograd;
import unboxed.basics.Mlp;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.Parameter;
import unboxed.nn.Sequential;
import unboxed.nn.functional.F;
import unboxed.optim.Optimizer;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Post 01's MLP (784 → 256 → ReLU → 10) trained for a fixed number of steps by any optimizer and any
 * loss, the one loop behind every MNIST experiment of this post. A seed fixes the initial weights and
 * the order of the batches (the streams post 01's training uses), so two optimizers run with one seed
 * start from the same network and see the same batches.
 *
 * <p>Every {@code logEvery} steps it records the mean over those steps of: the batch loss, the
 * per-element RMS of the gradient, and the per-element RMS of the update Δθ divided by the learning
 * rate ("the step in units of lr"), over all parameters. A run whose loss stops being a finite
 * number stops there ({@code divergedAtStep}; the batch loss and gradient RMS of the step before are
 * kept, to tell a slow blow-up from a sudden one). At the end it evaluates cross-entropy and accuracy on
 * a held-out set.
 */
public final class MlpTraining {
    /** How long and how a run logs. */
    public record Settings(int steps, int batchSize, int logEvery) {
    }

    /**
     * One run. Lists are indexed by log point; evalLoss and evalAccuracy are NaN for a run that
     * diverged (its weights are no longer numbers).
     */
    public record Run(long seed, List<Integer> steps, List<Double> loss, List<Double> gradRms, List<Double> stepRmsOverLr,
                      Integer divergedAtStep, Double lossBeforeDivergence, Double gradRmsBeforeDivergence,
                      double evalLoss, double evalAccuracy, double testLoss, double testAccuracy) {
        public boolean diverged() {
            return divergedAtStep != null;
        }
    }

    /** What to train with: the optimizer made from the model's parameters, its lr, and an optional gradient clip. */
    public record Recipe(Function<List<Parameter>, Optimizer> optimizer, double lr, double clipNorm) {
        public static Recipe of(Function<List<Parameter>, Optimizer> optimizer, double lr) {
            return new Recipe(optimizer, lr, Double.NaN);
        }

        public Recipe clipped(double maxNorm) {
            return new Recipe(optimizer, lr, maxNorm);
        }
    }

    /** A loss of the logits and the labels (a {@link FamilyLoss}, or one scaled by a constant). */
    public interface Objective {
        Tensor loss(Tensor logits, Tensor labels);
    }

    private MlpTraining() {
    }

    /**
     * Trains one network. {@code eval} is evaluated at the end (a validation set); {@code test}, when
     * not null, too, so that a sweep can choose on one set and report on the other.
     */
    public static Run train(long seed, Objective objective, Recipe recipe, Dataset train, Dataset eval, Dataset test,
                            Settings s, IntConsumer onStep) {
        Rng rng = new Rng(seed);
        Sequential model = Mlp.create(rng);
        List<Parameter> params = model.parameters();
        Optimizer opt = recipe.optimizer().apply(params);
        DataLoader loader = new DataLoader(train, s.batchSize(), true, true, true, rng.fork("shuffle"));
        List<Integer> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Double> grads = new ArrayList<>();
        List<Double> updates = new ArrayList<>();
        long numel = 0;
        for (Parameter p : params) {
            numel += p.data().numel();
        }
        double lossSum = 0;
        double gradSum = 0;
        double updateSum = 0;
        int inWindow = 0;
        Integer diverged = null;
        double lastLoss = Double.NaN;
        double lastGrad = Double.NaN;
        int step = 0;
        outer:
        while (step < s.steps()) {
            for (DataLoader.Batch b : loader.epoch()) {
                if (step == s.steps()) {
                    break outer;
                }
                step++;
                Tensor l = objective.loss(model.forward(b.images()), b.labels());
                float value = l.item();
                if (!Float.isFinite(value)) {
                    diverged = step;
                    break outer;
                }
                opt.zeroGrad();
                l.backward();
                double gradSq = 0;
                for (Parameter p : params) {
                    gradSq += sumOfSquares(p.data().grad().toArray());
                }
                if (!Double.isNaN(recipe.clipNorm())) {
                    ClipGradNorm.clip(params, recipe.clipNorm(), Math.sqrt(gradSq));
                }
                List<float[]> before = new ArrayList<>();
                for (Parameter p : params) {
                    before.add(p.data().toArray());
                }
                opt.step();
                double updateSq = 0;
                for (int i = 0; i < params.size(); i++) {
                    float[] after = params.get(i).data().toArray();
                    float[] was = before.get(i);
                    for (int j = 0; j < after.length; j++) {
                        double d = (double) after[j] - was[j];
                        updateSq += d * d;
                    }
                }
                lossSum += value;
                lastLoss = value;
                lastGrad = Math.sqrt(gradSq / numel);
                gradSum += lastGrad;
                updateSum += Math.sqrt(updateSq / numel) / recipe.lr();
                inWindow++;
                if (step % s.logEvery() == 0) {
                    steps.add(step);
                    losses.add(lossSum / inWindow);
                    grads.add(gradSum / inWindow);
                    updates.add(updateSum / inWindow);
                    lossSum = 0;
                    gradSum = 0;
                    updateSum = 0;
                    inWindow = 0;
                }
                onStep.accept(step);
            }
        }
        double[] e = {Double.NaN, Double.NaN};
        double[] t = {Double.NaN, Double.NaN};
        if (diverged == null) {
            e = evaluate(model, eval);
            if (!Double.isFinite(e[0])) {
                // the weights blew up on the last step, after the last finite training loss
                diverged = step;
                e = new double[] {Double.NaN, Double.NaN};
            } else if (test != null) {
                t = evaluate(model, test);
            }
        }
        Double lossBefore = diverged == null || Double.isNaN(lastLoss) ? null : lastLoss;
        Double beforeGrad = diverged == null || Double.isNaN(lastGrad) ? null : lastGrad;
        return new Run(seed, steps, losses, grads, updates, diverged, lossBefore, beforeGrad, e[0], e[1], t[0], t[1]);
    }

    static double sumOfSquares(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return s;
    }

    /** {mean cross-entropy, accuracy} on a whole dataset, in fixed chunks of 1000, without a graph. */
    public static double[] evaluate(Sequential model, Dataset data) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(data, 1000, false, false, true, null);
            double loss = 0;
            long correct = 0;
            for (DataLoader.Batch b : loader.epoch()) {
                Tensor logits = model.forward(b.images());
                loss += F.crossEntropy(logits, b.labels()).item() * (double) b.size();
                float[] pred = logits.argmax(1).toArray();
                float[] y = b.labels().toArray();
                for (int i = 0; i < y.length; i++) {
                    correct += pred[i] == y[i] ? 1 : 0;
                }
            }
            return new double[] {loss / data.size(), (double) correct / data.size()};
        });
    }
}
