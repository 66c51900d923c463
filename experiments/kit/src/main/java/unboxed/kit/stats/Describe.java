package unboxed.kit.stats;

import java.util.Arrays;

/** The summaries a report gives of a handful of seeds: mean, sample standard deviation, median. */
public final class Describe {
    private Describe() {
    }

    /** The mean; NaN for no values (0/0), which a table shows as such rather than failing the build. */
    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** The sample standard deviation (n − 1 in the denominator); 0 for a single value. */
    public static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / Math.max(1, v.length - 1));
    }

    /** The middle value, or the mean of the two middle values; NaN for no values. */
    public static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
