package unboxed.simple;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.autograd.Autograd;
import unboxed.kit.Rounding;
import unboxed.kit.stats.Kinks;
import unboxed.kit.stats.PatternChurn;
import unboxed.nn.Sequential;
import unboxed.tensor.Rng;

/**
 * One freshly initialised network and the function it computes on [−π, π], before any training:
 * its ReLU kinks inside the range, the variance of its output over the range, and its roughness,
 * the mean |f''| (the total variation of f' per unit length: for a piecewise linear f, the sum of
 * its slope jumps divided by 2π).
 */
final class Untrained {
    /** The grid the kinks are found on. */
    static final int GRID = 4097;
    /** Roughness uses every 4th grid point (spacing 0.006): float32 rounding of f divided by h² stays below 0.01 there. */
    static final int ROUGH_STRIDE = 4;
    /** The points the function itself is stored at, for the figures. */
    static final int SHOWN = 129;

    private Untrained() {
    }

    static Map<String, Object> run(int width, int depth, Net.Act act, Net.Scheme scheme, long seed, boolean keepCurve) {
        Rng rng = new Rng(seed);
        Sequential net = Net.mlp(width, depth, act, scheme, rng);
        double[] x = Kinks.grid(-Math.PI, Math.PI, GRID);
        double[] f;
        List<double[][]> pre;
        try (Autograd.GradMode ignored = Autograd.noGrad(); Kinks.Capture c = Kinks.Capture.onRelus(net)) {
            float[] v = net.call(Kinks.column(x)).toArray();
            f = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = v[i];
            }
            pre = c.byUnit();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        if (act == Net.Act.RELU) {
            List<Kinks.Kink> kinks = Kinks.find(x, pre);
            int[] perLayer = new int[depth];
            for (Kinks.Kink k : kinks) {
                perLayer[k.layer() - 1]++;
            }
            r.put("kinks", kinks.size());
            r.put("kinks_per_layer", perLayer);
            var patterns = PatternChurn.patterns(pre);
            r.put("linear_regions", PatternChurn.distinct(patterns));
            r.put("dead_fraction", PatternChurn.deadFraction(patterns, PatternChurn.units(pre)));
        }
        r.put("variance", variance(f));
        r.put("roughness", roughness(x, f, ROUGH_STRIDE));
        if (keepCurve) {
            double[] shown = new double[SHOWN];
            int step = (GRID - 1) / (SHOWN - 1);
            for (int i = 0; i < SHOWN; i++) {
                shown[i] = f[i * step];
            }
            r.put("f", sig4(shown));
        }
        return r;
    }

    /** v to 4 significant digits: what the results files keep of curves and series ({@link Rounding}). */
    static double sig4(double v) {
        return Rounding.sig4(v);
    }

    static double[] sig4(double[] v) {
        return Rounding.sig4(v);
    }

    static List<Double> sig4(List<Double> v) {
        return Rounding.sig4(v);
    }

    static double variance(double[] f) {
        double m = 0;
        for (double v : f) {
            m += v;
        }
        m /= f.length;
        double s = 0;
        for (double v : f) {
            s += (v - m) * (v - m);
        }
        return s / f.length;
    }

    /** Mean |f''| from second differences at every {@code stride}-th point of x. */
    static double roughness(double[] x, double[] f, int stride) {
        int n = (x.length - 1) / stride + 1;
        double h = x[stride] - x[0];
        double s = 0;
        for (int i = 1; i + 1 < n; i++) {
            s += Math.abs(f[(i + 1) * stride] - 2 * f[i * stride] + f[(i - 1) * stride]) / (h * h);
        }
        return s / (n - 2);
    }
}
