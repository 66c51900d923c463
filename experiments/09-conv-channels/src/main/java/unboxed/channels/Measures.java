package unboxed.channels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.kit.Rounding;
import unboxed.kit.stats.ChannelStats;
import unboxed.kit.stats.EffectiveRank;

/**
 * What one look ({@link Look.Seen}) says about each channel of one layer, as the results file keeps
 * it: per channel, the measures the report compares across layers, widths and training
 * (orientation and frequency tuning, polarity, selectivity, dead or alive, class preference,
 * redundancy), and, when asked for, the curves behind them. Values to 4 significant digits.
 */
final class Measures {
    private Measures() {
    }

    /** The measures of layer {@code layer}; {@code curves}: also the tuning grids and the class means. */
    static Map<String, Object> layer(Look.Seen s, int layer, int classes, boolean curves) {
        double[][] gratings = s.responses("gratings", layer);
        double[][] edges = s.responses("edges", layer);
        double[][] data = s.responses("dataset", layer);
        double[][] inverted = s.responses("inverted", layer);
        double[][] ood = s.responses("ood", layer);
        double[][] noise = s.responses("noise", layer);
        int channels = data[0].length;
        int[] labels = labels(data.length, classes);
        boolean[] dead = ChannelStats.dead(data);
        double[][] corr = ChannelStats.correlation(data);
        double[] osi = new double[channels];
        double[] orientation = new double[channels];
        double[] frequency = new double[channels];
        double[] polarity = new double[channels];
        double[] sparseness = new double[channels];
        double[] selectivity = new double[channels];
        int[] preferred = new int[channels];
        double[] mean = new double[channels];
        double[] invMean = new double[channels];
        double[] oodMean = new double[channels];
        double[] noiseMean = new double[channels];
        double[] maxCorr = new double[channels];
        List<double[][]> tuning = new ArrayList<>();
        List<double[]> classMeans = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            double[][] t = Look.tuning(gratings, c);
            tuning.add(t);
            // the preferred (orientation, frequency) is the largest phase-averaged response; the
            // orientation tuning is read at the preferred frequency
            int bo = 0;
            int bf = 0;
            for (int o = 0; o < t.length; o++) {
                for (int f = 0; f < t[o].length; f++) {
                    if (t[o][f] > t[bo][bf]) {
                        bo = o;
                        bf = f;
                    }
                }
            }
            double[] atF = new double[t.length];
            for (int o = 0; o < t.length; o++) {
                atF[o] = t[o][bf];
            }
            ChannelStats.Orientation or = ChannelStats.orientation(ProbeSet.ORIENTATIONS, atF);
            osi[c] = or.osi();
            orientation[c] = or.preferredDeg();
            frequency[c] = t[bo][bf] > 0 ? ProbeSet.FREQUENCIES[bf] : Double.NaN;
            polarity[c] = polarity(ChannelStats.column(edges, c));
            double[] col = ChannelStats.column(data, c);
            sparseness[c] = ChannelStats.sparseness(col);
            double[] cm = ChannelStats.classMeans(col, labels, classes);
            classMeans.add(cm);
            selectivity[c] = ChannelStats.classSelectivity(cm);
            preferred[c] = ChannelStats.preferredClass(cm);
            mean[c] = mean(col);
            double[] icol = ChannelStats.column(inverted, c);
            invMean[c] = mean(icol);
            double[] ocol = ChannelStats.column(ood, c);
            oodMean[c] = mean(ocol);
            noiseMean[c] = mean(ChannelStats.column(noise, c));
            double m = Double.NaN;
            for (int d = 0; d < channels; d++) {
                if (d != c && Double.isFinite(corr[c][d])) {
                    m = Double.isNaN(m) ? Math.abs(corr[c][d]) : Math.max(m, Math.abs(corr[c][d]));
                }
            }
            maxCorr[c] = m;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("channels", channels);
        out.put("dead", dead);
        out.put("osi", Rounding.sig4(osi));
        out.put("orientation", Rounding.sig4(orientation));
        out.put("frequency", frequency);
        out.put("polarity", Rounding.sig4(polarity));
        out.put("sparseness", Rounding.sig4(sparseness));
        out.put("class_selectivity", Rounding.sig4(selectivity));
        out.put("preferred_class", preferred);
        out.put("mean", Rounding.sig4(mean));
        out.put("inverted_mean", Rounding.sig4(invMean));
        out.put("ood_mean", Rounding.sig4(oodMean));
        out.put("noise_mean", Rounding.sig4(noiseMean));
        out.put("max_abs_correlation", Rounding.sig4(maxCorr));
        out.put("mean_abs_correlation", Rounding.sig4(meanAbsCorrelation(corr)));
        out.put("effective_rank", Rounding.sig4(effectiveRank(data)));
        if (curves) {
            List<double[][]> t4 = new ArrayList<>();
            for (double[][] t : tuning) {
                t4.add(sig4(t));
            }
            out.put("tuning", t4);
            out.put("class_means", sig4(classMeans.toArray(new double[0][])));
        }
        return out;
    }

    /** The dataset groups are class by class, {@link ProbeSet#PER_CLASS} each. */
    static int[] labels(int n, int classes) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i / (n / classes);
        }
        return y;
    }

    /**
     * How much a channel cares which side of an edge is bright, at the orientation it answers most:
     * |e(d) − e(d + 180°)| / (e(d) + e(d + 180°)); 1 for one polarity only, 0 for both alike, NaN when silent.
     */
    static double polarity(double[] edges) {
        int half = edges.length / 2;
        int best = -1;
        double bestSum = 0;
        for (int d = 0; d < half; d++) {
            double s = edges[d] + edges[d + half];
            if (s > bestSum) {
                bestSum = s;
                best = d;
            }
        }
        return best < 0 ? Double.NaN : Math.abs(edges[best] - edges[best + half]) / bestSum;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** The mean |ρ| over pairs of distinct live channels; NaN with fewer than two. */
    static double meanAbsCorrelation(double[][] corr) {
        double s = 0;
        int n = 0;
        for (int a = 0; a < corr.length; a++) {
            for (int b = a + 1; b < corr.length; b++) {
                if (Double.isFinite(corr[a][b])) {
                    s += Math.abs(corr[a][b]);
                    n++;
                }
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /**
     * How many channels' worth of different signals the layer carries over the dataset images: the
     * effective rank (Roy and Vetterli) of the responses with each live channel standardised, so
     * that a loud channel does not count for more than a quiet one. C for C uncorrelated channels,
     * 1 when every channel is a copy of one.
     */
    static double effectiveRank(double[][] r) {
        int n = r.length;
        List<double[]> cols = new ArrayList<>();
        for (int c = 0; c < r[0].length; c++) {
            double[] x = ChannelStats.column(r, c);
            double m = mean(x);
            double ss = 0;
            for (double v : x) {
                ss += (v - m) * (v - m);
            }
            if (ss > 0) {
                double sd = Math.sqrt(ss);
                for (int i = 0; i < n; i++) {
                    x[i] = (x[i] - m) / sd;
                }
                cols.add(x);
            }
        }
        if (cols.isEmpty()) {
            return 0;
        }
        double[][] z = new double[n][cols.size()];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < cols.size(); c++) {
                z[i][c] = cols.get(c)[i];
            }
        }
        return EffectiveRank.entropy(EffectiveRank.singularValues(z));
    }

    static double[][] sig4(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = Rounding.sig4(m[i]);
        }
        return out;
    }
}
