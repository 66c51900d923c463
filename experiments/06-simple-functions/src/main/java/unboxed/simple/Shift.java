package unboxed.simple;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.kit.stats.Kinks;
import unboxed.kit.stats.PatternChurn;
import unboxed.nn.Linear;
import unboxed.nn.Parameter;
import unboxed.nn.Sequential;
import unboxed.tensor.Rng;

/**
 * The phenomenon: a ReLU network learns sin x on [−π, π], then, mid-training, the task changes:
 * the target becomes sin(x + δ) on the same inputs ({@link Kind#TARGET}), or the inputs move to
 * [−π + s, π + s] with the same target sin x ({@link Kind#INPUT}). The optimiser (Adam, full
 * batch) carries on with its state, as if nothing had happened. Recorded every
 * {@link #BLOCK} steps: the loss, the activation-pattern churn, the distance travelled in
 * weight space, and the kinks (count, histogram, entropy) over the window that holds both input
 * ranges.
 *
 * <p>Transfer: from the same pretrained weights, phase 2 is also run with a fresh Adam over all
 * parameters and with a fresh Adam over everything but the first layer (frozen); and
 * {@link Kind#SCRATCH_TARGET} and {@link Kind#SCRATCH_INPUT} train the second task from a fresh
 * initialisation, so that the steps to a loss threshold can be compared.
 */
final class Shift {
    enum Kind {
        TARGET("target"), INPUT("input"), SCRATCH_TARGET("scratch-target"), SCRATCH_INPUT("scratch-input");

        final String id;

        Kind(String id) {
            this.id = id;
        }

        static Kind byId(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("no shift kind '" + id + "'");
        }

        boolean target() {
            return this == TARGET || this == SCRATCH_TARGET;
        }

        boolean scratch() {
            return this == SCRATCH_TARGET || this == SCRATCH_INPUT;
        }
    }

    static final int BLOCK = 10;
    /** Blocks of the pretraining kept in the results before the switch (the rest is the same story, longer). */
    static final int KEPT_BEFORE = 20;
    static final int HIST_BINS = 32;
    /** Relative loss thresholds (MSE divided by the target's variance) for steps-to-threshold. */
    static final double[] THRESHOLDS = {1e-2, 1e-3};

    private Shift() {
    }

    static Map<String, Object> run(Kind kind, double size, int width, int depth, int pretrain, int steps,
                                   long seed) {
        Rng rng = new Rng(seed);
        Sequential net = Net.mlp(width, depth, Net.Act.RELU, Net.Scheme.DEFAULT, rng.fork("init"));
        double[] x0 = Kinks.grid(-Math.PI, Math.PI, Training.POINTS);
        double[] y0 = Target.SIN.at(x0);
        double[] x1 = new double[x0.length];
        double[] y1 = new double[x0.length];
        for (int i = 0; i < x0.length; i++) {
            x1[i] = kind.target() ? x0[i] : x0[i] + size;
            y1[i] = kind.target() ? Math.sin(x0[i] + size) : Math.sin(x1[i]);
        }
        double var1 = Untrained.variance(y1);
        double lo = -Math.PI;
        double hi = Math.PI + (kind.target() ? 0 : size);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("window", new double[] {lo, hi});
        r.put("target_variance", var1);
        Series series = new Series();
        try (Fit fit = new Fit(net, net.parameters(), Fit.Optim.ADAM_FULL, rng.fork("batches"))) {
            int total = kind.scratch() ? steps : pretrain + steps;
            int switchAt = kind.scratch() ? 0 : pretrain;
            fit.data(kind.scratch() ? x1 : x0, kind.scratch() ? y1 : y0);
            double[] theta = Net.flat(net);
            double[] atSwitch = kind.scratch() ? theta : null;
            BitSet[] last = null;
            double[] current = kind.scratch() ? x1 : x0;
            List<Integer> phase2Losses = new ArrayList<>();
            Map<String, long[]> hists = new LinkedHashMap<>();
            Integer[] reached = new Integer[THRESHOLDS.length];
            for (int s = 0; s <= total; s++) {
                if (s == switchAt && !kind.scratch()) {
                    r.put("pretrained_relative_loss", fit.loss() / Untrained.variance(y0));
                    fit.data(x1, y1);
                    current = x1;
                    atSwitch = theta.clone();
                    last = null;
                    if (s > 0) {
                        hists.put("before", histogram(net, lo, hi));
                        r.put("phase2", phase2(net, x1, y1, steps, rng));
                    }
                }
                if (s == switchAt + 20) {
                    hists.put("after-20", histogram(net, lo, hi));
                }
                if (s == switchAt + 100) {
                    hists.put("after-100", histogram(net, lo, hi));
                }
                if (s == total) {
                    hists.put("end", histogram(net, lo, hi));
                    series.finalLoss = fit.loss() / var1;
                    break;
                }
                double l = fit.step();
                if (s >= switchAt) {
                    for (int t = 0; t < THRESHOLDS.length; t++) {
                        if (reached[t] == null && l / var1 < THRESHOLDS[t]) {
                            reached[t] = s - switchAt;
                        }
                    }
                }
                BitSet[] p = fit.patterns();
                double[] next = Net.flat(net);
                double stepNorm = distance(theta, next);
                theta = next;
                PatternChurn.Churn c = last == null ? null : PatternChurn.between(last, p, width * depth);
                last = p;
                series.add(s, l, c, stepNorm, atSwitch == null ? 0 : distance(atSwitch, theta), p);
                if ((s + 1) % BLOCK == 0) {
                    List<Kinks.Kink> k = Kinks.find(net, lo, hi, Untrained.GRID);
                    series.kinks(k, current, lo, hi);
                }
            }
            r.put("switch_at", switchAt);
            r.put("steps_to", thresholds(reached));
            hists.forEach((name, h) -> r.put("hist_" + name.replace("-", "_"), h));
        }
        r.put("block", BLOCK);
        int start = kind.scratch() ? 0 : Math.max(0, pretrain / BLOCK - KEPT_BEFORE);
        r.put("series_start_block", start);
        series.into(r, start);
        return r;
    }

    /** Phase 2 again from the pretrained weights, with a fresh Adam: all layers, and all but the first (frozen). */
    private static Map<String, Object> phase2(Sequential pretrained, double[] x1, double[] y1, int steps, Rng rng) {
        Map<String, Object> out = new LinkedHashMap<>();
        double var1 = Untrained.variance(y1);
        for (boolean freeze : new boolean[] {false, true}) {
            Sequential copy = Net.mlp(Net.linears(pretrained).get(0).outFeatures(), Net.linears(pretrained).size() - 1,
                    Net.Act.RELU, Net.Scheme.DEFAULT, new Rng(0));
            copy.loadStateDict(pretrained.stateDict());
            List<Parameter> trained = new ArrayList<>();
            Linear first = Net.linears(copy).get(0);
            for (Parameter p : copy.parameters()) {
                if (!freeze || (p != first.weight() && p != first.bias())) {
                    trained.add(p);
                }
            }
            Integer[] reached = new Integer[THRESHOLDS.length];
            List<Double> curve = new ArrayList<>();
            try (Fit fit = new Fit(copy, trained, Fit.Optim.ADAM_FULL, rng.fork("phase2"))) {
                fit.data(x1, y1);
                for (int s = 0; s < steps; s++) {
                    double l = fit.step();
                    if (s % BLOCK == 0) {
                        curve.add(l);
                    }
                    for (int t = 0; t < THRESHOLDS.length; t++) {
                        if (reached[t] == null && l / var1 < THRESHOLDS[t]) {
                            reached[t] = s;
                        }
                    }
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("steps_to", thresholds(reached));
                m.put("final_relative_loss", fit.loss() / var1);
                m.put("loss", Untrained.sig4(curve));
                out.put(freeze ? "fresh_adam_frozen_first" : "fresh_adam_all", m);
            }
        }
        return out;
    }

    private static Map<String, Object> thresholds(Integer[] reached) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int t = 0; t < THRESHOLDS.length; t++) {
            m.put(String.valueOf(THRESHOLDS[t]), reached[t]);
        }
        return m;
    }

    private static long[] histogram(Sequential net, double lo, double hi) {
        return Kinks.histogram(Kinks.find(net, lo, hi, Untrained.GRID), lo, hi, HIST_BINS);
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    /** The per-block series. */
    private static final class Series {
        final List<Double> loss = new ArrayList<>();
        final List<Double> lossMax = new ArrayList<>();
        final List<Double> churnInputs = new ArrayList<>();
        final List<Double> churnUnits = new ArrayList<>();
        final List<Double> path = new ArrayList<>();
        final List<Double> displacement = new ArrayList<>();
        final List<Integer> regions = new ArrayList<>();
        final List<Integer> kinksInRange = new ArrayList<>();
        final List<Integer> kinksInWindow = new ArrayList<>();
        final List<Double> entropy = new ArrayList<>();
        double finalLoss;
        double bLoss;
        double bMax;
        double bIn;
        double bUn;
        int bChurnSteps;
        double bPath;
        double travelled;

        void add(int s, double l, PatternChurn.Churn c, double stepNorm, double disp, BitSet[] patterns) {
            bLoss += l;
            bMax = Math.max(bMax, l);
            if (c != null) {
                bIn += c.inputsChanged();
                bUn += c.unitFlips();
                bChurnSteps++;
            }
            travelled += stepNorm;
            if ((s + 1) % BLOCK == 0) {
                loss.add(bLoss / BLOCK);
                lossMax.add(bMax);
                churnInputs.add(bChurnSteps == 0 ? 0 : bIn / bChurnSteps);
                churnUnits.add(bChurnSteps == 0 ? 0 : bUn / bChurnSteps);
                path.add(travelled);
                displacement.add(disp);
                regions.add(PatternChurn.distinct(patterns));
                bLoss = 0;
                bMax = 0;
                bIn = 0;
                bUn = 0;
                bChurnSteps = 0;
            }
        }

        void kinks(List<Kinks.Kink> k, double[] current, double lo, double hi) {
            double a = current[0];
            double b = current[current.length - 1];
            kinksInRange.add((int) k.stream().filter(q -> q.x() >= a && q.x() <= b).count());
            kinksInWindow.add(k.size());
            entropy.add(Kinks.entropyBits(Kinks.histogram(k, lo, hi, HIST_BINS)));
        }

        void into(Map<String, Object> r, int start) {
            for (List<?> l : List.of(loss, lossMax, churnInputs, churnUnits, path, displacement, regions,
                    kinksInRange, kinksInWindow, entropy)) {
                l.subList(0, start).clear();
            }
            r.put("final_relative_loss", finalLoss);
            r.put("loss", Untrained.sig4(loss));
            r.put("loss_max", Untrained.sig4(lossMax));
            r.put("churn_inputs", Untrained.sig4(churnInputs));
            r.put("churn_units", Untrained.sig4(churnUnits));
            r.put("path_length", Untrained.sig4(path));
            r.put("displacement", Untrained.sig4(displacement));
            r.put("regions", regions);
            r.put("kinks_in_range", kinksInRange);
            r.put("kinks_in_window", kinksInWindow);
            r.put("kink_entropy_bits", Untrained.sig4(entropy));
        }
    }
}
