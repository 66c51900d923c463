package unboxed.exhaustion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.kit.Named;
import unboxed.kit.Rounding;
import unboxed.kit.stats.Kinks;
import unboxed.kit.stats.LayerDynamics;
import unboxed.simple.Net;
import unboxed.tensor.Rng;

/**
 * The fatigue test. A network is given the target f(x) = sin x for a fixed budget of steps, then
 * g(x) = sin(x + δ) for the same budget, then f again, and so on: one cycle is one change of
 * target. The load is the amplitude of the change, a = ‖f − g‖ / ‖f‖ = 2 sin(δ/2) on the
 * training grid (0 for δ = 0, 2 for δ = π). A cycle fails when the relative loss does not reach
 * the threshold within the budget; the run counts the cycles until the first failure, or stops at
 * {@code maxCycles} (a run-out, in the metal-fatigue vocabulary).
 *
 * <p>At the end of every cycle the layer measures are kept, so that failure can be set against
 * dead units, weight growth, rank and saturation; an intervention, if any, acts at the start of
 * every cycle after the first.
 */
final class Cycling {
    /** What is done to the network between cycles. */
    enum Intervention implements Named {
        NONE("none", "none"),
        REINIT_DEAD("reinit-dead", "re-initialise dead units"),
        RESET_ADAM("reset-adam", "reset Adam's state"),
        WEIGHT_DECAY("weight-decay", "weight decay (AdamW, 0.01)"),
        SHRINK_PERTURB("shrink-perturb", "shrink and perturb (0.8, 0.1)");

        final String id;
        final String label;

        Intervention(String id, String label) {
            this.id = id;
            this.label = label;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String label() {
            return label;
        }

        static Intervention byId(String id) {
            return Named.byId(Intervention.class, id);
        }
    }

    /** Training inputs: equally spaced on [−π, π] (post 06's). */
    static final int POINTS = 256;
    static final double WEIGHT_DECAY = 0.01;
    static final double SHRINK = 0.8;
    static final double PERTURB = 0.1;

    private Cycling() {
    }

    /** The load of a phase shift δ: ‖sin(x + δ) − sin x‖ / ‖sin x‖ on the training grid. */
    static double amplitude(double delta) {
        double[] x = Kinks.grid(-Math.PI, Math.PI, POINTS);
        double num = 0;
        double den = 0;
        for (double v : x) {
            double d = Math.sin(v + delta) - Math.sin(v);
            num += d * d;
            den += Math.sin(v) * Math.sin(v);
        }
        return Math.sqrt(num / den);
    }

    static Map<String, Object> run(int width, int depth, Net.Act act, double delta, int budget, int maxCycles,
                                   double threshold, Intervention intervention, int trailEvery, long seed) {
        Rng rng = new Rng(seed);
        double[] x = Kinks.grid(-Math.PI, Math.PI, POINTS);
        double[] f = new double[POINTS];
        double[] g = new double[POINTS];
        for (int i = 0; i < POINTS; i++) {
            f[i] = Math.sin(x[i]);
            g[i] = Math.sin(x[i] + delta);
        }
        List<Integer> reached = new ArrayList<>();
        List<Double> finalLoss = new ArrayList<>();
        List<Double> dead = new ArrayList<>();
        List<double[]> deadByLayer = new ArrayList<>();
        List<double[]> weightNorm = new ArrayList<>();
        List<double[]> rank = new ArrayList<>();
        List<double[]> saturated = new ArrayList<>();
        List<Integer> revived = new ArrayList<>();
        Trail trail = trailEvery > 0 ? new Trail(-Math.PI, Math.PI) : null;
        Rng levers = rng.fork("interventions");
        int failedAt = -1;
        int[] widths = new int[depth];
        java.util.Arrays.fill(widths, width);
        try (Learner l = new Learner(width, depth, act, 1,
                intervention == Intervention.WEIGHT_DECAY ? WEIGHT_DECAY : 0, rng.fork("init"))) {
            int step = 0;
            for (int c = 1; c <= maxCycles; c++) {
                l.data(x, c % 2 == 1 ? f : g);
                if (c > 1) {
                    switch (intervention) {
                        case REINIT_DEAD -> revived.add(l.reinitDead(levers));
                        case RESET_ADAM -> l.resetOptimizer();
                        case SHRINK_PERTURB -> l.shrinkPerturb(SHRINK, PERTURB, levers);
                        default -> { }
                    }
                }
                if (trail != null) {
                    trail.event(step, c % 2 == 1 ? "f" : "g");
                }
                int hit = -1;
                double last = Double.NaN;
                for (int s = 0; s < budget; s++) {
                    if (trail != null && (step % trailEvery == 0)) {
                        trail.look(step, l);
                    }
                    last = l.step();
                    if (hit < 0 && last <= threshold) {
                        hit = s;
                    }
                    step++;
                }
                double end = l.relativeLoss();
                if (hit < 0 && end <= threshold) {
                    hit = budget;
                }
                LayerDynamics.Snapshot snap = l.look();
                reached.add(hit);
                finalLoss.add(Rounding.sig4(end));
                dead.add(Rounding.sig4(snap.deadOverall(widths)));
                deadByLayer.add(Rounding.sig4(snap.dead()));
                weightNorm.add(Rounding.sig4(snap.weightNorms()));
                rank.add(Rounding.sig4(snap.rank()));
                saturated.add(Rounding.sig4(snap.saturated()));
                if (hit < 0) {
                    failedAt = c;
                    break;
                }
            }
            if (trail != null) {
                trail.look(step, l);
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("amplitude", Rounding.sig4(amplitude(delta)));
        r.put("cycles_to_failure", failedAt);
        r.put("run_out", failedAt < 0);
        r.put("cycles_run", reached.size());
        r.put("steps_to_threshold", reached);
        r.put("final_relative_loss", finalLoss);
        r.put("dead", dead);
        r.put("dead_by_layer", deadByLayer);
        r.put("weight_norm", weightNorm);
        r.put("rank", rank);
        r.put("saturated", saturated);
        if (intervention == Intervention.REINIT_DEAD) {
            r.put("revived", revived);
        }
        if (trail != null) {
            r.put("trail", trail.toMap());
        }
        return r;
    }
}
