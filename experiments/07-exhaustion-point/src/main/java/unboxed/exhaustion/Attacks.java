package unboxed.exhaustion;

import java.util.LinkedHashMap;
import java.util.Map;
import unboxed.kit.Named;
import unboxed.kit.Rounding;
import unboxed.kit.stats.Kinks;
import unboxed.kit.stats.LayerDynamics;
import unboxed.simple.Net;
import unboxed.simple.Target;
import unboxed.tensor.Rng;

/**
 * Every way we know to wear a network out, and the test of what it left behind. An attack is
 * a first phase of {@code attackSteps} steps of full-batch Adam; then the probe: the same
 * network, with a fresh Adam (so that only its weights carry the past), is asked to learn a
 * target it has never seen, x², and the steps it needs to reach the loss threshold are set
 * against those of a new network given the same probe ({@link Attack#FRESH}). Lasting damage
 * is a probe that is slower than a new network's.
 */
final class Attacks {
    enum Attack implements Named {
        /** No first phase: a new network takes the probe (the yardstick). */
        FRESH("fresh", "new network (yardstick)"),
        /** sin x for the whole first phase: plain training, the control for "having learned something". */
        PLAIN("plain", "plain training on sin x"),
        /** The target alternates sin x ↔ −sin x every cycle (δ = π, the heaviest load of the fatigue test). */
        ALTERNATE("alternate", "target alternated sin x ↔ −sin x"),
        /** A fresh random target, N(0, 1) at each input, every cycle: memorising noise. */
        RANDOM("random", "random targets, new every cycle"),
        /** sin x, with a spike of {@link #SPIKE_STEPS} steps at {@link #SPIKE_LR} at the start of every cycle. */
        LR_SPIKES("lr-spikes", "learning-rate spikes (×100 for 5 steps a cycle)"),
        /** sin x learned on inputs moved by {@link #INPUT_SHIFT}: [−π + 20, π + 20]. */
        INPUT_SHIFT("input-shift", "inputs shifted by +20"),
        /** Every initial weight and bias ×10, then plain training. */
        INIT_LARGE("init-large", "initialisation ×10"),
        /** Every initial weight and bias ×0.01, then plain training. */
        INIT_SMALL("init-small", "initialisation ×0.01");

        final String id;
        final String label;

        Attack(String id, String label) {
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

        static Attack byId(String id) {
            return Named.byId(Attack.class, id);
        }

        double initScale() {
            return this == INIT_LARGE ? 10 : this == INIT_SMALL ? 0.01 : 1;
        }
    }

    static final double SPIKE_LR = 1.0;
    static final int SPIKE_STEPS = 5;
    static final double INPUT_SHIFT = 20;
    /** The probe's target. */
    static final Target PROBE = Target.SQUARE;

    private Attacks() {
    }

    static Map<String, Object> run(Attack attack, Net.Act act, int width, int depth, int attackSteps, int cycle,
                                   int probeBudget, double threshold, int trailEvery, long seed) {
        Rng rng = new Rng(seed);
        double[] x = Kinks.grid(-Math.PI, Math.PI, Cycling.POINTS);
        double[] sin = Target.SIN.at(x);
        Rng noise = rng.fork("random-targets");
        Trail trail = trailEvery > 0 ? new Trail(-Math.PI, Math.PI) : null;
        Map<String, Object> r = new LinkedHashMap<>();
        int[] widths = new int[depth];
        java.util.Arrays.fill(widths, width);
        try (Learner l = new Learner(width, depth, act, attack.initScale(), 0, rng.fork("init"))) {
            int step = 0;
            if (attack != Attack.FRESH) {
                double[] inputs = x.clone();
                if (attack == Attack.INPUT_SHIFT) {
                    for (int i = 0; i < inputs.length; i++) {
                        inputs[i] += INPUT_SHIFT;
                    }
                }
                double last = Double.NaN;
                for (; step < attackSteps; step++) {
                    if (step % cycle == 0) {
                        int c = step / cycle;
                        double[] y = switch (attack) {
                            case ALTERNATE -> c % 2 == 0 ? sin : negate(sin);
                            case RANDOM -> gaussian(noise, x.length);
                            default -> sin;
                        };
                        l.data(inputs, y);
                        if (trail != null && (c == 0 || attack == Attack.ALTERNATE || attack == Attack.RANDOM
                                || attack == Attack.LR_SPIKES)) {
                            trail.event(step, attack.id);
                        }
                    }
                    if (attack == Attack.LR_SPIKES) {
                        l.learningRate(step % cycle < SPIKE_STEPS ? SPIKE_LR : Learner.LR);
                    }
                    if (trail != null && step % trailEvery == 0) {
                        trail.look(step, l);
                    }
                    last = l.step();
                }
                l.learningRate(Learner.LR);
                r.put("attack_final_relative_loss", Rounding.sig4(l.relativeLoss()));
                r.put("attack_last_step_loss", Rounding.sig4(last));
            }
            // the measures after the attack are taken on the probe's inputs (the ordinary grid)
            l.data(x, PROBE.at(x));
            LayerDynamics.Snapshot after = l.look();
            r.put("after_attack", measures(after, widths));
            l.resetOptimizer();
            if (trail != null) {
                trail.event(step, "probe");
            }
            int hit = -1;
            double lossAt = Double.NaN;
            for (int s = 0; s < probeBudget; s++) {
                if (trail != null && step % trailEvery == 0) {
                    trail.look(step, l);
                }
                double v = l.step();
                if (hit < 0 && v <= threshold) {
                    hit = s;
                }
                if (s == PROBE_LOSS_AT) {
                    lossAt = v;
                }
                step++;
                if (hit >= 0 && trail == null) {
                    break;
                }
            }
            if (hit < 0 && l.relativeLoss() <= threshold) {
                hit = probeBudget;
            }
            r.put("probe_steps", hit);
            r.put("probe_reached", hit >= 0);
            r.put("probe_loss_at_" + PROBE_LOSS_AT, Double.isNaN(lossAt) ? null : Rounding.sig4(lossAt));
            r.put("after_probe", measures(l.look(), widths));
            if (trail != null) {
                trail.look(step, l);
                r.put("trail", trail.toMap());
            }
        }
        return r;
    }

    /** The probe's loss is also kept at this step (when the run gets there). */
    static final int PROBE_LOSS_AT = 100;

    static Map<String, Object> measures(LayerDynamics.Snapshot s, int[] widths) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dead", Rounding.sig4(s.deadOverall(widths)));
        m.put("dead_by_layer", Rounding.sig4(s.dead()));
        m.put("weight_norm", Rounding.sig4(s.weightNorms()));
        m.put("rank", Rounding.sig4(s.rank()));
        m.put("saturated", Rounding.sig4(s.saturated()));
        return m;
    }

    private static double[] negate(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = -v[i];
        }
        return o;
    }

    private static double[] gaussian(Rng rng, int n) {
        double[] o = new double[n];
        for (int i = 0; i < n; i++) {
            o[i] = rng.nextGaussian();
        }
        return o;
    }
}
