package unboxed.channels;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.data.Dataset;
import unboxed.kit.Rounding;
import unboxed.nn.Conv2d;
import unboxed.nn.Module;
import unboxed.tensor.Rng;

/**
 * One network studied from the outside in: trained, looked at before and after training, and
 * intervened on. Works for any network whose conv layers' outputs are modules a hook can see
 * (this post's {@link ChannelNet}, post 02's CNN).
 */
final class Study {
    /** The data a sweep shares: training and test sets (normalised as the network sees them), the probe set, the ablation set. */
    record Data(Dataset train, Dataset test, ProbeSet probe, float[] mean, float[] std, Dataset ablation) {
    }

    /** The network under study: the module, its conv layers, the modules whose outputs are their channels, and their widths. */
    record Subject(Module net, List<Conv2d> convs, List<? extends Module> outputs, int[] widths) {
    }

    /** What to keep beyond the measures. */
    record Keep(boolean curves, boolean correlationOnly, boolean maps, boolean downstream, int ablatePerLayer) {
    }

    /** The images whose maps a figure shows: (group, index) pairs, with a short caption each. */
    record Shown(List<String> groups, List<Integer> indices, List<String> captions) {
    }

    private Study() {
    }

    /**
     * Looks at the network as it is: every layer's measures ({@link Measures}), the answers to the
     * dataset images, their negatives and the out-of-distribution images, and, when asked, the
     * maps of the shown images and the first layer's kernels.
     */
    static Map<String, Object> look(Subject s, Data d, Keep keep, Shown shown) {
        ProbeSet p = d.probe();
        Map<String, Integer> maps = keep.maps() ? Map.of("shown", shown.groups().size()) : Map.of();
        List<String> groups = new ArrayList<>(p.names());
        Look.Seen seen = Look.of(s.net(), s.outputs(), p, groups, d.mean(), d.std(), maps);
        int classes = d.test().numClasses();
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int l = 0; l < s.outputs().size(); l++) {
            Map<String, Object> m = Measures.layer(seen, l, classes, keep.curves());
            if (keep.correlationOnly()) {
                m.put("correlation", Measures.sig4(unboxed.kit.stats.ChannelStats.correlation(seen.responses("dataset", l))));
            }
            layers.add(m);
        }
        out.put("layers", layers);
        out.put("answers", answers(seen, classes));
        if (keep.maps()) {
            List<List<Map<String, Object>>> byLayer = new ArrayList<>();
            for (List<double[][]> layer : seen.maps().get("shown")) {
                List<Map<String, Object>> imgs = new ArrayList<>();
                for (double[][] m : layer) {
                    imgs.add(quantised(m));
                }
                byLayer.add(imgs);
            }
            out.put("maps", byLayer);
            float[] w = s.convs().get(0).weight().data().contiguous().toArray();
            int k = w.length / s.widths()[0];
            List<double[]> kernels = new ArrayList<>();
            for (int c = 0; c < s.widths()[0]; c++) {
                double[] kc = new double[k];
                for (int i = 0; i < k; i++) {
                    kc[i] = w[c * k + i];
                }
                kernels.add(Rounding.sig4(kc));
            }
            out.put("kernels", kernels);
        }
        return out;
    }

    /**
     * What the network answers: accuracy on the dataset images and their negatives (with the
     * correct count per class), the classes it gives the out-of-distribution images ([their
     * class][answer] counts), and its mean confidence (largest softmax probability) on each group.
     */
    static Map<String, Object> answers(Look.Seen seen, int classes) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String g : List.of("dataset", "inverted")) {
            double[][] logits = seen.logits().get(g);
            int[] y = Measures.labels(logits.length, classes);
            int[] correct = new int[classes];
            for (int i = 0; i < logits.length; i++) {
                correct[y[i]] += Look.argmax(logits[i]) == y[i] ? 1 : 0;
            }
            out.put(g + "_correct", correct);
        }
        double[][] ood = seen.logits().get("ood");
        int[][] counts = new int[classes][classes];
        int[] y = Measures.labels(ood.length, classes);
        for (int i = 0; i < ood.length; i++) {
            counts[y[i]][Look.argmax(ood[i])]++;
        }
        out.put("ood_answers", counts);
        Map<String, Object> conf = new LinkedHashMap<>();
        for (String g : List.of("dataset", "inverted", "ood", "noise", "gratings")) {
            conf.put(g, Rounding.sig4(confidence(seen.logits().get(g))));
        }
        out.put("confidence", conf);
        return out;
    }

    /** The mean over images of the largest softmax probability (computed in double). */
    static double confidence(double[][] logits) {
        double s = 0;
        for (double[] z : logits) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : z) {
                sum += Math.exp(v - max);
            }
            s += 1 / sum;
        }
        return s / logits.length;
    }

    /**
     * A layer's maps for one image, as a figure needs them: {@code scale}, the largest value over its
     * channels, and per channel its values as whole numbers 0–255 of that scale (the 256 grey levels a
     * figure can show), one byte each, row by row, in base64: a 28x28 map in about 1 KB of text
     * rather than 4.
     */
    static Map<String, Object> quantised(double[][] maps) {
        double scale = 0;
        for (double[] m : maps) {
            for (double v : m) {
                scale = Math.max(scale, v);
            }
        }
        return quantised(maps, scale);
    }

    /** {@link #quantised(double[][])} on a given scale. */
    static Map<String, Object> quantised(double[][] maps, double scale) {
        List<String> q = new ArrayList<>();
        for (double[] m : maps) {
            q.add(levels(m, scale));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scale", Rounding.sig4(scale));
        out.put("q", q);
        return out;
    }

    /** Values in [0, scale] as grey levels 0–255, one byte each, in base64 (levels outside are clipped). */
    static String levels(double[] v, double scale) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            long q = scale == 0 ? 0 : Math.round(255 * v[i] / scale);
            b[i] = (byte) Math.max(0, Math.min(255, q));
        }
        return Base64.getEncoder().encodeToString(b);
    }

    /** The bytes of {@link #quantised}'s map {@code channel}, as numbers 0–255. */
    static int[] levels(String base64) {
        byte[] b = Base64.getDecoder().decode(base64);
        int[] v = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            v[i] = b[i] & 0xff;
        }
        return v;
    }

    /**
     * The interventions on a trained network: the correct answers per class on the ablation set
     * with nothing zeroed and with each chosen channel zeroed (every channel of a layer when it has
     * at most {@code keep.ablatePerLayer()}, else that many drawn at random), and, when asked, the
     * change downstream of zeroing each channel of every layer but the last.
     */
    static Map<String, Object> intervene(Subject s, Data d, Keep keep, Rng rng) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("baseline", Training.correctByClass(s.net(), d.ablation()));
        out.put("class_counts", d.ablation().classCounts());
        List<int[]> chosen = new ArrayList<>();
        for (int l = 0; l < s.widths().length; l++) {
            chosen.add(choose(s.widths()[l], keep.ablatePerLayer(), rng.fork("ablate-layer" + (l + 1))));
        }
        out.put("channels", chosen);
        out.put("correct", Ablation.byClass(s.net(), s.outputs(), s.widths(), chosen, d.ablation()));
        if (keep.downstream()) {
            List<Map<String, Object>> ds = new ArrayList<>();
            for (int l = 0; l + 1 < s.widths().length; l++) {
                ds.add(Ablation.downstream(s.net(), s.outputs(), l, s.widths()[l], d.probe(), d.mean(), d.std()));
            }
            out.put("downstream", ds);
        }
        return out;
    }

    /** All of 0..width−1 when width ≤ k, else k of them drawn without replacement, in increasing order. */
    static int[] choose(int width, int k, Rng rng) {
        int[] all = new int[width];
        for (int i = 0; i < width; i++) {
            all[i] = i;
        }
        if (width <= k) {
            return all;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(width - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] out = java.util.Arrays.copyOf(all, k);
        java.util.Arrays.sort(out);
        return out;
    }
}
