package unboxed.brain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exponential fit recovers a known rate; the bootstrap is seeded, and its bands hold the truth. */
class TrendTest {
    /** y = 3 · 1.5^(t − 2000): log10 y = log10 3 + (t − 2000) log10 1.5. */
    static List<Trend.Point> exact(double noiseDecades, long seed) {
        Random r = new Random(seed);
        List<Trend.Point> pts = new ArrayList<>();
        for (int t = 2010; t <= 2024; t += 2) {
            double y = 3 * Math.pow(1.5, t - 2000) * Math.pow(10, noiseDecades * r.nextGaussian());
            pts.add(new Trend.Point("p" + t, t, y, y));
        }
        return pts;
    }

    @Test
    void recoversTheRateOfAnExactExponential() {
        Trend.Fit f = Trend.fit(exact(0, 1));
        assertEquals(Math.log10(1.5), f.slope(), 1e-12);
        assertEquals(Math.log10(3), f.intercept(), 1e-10);
        assertEquals(1.5, f.factorPerYear(), 1e-12);
        assertEquals(Math.log(2) / Math.log(1.5), f.doublingYears(), 1e-10);
        assertEquals(1, f.r2(), 1e-12);
        assertEquals(2030, f.yearReaching(f.log10At(2030)), 1e-9);
    }

    @Test
    void recoversTheRateThroughNoiseAndTheBandHoldsIt() {
        List<Trend.Point> pts = exact(0.1, 7);
        Trend.Fit f = Trend.fit(pts);
        assertEquals(Math.log10(1.5), f.slope(), 0.03);
        List<Trend.Fit> boot = Trend.bootstrap(pts, 1000, 42);
        double[] slopes = boot.stream().mapToDouble(Trend.Fit::slope).toArray();
        assertTrue(Trend.quantile(slopes, 0.05) < Math.log10(1.5) && Math.log10(1.5) < Trend.quantile(slopes, 0.95));
    }

    @Test
    void theBootstrapIsSeeded() {
        List<Trend.Point> pts = new ArrayList<>(exact(0.1, 7));
        pts.set(0, new Trend.Point("a range", 2010, 1e3, 1e4));  // values drawn inside a range as well
        List<Trend.Fit> a = Trend.bootstrap(pts, 200, 5);
        assertEquals(a, Trend.bootstrap(pts, 200, 5), "same seed, same replicates, bit for bit");
        assertNotEquals(a, Trend.bootstrap(pts, 200, 6));
        assertEquals(200, a.size());
    }

    @Test
    void aFlatOrFallingTrendNeverReachesATarget() {
        assertEquals(Double.POSITIVE_INFINITY, new Trend.Fit(5, 0, 1, 3).yearReaching(6));
        assertEquals(Double.POSITIVE_INFINITY, new Trend.Fit(5, -0.1, 1, 3).yearReaching(4));
        assertEquals(Double.POSITIVE_INFINITY, new Trend.Fit(5, 0, 1, 3).doublingYears());
        assertThrows(IllegalArgumentException.class, () -> Trend.fit(new double[] {2020, 2020}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> new Trend.Point("bad", 2020, 2, 1));
    }

    @Test
    void quantilesInterpolateAndKeepInfinities() {
        double[] v = {4, 1, 3, 2};
        assertEquals(1, Trend.quantile(v, 0));
        assertEquals(2.5, Trend.quantile(v, 0.5));
        assertEquals(4, Trend.quantile(v, 1));
        double[] w = {2020, 2030, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        assertEquals(Double.POSITIVE_INFINITY, Trend.quantile(w, 0.95));
        assertEquals(2025, Trend.quantile(w, 1.0 / 6), 1e-9);
    }
}
