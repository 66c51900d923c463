package unboxed.learningrate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.autograd.Autograd;
import unboxed.kit.Rounding;
import unboxed.kit.stats.Sharpness;
import unboxed.nn.Linear;
import unboxed.nn.Module;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.optim.LRSchedule;
import unboxed.simple.Net;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * What one point of each regression sweep computes, from its configuration and seed alone. Every
 * network of a seed is drawn from the same generator ({@code rng.fork("init")}), so the rates of a
 * sweep are compared on the very same initial network (common random numbers).
 */
final class Runs {
    /** A run ends "no better than a constant" when its relative loss is at least this. */
    static final double CONSTANT = 0.99;
    /** The loss curves keep one value every this many steps (and the first). */
    static final int CURVE_EVERY = 10;

    private Runs() {
    }

    /** How a run ended: trained; blew up; died (a hidden layer all dead, the output a constant); or no better than a constant for another reason (too slow). */
    enum Status {
        TRAINED("trained"), BLEW_UP("blew-up"), DIED("died"), UNTRAINED("untrained");

        final String id;

        Status(String id) {
            this.id = id;
        }

        boolean failed() {
            return this != TRAINED;
        }
    }

    static double variance(Regression.Task task) {
        double[] y = task.y().toDoubleArray();
        double m = 0;
        for (double v : y) {
            m += v / y.length;
        }
        double s = 0;
        for (double v : y) {
            s += (v - m) * (v - m) / y.length;
        }
        return s;
    }

    static Status status(FullBatch.Run r, double variance, double deadLayer) {
        if (r.diverged()) {
            return Status.BLEW_UP;
        }
        if (r.finalLoss() < CONSTANT * variance) {
            return Status.TRAINED;
        }
        return deadLayer >= 1 ? Status.DIED : Status.UNTRAINED;
    }

    /**
     * The share of hidden units that are dead (pre-activation ≤ 0 at every training input), overall
     * and in the layer with the most: {all, worst layer}. A ReLU network with a whole layer dead
     * outputs a constant, and no gradient reaches anything below it.
     */
    static double[] dead(Sequential net, Regression.Task task) {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            Tensor x = task.x();
            int dead = 0;
            int units = 0;
            double worst = 0;
            for (int i = 0; i < net.size(); i++) {
                Module m = net.get(i);
                x = m.call(x);
                if (m instanceof Linear && i + 1 < net.size() && (net.get(i + 1) instanceof ReLU)) {
                    int w = x.size(1);
                    float[] z = x.toArray();
                    int layerDead = 0;
                    for (int u = 0; u < w; u++) {
                        boolean off = true;
                        for (int n = 0; n < task.n() && off; n++) {
                            off = !(z[n * w + u] > 0);
                        }
                        layerDead += off ? 1 : 0;
                    }
                    dead += layerDead;
                    units += w;
                    worst = Math.max(worst, (double) layerDead / w);
                }
            }
            return new double[] {units == 0 ? 0 : (double) dead / units, worst};
        }
    }

    /** Relative losses (MSE / Var y) every {@link #CURVE_EVERY} steps, 4 significant digits. */
    static List<Double> curve(List<Double> loss, double variance, int every) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < loss.size(); i += every) {
            out.add(Rounding.sig4(loss.get(i) / variance));
        }
        return out;
    }

    /** One rate of the lr sweep on post 06's task: λ_max at initialisation and at the end, the loss curve, how it ended. */
    static Map<String, Object> sweepPoint(Regression.Task task, int width, int depth, double lr, int steps, long seed) {
        Rng rng = new Rng(seed);
        Sequential net = Regression.mlp(task.d(), width, depth, Net.Act.RELU, rng.fork("init"));
        double var = variance(task);
        Map<String, Object> m = new LinkedHashMap<>();
        Sharpness.Estimate e0 = FullBatch.sharpness(net, task, rng.fork("power0"));
        m.put("lambda0", Rounding.sig4(e0.lambda()));
        FullBatch.Run r = FullBatch.train(net, task, LRSchedule.constant(lr), steps, 0, rng);
        double[] dead = r.diverged() ? new double[] {Double.NaN, Double.NaN} : dead(net, task);
        Status st = status(r, var, dead[1]);
        m.put("status", st.id);
        m.put("final_rel_loss", Rounding.sig4(r.finalLoss() / var));
        m.put("dead_share", Rounding.sig4(dead[0]));
        m.put("lambda_end", r.diverged() ? Double.NaN : Rounding.sig4(FullBatch.sharpness(net, task, rng.fork("power1")).lambda()));
        m.put("curve", curve(r.loss(), var, CURVE_EVERY));
        return m;
    }

    /** A run at one rate from a fresh copy of the seed's network: its relative final loss and status. */
    record Trial(double lr, double rel, Status status) {
    }

    static Trial trial(Regression.Task task, int width, int depth, double lr, int steps, long seed) {
        Rng rng = new Rng(seed);
        Sequential net = Regression.mlp(task.d(), width, depth, Net.Act.RELU, rng.fork("init"));
        FullBatch.Run r = FullBatch.train(net, task, LRSchedule.constant(lr), steps, 0, rng);
        double var = variance(task);
        double[] dead = r.diverged() ? new double[] {Double.NaN, Double.NaN} : dead(net, task);
        return new Trial(lr, r.finalLoss() / var, status(r, var, dead[1]));
    }

    /**
     * The dimensionality point: λ_max at initialisation, every rate of the grid (the best is the one
     * with the lowest final loss), then the divergence threshold: the first rate above the best
     * that fails, narrowed by {@code halvings} bisections in log(lr) against the last one that trained.
     */
    static Map<String, Object> dimensionPoint(int d, int width, int depth, int n, List<Double> grid, int steps,
                                              int halvings, long seed) {
        Rng rng = new Rng(seed);
        Regression.Task task = Regression.ridge(d, n, rng.fork("task"));
        Sequential net = Regression.mlp(d, width, depth, Net.Act.RELU, rng.fork("init"));
        Sharpness.Estimate e0 = FullBatch.sharpness(net, task, rng.fork("power0"));
        List<Trial> trials = new ArrayList<>();
        int best = -1;
        for (double lr : grid) {
            Trial t = trial(task, width, depth, lr, steps, seed);
            trials.add(t);
            if (!t.status().failed() && (best < 0 || t.rel() < trials.get(best).rel())) {
                best = trials.size() - 1;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lambda0", Rounding.sig4(e0.lambda()));
        m.put("lambda0_iterations", e0.iterations());
        m.put("target_variance", Rounding.sig4(variance(task)));
        List<Double> rel = new ArrayList<>();
        List<String> status = new ArrayList<>();
        for (Trial t : trials) {
            rel.add(Rounding.sig4(t.rel()));
            status.add(t.status().id);
        }
        m.put("final_rel_loss", rel);
        m.put("status", status);
        if (best < 0) {
            throw new IllegalStateException("dimension point d " + d + ", width " + width + ": no rate of the grid"
                    + " trained; widen the grid");
        }
        m.put("best_lr", trials.get(best).lr());
        int hiIndex = -1;
        for (int i = best + 1; i < trials.size() && hiIndex < 0; i++) {
            hiIndex = trials.get(i).status().failed() ? i : -1;
        }
        if (hiIndex < 0) {
            throw new IllegalStateException("dimension point d " + d + ", width " + width + ": no rate of the grid up"
                    + " to " + grid.get(grid.size() - 1) + " fails; extend the grid");
        }
        double lo = trials.get(hiIndex - 1).lr();
        double hi = trials.get(hiIndex).lr();
        String failure = trials.get(hiIndex).status().id;
        for (int k = 0; k < halvings; k++) {
            double mid = Math.sqrt(lo * hi);
            Trial t = trial(task, width, depth, mid, steps, seed);
            if (t.status().failed()) {
                hi = mid;
                failure = t.status().id;
            } else {
                lo = mid;
            }
        }
        m.put("threshold_lo", lo);
        m.put("threshold_hi", hi);
        m.put("threshold", Math.sqrt(lo * hi));
        m.put("threshold_failure", failure);
        return m;
    }

    /**
     * A long run at one rate, the sharpness watched every {@code lookEvery} steps: the edge of
     * stability. {@code lr} ≤ 0 means a multiple −lr of 2/λ₀ (the catapult runs, which set the rate
     * by the seed's own initial sharpness).
     */
    static Map<String, Object> dynamicsPoint(Regression.Task task, int width, int depth, double lr, double multiple,
                                             int steps, int lookEvery, int curveEvery, long seed) {
        Rng rng = new Rng(seed);
        Sequential net = Regression.mlp(task.d(), width, depth, Net.Act.RELU, rng.fork("init"));
        double var = variance(task);
        Map<String, Object> m = new LinkedHashMap<>();
        double lambda0 = FullBatch.sharpness(net, task, rng.fork("power0")).lambda();
        double rate = multiple > 0 ? multiple * 2 / lambda0 : lr;
        m.put("lambda0", Rounding.sig4(lambda0));
        m.put("lr_used", Rounding.sig4(rate));
        FullBatch.Run r = FullBatch.train(net, task, LRSchedule.constant(rate), steps, lookEvery, rng);
        double[] dead = r.diverged() ? new double[] {Double.NaN, Double.NaN} : dead(net, task);
        m.put("status", status(r, var, dead[1]).id);
        m.put("final_rel_loss", Rounding.sig4(r.finalLoss() / var));
        m.put("dead_share", Rounding.sig4(dead[0]));
        m.put("curve", curve(r.loss(), var, curveEvery));
        m.put("sharp_steps", r.sharpSteps());
        m.put("sharpness", Rounding.sig4(r.sharpness()));
        return m;
    }

    /** The warm-up and cool-down of the intervention: a linear ramp over {@code ramp} steps at the start, or at the end. */
    static LRSchedule schedule(String mode, double lr, int steps, int ramp, double startFactor) {
        return switch (mode) {
            case "constant" -> LRSchedule.constant(lr);
            case "warmup" -> LRSchedule.constant(lr).withWarmup(ramp, startFactor);
            // the same ramp mirrored onto the last steps: as much low-rate time, where the explanation says it does not help
            case "cooldown" -> t -> t < steps - ramp ? lr : lr * (startFactor + (1 - startFactor) * (steps - t) / ramp);
            default -> throw new IllegalArgumentException("no schedule mode '" + mode + "' (constant, warmup, cooldown)");
        };
    }

    static Map<String, Object> warmupPoint(Regression.Task task, int width, int depth, String mode, double lr, int steps,
                                           int ramp, double startFactor, int lookEvery, long seed) {
        Rng rng = new Rng(seed);
        Sequential net = Regression.mlp(task.d(), width, depth, Net.Act.RELU, rng.fork("init"));
        double var = variance(task);
        LRSchedule sched = schedule(mode, lr, steps, ramp, startFactor);
        FullBatch.Run r = FullBatch.train(net, task, sched, steps, lookEvery, rng);
        double[] dead = r.diverged() ? new double[] {Double.NaN, Double.NaN} : dead(net, task);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status(r, var, dead[1]).id);
        m.put("final_rel_loss", Rounding.sig4(r.finalLoss() / var));
        m.put("dead_share", Rounding.sig4(dead[0]));
        m.put("curve", curve(r.loss(), var, CURVE_EVERY));
        m.put("sharp_steps", r.sharpSteps());
        m.put("sharpness", Rounding.sig4(r.sharpness()));
        List<Double> lrAt = new ArrayList<>();
        for (int t : r.sharpSteps()) {
            lrAt.add(Rounding.sig4(sched.lr(Math.min(t, steps - 1))));
        }
        m.put("lr_at_looks", lrAt);
        return m;
    }
}
