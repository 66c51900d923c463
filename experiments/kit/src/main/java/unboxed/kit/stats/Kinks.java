package unboxed.kit.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.autograd.Autograd;
import unboxed.nn.Module;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.tensor.Tensor;

/**
 * The kinks of a ReLU network of one input: the points x where some unit's pre-activation changes
 * sign, so that the function the network computes changes slope (or could: a unit whose kink is
 * not seen downstream, because every path from it is switched off or weighs zero, still counts).
 *
 * <p>How they are found. A network 1-H-…-H-1 with ReLUs computes a piecewise linear function of x,
 * and so is every unit's pre-activation. For a unit of the first layer the pre-activation is
 * w·x + b, with its one kink at x = −b/w ({@link #firstLayer}). For deeper units the pre-activation
 * is evaluated on a fine grid of x (a forward pass, recorded by a forward hook on every ReLU,
 * {@link Capture}); a kink is a sign change between two neighbouring grid points, placed by linear
 * interpolation. Between grid points the pre-activation is linear unless an earlier layer's kink
 * falls in the same cell, so the position is exact up to float32 rounding in every cell without
 * another kink, and off by less than the grid spacing otherwise; two sign changes of one unit in
 * one cell are missed. With 4097 points on [−π, π] the spacing is 0.0015.
 */
public final class Kinks {
    /** One kink: the ReLU layer (1 = first hidden layer), the unit in it, and where it is. */
    public record Kink(int layer, int unit, double x) {
    }

    private Kinks() {
    }

    /**
     * Records the input of every call of some modules with forward hooks: for a ReLU, its
     * pre-activation. Closing it removes the hooks.
     */
    public static final class Capture implements AutoCloseable {
        private final List<AutoCloseable> handles = new ArrayList<>();
        private final Tensor[] last;

        private Capture(List<Module> modules) {
            last = new Tensor[modules.size()];
            for (int i = 0; i < modules.size(); i++) {
                int k = i;
                handles.add(modules.get(i).registerForwardHook((m, in, out) -> {
                    last[k] = in;
                    return out;
                }));
            }
        }

        /** Hooks every module in {@code modules}. */
        public static Capture on(List<Module> modules) {
            return new Capture(modules);
        }

        /** Hooks every ReLU of {@code net}, in order. */
        public static Capture onRelus(Sequential net) {
            return new Capture(relus(net));
        }

        /** How many modules are hooked. */
        public int size() {
            return last.length;
        }

        /** The input of the last call of module {@code i}, shape [n, units]. */
        public Tensor input(int i) {
            if (last[i] == null) {
                throw new IllegalStateException("Capture: module " + i + " has not run since the hooks were set");
            }
            return last[i];
        }

        /** Every hooked module's last input as {@code [unit][sample]} arrays, module by module. */
        public List<double[][]> byUnit() {
            List<double[][]> out = new ArrayList<>();
            for (int i = 0; i < last.length; i++) {
                out.add(transpose(input(i)));
            }
            return out;
        }

        @Override
        public void close() {
            for (AutoCloseable h : handles) {
                try {
                    h.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** The ReLU modules of a Sequential, in order. */
    public static List<Module> relus(Sequential net) {
        List<Module> out = new ArrayList<>();
        for (int i = 0; i < net.size(); i++) {
            if (net.get(i) instanceof ReLU) {
                out.add(net.get(i));
            }
        }
        return out;
    }

    /** {@code n} equally spaced points from {@code lo} to {@code hi}, both included. */
    public static double[] grid(double lo, double hi, int n) {
        if (n < 2 || !(hi > lo)) {
            throw new IllegalArgumentException("grid: need n >= 2 and hi > lo, got n=" + n + " on [" + lo + ", " + hi + "]");
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * i / (n - 1);
        }
        x[n - 1] = hi;
        return x;
    }

    /** x as a column [n, 1] of float32. */
    public static Tensor column(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return Tensor.of(f, x.length, 1);
    }

    /** The pre-activations of every ReLU of {@code net} at the points {@code x}, {@code [layer][unit][point]}; no gradient is recorded. */
    public static List<double[][]> preActivations(Sequential net, double[] x) {
        try (Autograd.GradMode ignored = Autograd.noGrad(); Capture c = Capture.onRelus(net)) {
            net.call(column(x));
            return c.byUnit();
        }
    }

    /** The kinks of {@code net} inside [lo, hi], found on a grid of {@code points} points. */
    public static List<Kink> find(Sequential net, double lo, double hi, int points) {
        double[] x = grid(lo, hi, points);
        return find(x, preActivations(net, x));
    }

    /** The sign changes of every unit's pre-activation along increasing {@code x}, placed by linear interpolation; sorted by layer, unit, x. */
    public static List<Kink> find(double[] x, List<double[][]> pre) {
        List<Kink> out = new ArrayList<>();
        for (int l = 0; l < pre.size(); l++) {
            double[][] layer = pre.get(l);
            for (int u = 0; u < layer.length; u++) {
                double[] p = layer[u];
                if (p.length != x.length) {
                    throw new IllegalArgumentException("layer " + (l + 1) + " unit " + u + ": " + p.length
                            + " pre-activations for " + x.length + " points");
                }
                for (int i = 0; i + 1 < p.length; i++) {
                    boolean a = p[i] > 0;
                    boolean b = p[i + 1] > 0;
                    if (a != b) {
                        double t = p[i] == p[i + 1] ? 0.5 : p[i] / (p[i] - p[i + 1]);
                        out.add(new Kink(l + 1, u, x[i] + t * (x[i + 1] - x[i])));
                    }
                }
            }
        }
        return out;
    }

    /** The first layer's kinks in closed form: x = −b/w for every unit with w ≠ 0 and −b/w in [lo, hi]. */
    public static List<Kink> firstLayer(float[] weight, float[] bias, double lo, double hi) {
        List<Kink> out = new ArrayList<>();
        for (int u = 0; u < weight.length; u++) {
            if (weight[u] != 0) {
                double x = -(double) bias[u] / weight[u];
                if (x >= lo && x <= hi) {
                    out.add(new Kink(1, u, x));
                }
            }
        }
        return out;
    }

    /** Counts of kinks per bin of [lo, hi] ({@code bins} equal bins; kinks outside are not counted). */
    public static long[] histogram(List<Kink> kinks, double lo, double hi, int bins) {
        long[] h = new long[bins];
        for (Kink k : kinks) {
            if (k.x() >= lo && k.x() <= hi) {
                h[Math.min(bins - 1, (int) ((k.x() - lo) / (hi - lo) * bins))]++;
            }
        }
        return h;
    }

    /** The entropy, in bits, of the kinks' positions over the bins of a histogram (0 when there are none). */
    public static double entropyBits(long[] histogram) {
        long n = 0;
        for (long c : histogram) {
            n += c;
        }
        double e = 0;
        for (long c : histogram) {
            if (c > 0) {
                double p = (double) c / n;
                e -= p * Math.log(p) / Math.log(2);
            }
        }
        return e;
    }

    /**
     * What happened to the kinks between two snapshots, unit by unit: a unit that has as many
     * kinks after as before kept them (matched in order along x, and {@code meanShift} is their
     * mean |Δx|); a unit with more has had kinks born, one with fewer has had kinks die (a kink
     * that leaves the range counts as dying there, one that enters as born).
     */
    public record Diff(int born, int died, int kept, double meanShift) {
    }

    public static Diff diff(List<Kink> before, List<Kink> after) {
        Map<Long, List<Double>> a = byUnit(before);
        Map<Long, List<Double>> b = byUnit(after);
        int born = 0;
        int died = 0;
        int kept = 0;
        double shift = 0;
        java.util.Set<Long> units = new java.util.TreeSet<>(a.keySet());
        units.addAll(b.keySet());
        for (long key : units) {
            List<Double> x = a.getOrDefault(key, List.of());
            List<Double> y = b.getOrDefault(key, List.of());
            if (x.size() == y.size()) {
                for (int i = 0; i < x.size(); i++) {
                    shift += Math.abs(y.get(i) - x.get(i));
                }
                kept += x.size();
            } else if (y.size() > x.size()) {
                born += y.size() - x.size();
                kept += x.size();
            } else {
                died += x.size() - y.size();
                kept += y.size();
            }
        }
        return new Diff(born, died, kept, kept == 0 ? 0 : shift / kept);
    }

    private static Map<Long, List<Double>> byUnit(List<Kink> kinks) {
        Map<Long, List<Double>> m = new LinkedHashMap<>();
        List<Kink> sorted = new ArrayList<>(kinks);
        sorted.sort(Comparator.comparingInt(Kink::layer).thenComparingInt(Kink::unit).thenComparingDouble(Kink::x));
        for (Kink k : sorted) {
            m.computeIfAbsent(((long) k.layer() << 32) | k.unit(), z -> new ArrayList<>()).add(k.x());
        }
        return m;
    }

    /** A [n, units] tensor as {@code [unit][row]} doubles. */
    static double[][] transpose(Tensor t) {
        int[] s = t.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException("expected a [n, units] tensor, got shape " + java.util.Arrays.toString(s));
        }
        float[] v = t.toArray();
        double[][] out = new double[s[1]][s[0]];
        for (int i = 0; i < s[0]; i++) {
            for (int u = 0; u < s[1]; u++) {
                out[u][i] = v[i * s[1] + u];
            }
        }
        return out;
    }
}
