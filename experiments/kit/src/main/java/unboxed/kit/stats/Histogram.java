package unboxed.kit.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import unboxed.tensor.Tensor;

/**
 * A histogram of values over [lo, hi) in equal bins, with the counts that fell below and above
 * (and the non-finite values) kept apart, so that nothing is silently dropped.
 *
 * <p>{@link #standardized} bins (x − mean) / std instead of x: the shape of a distribution at
 * layer 1 and at layer 100 can then be compared on one axis even when their scales differ by
 * orders of magnitude (the scale itself is what {@link TensorStats#std} reports).
 */
public record Histogram(double lo, double hi, long[] counts, long below, long above, long nonFinite) {

    /** Counts of {@code v} in {@code bins} equal bins over [lo, hi). */
    public static Histogram of(float[] v, double lo, double hi, int bins) {
        if (!(hi > lo) || bins < 1) {
            throw new IllegalArgumentException("Histogram: need lo < hi and bins >= 1, got [" + lo + ", " + hi
                    + "), " + bins + " bins");
        }
        long[] counts = new long[bins];
        long below = 0;
        long above = 0;
        long nonFinite = 0;
        double width = (hi - lo) / bins;
        for (float f : v) {
            double x = f;
            if (!Double.isFinite(x)) {
                nonFinite++;
            } else if (x < lo) {
                below++;
            } else if (x >= hi) {
                above++;
            } else {
                counts[Math.min(bins - 1, (int) ((x - lo) / width))]++;
            }
        }
        return new Histogram(lo, hi, counts, below, above, nonFinite);
    }

    /**
     * Counts of (x − mean) / std over [−range, range) in {@code bins} bins. A constant tensor (std
     * 0) or one with non-finite values has no standard form: every finite value then counts as
     * below or above by its sign, and the bins stay empty.
     */
    public static Histogram standardized(Tensor t, double range, int bins) {
        float[] v = t.toArray();
        TensorStats s = TensorStats.of(v);
        if (!s.finite() || s.std() == 0) {
            long below = 0;
            long above = 0;
            for (float x : v) {
                below += Float.isFinite(x) && x < 0 ? 1 : 0;
                above += Float.isFinite(x) && x >= 0 ? 1 : 0;
            }
            return new Histogram(-range, range, new long[bins], below, above, s.nonFinite());
        }
        float[] z = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            z[i] = (float) ((v[i] - s.mean()) / s.std());
        }
        return of(z, -range, range, bins);
    }

    /** The centre of bin {@code i}. */
    public double centre(int i) {
        return lo + (i + 0.5) * (hi - lo) / counts.length;
    }

    /** Every value counted, inside the range or not. */
    public long total() {
        long t = below + above + nonFinite;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** Count per unit of x divided by the total: integrates to the share of values inside [lo, hi). */
    public double[] density() {
        double width = (hi - lo) / counts.length;
        double[] d = new double[counts.length];
        long n = total();
        for (int i = 0; i < d.length; i++) {
            d[i] = n == 0 ? 0 : counts[i] / (n * width);
        }
        return d;
    }

    /** The histogram as an ordered map, for a results file. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lo", lo);
        m.put("hi", hi);
        m.put("counts", counts);
        m.put("below", below);
        m.put("above", above);
        m.put("non_finite", nonFinite);
        return m;
    }
}
