package unboxed.simple;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.kit.stats.Kinks;
import unboxed.kit.stats.PatternChurn;
import unboxed.nn.Sequential;
import unboxed.tensor.Rng;

/**
 * Training in slow motion: one network fitted to one target, with a snapshot every
 * {@code every} steps: the loss on every training input, the function on 129 points, and (ReLU)
 * every kink inside [−π, π] with what happened to the kinks since the last snapshot (moved, born,
 * died). Full-batch runs also record the activation-pattern churn of every step.
 */
final class Training {
    /** Training inputs: equally spaced on [−π, π]. */
    static final int POINTS = 256;
    /** The loss curve keeps every LOSS_EVERY-th step. */
    static final int LOSS_EVERY = 10;

    private Training() {
    }

    static Map<String, Object> run(Target target, Net.Act act, Fit.Optim optim, int width, int depth, int steps,
                                   int every, long seed, boolean keepFrames) {
        Rng rng = new Rng(seed);
        Sequential net = Net.mlp(width, depth, act, Net.Scheme.DEFAULT, rng.fork("init"));
        double[] x = Kinks.grid(-Math.PI, Math.PI, POINTS);
        double[] y = target.at(x);
        double var = Untrained.variance(y);
        double[] shown = Kinks.grid(-Math.PI, Math.PI, Untrained.SHOWN);
        List<Double> lossCurve = new ArrayList<>();
        List<Integer> snapSteps = new ArrayList<>();
        List<Double> snapLoss = new ArrayList<>();
        List<Integer> kinkCounts = new ArrayList<>();
        List<Integer> born = new ArrayList<>();
        List<Integer> died = new ArrayList<>();
        List<Double> moved = new ArrayList<>();
        List<double[]> frames = new ArrayList<>();
        List<List<double[]>> kinkFrames = new ArrayList<>();
        List<Double> churnInputs = new ArrayList<>();
        List<Double> churnUnits = new ArrayList<>();
        List<Kinks.Kink> previous = null;
        try (Fit fit = new Fit(net, net.parameters(), optim, rng.fork("batches"))) {
            fit.data(x, y);
            int units = width * depth;
            BitSet[] lastPatterns = null;
            double blockInputs = 0;
            double blockUnits = 0;
            for (int s = 0; s <= steps; s++) {
                if (s % every == 0) {
                    snapSteps.add(s);
                    snapLoss.add(fit.loss());
                    if (act == Net.Act.RELU) {
                        List<Kinks.Kink> k = Kinks.find(net, -Math.PI, Math.PI, Untrained.GRID);
                        kinkCounts.add(k.size());
                        if (previous != null) {
                            Kinks.Diff d = Kinks.diff(previous, k);
                            born.add(d.born());
                            died.add(d.died());
                            moved.add(d.meanShift());
                        }
                        previous = k;
                        if (keepFrames) {
                            kinkFrames.add(byLayer(k, depth));
                        }
                    }
                    if (keepFrames) {
                        frames.add(Untrained.sig4(Fit.predict(net, shown)));
                    }
                }
                if (s == steps) {
                    break;
                }
                double l = fit.step();
                if (s % LOSS_EVERY == 0) {
                    lossCurve.add(l);
                }
                if (optim.full() && act == Net.Act.RELU) {
                    BitSet[] p = fit.patterns();
                    if (lastPatterns != null) {
                        PatternChurn.Churn c = PatternChurn.between(lastPatterns, p, units);
                        blockInputs += c.inputsChanged();
                        blockUnits += c.unitFlips();
                    }
                    lastPatterns = p;
                    if ((s + 1) % LOSS_EVERY == 0) {
                        int n = s < LOSS_EVERY ? LOSS_EVERY - 1 : LOSS_EVERY;
                        churnInputs.add(blockInputs / n);
                        churnUnits.add(blockUnits / n);
                        blockInputs = 0;
                        blockUnits = 0;
                    }
                }
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target_variance", var);
        r.put("loss_every", LOSS_EVERY);
        r.put("loss", Untrained.sig4(lossCurve));
        r.put("snapshot_steps", snapSteps);
        r.put("snapshot_loss", snapLoss);
        r.put("final_relative_loss", snapLoss.get(snapLoss.size() - 1) / var);
        if (act == Net.Act.RELU) {
            r.put("kinks", kinkCounts);
            r.put("kinks_born", born);
            r.put("kinks_died", died);
            r.put("kinks_mean_shift", Untrained.sig4(moved));
        }
        if (!churnInputs.isEmpty()) {
            r.put("churn_inputs", Untrained.sig4(churnInputs));
            r.put("churn_units", Untrained.sig4(churnUnits));
        }
        if (keepFrames) {
            r.put("frames", frames);
            if (act == Net.Act.RELU) {
                r.put("kink_positions", kinkFrames);
            }
        }
        return r;
    }

    /** Kink positions by layer, rounded to 10⁻⁴ (a tenth of the grid spacing's order; the figures bin them). */
    static List<double[]> byLayer(List<Kinks.Kink> kinks, int depth) {
        List<double[]> out = new ArrayList<>();
        for (int l = 1; l <= depth; l++) {
            int layer = l;
            out.add(kinks.stream().filter(k -> k.layer() == layer).mapToDouble(k -> Math.rint(k.x() * 1e4) / 1e4)
                    .sorted().toArray());
        }
        return out;
    }
}
