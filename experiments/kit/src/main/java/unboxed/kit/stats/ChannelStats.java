package unboxed.kit.stats;

/**
 * What the responses of a layer's channels to a set of images say about the channels, from a
 * matrix {@code r[image][channel]} of non-negative responses (the mean of each ReLU map, say):
 * <ul>
 *   <li>{@link #sparseness}: how selective a channel is across the images, Vinje and Gallant's
 *       lifetime sparseness ("Sparse coding and decorrelation in primary visual cortex during
 *       natural vision", Science 287, 2000): 0 for a channel that answers every image alike, 1 for
 *       one that answers a single image;</li>
 *   <li>{@link #dead}: channels that answer no image at all (every response 0);</li>
 *   <li>{@link #correlation}: the Pearson correlation of two channels' responses across the images,
 *       the redundancy between them (NaN where a channel's responses do not vary);</li>
 *   <li>{@link #classSelectivity}: how much a channel prefers one class, Morcos et al.'s class
 *       selectivity index ("On the importance of single directions for generalization", ICLR 2018):
 *       (μ_max − μ_rest) / (μ_max + μ_rest) over the class means;</li>
 *   <li>{@link #orientation}: the orientation tuning of a channel from its responses to gratings at
 *       angles θ (mod 180°): the vector sum Σ r e^{2iθ}, whose angle is the preferred orientation and
 *       whose length over Σ r is the orientation selectivity index (0: untuned, 1: one angle only;
 *       1 − circular variance, Ringach et al., J. Neurosci. 22, 2002).</li>
 * </ul>
 * All in float64, in a fixed order: the same responses give the same bits.
 */
public final class ChannelStats {
    private ChannelStats() {
    }

    /** The responses of one channel, a column of {@code r}. */
    public static double[] column(double[][] r, int channel) {
        double[] out = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            if (channel < 0 || channel >= r[i].length) {
                throw new IllegalArgumentException("ChannelStats: channel " + channel + " of a row of " + r[i].length);
            }
            out[i] = r[i][channel];
        }
        return out;
    }

    /**
     * Lifetime sparseness [1 − (Σr/n)² / (Σr²/n)] / (1 − 1/n) of one channel's non-negative
     * responses to n images; NaN for a channel that never answers (0/0) and for fewer than 2 images.
     */
    public static double sparseness(double[] r) {
        int n = r.length;
        double s = 0;
        double s2 = 0;
        for (double v : r) {
            if (v < 0 || !Double.isFinite(v)) {
                throw new IllegalArgumentException("sparseness: responses must be finite and ≥ 0 (after a ReLU), got " + v);
            }
            s += v;
            s2 += v * v;
        }
        if (n < 2 || s2 == 0) {
            return Double.NaN;
        }
        double a = (s / n) * (s / n) / (s2 / n);
        return (1 - a) / (1 - 1.0 / n);
    }

    /** dead[c]: channel c answered none of the images (every response exactly 0). */
    public static boolean[] dead(double[][] r) {
        int channels = r.length == 0 ? 0 : r[0].length;
        boolean[] dead = new boolean[channels];
        for (int c = 0; c < channels; c++) {
            dead[c] = true;
            for (double[] row : r) {
                dead[c] &= row[c] == 0;
            }
        }
        return dead;
    }

    /** The channels × channels matrix of Pearson correlations across the images; NaN where a channel is constant. */
    public static double[][] correlation(double[][] r) {
        int n = r.length;
        int channels = n == 0 ? 0 : r[0].length;
        double[][] z = new double[channels][];
        for (int c = 0; c < channels; c++) {
            double[] x = column(r, c);
            double m = Describe.mean(x);
            double ss = 0;
            for (double v : x) {
                ss += (v - m) * (v - m);
            }
            double sd = Math.sqrt(ss);
            if (sd == 0) {
                z[c] = null;
                continue;
            }
            z[c] = new double[n];
            for (int i = 0; i < n; i++) {
                z[c][i] = (x[i] - m) / sd;
            }
        }
        double[][] out = new double[channels][channels];
        for (int a = 0; a < channels; a++) {
            for (int b = a; b < channels; b++) {
                double v = Double.NaN;
                if (z[a] != null && z[b] != null) {
                    v = 0;
                    for (int i = 0; i < n; i++) {
                        v += z[a][i] * z[b][i];
                    }
                    v = Math.max(-1, Math.min(1, v));
                }
                out[a][b] = v;
                out[b][a] = v;
            }
        }
        return out;
    }

    /**
     * The mean response of one channel to each class: {@code r} over the images whose label is
     * that class; NaN for a class with no image.
     */
    public static double[] classMeans(double[] r, int[] labels, int classes) {
        if (r.length != labels.length) {
            throw new IllegalArgumentException("classMeans: " + r.length + " responses for " + labels.length + " labels");
        }
        double[] sum = new double[classes];
        int[] count = new int[classes];
        for (int i = 0; i < r.length; i++) {
            sum[labels[i]] += r[i];
            count[labels[i]]++;
        }
        for (int k = 0; k < classes; k++) {
            sum[k] = count[k] == 0 ? Double.NaN : sum[k] / count[k];
        }
        return sum;
    }

    /** The class whose mean is largest (the first of equals). */
    public static int preferredClass(double[] classMeans) {
        int best = 0;
        for (int k = 1; k < classMeans.length; k++) {
            if (classMeans[k] > classMeans[best]) {
                best = k;
            }
        }
        return best;
    }

    /** (μ_max − μ_rest) / (μ_max + μ_rest), μ_rest the mean of the other classes' means; NaN for a silent channel. */
    public static double classSelectivity(double[] classMeans) {
        int best = preferredClass(classMeans);
        double rest = 0;
        for (int k = 0; k < classMeans.length; k++) {
            rest += k == best ? 0 : classMeans[k];
        }
        rest /= classMeans.length - 1;
        double max = classMeans[best];
        return max + rest == 0 ? Double.NaN : (max - rest) / (max + rest);
    }

    /** Orientation tuning: the preferred orientation in [0°, 180°) and the selectivity index in [0, 1]. */
    public record Orientation(double preferredDeg, double osi) {
    }

    /**
     * The orientation tuning of non-negative responses {@code r[k]} to gratings at {@code anglesDeg[k]}
     * (equally spaced over 180° for the index to be unbiased); a silent channel has preferred NaN and index NaN.
     */
    public static Orientation orientation(double[] anglesDeg, double[] r) {
        if (anglesDeg.length != r.length || r.length == 0) {
            throw new IllegalArgumentException("orientation: " + anglesDeg.length + " angles for " + r.length + " responses");
        }
        double re = 0;
        double im = 0;
        double sum = 0;
        for (int k = 0; k < r.length; k++) {
            double t = 2 * StrictMath.toRadians(anglesDeg[k]);
            re += r[k] * StrictMath.cos(t);
            im += r[k] * StrictMath.sin(t);
            sum += r[k];
        }
        if (sum == 0) {
            return new Orientation(Double.NaN, Double.NaN);
        }
        double pref = StrictMath.toDegrees(StrictMath.atan2(im, re)) / 2;
        if (pref < 0) {
            pref += 180;
        }
        return new Orientation(pref, StrictMath.hypot(re, im) / sum);
    }

    /** The smallest difference between two orientations, in [0°, 90°]. */
    public static double orientationDistance(double aDeg, double bDeg) {
        double d = Math.abs(aDeg - bDeg) % 180;
        return Math.min(d, 180 - d);
    }
}
