package unboxed.exhaustion;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.kit.stats.Kinks;
import unboxed.kit.stats.LayerDynamics;
import unboxed.kit.Rounding;
import unboxed.kit.stats.PatternChurn;

/**
 * A run in slow motion, for its dashboard: every few steps, the relative loss, the layer
 * measures ({@link LayerDynamics}), the activation-pattern churn since the last look, and where
 * the function's kinks are (ReLU). Events (a change of target, an attack) are marked by step.
 */
final class Trail {
    /** Kinks are found on this many points of the window, as in post 06. */
    static final int GRID = 1025;

    private final double lo;
    private final double hi;
    private final List<Integer> steps = new ArrayList<>();
    private final List<Double> loss = new ArrayList<>();
    private final List<double[]> weightNorm = new ArrayList<>();
    private final List<double[]> gradNorm = new ArrayList<>();
    private final List<double[]> dead = new ArrayList<>();
    private final List<double[]> saturated = new ArrayList<>();
    private final List<double[]> rank = new ArrayList<>();
    private final List<Double> churn = new ArrayList<>();
    private final List<double[]> kinks = new ArrayList<>();
    private final List<Integer> events = new ArrayList<>();
    private final List<String> eventNames = new ArrayList<>();
    private BitSet[] last;

    /** Kinks are looked for in [lo, hi]. */
    Trail(double lo, double hi) {
        this.lo = lo;
        this.hi = hi;
    }

    void event(int step, String name) {
        events.add(step);
        eventNames.add(name);
    }

    /** Records the learner as it is at {@code step}, its gradients those of its last step. */
    void look(int step, Learner l) {
        LayerDynamics.Snapshot s = l.look();
        BitSet[] p = l.patterns();
        steps.add(step);
        loss.add(l.relativeLoss());
        weightNorm.add(Rounding.sig4(s.weightNorms()));
        gradNorm.add(Rounding.sig4(s.gradNorms()));
        dead.add(Rounding.sig4(s.dead()));
        saturated.add(Rounding.sig4(s.saturated()));
        rank.add(Rounding.sig4(s.rank()));
        if (last != null) {
            churn.add(PatternChurn.between(last, p, l.width * l.depth).inputsChanged());
        }
        last = p;
        kinks.add(l.kinks(lo, hi, GRID).stream().mapToDouble(k -> Math.rint(k.x() * 1e3) / 1e3).toArray());
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        m.put("relative_loss", Rounding.sig4(loss));
        m.put("weight_norm", weightNorm);
        m.put("grad_norm", gradNorm);
        m.put("dead", dead);
        m.put("saturated", saturated);
        m.put("rank", rank);
        // between consecutive looks: one fewer than the looks
        m.put("churn_inputs", Rounding.sig4(churn));
        m.put("kinks", kinks);
        m.put("kink_window", new double[] {lo, hi});
        m.put("events", events);
        m.put("event_names", eventNames);
        return m;
    }
}
