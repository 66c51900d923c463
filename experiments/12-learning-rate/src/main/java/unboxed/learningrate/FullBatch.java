package unboxed.learningrate;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import unboxed.kit.stats.Sharpness;
import unboxed.nn.Parameter;
import unboxed.nn.Sequential;
import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.optim.LRSchedule;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Plain full-batch gradient descent (torch.optim.SGD, no momentum, no weight decay) on a
 * regression task with the mean squared error: the setting in which the 2/λ_max rule is a theorem
 * for a quadratic. Optionally watches the sharpness along the way, by power iteration warm-started
 * from the last look's eigenvector.
 */
final class FullBatch {
    /** A run is declared diverged, and stopped, once its loss passes this multiple of its first loss (or is not finite). */
    static final double BLOW_UP = 1e4;
    /** Power iteration: at most this many products for the first estimate, then {@link #TRACK_ITERATIONS} per look. */
    static final int FIRST_ITERATIONS = 100;
    static final int TRACK_ITERATIONS = 20;
    static final double TOLERANCE = 1e-4;

    private FullBatch() {
    }

    /**
     * What a run saw: the loss before every step (until it diverged), and the sharpness at the
     * steps in {@code sharpSteps}.
     */
    record Run(List<Double> loss, List<Integer> sharpSteps, List<Double> sharpness, boolean diverged, double finalLoss) {
    }

    static Supplier<Tensor> lossOf(Sequential net, Regression.Task task) {
        return () -> F.mseLoss(net.call(task.x()), task.y(), Reduction.MEAN);
    }

    /** λ_max of the loss at the current parameters, from a random start drawn from {@code rng}. */
    static Sharpness.Estimate sharpness(Sequential net, Regression.Task task, Rng rng) {
        return Sharpness.topEigenvalue(lossOf(net, task), net.parameters(), rng, FIRST_ITERATIONS, TOLERANCE);
    }

    /**
     * Trains {@code net} for {@code steps} steps at the rates of {@code schedule}; looks at the
     * sharpness every {@code sharpEvery} steps (0: never) and after the last step.
     */
    static Run train(Sequential net, Regression.Task task, LRSchedule schedule, int steps, int sharpEvery, Rng rng) {
        List<Parameter> params = net.parameters();
        SGD opt = new SGD(params, schedule.lr(0));
        Supplier<Tensor> loss = lossOf(net, task);
        List<Double> losses = new ArrayList<>();
        List<Integer> sharpSteps = new ArrayList<>();
        List<Double> sharp = new ArrayList<>();
        double[] vector = null;
        boolean diverged = false;
        double first = Double.NaN;
        for (int t = 0; t <= steps; t++) {
            if (sharpEvery > 0 && (t % sharpEvery == 0 || t == steps)) {
                Sharpness.Estimate e = vector == null
                        ? Sharpness.topEigenvalue(loss, params, rng.fork("power"), FIRST_ITERATIONS, TOLERANCE)
                        : Sharpness.topEigenvalue(loss, params, vector, TRACK_ITERATIONS, TOLERANCE);
                vector = e.vector();
                sharpSteps.add(t);
                sharp.add(e.lambda());
            }
            opt.zeroGrad();
            Tensor l = loss.get();
            double v = l.item();
            if (t == 0) {
                first = v;
            }
            if (!Double.isFinite(v) || v > BLOW_UP * first) {
                diverged = true;
                break;
            }
            losses.add(v);
            if (t == steps) {
                break;
            }
            l.backward();
            schedule.apply(opt, t);
            opt.step();
        }
        double last = diverged ? Double.POSITIVE_INFINITY : losses.get(losses.size() - 1);
        return new Run(losses, sharpSteps, sharp, diverged, last);
    }
}
