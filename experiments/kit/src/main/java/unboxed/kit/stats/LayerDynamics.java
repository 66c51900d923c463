package unboxed.kit.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.nn.Linear;
import unboxed.tensor.Tensor;

/**
 * One look at every hidden layer of an MLP, from the pre-activations its forward hooks caught
 * ({@code [layer][unit][input]}, as {@link Kinks.Capture#byUnit()} gives them) and from its
 * Linear layers: the numbers a reader wants to watch while a network is worn out.
 * <ul>
 *   <li>{@code weight_norm}: ‖W‖ (Frobenius) of each Linear, the output layer included;</li>
 *   <li>{@code grad_norm}: ‖∂L/∂W‖ of each Linear after the last backward (0 with no gradient);</li>
 *   <li>{@code dead}: the share of a hidden layer's units whose pre-activation is ≤ 0 for every
 *       input (a dead ReLU: its gradient is zero everywhere, so nothing revives it);</li>
 *   <li>{@code saturated}: the share of (unit, input) pairs with |z| ≥ {@link #SATURATED_Z}, where
 *       tanh is within 1% of ±1 and passes back less than 2% of its gradient;</li>
 *   <li>{@code rank}: the effective rank ({@link EffectiveRank#entropy}) of the layer's output,
 *       ReLU or tanh applied, over the inputs; {@code srank} its srank.</li>
 * </ul>
 */
public final class LayerDynamics {
    /** atanh(0.99): beyond it tanh'(z) = 1 − tanh² < 0.02. */
    public static final double SATURATED_Z = 0.5 * Math.log(1.99 / 0.01);

    /** The activation the hidden layers apply to their pre-activations. */
    public enum Activation { RELU, TANH }

    /** The measures of one hidden layer. */
    public record Hidden(double dead, double saturated, double rank, int srank) {
    }

    /** Every hidden layer's measures, and the weight and gradient norms of every Linear (one more: the output layer). */
    public record Snapshot(List<Hidden> hidden, double[] weightNorms, double[] gradNorms) {
        public double[] dead() {
            return hidden.stream().mapToDouble(Hidden::dead).toArray();
        }

        public double[] saturated() {
            return hidden.stream().mapToDouble(Hidden::saturated).toArray();
        }

        public double[] rank() {
            return hidden.stream().mapToDouble(Hidden::rank).toArray();
        }

        public double[] srank() {
            return hidden.stream().mapToDouble(Hidden::srank).toArray();
        }

        /** The share of all hidden units that are dead. */
        public double deadOverall(int[] widths) {
            double d = 0;
            int n = 0;
            for (int l = 0; l < hidden.size(); l++) {
                d += hidden.get(l).dead() * widths[l];
                n += widths[l];
            }
            return n == 0 ? 0 : d / n;
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("weight_norm", weightNorms);
            m.put("grad_norm", gradNorms);
            m.put("dead", dead());
            m.put("saturated", saturated());
            m.put("rank", rank());
            m.put("srank", srank());
            return m;
        }
    }

    private LayerDynamics() {
    }

    /** Measures a network from its hooked pre-activations and its Linear layers. */
    public static Snapshot of(List<double[][]> pre, Activation act, List<Linear> linears) {
        List<Hidden> hidden = new ArrayList<>();
        for (double[][] layer : pre) {
            hidden.add(hidden(layer, act));
        }
        double[] w = new double[linears.size()];
        double[] g = new double[linears.size()];
        for (int i = 0; i < linears.size(); i++) {
            w[i] = norm(linears.get(i).weight().data());
            Tensor grad = linears.get(i).weight().grad();
            g[i] = grad == null ? 0 : norm(grad);
        }
        return new Snapshot(hidden, w, g);
    }

    /** The measures of one hidden layer from its pre-activations {@code [unit][input]}. */
    public static Hidden hidden(double[][] byUnit, Activation act) {
        int units = byUnit.length;
        int dead = 0;
        long saturated = 0;
        long pairs = 0;
        double[][] out = new double[units][];
        for (int u = 0; u < units; u++) {
            double[] z = byUnit[u];
            boolean alive = false;
            double[] a = new double[z.length];
            for (int i = 0; i < z.length; i++) {
                alive |= z[i] > 0;
                if (Math.abs(z[i]) >= SATURATED_Z) {
                    saturated++;
                }
                a[i] = act == Activation.RELU ? Math.max(0, z[i]) : Math.tanh(z[i]);
            }
            pairs += z.length;
            dead += act == Activation.RELU && !alive ? 1 : 0;
            out[u] = a;
        }
        double[] sigma = EffectiveRank.singularValues(out);
        return new Hidden(units == 0 ? 0 : (double) dead / units,
                act == Activation.TANH && pairs > 0 ? (double) saturated / pairs : 0,
                EffectiveRank.entropy(sigma), EffectiveRank.srank(sigma, EffectiveRank.SRANK_DELTA));
    }

    /** The Frobenius norm, summed in double. */
    public static double norm(Tensor t) {
        double s = 0;
        for (float v : t.toArray()) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }
}
