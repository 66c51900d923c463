package unboxed.channels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.autograd.Autograd;
import unboxed.kit.stats.Channels;
import unboxed.nn.Module;
import unboxed.tensor.Tensor;

/**
 * One look at a network: every image of a probe set goes through it once, with a
 * {@link Channels.Capture} on each conv layer's output, and what comes back is each channel's
 * response to each image (the mean of its map), the network's outputs, and the whole maps of the
 * first images of a group when asked.
 */
final class Look {
    /** Images per forward call: large enough to keep the matrix products busy, small enough for memory. */
    static final int BATCH = 250;

    /** For each group: per layer, responses [image][channel]; the logits [image][class]; per layer, the kept maps. */
    record Seen(Map<String, List<double[][]>> responses, Map<String, double[][]> logits,
                Map<String, List<List<double[][]>>> maps) {
        double[][] responses(String group, int layer) {
            return responses.get(group).get(layer);
        }
    }

    private Look() {
    }

    /**
     * Passes the groups of {@code p} through {@code net} (no graph recorded), capturing the outputs
     * of {@code layers}; keeps the maps of the first {@code keepMaps.get(group)} images of each group named there.
     */
    static Seen of(Module net, List<? extends Module> layers, ProbeSet p, List<String> groups, float[] mean,
                   float[] std, Map<String, Integer> keepMaps) {
        Map<String, List<double[][]>> responses = new LinkedHashMap<>();
        Map<String, double[][]> logits = new LinkedHashMap<>();
        Map<String, List<List<double[][]>>> maps = new LinkedHashMap<>();
        for (String g : groups) {
            int keep = keepMaps.getOrDefault(g, 0);
            List<Channels.Capture> caps = new ArrayList<>();
            for (Module m : layers) {
                caps.add(Channels.capture(m, keep));
            }
            int n = p.group(g).count();
            List<double[]> out = new ArrayList<>();
            try {
                Autograd.noGrad(() -> {
                    for (int from = 0; from < n; from += BATCH) {
                        int to = Math.min(n, from + BATCH);
                        Tensor y = net.call(p.tensor(g, from, to, mean, std));
                        float[] v = y.toArray();
                        int classes = y.size(1);
                        for (int i = 0; i < to - from; i++) {
                            double[] row = new double[classes];
                            for (int k = 0; k < classes; k++) {
                                row[k] = v[i * classes + k];
                            }
                            out.add(row);
                        }
                    }
                    return null;
                });
            } finally {
                caps.forEach(Channels.Capture::close);
            }
            List<double[][]> r = new ArrayList<>();
            List<List<double[][]>> kept = new ArrayList<>();
            for (Channels.Capture c : caps) {
                r.add(c.responses());
                kept.add(c.maps());
            }
            responses.put(g, r);
            logits.put(g, out.toArray(new double[0][]));
            if (keep > 0) {
                maps.put(g, kept);
            }
        }
        return new Seen(responses, logits, maps);
    }

    /** Gratings' responses of one channel averaged over the phases: [orientation][frequency]. */
    static double[][] tuning(double[][] gratingResponses, int channel) {
        int no = ProbeSet.ORIENTATIONS.length;
        int nf = ProbeSet.FREQUENCIES.length;
        int np = ProbeSet.PHASES.length;
        double[][] t = new double[no][nf];
        for (int o = 0; o < no; o++) {
            for (int f = 0; f < nf; f++) {
                double s = 0;
                for (int ph = 0; ph < np; ph++) {
                    s += gratingResponses[(o * nf + f) * np + ph][channel];
                }
                t[o][f] = s / np;
            }
        }
        return t;
    }

    /** The index of the largest value (the first of equals). */
    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
