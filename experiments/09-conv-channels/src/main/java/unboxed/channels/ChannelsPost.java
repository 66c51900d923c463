package unboxed.channels;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import unboxed.data.Dataset;
import unboxed.kit.Facts;
import unboxed.kit.Figures;
import unboxed.kit.Filmstrip;
import unboxed.kit.ImageGrid;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.SweepPoints;
import unboxed.kit.Tables;
import unboxed.kit.stats.Describe;

/**
 * Post 09's figures and tables, drawn from its pinned results only; every number the prose quotes
 * is a fact computed here ({@code facts.adoc}).
 */
public final class ChannelsPost implements Post {
    static final List<String> FASHION = Dataset.FASHION_MNIST_CLASSES;
    static final List<String> DIGITS = Dataset.MNIST_CLASSES;
    /** Column headings where ten classes sit side by side. */
    static final List<String> FASHION_SHORT = List.of("top", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
            "sneaker", "bag", "boot");

    static List<String> shortNames(List<String> classes) {
        return classes == FASHION ? FASHION_SHORT : classes;
    }
    /** A channel counts as orientation-tuned from this selectivity index on (its preferred orientation then gets twice the response of the orthogonal one, or more, for a cosine-shaped curve). */
    static final double TUNED = 1.0 / 3;
    /** Maps per row of a grid. */
    static final int ROW = 16;

    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Convolution output channels: what each channel of a trained CNN detects";
    }

    @Override
    public String summary() {
        return "A CNN trained to 90% on Fashion-MNIST (CIFAR-10's stand-in) and post 02's CNN on MNIST, looked at"
                + " channel by channel: their maps for generated gratings, edges, textures, negatives and"
                + " out-of-distribution images, orientation and frequency tuning, selectivity, dead channels,"
                + " 2 channels per layer against 64, and every claim about a channel tested by zeroing it.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pinned f = Pinned.load(resultsDir, "fashion");
        Pinned w = Pinned.load(resultsDir, "widths");
        Map<String, String> facts = new LinkedHashMap<>();
        trainingFacts(f, facts, "fashion");
        widthFacts(w, facts);
        claimFacts(f, "fashion", facts);
        downstreamFacts(f, "fashion", facts);
        return String.format(Locale.ROOT, "Pinned results (`data/results/%s/`): a CNN with %s channels per conv layer"
                        + " reaches %s test accuracy on Fashion-MNIST (%s seeds, lowest %s). Zeroing a channel tests what"
                        + " it was read to do: orientation readings survive (zeroing a tuned first-layer channel changes"
                        + " the next layer's response at its preferred orientation %s times as much as at the orthogonal"
                        + " one), class readings mostly do not (the class a last-layer channel answers most changes by"
                        + " %s points, %s with another channel zeroed; the claim held for %s channels). Zeroing one of 2"
                        + " channels per layer costs %s of accuracy, one of 64 costs %s.",
                Experiment.POST, facts.get("fashion-width"), facts.get("fashion-accuracy"), facts.get("fashion-seeds"),
                facts.get("fashion-min-accuracy"), facts.get("fashion-ds-l1-tuned-ratio"),
                facts.get("fashion-claim-l3-served"), facts.get("fashion-claim-l3-random"),
                facts.get("fashion-claim-l3-held"), facts.get("w-narrow-drop"), facts.get("w-wide-drop"));
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned f = Pinned.load(resultsDir, "fashion");
        Pinned w = Pinned.load(resultsDir, "widths");
        Pinned m = Pinned.load(resultsDir, "mnist");
        Map<String, String> facts = new LinkedHashMap<>();
        List<Pinned> sources = new ArrayList<>(List.of(f, w, m));
        facts.put("orientations", String.valueOf(f.at("/config/orientations").size()));
        facts.put("frequencies", joined(f.at("/config/frequencies")));
        facts.put("phases", String.valueOf(f.at("/config/phases").size()));
        facts.put("edge-directions", f.at("/config/edge_directions").asText());
        facts.put("checker-squares", joined(f.at("/config/checker_squares")));
        facts.put("probe-per-class", f.at("/config/probe_per_class").asText());
        facts.put("probe-images", String.valueOf(10 * f.at("/config/probe_per_class").asInt()));
        facts.put("scale", f.at("/config/scale").asText());
        facts.put("tuned-threshold", fmt(TUNED));
        training(f, m, outDir, facts);
        grids(f, "fashion", FASHION, outDir, facts);
        grids(m, "mnist", DIGITS, outDir, facts);
        tuning(f, "fashion", outDir, facts);
        tuning(m, "mnist", outDir, facts);
        byLayer(f, "fashion", outDir, facts);
        byLayer(m, "mnist", outDir, facts);
        widths(w, outDir, facts);
        claims(f, "fashion", FASHION, outDir, facts);
        claims(m, "mnist", DIGITS, outDir, facts);
        downstream(f, "fashion", outDir, facts);
        downstream(m, "mnist", outDir, facts);
        outOfDistribution(f, "fashion", FASHION, DIGITS, outDir, facts);
        outOfDistribution(m, "mnist", DIGITS, FASHION, outDir, facts);
        if (Files.isRegularFile(resultsDir.resolve("cifar10.json"))) {
            Pinned c = Pinned.load(resultsDir, "cifar10");
            sources.add(c);
            cifar(c, outDir, facts);
        }
        Facts.fixtures(Experiment.POST, facts);
        Facts.write(outDir, sources, facts);
    }

    // ------------------------------------------------------------------ helpers

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e4 || a < 1e-3) {
            return String.format(Locale.ROOT, "%.2e", v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 0.1 ? "%.2f" : "%.2g", v);
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    /** A change of accuracy in percentage points, signed. */
    static String pts(double share) {
        return String.format(Locale.ROOT, "%+.1f", 100 * share);
    }

    /** Mean ± std of the finite values (a seed whose layer has no live pair of channels has no correlation). */
    static String spread(double[] v) {
        double[] f = finite(v);
        return fmt(Describe.mean(f)) + " ± " + fmt(Describe.std(f));
    }

    static String pctSpread(double[] v) {
        double[] f = finite(v);
        return String.format(Locale.ROOT, "%.1f ± %.1f%%", 100 * Describe.mean(f), 100 * Describe.std(f));
    }


    static String joined(JsonNode arr) {
        List<String> s = new ArrayList<>();
        arr.forEach(n -> s.add(n.isIntegralNumber() ? n.asText() : ProbeSet.fmt(n.asDouble())));
        return String.join(", ", s);
    }

    static double[] numbers(JsonNode arr) {
        return SweepPoints.numbers(arr);
    }

    static int[] ints(JsonNode arr) {
        int[] v = new int[arr.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = arr.get(i).asInt();
        }
        return v;
    }

    static boolean[] bools(JsonNode arr) {
        boolean[] v = new boolean[arr.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = arr.get(i).asBoolean();
        }
        return v;
    }

    static double[] doubles(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The finite values only. */
    static double[] finite(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).toArray();
    }

    /** The mean of the finite values at the live channels; NaN when none. */
    static double liveMean(double[] v, boolean[] dead) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < v.length; i++) {
            if (!dead[i] && Double.isFinite(v[i])) {
                s += v[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /**
     * Several seeds of one series, drawn as their mean with a band from the smallest to the largest,
     * using at each x the seeds whose value is finite there (a layer with one live channel has no
     * correlation); an x where none is finite is left out.
     */
    static void finiteSeeds(Figures.LineFigure fig, String label, double[] x, double[][] bySeed) {
        List<Double> xs = new ArrayList<>();
        List<Double> mean = new ArrayList<>();
        List<Double> lo = new ArrayList<>();
        List<Double> hi = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            double[] v = new double[bySeed.length];
            for (int s = 0; s < v.length; s++) {
                v[s] = bySeed[s][i];
            }
            double[] f = finite(v);
            if (f.length > 0) {
                xs.add(x[i]);
                mean.add(Describe.mean(f));
                lo.add(Arrays.stream(f).min().orElseThrow());
                hi.add(Arrays.stream(f).max().orElseThrow());
            }
        }
        fig.band(label + " (mean of " + seedWord(bySeed.length) + ")", doubles(xs), doubles(mean), doubles(lo),
                doubles(hi));
    }

    static String seedWord(int n) {
        return n + (n == 1 ? " seed" : " seeds");
    }

    /** The points of a sweep's one configuration (a net and its seeds). */
    static List<JsonNode> runs(Pinned p, String config) {
        return new SweepPoints(p).seeds(config);
    }

    static String mainConfig(Pinned p) {
        return p.at("/points/0/id").asText().replaceAll("-s\\d+$", "");
    }

    static int layers(JsonNode run) {
        return run.at("/trained/layers").size();
    }

    /** The class names of a sweep's dataset. */
    static List<String> classesOf(String key) {
        return switch (key) {
            case "mnist" -> DIGITS;
            case "cifar10" -> unboxed.data.Cifar10.CLASS_NAMES;
            default -> FASHION;
        };
    }

    /** How the prose names a sweep's network. */
    static String netName(String key) {
        return switch (key) {
            case "fashion" -> "the Fashion-MNIST CNN";
            case "mnist" -> "post 02's CNN on MNIST";
            default -> "the " + key.toUpperCase(Locale.ROOT).replace("CIFAR", "CIFAR-") + " CNN";
        };
    }

    static String layerName(int l) {
        return "layer " + (l + 1);
    }

    // ------------------------------------------------------------------ training

    static void trainingFacts(Pinned p, Map<String, String> facts, String key) {
        List<JsonNode> rs = runs(p, mainConfig(p));
        double[] acc = new double[rs.size()];
        for (int i = 0; i < acc.length; i++) {
            acc[i] = rs.get(i).get("test_accuracy").asDouble();
        }
        facts.put(key + "-accuracy", pct(Describe.mean(acc)));
        facts.put(key + "-accuracy-std", pct(Describe.std(acc)));
        facts.put(key + "-min-accuracy", pct(Arrays.stream(acc).min().orElse(Double.NaN)));
        facts.put(key + "-seeds", String.valueOf(rs.size()));
        facts.put(key + "-epochs", p.at("/config/epochs").asText());
        facts.put(key + "-epochs-text", p.at("/config/epochs").asText() + (p.at("/config/epochs").asInt() == 1
                ? " epoch" : " epochs"));
        facts.put(key + "-train-images", p.at("/config/train_images").asText());
        if (rs.get(0).has("width")) {
            facts.put(key + "-width", rs.get(0).get("width").asText());
        }
        if (p.results().at("/config/target_test_accuracy").isNumber()) {
            double target = p.number("/config/target_test_accuracy");
            facts.put(key + "-target", pct(target));
            long met = Arrays.stream(acc).filter(a -> a >= target).count();
            facts.put(key + "-target-verdict", met == acc.length ? "every seed reaches it"
                    : met + " of " + acc.length + " seeds reach it");
        }
    }

    private void training(Pinned f, Pinned m, Path outDir, Map<String, String> facts) throws IOException {
        trainingFacts(f, facts, "fashion");
        trainingFacts(m, facts, "mnist");
        facts.put("lr", f.at("/config/lr").asText());
        facts.put("batch", f.at("/config/batch_size").asText());
        facts.put("mnist-lr", m.at("/config/lr").asText());
        facts.put("mnist-momentum", m.at("/config/momentum").asText());
        List<List<?>> rows = new ArrayList<>();
        for (Pinned p : List.of(f, m)) {
            for (JsonNode r : runs(p, mainConfig(p))) {
                List<String> per = new ArrayList<>();
                r.at("/curve/testAccuracy").forEach(a -> per.add(pct(a.asDouble())));
                rows.add(List.of(p == f ? "Fashion-MNIST, this post's CNN" : "MNIST, post 02's CNN",
                        r.get("seed").asText(), String.join(", ", per), pct(r.get("test_accuracy").asDouble())));
            }
        }
        Tables.write(outDir, "training", "Test accuracy (all 10,000 test images) after each epoch and at the end,"
                        + " per seed", List.of("network", "seed", "after each epoch", "final"), rows, List.of(f, m));
        Figures.LineFigure fig = Figures.line("training-loss", "Training loss (mean over "
                        + f.at("/config/log_every_steps").asText() + " steps; mean and range of the seeds)")
                .axes("step", "training loss").logY().size(720, 400).from(f, m);
        for (Pinned p : List.of(f, m)) {
            List<JsonNode> rs = runs(p, mainConfig(p));
            double[][] ys = new double[rs.size()][];
            for (int i = 0; i < ys.length; i++) {
                ys[i] = numbers(rs.get(i).at("/curve/trainLoss"));
            }
            fig.seeds(p == f ? "Fashion-MNIST CNN" : "MNIST, post 02's CNN", numbers(rs.get(0).at("/curve/steps")), ys);
        }
        fig.save(outDir);
    }

    // ------------------------------------------------------------------ looking: the grids

    /** One layer's maps of one shown image, [channel][row][column], back on the scale of the ReLU's outputs. */
    static double[][][] maps(JsonNode m, int side) {
        JsonNode q = m.get("q");
        double scale = m.get("scale").asDouble();
        double[][][] out = new double[q.size()][side][side];
        for (int c = 0; c < q.size(); c++) {
            int[] v = Study.levels(q.get(c).asText());
            for (int i = 0; i < side * side; i++) {
                out[c][i / side][i % side] = v[i] * scale / 255;
            }
        }
        return out;
    }

    /** Black at 0, white at the largest value of the layer's maps for this image. */
    static ImageGrid.Scale grey(JsonNode m) {
        double scale = m.get("scale").asDouble();
        return ImageGrid.Scale.gray(0, scale > 0 ? scale : 1);
    }

    static int side(JsonNode m) {
        return (int) Math.round(Math.sqrt(Study.levels(m.get("q").get(0).asText()).length));
    }

    /** The grids: one image through every layer (trained and untrained), and the first layer across the shown images. */
    private void grids(Pinned p, String key, List<String> classes, Path outDir, Map<String, String> facts)
            throws IOException {
        JsonNode run = runs(p, mainConfig(p)).get(0);
        List<String> shown = new ArrayList<>();
        p.at("/config/shown").forEach(n -> shown.add(n.asText()));
        String net = netName(key);
        for (String state : List.of("trained", "init")) {
            JsonNode ms = run.at("/" + state + "/maps");
            String when = state.equals("trained") ? "trained" : "at initialisation (the same network before training)";
            // one image, every layer: each layer a row of its channels, each map 56 pixels wide
            ImageGrid g = ImageGrid.of("grid-" + key + "-" + state, "Every output channel of every conv layer of "
                    + net + ", " + when + ", for one " + (key.equals("fashion") ? "Fashion-MNIST" : "MNIST") + " test image"
                    + " (top); ReLU outputs, black 0, white the layer's largest value for this image").from(p);
            int layers = ms.size();
            int channels = ms.get(0).get(0).get("q").size();
            g.row("input", 2, ImageGrid.panel(inputImage(run, 0), ImageGrid.Scale.gray(0, 1)));
            for (int l = 0; l < layers; l++) {
                JsonNode m = ms.get(l).get(0);
                int side = side(m);
                double[][][] mp = maps(m, side);
                // at most 16 maps a row, so that a layer of 32 channels stays as wide as one of 16
                for (int from = 0; from < mp.length; from += ROW) {
                    List<ImageGrid.Panel> panels = new ArrayList<>();
                    for (int c = from; c < Math.min(mp.length, from + ROW); c++) {
                        panels.add(ImageGrid.panel(mp[c], grey(m)).caption(l == 0 || mp.length > ROW ? "c" + c : ""));
                    }
                    g.row(layerName(l) + " (" + side + "×" + side + ")" + (mp.length > ROW ? ", c" + from + "–c"
                            + (Math.min(mp.length, from + ROW) - 1) : ""), Math.max(1, 56 / side),
                            panels.toArray(new ImageGrid.Panel[0]));
                }
            }
            g.save(outDir);
            facts.put(key + "-grid-channels", String.valueOf(channels));
            // the first layer across the shown images
            ImageGrid s = ImageGrid.of("grid-" + key + "-" + state + "-shown", "Layer 1 of " + net + ", " + when
                    + ", for each generated or chosen image (one row each, the image on the left); black 0, white the"
                    + " layer's largest value for that image").from(p);
            JsonNode l1 = ms.get(0);
            List<String> heads = new ArrayList<>(List.of("image"));
            for (int c = 0; c < channels; c++) {
                heads.add("c" + c);
            }
            s.columns(heads.toArray(new String[0]));
            for (int i = 0; i < l1.size(); i++) {
                int side = side(l1.get(i));
                double[][][] mp = maps(l1.get(i), side);
                List<ImageGrid.Panel> panels = new ArrayList<>();
                panels.add(ImageGrid.panel(inputImage(run, i), ImageGrid.Scale.gray(0, 1)));
                for (double[][] c : mp) {
                    panels.add(ImageGrid.panel(c, grey(l1.get(i))));
                }
                s.row(shown.get(i), 2, panels.toArray(new ImageGrid.Panel[0]));
            }
            s.save(outDir);
        }
        // the first layer's kernels
        ImageGrid k = ImageGrid.of("kernels-" + key, "The " + run.at("/trained/kernels").size()
                + " kernels of layer 1 of " + net + ", trained (top) and at initialisation (bottom); blue negative,"
                + " red positive, each row on its own symmetric scale").from(p);
        for (String state : List.of("trained", "init")) {
            JsonNode ks = run.at("/" + state + "/kernels");
            double max = 0;
            for (JsonNode kc : ks) {
                for (double v : numbers(kc)) {
                    max = Math.max(max, Math.abs(v));
                }
            }
            List<ImageGrid.Panel> panels = new ArrayList<>();
            for (JsonNode kc : ks) {
                double[] v = numbers(kc);
                int side = (int) Math.round(Math.sqrt(v.length));
                double[][] img = new double[side][side];
                for (int i = 0; i < v.length; i++) {
                    img[i / side][i % side] = v[i];
                }
                panels.add(ImageGrid.panel(img, ImageGrid.Scale.diverging(max)));
            }
            k.row(state.equals("trained") ? "trained" : "untrained", 10, panels.toArray(new ImageGrid.Panel[0]));
        }
        k.save(outDir);
    }

    /** The input of shown image {@code i}, as the figures draw it: the results keep the maps, the pixels are regenerated. */
    static double[][] inputImage(JsonNode run, int i) {
        int[] in = Study.levels(run.at("/inputs/" + i).asText());
        int side = (int) Math.round(Math.sqrt(in.length));
        double[][] img = new double[side][side];
        for (int k = 0; k < in.length; k++) {
            img[k / side][k % side] = in[k] / 255.0;
        }
        return img;
    }

    // ------------------------------------------------------------------ tuning

    private void tuning(Pinned p, String key, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode run = runs(p, mainConfig(p)).get(0);
        double[] angles = numbers(p.at("/config/orientations"));
        double[] freqs = numbers(p.at("/config/frequencies"));
        String net = netName(key);
        int layers = layers(run);
        for (int l : new int[] {0, layers - 1}) {
            JsonNode tr = run.at("/trained/layers/" + l);
            JsonNode in = run.at("/init/layers/" + l);
            Filmstrip fs = Filmstrip.of("tuning-" + key + "-layer" + (l + 1), "Orientation tuning of every channel of "
                            + layerName(l) + " of " + net + " (seed 0): the mean response to gratings against their"
                            + " orientation (0° horizontal bars, 90° vertical), at the channel's preferred frequency,"
                            + " trained; in grey the same channel at initialisation, at its own preferred frequency")
                    .legend("at initialisation", "trained").columns(8).panelSize(110, 70).ownScale().from(p);
            boolean[] dead = bools(tr.get("dead"));
            for (int c = 0; c < tr.get("tuning").size(); c++) {
                double[] t = curveAtPreferred(tr.get("tuning").get(c));
                double[] t0 = curveAtPreferred(in.get("tuning").get(c));
                String cap = "c" + c + (dead[c] ? " dead" : ", OSI " + fmt(tr.get("osi").get(c).asDouble()));
                fs.frame(cap, angles, t0, t);
            }
            fs.save(outDir);
        }
        // frequency tuning by layer: each channel's response against frequency at its preferred orientation,
        // divided by its largest, averaged over the live channels and seeds
        Figures.LineFigure ff = Figures.line("frequency-" + key, "Frequency tuning by layer, "
                        + (key.equals("fashion") ? "Fashion-MNIST CNN" : "post 02's CNN") + " (dashed: untrained)")
                .axes("grating frequency (cycles per image width)", "response / the channel's largest")
                .logX().size(720, 420).from(p);
        List<JsonNode> rs = runs(p, mainConfig(p));
        List<String> order = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            order.add(layerName(l));
        }
        ff.colours(order);
        for (String state : List.of("trained", "init")) {
            for (int l = 0; l < layers; l++) {
                double[][] ys = new double[rs.size()][];
                for (int s = 0; s < rs.size(); s++) {
                    ys[s] = meanFrequencyCurve(rs.get(s).at("/" + state + "/layers/" + l));
                }
                if (state.equals("trained")) {
                    ff.seeds(layerName(l), freqs, ys);
                } else {
                    double[] mean = new double[freqs.length];
                    for (double[] y : ys) {
                        for (int i = 0; i < y.length; i++) {
                            mean[i] += y[i] / ys.length;
                        }
                    }
                    ff.dashed(layerName(l) + " (at initialisation)", freqs, mean);
                }
            }
        }
        ff.save(outDir);
    }

    /** [orientation][frequency] → the orientation curve at the frequency of the largest response. */
    static double[] curveAtPreferred(JsonNode tuning) {
        int no = tuning.size();
        int nf = tuning.get(0).size();
        int bo = 0;
        int bf = 0;
        for (int o = 0; o < no; o++) {
            for (int f = 0; f < nf; f++) {
                if (tuning.get(o).get(f).asDouble() > tuning.get(bo).get(bf).asDouble()) {
                    bo = o;
                    bf = f;
                }
            }
        }
        double[] out = new double[no];
        for (int o = 0; o < no; o++) {
            out[o] = tuning.get(o).get(bf).asDouble();
        }
        return out;
    }

    /** Per channel, the frequency curve at the preferred orientation over its largest value; averaged over the live channels. */
    static double[] meanFrequencyCurve(JsonNode layer) {
        JsonNode t = layer.get("tuning");
        boolean[] dead = bools(layer.get("dead"));
        int nf = t.get(0).get(0).size();
        double[] sum = new double[nf];
        int n = 0;
        for (int c = 0; c < t.size(); c++) {
            JsonNode tc = t.get(c);
            int bo = 0;
            int bf = 0;
            for (int o = 0; o < tc.size(); o++) {
                for (int f = 0; f < nf; f++) {
                    if (tc.get(o).get(f).asDouble() > tc.get(bo).get(bf).asDouble()) {
                        bo = o;
                        bf = f;
                    }
                }
            }
            double max = tc.get(bo).get(bf).asDouble();
            if (dead[c] || !(max > 0)) {
                continue;
            }
            for (int f = 0; f < nf; f++) {
                sum[f] += tc.get(bo).get(f).asDouble() / max;
            }
            n++;
        }
        for (int f = 0; f < nf; f++) {
            sum[f] = n == 0 ? 0 : sum[f] / n;
        }
        return sum;
    }

    // ------------------------------------------------------------------ the measures by layer

    /** The measures a table row gives for one layer of one run (means over its live channels). */
    record LayerSummary(double osi, double tuned, double frequency, double polarity, double sparseness, double dead,
                        double selectivity, double corr, double rankShare) {
    }

    static LayerSummary summary(JsonNode layer) {
        boolean[] dead = bools(layer.get("dead"));
        double[] osi = numbers(layer.get("osi"));
        int live = 0;
        int tuned = 0;
        List<Double> freq = new ArrayList<>();
        double[] f = numbers(layer.get("frequency"));
        int deadN = 0;
        for (int c = 0; c < dead.length; c++) {
            if (dead[c]) {
                deadN++;
                continue;
            }
            live++;
            tuned += osi[c] >= TUNED ? 1 : 0;
            if (Double.isFinite(f[c])) {
                freq.add(f[c]);
            }
        }
        return new LayerSummary(liveMean(osi, dead), live == 0 ? Double.NaN : (double) tuned / live,
                Describe.median(doubles(freq)), liveMean(numbers(layer.get("polarity")), dead),
                liveMean(numbers(layer.get("sparseness")), dead), (double) deadN / dead.length,
                liveMean(numbers(layer.get("class_selectivity")), dead),
                layer.get("mean_abs_correlation").asDouble(),
                live == 0 ? Double.NaN : layer.get("effective_rank").asDouble() / live);
    }

    /** One measure of one layer and state, one value per seed. */
    static double[] perSeed(List<JsonNode> rs, String state, int l, java.util.function.ToDoubleFunction<LayerSummary> m) {
        double[] v = new double[rs.size()];
        for (int s = 0; s < v.length; s++) {
            v[s] = m.applyAsDouble(summary(rs.get(s).at("/" + state + "/layers/" + l)));
        }
        return v;
    }

    private void byLayer(Pinned p, String key, Path outDir, Map<String, String> facts) throws IOException {
        List<JsonNode> rs = runs(p, mainConfig(p));
        int layers = layers(rs.get(0));
        List<List<?>> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (String state : List.of("init", "trained")) {
                rows.add(List.of(layerName(l), state.equals("init") ? "untrained" : "trained",
                        spread(perSeed(rs, state, l, LayerSummary::osi)),
                        pctSpread(perSeed(rs, state, l, LayerSummary::tuned)),
                        spread(perSeed(rs, state, l, LayerSummary::frequency)),
                        spread(perSeed(rs, state, l, LayerSummary::polarity)),
                        spread(perSeed(rs, state, l, LayerSummary::sparseness)),
                        pctSpread(perSeed(rs, state, l, LayerSummary::dead)),
                        spread(perSeed(rs, state, l, LayerSummary::selectivity)),
                        spread(perSeed(rs, state, l, LayerSummary::corr)),
                        pctSpread(perSeed(rs, state, l, LayerSummary::rankShare))));
                String k = key + "-l" + (l + 1) + "-" + state;
                facts.put(k + "-osi", spread(perSeed(rs, state, l, LayerSummary::osi)));
                facts.put(k + "-tuned", pctSpread(perSeed(rs, state, l, LayerSummary::tuned)));
                facts.put(k + "-freq", fmt(Describe.mean(perSeed(rs, state, l, LayerSummary::frequency))));
                facts.put(k + "-polarity", spread(perSeed(rs, state, l, LayerSummary::polarity)));
                facts.put(k + "-sparseness", spread(perSeed(rs, state, l, LayerSummary::sparseness)));
                facts.put(k + "-dead", pctSpread(perSeed(rs, state, l, LayerSummary::dead)));
                facts.put(k + "-selectivity", spread(perSeed(rs, state, l, LayerSummary::selectivity)));
                facts.put(k + "-corr", spread(perSeed(rs, state, l, LayerSummary::corr)));
                facts.put(k + "-rank", pctSpread(perSeed(rs, state, l, LayerSummary::rankShare)));
            }
        }
        String net = netName(key);
        Tables.write(outDir, "layers-" + key, "What the channels of each conv layer of " + net + " do, untrained and"
                        + " trained (mean ± std over " + seedWord(rs.size()) + "; means over each layer's live channels):"
                        + " the orientation selectivity index (OSI), the share of channels with OSI ≥ " + fmt(TUNED)
                        + ", the median preferred grating frequency (cycles per image width), edge polarity, lifetime"
                        + " sparseness over the " + (10 * p.at("/config/probe_per_class").asInt()) + " test images,"
                        + " dead channels, class selectivity, the mean |correlation| between channels, and the effective"
                        + " rank of the layer's responses as a share of its live channels",
                List.of("layer", "network", "OSI", "tuned", "frequency", "polarity", "sparseness", "dead", "class sel.",
                        "|ρ|", "eff. rank"), rows, List.of(p));
        // the same, drawn against depth
        Figures.LineFigure fig = Figures.line("by-layer-" + key, "From the first conv layer to the last, "
                        + (key.equals("fashion") ? "Fashion-MNIST CNN" : key.equals("mnist") ? "post 02's CNN"
                        : "CIFAR-10 CNN") + " (dashed: untrained)")
                .axes("conv layer", "mean over the live channels").size(720, 420).from(p);
        List<String> measures = List.of("orientation selectivity", "lifetime sparseness", "class selectivity",
                "|correlation| between channels");
        List<java.util.function.ToDoubleFunction<LayerSummary>> fns = List.of(LayerSummary::osi,
                LayerSummary::sparseness, LayerSummary::selectivity, LayerSummary::corr);
        fig.colours(measures);
        double[] x = new double[layers];
        for (int l = 0; l < layers; l++) {
            x[l] = l + 1;
        }
        for (int i = 0; i < measures.size(); i++) {
            double[][] ys = new double[rs.size()][layers];
            double[] init = new double[layers];
            for (int l = 0; l < layers; l++) {
                double[] tr = perSeed(rs, "trained", l, fns.get(i));
                double[] in = perSeed(rs, "init", l, fns.get(i));
                for (int s = 0; s < rs.size(); s++) {
                    ys[s][l] = tr[s];
                }
                init[l] = Describe.mean(finite(in));
            }
            finiteSeeds(fig, measures.get(i), x, ys);
            fig.dashed(measures.get(i) + " (at initialisation)", x, init);
        }
        fig.save(outDir);
    }

    // ------------------------------------------------------------------ the extremes: widths

    /** The accuracy lost by zeroing each ablated channel of layer {@code l} (trained), one per channel. */
    static double[] drops(JsonNode run, int l) {
        JsonNode a = run.get("ablation");
        int[] base = ints(a.get("baseline"));
        int n = Arrays.stream(ints(a.get("class_counts"))).sum();
        int b = Arrays.stream(base).sum();
        JsonNode correct = a.get("correct").get(l);
        double[] out = new double[correct.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (double) (b - Arrays.stream(ints(correct.get(i))).sum()) / n;
        }
        return out;
    }

    static void widthFacts(Pinned p, Map<String, String> facts) {
        int[] widths = ints(p.at("/config/widths"));
        int narrow = widths[0];
        int wide = widths[widths.length - 1];
        for (int w : new int[] {narrow, wide}) {
            List<JsonNode> rs = runs(p, "w" + w);
            String k = w == narrow ? "w-narrow" : "w-wide";
            int layers = layers(rs.get(0));
            double[] meanDrop = new double[rs.size()];
            double[] acc = new double[rs.size()];
            for (int s = 0; s < rs.size(); s++) {
                List<Double> all = new ArrayList<>();
                for (int l = 0; l < layers; l++) {
                    for (double d : drops(rs.get(s), l)) {
                        all.add(d);
                    }
                }
                meanDrop[s] = Describe.mean(doubles(all));
                acc[s] = rs.get(s).get("test_accuracy").asDouble();
            }
            facts.put(k, String.valueOf(w));
            facts.put(k + "-drop", String.format(Locale.ROOT, "%.1f points", 100 * Describe.mean(meanDrop)));
            facts.put(k + "-accuracy", pctSpread(acc));
            for (int l = 0; l < layers; l++) {
                facts.put(k + "-l" + (l + 1) + "-tuned", pctSpread(perSeed(rs, "trained", l, LayerSummary::tuned)));
                facts.put(k + "-l" + (l + 1) + "-dead", pctSpread(perSeed(rs, "trained", l, LayerSummary::dead)));
                facts.put(k + "-l" + (l + 1) + "-rank",
                        pct(Describe.mean(finite(perSeed(rs, "trained", l, LayerSummary::rankShare)))));
                for (String state : List.of("trained", "init")) {
                    double[] corr = perSeed(rs, state, l, LayerSummary::corr);
                    facts.put(k + "-corr-l" + (l + 1) + (state.equals("init") ? "-init" : ""), fmt(Describe.mean(finite(corr))));
                }
            }
        }
        facts.put("w-seeds", p.at("/config/seeds").asText());
        facts.put("w-train-images", p.at("/config/train_images").asText());
        facts.put("w-epochs", p.at("/config/epochs").asText());
        facts.put("w-ablate", p.at("/config/ablate_per_layer").asText());
        facts.put("w-ablation-images", String.valueOf(10 * p.at("/config/ablation_per_class").asInt()));
        List<String> ws = new ArrayList<>();
        for (int w : widths) {
            ws.add(String.valueOf(w));
        }
        facts.put("w-widths", String.join(", ", ws));
    }

    private void widths(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        widthFacts(p, facts);
        int[] widths = ints(p.at("/config/widths"));
        double[] x = Arrays.stream(widths).asDoubleStream().toArray();
        int layers = layers(runs(p, "w" + widths[0]).get(0));
        List<String> order = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            order.add(layerName(l));
        }
        // accuracy
        Figures.LineFigure acc = Figures.line("width-accuracy", "Test accuracy against width (mean and range of the"
                        + " seeds)")
                .axes("channels per conv layer", "test accuracy").logX().size(720, 380).from(p);
        double[][] accBySeed = null;
        int seeds = runs(p, "w" + widths[0]).size();
        accBySeed = new double[seeds][widths.length];
        for (int i = 0; i < widths.length; i++) {
            List<JsonNode> rs = runs(p, "w" + widths[i]);
            for (int s = 0; s < seeds; s++) {
                accBySeed[s][i] = rs.get(s).get("test_accuracy").asDouble();
            }
        }
        acc.seeds("test accuracy", x, accBySeed);
        acc.save(outDir);
        // redundancy and ablation, by layer
        Figures.LineFigure red = Figures.line("width-correlation", "Mean |correlation| between channels against"
                        + " width (dashed: untrained)")
                .axes("channels per conv layer", "mean |ρ| between channels").logX().size(720, 420).from(p).colours(order);
        Figures.LineFigure rank = Figures.line("width-rank", "Effective rank of a layer's responses against width")
                .axes("channels per conv layer", "effective rank").logX().logY().size(720, 420).from(p).colours(order);
        Figures.LineFigure abl = Figures.line("width-ablation", "Accuracy lost by zeroing one channel, against"
                        + " width")
                .axes("channels per conv layer", "accuracy lost (points)").logX().size(720, 420).from(p).colours(order);
        List<List<?>> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            double[][] corr = new double[seeds][widths.length];
            double[] corr0 = new double[widths.length];
            double[][] rk = new double[seeds][widths.length];
            double[][] drop = new double[seeds][widths.length];
            for (int i = 0; i < widths.length; i++) {
                List<JsonNode> rs = runs(p, "w" + widths[i]);
                double[] c0 = perSeed(rs, "init", l, LayerSummary::corr);
                corr0[i] = Describe.mean(finite(c0));
                for (int s = 0; s < seeds; s++) {
                    JsonNode lay = rs.get(s).at("/trained/layers/" + l);
                    corr[s][i] = lay.get("mean_abs_correlation").asDouble();
                    rk[s][i] = lay.get("effective_rank").asDouble();
                    drop[s][i] = 100 * Describe.mean(drops(rs.get(s), l));
                }
            }
            finiteSeeds(red, layerName(l), x, corr);
            List<Double> x0 = new ArrayList<>();
            List<Double> y0 = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(corr0[i])) {
                    x0.add(x[i]);
                    y0.add(corr0[i]);
                }
            }
            red.dashed(layerName(l) + " (at initialisation)", doubles(x0), doubles(y0));
            rank.seeds(layerName(l), x, rk);
            abl.seeds(layerName(l), x, drop);
        }
        rank.dashed("every channel different", x, x);
        red.save(outDir);
        rank.save(outDir);
        abl.save(outDir);
        for (int i = 0; i < widths.length; i++) {
            List<JsonNode> rs = runs(p, "w" + widths[i]);
            double[] a = new double[rs.size()];
            for (int s = 0; s < a.length; s++) {
                a[s] = rs.get(s).get("test_accuracy").asDouble();
            }
            List<Object> row = new ArrayList<>(List.of(String.valueOf(widths[i]), pctSpread(a)));
            for (int l = 0; l < layers; l++) {
                double[] d = new double[rs.size()];
                for (int s = 0; s < d.length; s++) {
                    d[s] = Describe.mean(drops(rs.get(s), l));
                }
                row.add(spread(perSeed(rs, "trained", l, LayerSummary::corr)) + " (" + fmt(Describe.mean(
                        finite(perSeed(rs, "init", l, LayerSummary::corr)))) + ")");
                row.add(String.format(Locale.ROOT, "%.1f ± %.1f", 100 * Describe.mean(d), 100 * Describe.std(d)));
                row.add(pctSpread(perSeed(rs, "trained", l, LayerSummary::dead)));
            }
            rows.add(row);
        }
        List<String> headers = new ArrayList<>(List.of("channels", "test accuracy"));
        for (int l = 0; l < layers; l++) {
            headers.add("|ρ|, " + layerName(l) + " (untrained)");
            headers.add("lost by zeroing one, " + layerName(l));
            headers.add("dead, " + layerName(l));
        }
        Tables.write(outDir, "widths", "The width sweep, mean ± std over " + seedWord(seeds) + ": test accuracy; per"
                + " layer the mean |correlation| between channels (untrained in brackets), the test accuracy lost by"
                + " zeroing one channel (points, mean over the channels zeroed), and the dead channels", headers, rows,
                List.of(p));
        redundancyTest(p, widths[widths.length - 1], facts);
        narrowNet(p, widths[0], outDir, facts);
        correlationMap(p, widths[widths.length - 1], outDir, facts);
    }

    /**
     * Within the widest net: are the channels that cost the most when zeroed the ones least like any
     * other? The Spearman correlation between a zeroed channel's largest |ρ| with another channel and
     * the accuracy its zeroing costs, pooled over layers and seeds; and the mean cost of the more and
     * the less redundant half.
     */
    static void redundancyTest(Pinned p, int width, Map<String, String> facts) {
        List<Double> red = new ArrayList<>();
        List<Double> cost = new ArrayList<>();
        for (JsonNode run : runs(p, "w" + width)) {
            for (int l = 0; l < layers(run); l++) {
                double[] d = drops(run, l);
                int[] ch = ints(run.at("/ablation/channels/" + l));
                double[] mc = numbers(run.at("/trained/layers/" + l + "/max_abs_correlation"));
                for (int i = 0; i < ch.length; i++) {
                    if (Double.isFinite(mc[ch[i]])) {
                        red.add(mc[ch[i]]);
                        cost.add(d[i]);
                    }
                }
            }
        }
        double[] r = doubles(red);
        double[] c = doubles(cost);
        double rho = r.length > 2 ? new SpearmansCorrelation().correlation(r, c) : Double.NaN;
        double med = Describe.median(r);
        List<Double> hi = new ArrayList<>();
        List<Double> lo = new ArrayList<>();
        for (int i = 0; i < r.length; i++) {
            (r[i] > med ? hi : lo).add(c[i]);
        }
        facts.put("wide-redundancy-rho", fmt(rho));
        facts.put("wide-redundancy-n", String.valueOf(r.length));
        facts.put("wide-redundant-cost", String.format(Locale.ROOT, "%.2f", 100 * Describe.mean(doubles(hi))));
        facts.put("wide-unique-cost", String.format(Locale.ROOT, "%.2f", 100 * Describe.mean(doubles(lo))));
        facts.put("wide-median-maxcorr", fmt(med));
    }

    /** The narrowest net: its channels, their maps and tuning, and what zeroing each one costs each class. */
    private void narrowNet(Pinned p, int width, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode run = runs(p, "w" + width).get(0);
        List<String> shown = new ArrayList<>();
        p.at("/config/shown").forEach(n -> shown.add(n.asText()));
        ImageGrid g = ImageGrid.of("grid-narrow", "The " + width + "-channel net (seed 0), trained: both channels of"
                + " every layer for each shown image (a row per image; left the image, then layer 1's channels,"
                + " layer 2's and layer 3's), each layer on its own grey scale").from(p);
        JsonNode ms = run.at("/trained/maps");
        int images = ms.get(0).size();
        List<String> heads = new ArrayList<>(List.of("image"));
        for (int l = 0; l < ms.size(); l++) {
            for (int c = 0; c < width; c++) {
                heads.add("L" + (l + 1) + " c" + c);
            }
        }
        g.columns(heads.toArray(new String[0]));
        for (int i = 0; i < images; i++) {
            List<ImageGrid.Panel> panels = new ArrayList<>();
            panels.add(ImageGrid.panel(inputImage(run, i), ImageGrid.Scale.gray(0, 1)));
            for (int l = 0; l < ms.size(); l++) {
                JsonNode m = ms.get(l).get(i);
                int side = side(m);
                double[][][] mp = maps(m, side);
                for (double[][] c : mp) {
                    // every map drawn 56 pixels wide: nearest-pixel upsampling of the smaller layers
                    panels.add(ImageGrid.panel(upsample(c, 28 / side), grey(m)));
                }
            }
            g.row(shown.get(i), 2, panels.toArray(new ImageGrid.Panel[0]));
        }
        g.save(outDir);
        double[] angles = numbers(p.at("/config/orientations"));
        Filmstrip fs = Filmstrip.of("tuning-narrow", "Orientation tuning of the " + width + "-channel net's channels"
                        + " (seed 0), layer by layer (c0, c1 of layer 1, then layer 2, layer 3): mean response to"
                        + " gratings against their orientation at the preferred frequency; grey: at initialisation")
                .legend("at initialisation", "trained").columns(2 * 3).panelSize(110, 70).ownScale().from(p);
        for (int l = 0; l < layers(run); l++) {
            JsonNode tr = run.at("/trained/layers/" + l);
            JsonNode in = run.at("/init/layers/" + l);
            for (int c = 0; c < width; c++) {
                fs.frame("L" + (l + 1) + " c" + c + ", OSI " + fmt(tr.get("osi").get(c).asDouble()), angles,
                        curveAtPreferred(in.get("tuning").get(c)), curveAtPreferred(tr.get("tuning").get(c)));
            }
        }
        fs.save(outDir);
        List<List<?>> rows = new ArrayList<>();
        JsonNode a = run.get("ablation");
        int[] base = ints(a.get("baseline"));
        int[] counts = ints(a.get("class_counts"));
        for (int l = 0; l < layers(run); l++) {
            JsonNode correct = a.get("correct").get(l);
            int[] ch = ints(a.get("channels").get(l));
            for (int i = 0; i < ch.length; i++) {
                int[] cc = ints(correct.get(i));
                List<Object> row = new ArrayList<>(List.of(layerName(l) + " c" + ch[i]));
                int lost = 0;
                for (int k = 0; k < cc.length; k++) {
                    row.add(pts((double) (cc[k] - base[k]) / counts[k]));
                    lost += base[k] - cc[k];
                }
                row.add(pts(-(double) lost / Arrays.stream(counts).sum()));
                rows.add(row);
            }
        }
        List<String> headers = new ArrayList<>(List.of("channel zeroed"));
        FASHION.forEach(headers::add);
        headers.add("all");
        Tables.write(outDir, "narrow-ablation", "The " + width + "-channel net (seed 0): the change of accuracy of"
                + " each class (points) when one channel is zeroed", headers, rows, List.of(p));
    }

    static double[][] upsample(double[][] m, int k) {
        double[][] out = new double[m.length * k][m[0].length * k];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < out[0].length; j++) {
                out[i][j] = m[i / k][j / k];
            }
        }
        return out;
    }

    /** The widest net's channel–channel correlations, layer 1 and the last, channels ordered by preferred orientation. */
    private void correlationMap(Pinned p, int width, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode run = runs(p, "w" + width).get(0);
        int layers = layers(run);
        ImageGrid g = ImageGrid.of("correlation-wide", "The " + width + "-channel net (seed 0), trained: the correlation"
                + " between every two channels' responses over the test images, in layer 1 (left) and layer "
                + layers + " (right); channels sorted by preferred orientation, dead channels (no correlation) white")
                .columns(layerName(0), layerName(layers - 1)).from(p);
        List<ImageGrid.Panel> panels = new ArrayList<>();
        for (int l : new int[] {0, layers - 1}) {
            JsonNode lay = run.at("/trained/layers/" + l);
            double[] orient = numbers(lay.get("orientation"));
            Integer[] idx = new Integer[width];
            for (int i = 0; i < width; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> Double.compare(Double.isNaN(orient[a]) ? 999 : orient[a],
                    Double.isNaN(orient[b]) ? 999 : orient[b]));
            double[][] m = new double[width][width];
            JsonNode corr = lay.get("correlation");
            for (int i = 0; i < width; i++) {
                double[] row = numbers(corr.get(idx[i]));
                for (int j = 0; j < width; j++) {
                    double v = row[idx[j]];
                    m[i][j] = Double.isFinite(v) ? v : 0;
                }
            }
            panels.add(ImageGrid.panel(m, ImageGrid.Scale.diverging(1)));
        }
        g.row("", Math.max(2, 320 / width), panels.toArray(new ImageGrid.Panel[0]));
        g.save(outDir);
    }

    // ------------------------------------------------------------------ the claims, tested

    /** One claim about one channel and what zeroing it (and the other channels of its layer) did. */
    record Claim(int layer, int channel, int served, int anti, double selectivity, double servedDrop,
                 double otherDrop, double randomDrop, double antiDrop, boolean hit) {
    }

    /**
     * The claims of one run: for every live channel zeroed, "it serves the class it answers most"
     * (the test: that class's accuracy change when it is zeroed, against the other classes', and
     * against the same class's when another channel of the layer is zeroed, on average) and "the
     * class it answers least does not need it" (that class's change).
     */
    static List<Claim> claimsOf(JsonNode run) {
        List<Claim> out = new ArrayList<>();
        JsonNode a = run.get("ablation");
        int[] base = ints(a.get("baseline"));
        int[] counts = ints(a.get("class_counts"));
        int classes = base.length;
        for (int l = 0; l < a.get("correct").size(); l++) {
            JsonNode lay = run.at("/trained/layers/" + l);
            boolean[] dead = bools(lay.get("dead"));
            int[] ch = ints(a.get("channels").get(l));
            double[][] delta = new double[ch.length][classes];
            for (int i = 0; i < ch.length; i++) {
                int[] cc = ints(a.get("correct").get(l).get(i));
                for (int k = 0; k < classes; k++) {
                    delta[i][k] = (double) (cc[k] - base[k]) / counts[k];
                }
            }
            for (int i = 0; i < ch.length; i++) {
                int c = ch[i];
                if (dead[c]) {
                    continue;
                }
                double[] cm = numbers(lay.get("class_means").get(c));
                int served = Look.argmax(cm);
                int anti = 0;
                for (int k = 1; k < classes; k++) {
                    anti = cm[k] < cm[anti] ? k : anti;
                }
                double other = 0;
                for (int k = 0; k < classes; k++) {
                    other += k == served ? 0 : delta[i][k] / (classes - 1);
                }
                double random = 0;
                int n = 0;
                for (int j = 0; j < ch.length; j++) {
                    if (j != i) {
                        random += delta[j][served];
                        n++;
                    }
                }
                int worst = 0;
                for (int k = 1; k < classes; k++) {
                    worst = delta[i][k] < delta[i][worst] ? k : worst;
                }
                out.add(new Claim(l, c, served, anti, lay.get("class_selectivity").get(c).asDouble(), delta[i][served],
                        other, n == 0 ? Double.NaN : random / n, delta[i][anti], worst == served && delta[i][served] < 0));
            }
        }
        return out;
    }

    /**
     * The costliest channel of a layer described: where it is, what it is tuned to, and the three
     * classes that lose most when it is zeroed, with their accuracy before and after.
     */
    static void costliest(JsonNode run, int l, int at, List<String> classes, String k, Map<String, String> facts) {
        JsonNode a = run.get("ablation");
        int c = a.get("channels").get(l).get(at).asInt();
        JsonNode lay = run.at("/trained/layers/" + l);
        int[] base = ints(a.get("baseline"));
        int[] counts = ints(a.get("class_counts"));
        int[] after = ints(a.get("correct").get(l).get(at));
        Integer[] order = new Integer[base.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Integer.compare(after[x] - base[x], after[y] - base[y]));
        List<String> lost = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int kk = order[i];
            String name = classes == DIGITS ? "digit " + classes.get(kk) : classes.get(kk);
            lost.add(name + ": " + pct((double) base[kk] / counts[kk]) + " → " + pct((double) after[kk] / counts[kk]));
        }
        facts.put(k + "-where", "channel " + c + " of seed " + run.get("seed").asText());
        facts.put(k + "-orientation", String.format(Locale.ROOT, "%.0f°", lay.get("orientation").get(c).asDouble()));
        facts.put(k + "-osi", String.format(Locale.ROOT, "%.2f", lay.get("osi").get(c).asDouble()));
        facts.put(k + "-serves", classes.get(lay.get("preferred_class").get(c).asInt()));
        facts.put(k + "-classes", String.join(", ", lost));
    }

    static void claimFacts(Pinned p, String key, Map<String, String> facts) {
        List<String> classes = classesOf(key);
        List<JsonNode> rs = runs(p, mainConfig(p));
        int layers = layers(rs.get(0));
        for (int l = 0; l < layers; l++) {
            List<Claim> all = new ArrayList<>();
            for (JsonNode run : rs) {
                for (Claim c : claimsOf(run)) {
                    if (c.layer() == l) {
                        all.add(c);
                    }
                }
            }
            String k = key + "-claim-l" + (l + 1);
            claimSummary(all, k, facts);
            // the claims about the more class-selective half of the channels, where a reading is most tempting
            double median = Describe.median(all.stream().mapToDouble(Claim::selectivity).toArray());
            claimSummary(all.stream().filter(c -> c.selectivity() >= median).toList(), k + "-selective", facts);
            facts.put(k + "-median-selectivity", fmt(median));
            // what one channel is worth to the whole network: most cost little, a few a lot
            List<Double> cost = new ArrayList<>();
            double worst = Double.NEGATIVE_INFINITY;
            JsonNode worstRun = null;
            int worstAt = 0;
            for (JsonNode run : rs) {
                double[] d = drops(run, l);
                for (int i = 0; i < d.length; i++) {
                    cost.add(d[i]);
                    if (d[i] > worst) {
                        worst = d[i];
                        worstRun = run;
                        worstAt = i;
                    }
                }
            }
            facts.put(k + "-median-cost", String.format(Locale.ROOT, "%.2f", 100 * Describe.median(doubles(cost))));
            facts.put(k + "-max-cost", String.format(Locale.ROOT, "%.1f", 100 * worst));
            costliest(worstRun, l, worstAt, classes, k + "-max", facts);
        }
    }

    /** The means over a set of claims: served, other, random and least-answered class changes; held and most-hurt counts. */
    static void claimSummary(List<Claim> claims, String k, Map<String, String> facts) {
        int hits = 0;
        int held = 0;
        for (Claim c : claims) {
            hits += c.hit() ? 1 : 0;
            held += c.servedDrop() < c.randomDrop() && c.servedDrop() < c.otherDrop() ? 1 : 0;
        }
        facts.put(k + "-served", pointsText(claims.stream().mapToDouble(Claim::servedDrop).toArray()));
        facts.put(k + "-other", pointsText(claims.stream().mapToDouble(Claim::otherDrop).toArray()));
        facts.put(k + "-random", pointsText(claims.stream().mapToDouble(Claim::randomDrop).toArray()));
        facts.put(k + "-anti", pointsText(claims.stream().mapToDouble(Claim::antiDrop).toArray()));
        facts.put(k + "-hits", hits + " of " + claims.size());
        facts.put(k + "-held", held + " of " + claims.size());
        facts.put(k + "-n", String.valueOf(claims.size()));
    }

    /** A mean change of accuracy in points, signed ("−0.8"). */
    static String pointsText(double[] v) {
        return String.format(Locale.ROOT, "%+.1f", 100 * Describe.mean(finite(v))).replace("-", "−");
    }

    private void claims(Pinned p, String key, List<String> classes, Path outDir, Map<String, String> facts)
            throws IOException {
        claimFacts(p, key, facts);
        List<JsonNode> rs = runs(p, mainConfig(p));
        int layers = layers(rs.get(0));
        String net = netName(key);
        List<List<?>> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (String which : List.of("", "-selective")) {
                String k = key + "-claim-l" + (l + 1) + which;
                rows.add(List.of(layerName(l) + (which.isEmpty() ? ", every live channel" : ", class selectivity ≥ "
                                + facts.get(key + "-claim-l" + (l + 1) + "-median-selectivity")), facts.get(k + "-n"),
                        facts.get(k + "-served"), facts.get(k + "-other"), facts.get(k + "-random"),
                        facts.get(k + "-anti"), facts.get(k + "-held"), facts.get(k + "-hits")));
            }
        }
        JsonNode a0 = rs.get(0).get("ablation");
        int perClass = ints(a0.get("class_counts"))[0];
        Tables.write(outDir, "claims-" + key, "Every claim “this channel serves the class it answers most”, tested"
                        + " on " + net + ", for every live channel and for the more class-selective half ("
                        + seedWord(rs.size()) + "; zeroed one at a time: " + zeroed(rs.get(0)) + "; " + perClass
                        + " held-out test images per class): the mean change of accuracy (points) of that class, of"
                        + " the other classes, of that class when another channel of the layer is zeroed instead (the"
                        + " random control), and of the class the channel answers least; the claims where the served"
                        + " class lost more than both the others and the control, and those where it lost the most"
                        + " of all ten classes (chance: 1 in 10)",
                List.of("channels", "claims", "served class", "other classes", "random channel",
                        "least-answered class", "held", "most hurt"), rows, List.of(p));
        // seed 0, the claims one by one: each channel's change of accuracy per class, served class marked
        JsonNode run = rs.get(0);
        List<Claim> cl = claimsOf(run);
        List<List<?>> detail = new ArrayList<>();
        for (Claim c : cl) {
            if (c.layer() != layers - 1 && c.layer() != 0) {
                continue;
            }
            detail.add(List.of(layerName(c.layer()) + " c" + c.channel(), classes.get(c.served()), fmt(c.selectivity()),
                    pts(c.servedDrop()), pts(c.otherDrop()), pts(c.randomDrop()), classes.get(c.anti()), pts(c.antiDrop()),
                    c.servedDrop() < c.randomDrop() && c.servedDrop() < c.otherDrop() ? "held" : "not held"));
        }
        Tables.write(outDir, "claims-" + key + "-seed0", "The claims of " + net + " one by one (seed 0, layers 1 and "
                        + layers + "): the class each channel answers most and its class selectivity, then the change"
                        + " of accuracy (points) when it is zeroed: of that class, of the others, of that class with"
                        + " another channel zeroed instead (mean), and of the class it answers least",
                List.of("channel", "serves (claim)", "class sel.", "served class", "others", "random channel",
                        "answers least", "that class", "verdict"), detail, List.of(p));
        // the change of every class's accuracy for every channel of the last layer, as a heat map with numbers
        int l = layers - 1;
        JsonNode a = run.get("ablation");
        int[] base = ints(a.get("baseline"));
        int[] counts = ints(a.get("class_counts"));
        int[] ch = ints(a.get("channels").get(l));
        JsonNode lay = run.at("/trained/layers/" + l);
        double[][] m = new double[ch.length][classes.size()];
        double max = 0;
        for (int i = 0; i < ch.length; i++) {
            int[] cc = ints(a.get("correct").get(l).get(i));
            for (int k = 0; k < classes.size(); k++) {
                m[i][k] = 100.0 * (cc[k] - base[k]) / counts[k];
                max = Math.max(max, Math.abs(m[i][k]));
            }
        }
        ImageGrid g = ImageGrid.of("ablation-" + key, "Layer " + layers + " of " + net + " (seed 0): the test"
                        + " accuracy each class loses, in points, when one channel is zeroed (one row per channel, named"
                        + " with the class it answers most: the claim; red where the class lost, blue where it gained)")
                .columns(shortNames(classes).toArray(new String[0])).from(p);
        for (int i = 0; i < ch.length; i++) {
            boolean dead = lay.get("dead").get(ch[i]).asBoolean();
            int served = Look.argmax(numbers(lay.get("class_means").get(ch[i])));
            ImageGrid.Panel[] cells = new ImageGrid.Panel[classes.size()];
            for (int k = 0; k < classes.size(); k++) {
                cells[k] = ImageGrid.panel(new double[][] {{-m[i][k]}}, ImageGrid.Scale.diverging(Math.max(1, max)))
                        .numbers("%+.1f", true);
            }
            g.row("c" + ch[i] + (dead ? " (dead)" : " → " + shortNames(classes).get(served)), 38, cells);
        }
        g.save(outDir);
        facts.put(key + "-class-list", String.join(", ", classes));
    }

    /** Which channels the ablations zeroed: "16 of 16 channels in layer 1, 16 of 32 in layer 2". */
    static String zeroed(JsonNode run) {
        List<String> parts = new ArrayList<>();
        JsonNode ch = run.at("/ablation/channels");
        for (int l = 0; l < ch.size(); l++) {
            parts.add(ch.get(l).size() + " of " + run.at("/trained/layers/" + l + "/channels").asInt()
                    + (l == 0 ? " channels" : "") + " in " + layerName(l));
        }
        return String.join(", ", parts);
    }

    // ------------------------------------------------------------------ orientation claims, tested downstream

    /** The change downstream of zeroing one channel, at a grating orientation and frequency, relative to the next layer's total response there. */
    static double relChange(JsonNode ds, int channel, int o, int f) {
        double base = ds.get("base").get(o).get(f).asDouble();
        double ch = ds.get("change").get(channel).get(o).get(f).asDouble();
        return base > 0 ? ch / base : Double.NaN;
    }

    /** The orientation tests of one network: a table row per pair of layers, and each layer-1 channel's (OSI, ratio). */
    record Downstream(List<List<?>> rows, double[] osi, double[] ratio) {
    }

    /**
     * For each channel zeroed in a layer: the change of the next layer's responses at the channel's
     * preferred orientation over the change at the orthogonal one (at its preferred frequency); the
     * control: the same orientations with each other channel of the layer zeroed instead.
     */
    static Downstream downstreamFacts(Pinned p, String key, Map<String, String> facts) {
        List<JsonNode> rs = runs(p, mainConfig(p));
        double[] freqs = numbers(p.at("/config/frequencies"));
        int no = p.at("/config/orientations").size();
        List<List<?>> rows = new ArrayList<>();
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        int nds = rs.get(0).at("/ablation/downstream").size();
        for (int d = 0; d < nds; d++) {
            List<Double> tunedRatio = new ArrayList<>();
            List<Double> controlRatio = new ArrayList<>();
            List<Double> untunedRatio = new ArrayList<>();
            int above = 0;
            for (JsonNode run : rs) {
                JsonNode ds = run.at("/ablation/downstream/" + d);
                JsonNode lay = run.at("/trained/layers/" + (ds.get("layer").asInt() - 1));
                boolean[] dead = bools(lay.get("dead"));
                double[] osi = numbers(lay.get("osi"));
                double[] pref = numbers(lay.get("orientation"));
                double[] fr = numbers(lay.get("frequency"));
                int width = dead.length;
                for (int c = 0; c < width; c++) {
                    if (dead[c] || !Double.isFinite(pref[c])) {
                        continue;
                    }
                    int o = (int) Math.round(pref[c] / (180.0 / no)) % no;
                    int oo = (o + no / 2) % no;
                    int f = indexOf(freqs, fr[c]);
                    double ratio = relChange(ds, c, o, f) / relChange(ds, c, oo, f);
                    if (!Double.isFinite(ratio) || ratio <= 0) {
                        continue;
                    }
                    List<Double> ctl = new ArrayList<>();
                    for (int c2 = 0; c2 < width; c2++) {
                        if (c2 != c && !dead[c2]) {
                            double r2 = relChange(ds, c2, o, f) / relChange(ds, c2, oo, f);
                            if (Double.isFinite(r2) && r2 > 0) {
                                ctl.add(Math.log(r2));
                            }
                        }
                    }
                    if (osi[c] >= TUNED) {
                        tunedRatio.add(Math.log(ratio));
                        above += ratio > 1 ? 1 : 0;
                        if (!ctl.isEmpty()) {
                            controlRatio.add(Describe.mean(doubles(ctl)));
                        }
                    } else {
                        untunedRatio.add(Math.log(ratio));
                    }
                    if (d == 0) {
                        xs.add(osi[c]);
                        ys.add(ratio);
                    }
                }
            }
            String k = key + "-ds-l" + (d + 1);
            String tuned = fmt(Math.exp(Describe.mean(doubles(tunedRatio))));
            String control = fmt(Math.exp(Describe.mean(doubles(controlRatio))));
            String untuned = fmt(Math.exp(Describe.mean(doubles(untunedRatio))));
            facts.put(k + "-tuned-n", String.valueOf(tunedRatio.size()));
            facts.put(k + "-tuned-ratio", tuned);
            facts.put(k + "-control-ratio", control);
            facts.put(k + "-untuned-ratio", untuned);
            facts.put(k + "-untuned-n", String.valueOf(untunedRatio.size()));
            facts.put(k + "-above", above + " of " + tunedRatio.size());
            rows.add(List.of(layerName(d) + " → " + layerName(d + 1), String.valueOf(tunedRatio.size()), tuned,
                    above + "/" + tunedRatio.size(), control, String.valueOf(untunedRatio.size()), untuned));
        }
        return new Downstream(rows, doubles(xs), doubles(ys));
    }

    private void downstream(Pinned p, String key, Path outDir, Map<String, String> facts) throws IOException {
        Downstream d = downstreamFacts(p, key, facts);
        String net = netName(key);
        Figures.LineFigure fig = Figures.line("downstream-" + key, "Zeroing a layer-1 channel: layer 2's change at"
                        + " its preferred / orthogonal orientation")
                .axes("orientation selectivity index of the zeroed channel", "change at preferred / at orthogonal")
                .logY().size(720, 420).from(p);
        fig.points("one channel of layer 1", d.osi(), d.ratio(), Figures.LineFigure.Mark.DOT);
        fig.dashed("no orientation-specific effect", new double[] {0, 1}, new double[] {1, 1});
        fig.save(outDir);
        Tables.write(outDir, "downstream-" + key, "Orientation claims of " + net + " tested downstream ("
                        + seedWord(runs(p, mainConfig(p)).size()) + "): each channel zeroed, the change of the next"
                        + " layer's responses to gratings at its preferred orientation over the change at the"
                        + " orthogonal one, at its preferred frequency (geometric mean; 1: no orientation-specific"
                        + " effect): for the tuned channels (OSI ≥ " + fmt(TUNED) + "), the share of them above 1, the"
                        + " same orientations with another channel of the layer zeroed instead (the control), and the"
                        + " untuned channels",
                List.of("zeroed in → measured in", "tuned channels", "ratio", "above 1", "control", "untuned channels",
                        "ratio, untuned"), d.rows(), List.of(p));
    }

    static int indexOf(double[] v, double x) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] == x) {
                return i;
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ negatives and out of distribution

    private void outOfDistribution(Pinned p, String key, List<String> classes, List<String> oodClasses, Path outDir,
                                   Map<String, String> facts) throws IOException {
        List<JsonNode> rs = runs(p, mainConfig(p));
        int layers = layers(rs.get(0));
        String net = netName(key);
        double[] accData = new double[rs.size()];
        double[] accInv = new double[rs.size()];
        Map<String, double[]> conf = new LinkedHashMap<>();
        List<String> groups = List.of("dataset", "inverted", "ood", "noise", "gratings");
        for (String g : groups) {
            conf.put(g, new double[rs.size()]);
        }
        int[][] oodCounts = new int[oodClasses.size()][classes.size()];
        for (int s = 0; s < rs.size(); s++) {
            JsonNode ans = rs.get(s).at("/trained/answers");
            int per = p.at("/config/probe_per_class").asInt();
            accData[s] = (double) Arrays.stream(ints(ans.get("dataset_correct"))).sum() / (per * classes.size());
            accInv[s] = (double) Arrays.stream(ints(ans.get("inverted_correct"))).sum() / (per * classes.size());
            for (String g : groups) {
                conf.get(g)[s] = ans.get("confidence").get(g).asDouble();
            }
            JsonNode oc = ans.get("ood_answers");
            for (int i = 0; i < oodClasses.size(); i++) {
                for (int k = 0; k < classes.size(); k++) {
                    oodCounts[i][k] += oc.get(i).get(k).asInt();
                }
            }
        }
        facts.put(key + "-probe-accuracy", pctSpread(accData));
        facts.put(key + "-inverted-accuracy", pctSpread(accInv));
        for (String g : groups) {
            facts.put(key + "-confidence-" + g, pctSpread(conf.get(g)));
        }
        // the classes the out-of-distribution images are given, summed over the seeds
        double[][] m = new double[oodClasses.size()][classes.size()];
        int total = 0;
        int[] byAnswer = new int[classes.size()];
        for (int i = 0; i < m.length; i++) {
            for (int k = 0; k < classes.size(); k++) {
                m[i][k] = oodCounts[i][k];
                total += oodCounts[i][k];
                byAnswer[k] += oodCounts[i][k];
            }
        }
        int top = Look.argmax(Arrays.stream(byAnswer).asDoubleStream().toArray());
        facts.put(key + "-ood-top-class", classes.get(top));
        facts.put(key + "-ood-top-share", pct((double) byAnswer[top] / total));
        ImageGrid g = ImageGrid.of("ood-" + key, "What " + net + " answers for out-of-distribution images ("
                        + (key.equals("fashion") ? "MNIST digits" : "Fashion-MNIST items") + ", one row per their class,"
                        + " " + p.at("/config/probe_per_class").asText() + " each, summed over " + seedWord(rs.size())
                        + "): how many get each answer (one column per answer)")
                .columns(shortNames(classes).toArray(new String[0])).from(p);
        double most = p.at("/config/probe_per_class").asDouble() * rs.size();
        for (int i = 0; i < m.length; i++) {
            ImageGrid.Panel[] cells = new ImageGrid.Panel[classes.size()];
            for (int k = 0; k < classes.size(); k++) {
                cells[k] = ImageGrid.panel(new double[][] {{m[i][k]}}, ImageGrid.Scale.blues(0, most)).numbers("%.0f", true);
            }
            g.row(shortNames(oodClasses).get(i), 30, cells);
        }
        g.save(outDir);
        // the layers' responses to negatives and to other images, relative to the dataset's
        List<List<?>> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            double[] inv = new double[rs.size()];
            double[] ood = new double[rs.size()];
            double[] silent = new double[rs.size()];
            for (int s = 0; s < rs.size(); s++) {
                JsonNode lay = rs.get(s).at("/trained/layers/" + l);
                double[] mean = numbers(lay.get("mean"));
                double[] im = numbers(lay.get("inverted_mean"));
                double[] om = numbers(lay.get("ood_mean"));
                boolean[] dead = bools(lay.get("dead"));
                double a = 0;
                double b = 0;
                double c = 0;
                int quiet = 0;
                int live = 0;
                for (int ch = 0; ch < mean.length; ch++) {
                    if (dead[ch]) {
                        continue;
                    }
                    live++;
                    a += mean[ch];
                    b += im[ch];
                    c += om[ch];
                    // a channel that answers the negatives with less than a tenth of its usual response
                    quiet += im[ch] < 0.1 * mean[ch] ? 1 : 0;
                }
                inv[s] = b / a;
                ood[s] = c / a;
                silent[s] = live == 0 ? Double.NaN : (double) quiet / live;
            }
            rows.add(List.of(layerName(l), spread(inv), spread(ood), pctSpread(silent)));
            facts.put(key + "-l" + (l + 1) + "-inverted-response", spread(inv));
            facts.put(key + "-l" + (l + 1) + "-ood-response", spread(ood));
            facts.put(key + "-l" + (l + 1) + "-inverted-silent", pctSpread(silent));
        }
        List<List<?>> ans = new ArrayList<>();
        ans.add(List.of("test images (" + classes.size() * p.at("/config/probe_per_class").asInt() + ")",
                pctSpread(accData), pctSpread(conf.get("dataset"))));
        ans.add(List.of("their negatives", pctSpread(accInv), pctSpread(conf.get("inverted"))));
        ans.add(List.of(key.equals("fashion") ? "MNIST digits" : "Fashion-MNIST items", "–", pctSpread(conf.get("ood"))));
        ans.add(List.of("white noise", "–", pctSpread(conf.get("noise"))));
        ans.add(List.of("gratings", "–", pctSpread(conf.get("gratings"))));
        Tables.write(outDir, "answers-" + key, "What " + net + " answers (" + seedWord(rs.size()) + "): accuracy and"
                        + " mean confidence (the largest softmax probability) on each kind of image",
                List.of("images", "accuracy", "confidence"), ans, List.of(p));
        Tables.write(outDir, "responses-" + key, "How the layers of " + net + " answer negatives and out-of-distribution"
                        + " images (" + seedWord(rs.size()) + "): the total response of the live channels relative to"
                        + " the test images', and the share of live channels that fall below a tenth of their usual"
                        + " response on negatives",
                List.of("layer", "negatives / test images", "out of distribution / test images", "silenced by negatives"),
                rows, List.of(p));
    }

    // ------------------------------------------------------------------ CIFAR-10, where it was run

    private void cifar(Pinned c, Path outDir, Map<String, String> facts) throws IOException {
        trainingFacts(c, facts, "cifar10");
        facts.put("cifar10-pinned", "");
        byLayer(c, "cifar10", outDir, facts);
        claimFacts(c, "cifar10", facts);
    }
}
