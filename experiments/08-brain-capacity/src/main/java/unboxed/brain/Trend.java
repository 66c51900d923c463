package unboxed.brain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.regression.SimpleRegression;

/**
 * An exponential trend over time, y = 10^(a + b (t − {@value #ORIGIN})), fitted by least squares to
 * log10 y (commons-math3's {@link SimpleRegression}); and its bootstrap.
 *
 * <p>Each point is a range (low .. high) where the sources disagree. The fit takes the geometric
 * middle of each; a bootstrap replicate resamples the points with replacement and draws each
 * sampled value log-uniformly inside its range, so the bands carry both the scatter around the
 * trend and the disagreement of the sources. The generator is seeded, so the same seed gives the
 * same replicates, bit for bit.
 */
public final class Trend {
    /** Years are measured from here, so that the intercept is a value of this century, not of year 0. */
    public static final double ORIGIN = 2000;

    /** A dated value (a chip's FLOP/s per dollar, a model's training compute), as a range. */
    public record Point(String name, double year, double low, double high) {
        public Point {
            if (!(low > 0) || !(high >= low)) {
                throw new IllegalArgumentException("trend point " + name + ": need 0 < low ≤ high, got " + low + " .. "
                        + high);
            }
        }

        double log10Mid() {
            return 0.5 * (Math.log10(low) + Math.log10(high));
        }
    }

    /** log10 y = intercept + slope · (t − {@value #ORIGIN}). */
    public record Fit(double intercept, double slope, double r2, int n) {
        public double log10At(double year) {
            return intercept + slope * (year - ORIGIN);
        }

        /** Years for y to double; infinite when the trend is flat or falling. */
        public double doublingYears() {
            return slope > 0 ? Math.log10(2) / slope : Double.POSITIVE_INFINITY;
        }

        /** The factor y grows by per year. */
        public double factorPerYear() {
            return Math.pow(10, slope);
        }

        /**
         * The year from which the trend stays at or above 10^log10Target: +∞ when it is flat or
         * falling (such a trend drops below any target in the end, so it never stays above one).
         */
        public double yearReaching(double log10Target) {
            return slope > 0 ? ORIGIN + (log10Target - intercept) / slope : Double.POSITIVE_INFINITY;
        }
    }

    private Trend() {
    }

    /** The least-squares fit of log10 y on the year; at least two distinct years. */
    public static Fit fit(double[] years, double[] log10y) {
        if (years.length != log10y.length || years.length < 2) {
            throw new IllegalArgumentException("a trend needs at least two points, got " + years.length);
        }
        SimpleRegression r = new SimpleRegression(true);
        for (int i = 0; i < years.length; i++) {
            r.addData(years[i] - ORIGIN, log10y[i]);
        }
        double slope = r.getSlope();
        if (Double.isNaN(slope)) {
            throw new IllegalArgumentException("a trend needs points from at least two different years");
        }
        double r2 = r.getRSquare();
        return new Fit(r.getIntercept(), slope, Double.isNaN(r2) ? 1 : r2, years.length);
    }

    /** The fit through the geometric middle of each point. */
    public static Fit fit(List<Point> points) {
        double[] t = new double[points.size()];
        double[] y = new double[points.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = points.get(i).year();
            y[i] = points.get(i).log10Mid();
        }
        return fit(t, y);
    }

    /**
     * {@code replicates} bootstrap fits, seeded: each resamples the points with replacement (a
     * resample whose points all share one year has no slope and is drawn again) and draws each
     * value log-uniformly inside its range.
     */
    public static List<Fit> bootstrap(List<Point> points, int replicates, long seed) {
        if (points.size() < 2) {
            throw new IllegalArgumentException("a bootstrap needs at least two points, got " + points.size());
        }
        RandomGenerator rng = new Well19937c(seed);
        int n = points.size();
        List<Fit> fits = new ArrayList<>(replicates);
        double[] t = new double[n];
        double[] y = new double[n];
        while (fits.size() < replicates) {
            boolean spread = false;
            for (int i = 0; i < n; i++) {
                Point p = points.get(rng.nextInt(n));
                t[i] = p.year();
                double lo = Math.log10(p.low());
                y[i] = lo + rng.nextDouble() * (Math.log10(p.high()) - lo);
                spread |= t[i] != t[0];
            }
            if (spread) {
                fits.add(fit(t, y));
            }
        }
        return fits;
    }

    /**
     * The p-quantile (0 ≤ p ≤ 1) of the values, interpolating linearly between order statistics
     * (the usual "type 7" rule); infinite values sort to the ends and make the quantile infinite
     * where it falls among them.
     */
    public static double quantile(double[] values, double p) {
        if (values.length == 0) {
            throw new IllegalArgumentException("quantile of no values");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double h = (v.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = (int) Math.ceil(h);
        if (lo == hi || v[lo] == v[hi]) {
            return v[lo];
        }
        if (Double.isInfinite(v[lo]) || Double.isInfinite(v[hi])) {
            return Double.isInfinite(v[hi]) && v[hi] > 0 ? v[hi] : v[lo];
        }
        return v[lo] + (h - lo) * (v[hi] - v[lo]);
    }
}
