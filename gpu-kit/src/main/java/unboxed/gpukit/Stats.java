package unboxed.gpukit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Medians and a bootstrap confidence interval for the ratio of two medians (seeded: reruns agree). */
final class Stats {
    private Stats() {
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * Speed ratio peer/ours (above 1: ours is faster) with a 99% percentile-bootstrap interval over
     * both sets of samples, and the verdict against {@code target}: met when the whole interval is
     * at or above it, missed when the whole interval is below, else not settled.
     */
    static ObjectNode ratio(double[] ours, double[] peer, Double target) {
        ObjectNode r = GpuCheck.JSON.createObjectNode();
        double point = median(peer) / median(ours);
        r.put("point", point);
        SplittableRandom rng = new SplittableRandom(42);
        int reps = 4000;
        double[] boot = new double[reps];
        double[] a = new double[ours.length];
        double[] b = new double[peer.length];
        for (int i = 0; i < reps; i++) {
            for (int j = 0; j < a.length; j++) {
                a[j] = ours[rng.nextInt(ours.length)];
            }
            for (int j = 0; j < b.length; j++) {
                b[j] = peer[rng.nextInt(peer.length)];
            }
            boot[i] = median(b) / median(a);
        }
        Arrays.sort(boot);
        double lo = boot[(int) Math.floor(0.005 * (reps - 1))];
        double hi = boot[(int) Math.ceil(0.995 * (reps - 1))];
        r.put("ci99_low", lo);
        r.put("ci99_high", hi);
        if (target != null) {
            r.put("target", target);
            r.put("verdict", lo >= target ? "met" : hi < target ? "missed" : "not settled");
        }
        return r;
    }
}
