package unboxed.kit.stats;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Activation patterns and how they change. The pattern of an input is which ReLUs it switches on
 * (pre-activation &gt; 0), over every unit of every layer; inputs that share a pattern lie in one
 * linear region of the network. Between two snapshots of a network (one optimizer step apart,
 * say), the churn is the fraction of (input, unit) pairs whose bit flipped and the fraction of
 * inputs whose pattern changed at all.
 */
public final class PatternChurn {
    private PatternChurn() {
    }

    /** The churn between two snapshots of the same inputs: flipped bits per (input, unit), changed patterns per input. */
    public record Churn(double unitFlips, double inputsChanged) {
    }

    /** The patterns of {@code n} inputs from pre-activations given as {@code [layer][unit][input]}. */
    public static BitSet[] patterns(List<double[][]> pre) {
        int n = pre.isEmpty() || pre.get(0).length == 0 ? 0 : pre.get(0)[0].length;
        BitSet[] out = new BitSet[n];
        for (int i = 0; i < n; i++) {
            out[i] = new BitSet();
        }
        int bit = 0;
        for (double[][] layer : pre) {
            for (double[] unit : layer) {
                if (unit.length != n) {
                    throw new IllegalArgumentException("patterns: " + unit.length + " inputs in one unit, " + n + " in another");
                }
                for (int i = 0; i < n; i++) {
                    if (unit[i] > 0) {
                        out[i].set(bit);
                    }
                }
                bit++;
            }
        }
        return out;
    }

    /** How many units the pre-activations hold in all (the length of a pattern). */
    public static int units(List<double[][]> pre) {
        int u = 0;
        for (double[][] layer : pre) {
            u += layer.length;
        }
        return u;
    }

    /** The churn from {@code a} to {@code b}, patterns of the same inputs over {@code units} units. */
    public static Churn between(BitSet[] a, BitSet[] b, int units) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("churn: " + a.length + " inputs before, " + b.length + " after");
        }
        if (a.length == 0 || units == 0) {
            return new Churn(0, 0);
        }
        long flips = 0;
        int changed = 0;
        for (int i = 0; i < a.length; i++) {
            BitSet x = (BitSet) a[i].clone();
            x.xor(b[i]);
            int c = x.cardinality();
            flips += c;
            changed += c > 0 ? 1 : 0;
        }
        return new Churn((double) flips / ((long) a.length * units), (double) changed / a.length);
    }

    /** The number of distinct patterns among the inputs: the linear regions they fall in. */
    public static int distinct(BitSet[] patterns) {
        Set<BitSet> s = new HashSet<>(List.of(patterns));
        return s.size();
    }

    /** The fraction of units that are off for every input (dead on these inputs). */
    public static double deadFraction(BitSet[] patterns, int units) {
        if (units == 0) {
            return 0;
        }
        BitSet any = new BitSet();
        for (BitSet p : patterns) {
            any.or(p);
        }
        return 1 - (double) any.cardinality() / units;
    }
}
