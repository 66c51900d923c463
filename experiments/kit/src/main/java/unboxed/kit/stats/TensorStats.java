package unboxed.kit.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import unboxed.tensor.Tensor;

/**
 * Summary statistics of one tensor's values, accumulated in double in index order (so the same
 * tensor always gives the same bits): what a post tracks per layer when it follows activations
 * or gradients through depth.
 *
 * @param count        number of values
 * @param mean         mean of the values
 * @param std          population standard deviation (divisor {@code count}, not {@code count − 1})
 * @param rms          root mean square, sqrt(E[x²]): what the next layer's variance depends on
 * @param norm         Euclidean (Frobenius) norm, rms · sqrt(count)
 * @param min          smallest value
 * @param max          largest value
 * @param fractionZero share of values that are exactly 0 (dead ReLUs; underflow)
 * @param nonFinite    how many values are NaN or ±Infinity (overflow); when positive, the moments
 *                     are not finite either
 */
public record TensorStats(long count, double mean, double std, double rms, double norm, double min, double max,
                          double fractionZero, long nonFinite) {

    /** The statistics of a tensor's values (any shape, any strides). */
    public static TensorStats of(Tensor t) {
        return of(t.toArray());
    }

    /** The statistics of an array of values. */
    public static TensorStats of(float[] v) {
        if (v.length == 0) {
            throw new IllegalArgumentException("TensorStats: no values");
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        long zeros = 0;
        long nonFinite = 0;
        for (float x : v) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
            zeros += x == 0f ? 1 : 0;
            nonFinite += Float.isFinite(x) ? 0 : 1;
        }
        double mean = sum / v.length;
        // two passes: the centred sum of squares does not cancel catastrophically when |mean| >> std
        double centred = 0;
        double squares = 0;
        for (float x : v) {
            double d = x - mean;
            centred += d * d;
            squares += (double) x * x;
        }
        double rms = Math.sqrt(squares / v.length);
        return new TensorStats(v.length, mean, Math.sqrt(centred / v.length), rms, Math.sqrt(squares),
                min, max, (double) zeros / v.length, nonFinite);
    }

    /** Whether every value was finite (no overflow). */
    public boolean finite() {
        return nonFinite == 0;
    }

    /** The statistics as an ordered map, for a results file; values rounded to float precision. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("mean", (float) mean);
        m.put("std", (float) std);
        m.put("rms", (float) rms);
        m.put("norm", (float) norm);
        m.put("min", (float) min);
        m.put("max", (float) max);
        m.put("fraction_zero", (float) fractionZero);
        m.put("non_finite", nonFinite);
        return m;
    }
}
