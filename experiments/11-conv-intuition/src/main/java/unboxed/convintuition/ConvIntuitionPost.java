package unboxed.convintuition;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import unboxed.kit.Facts;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.SweepPoints;
import unboxed.kit.Tables;
import unboxed.kit.stats.Describe;

/**
 * Post 11's figures and tables, drawn from its pinned results only; every number the prose quotes
 * is a fact computed here ({@code facts.adoc}).
 */
public final class ConvIntuitionPost implements Post {
    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Convolution performance and intuition: from a fully connected layer to a 3x3 convolution";
    }

    @Override
    public String summary() {
        return "A fully connected layer, a locally connected layer (a convolution without weight sharing, new in the"
                + " engine), convolutions from 15x15 down to 3x3: their parameters and FLOPs, counted by the engine;"
                + " their accuracy at equal parameter and FLOP budgets on MNIST and Fashion-MNIST and against the"
                + " size of the training set; their response to shifted images; and how much of the convolution's"
                + " lead locality and weight sharing each account for.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    // ------------------------------------------------------------------ reading the pins

    /** The pinned results this post draws from. */
    record Pins(Pinned cost, Pinned accuracy, Pinned interventions, Pinned timing, Pinned gpuTiming) {
        static Pins load(Path dir) throws IOException {
            Path gpu = dir.resolve("timing-cuda.json");
            return new Pins(Pinned.load(dir, "cost"), Pinned.load(dir, "accuracy"), Pinned.load(dir, "interventions"),
                    Pinned.load(dir, "timing"), Files.exists(gpu) ? Pinned.load(gpu) : null);
        }

        SweepPoints acc() {
            return new SweepPoints(accuracy);
        }

        int refImages() {
            return accuracy.at("/config/train_images").asInt();
        }
    }

    static String config(String ds, Arch a, int n) {
        return Experiment.config(ds, a, n);
    }

    static double[] ints(JsonNode arr) {
        return SweepPoints.numbers(arr);
    }

    static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The reference networks, as the pinned results name them: fc, lc3, conv3 of equal FLOPs. */
    static List<Arch> reference(Pinned p) {
        return strings(p.at("/config/reference")).stream().map(Arch::parse).toList();
    }

    // ------------------------------------------------------------------ formatting

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    static String points(double share) {
        return String.format(Locale.ROOT, "%.1f", 100 * share);
    }

    /** Points with their sign, one decimal; a change that rounds to nothing is 0.0 (not −0.0). */
    static String signedPoints(double share) {
        double r = Math.round(1000 * share) / 10.0;
        return r == 0 ? "0.0" : String.format(Locale.ROOT, "%+.1f", r);
    }

    static String spread(double[] shares) {
        return String.format(Locale.ROOT, "%.1f ± %.1f%%", 100 * Describe.mean(shares), 100 * Describe.std(shares));
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 8.5k, 250k, 1.4M. */
    static String compact(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, v >= 1e5 ? "%.0fk" : "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** A prediction checked case by case: held (every case), did not hold (none), or held only in part. */
    static String verdict(int held, int cases) {
        return held == cases ? "held" : held == 0 ? "did not hold" : "held only in part";
    }

    static String seconds(double s) {
        return String.format(Locale.ROOT, s >= 100 ? "%.0f" : s >= 10 ? "%.1f" : "%.2f", s);
    }

    static String dataset(String ds) {
        return ds.equals("mnist") ? "MNIST" : "Fashion-MNIST";
    }

    /** The name of a family in figures and tables, the same for every width. */
    static String familyLabel(Arch a) {
        String k = a.kernel() + "×" + a.kernel();
        String base = switch (a.kind()) {
            case FC -> "fully connected";
            case LC -> "locally connected " + k;
            case CONV -> "convolution " + k;
        };
        if (a.kind() != Arch.Kind.FC && a.pool() != Arch.DEFAULT_POOL) {
            base += a.pool() == 1 ? ", no pooling" : ", max-pool " + a.pool();
        }
        return base;
    }

    /** A network with its width: "fully connected, 157 units", "convolution 3×3, 16 maps". */
    static String label(Arch a) {
        String f = familyLabel(a);
        String w = a.width() + (a.kind() == Arch.Kind.FC ? " unit" : " map") + (a.width() == 1 ? "" : "s");
        int comma = f.indexOf(',');
        return comma < 0 ? f + ", " + w : f.substring(0, comma) + ", " + w + f.substring(comma);
    }

    static final List<String> FAMILY_COLOURS = List.of("fully connected", "locally connected 3×3", "convolution 3×3");
    /** The pooling variants after the three families, so that each keeps its colour from figure to figure. */
    static final List<String> POOL_COLOURS = List.of("fully connected", "locally connected 3×3, max-pool 2",
            "convolution 3×3, max-pool 2", "convolution 3×3, no pooling", "convolution 3×3, max-pool 4");

    // ------------------------------------------------------------------ the finding

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pins p = Pins.load(resultsDir);
        Map<String, String> f = new LinkedHashMap<>();
        dataFacts(p, f);
        translationFacts(p, f);
        return String.format(Locale.ROOT, "Pinned results (`data/results/%s/`): at equal FLOPs per image, trained on"
                        + " %s MNIST images (%s seeds), a 3×3 convolution reaches %s test accuracy, the same layer without"
                        + " weight sharing (locally connected) %s and a fully connected layer %s; with 500 images, %s,"
                        + " %s and %s, and weight sharing accounts for %s of the convolution's lead, locality for %s."
                        + " The convolution's feature maps shift exactly with the image (error %s), and shifted by 4"
                        + " pixels the test images are still recognised %s of the time with max-pooling 4, %s without"
                        + " pooling.",
                Experiment.POST, count(p.refImages()), f.get("seeds"), f.get("data-mnist-ref-conv"),
                f.get("data-mnist-ref-lc"), f.get("data-mnist-ref-fc"), f.get("data-mnist-min-conv"),
                f.get("data-mnist-min-lc"), f.get("data-mnist-min-fc"), f.get("share-mnist-min-sharing"),
                f.get("share-mnist-min-locality"), f.get("equivariance-conv-max"), f.get("shift4-pool4"),
                f.get("shift4-pool1"));
    }

    // ------------------------------------------------------------------ generate

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pins p = Pins.load(resultsDir);
        Map<String, String> facts = new LinkedHashMap<>();
        JsonNode c = p.accuracy.at("/config");
        facts.put("scale", c.get("scale").asText());
        facts.put("seeds", c.get("seeds").asText());
        facts.put("steps", c.get("steps").asText());
        facts.put("batch", c.get("batch").asText());
        facts.put("lr", c.get("lr").asText());
        facts.put("train-images", count(p.refImages()));
        facts.put("test-images", count(c.get("test_images").asInt()));
        facts.put("shift-images", count(c.get("shift_images").asInt()));
        facts.put("map-images", c.get("map_images").asText());
        facts.put("epochs-at-ref", String.format(Locale.ROOT, "%.1f",
                c.get("steps").asDouble() * c.get("batch").asDouble() / p.refImages()));
        List<Arch> ref = reference(p.accuracy);
        facts.put("ref-fc", label(ref.get(0)));
        facts.put("ref-lc", label(ref.get(1)));
        facts.put("ref-conv", label(ref.get(2)));
        facts.put("ref-fc-width", String.valueOf(ref.get(0).width()));
        facts.put("ref-width", String.valueOf(ref.get(2).width()));
        facts.put("ref-flops", compact(ref.get(2).flops()));
        facts.put("ref-map", ref.get(2).mapSide() + "×" + ref.get(2).mapSide());
        facts.put("count-batch", p.cost.at("/config/count_batch").asText());
        // what --scale full would run (the code's configuration; nothing at that scale is pinned)
        Experiment.Scale full = Experiment.Scale.of(true);
        facts.put("full-steps", count(full.steps()));
        facts.put("full-seeds", String.valueOf(full.seeds()));
        facts.put("full-images", count(full.maxImages()));
        cost(p, outDir, facts);
        budgets(p, outDir, facts);
        dataEfficiency(p, outDir, facts);
        kernels(p, outDir, facts);
        translation(p, outDir, facts);
        interventions(p, outDir, facts);
        Facts.fixtures(Experiment.POST, facts);
        List<Pinned> sources = new ArrayList<>(List.of(p.cost, p.accuracy, p.interventions, p.timing));
        if (p.gpuTiming != null) {
            sources.add(p.gpuTiming);
        }
        Facts.write(outDir, sources, facts);
    }

    // ------------------------------------------------------------------ cost

    private static Map<String, JsonNode> timingRows(Pinned t) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        if (t != null) {
            for (JsonNode row : t.at("/networks")) {
                m.put(row.get("network").asText(), row);
            }
        }
        return m;
    }

    static void cost(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        Map<String, JsonNode> cpu = timingRows(p.timing);
        Map<String, JsonNode> gpu = timingRows(p.gpuTiming);
        List<String> headers = new ArrayList<>(List.of("network", "parameters", "of which first layer",
                "FLOPs per image (forward)", "FLOPs per training image", "engine's counts", "CPU s per epoch"));
        if (p.gpuTiming != null) {
            headers.add("GPU s per epoch");
        }
        List<List<?>> rows = new ArrayList<>();
        int agree = 0;
        int n = 0;
        for (JsonNode pt : p.cost.at("/points")) {
            Arch a = Arch.parse(pt.get("network").asText());
            boolean same = pt.get("params").asLong() == pt.get("params_held").asLong()
                    && pt.get("flops").asLong() == pt.get("flops_counted").asLong()
                    && pt.get("train_flops").asLong() == pt.get("train_flops_counted").asLong();
            agree += same ? 1 : 0;
            n++;
            List<Object> row = new ArrayList<>(List.of(label(a), count(pt.get("params").asLong()),
                    count(pt.get("layer_params").asLong()), count(pt.get("flops").asLong()),
                    count(pt.get("train_flops").asLong()),
                    same ? "agree" : "DIFFER: held " + pt.get("params_held").asLong() + ", counted "
                            + pt.get("flops_counted").asLong() + " / " + pt.get("train_flops_counted").asLong(),
                    cpu.containsKey(a.id()) ? seconds(cpu.get(a.id()).get("epoch_seconds").asDouble()) : "–"));
            if (p.gpuTiming != null) {
                row.add(gpu.containsKey(a.id()) ? seconds(gpu.get(a.id()).get("epoch_seconds").asDouble()) : "–");
            }
            rows.add(row);
            if (a.kind() == Arch.Kind.FC && a.width() == p.cost.at("/config/ref_width").asInt()) {
                facts.put("conv28-difference", fmt(pt.get("conv28_max_abs_difference").asDouble()));
                facts.put("lc28-difference", fmt(pt.get("lc28_max_abs_difference").asDouble()));
                facts.put("conv28-params", count(pt.get("conv28_params").asLong()));
                facts.put("fc16-layer-params", count(pt.get("layer_params").asLong()));
            }
        }
        facts.put("cost-agree", agree == n ? "all " + n : agree + " of " + n);
        JsonNode t = p.timing.results();
        String cpuName = p.timing.provenance().cpu();
        facts.put("cpu", cpuName);
        facts.put("cpu-threads", t.get("threads").asText());
        facts.put("epoch-images", count(t.get("epoch_images").asLong()));
        facts.put("timed-steps", t.get("timed_steps").asText());
        facts.put("warmup-steps", t.get("warmup_steps").asText());
        facts.put("load-before", String.format(Locale.ROOT, "%.1f", t.get("load_average_before").asDouble()));
        facts.put("load-after", String.format(Locale.ROOT, "%.1f", t.get("load_average_after").asDouble()));
        Tables.write(outDir, "cost", "What each network costs: parameters and FLOPs per image from its shape (a"
                        + " FLOP is a multiply or an add of a matrix product; elementwise work is not counted), whether"
                        + " the parameters its modules hold and the FLOPs the engine's FlopCounter counts (forward, and"
                        + " forward plus backward) are those numbers, and the measured time of an epoch of "
                        + count(t.get("epoch_images").asLong()) + " images on " + cpuName + " (" + t.get("threads").asText() + " threads; median of "
                        + t.get("timed_steps").asText() + " timed steps of " + t.get("batch").asText() + " images)"
                        + (p.gpuTiming != null ? " and on " + p.gpuTiming.provenance().gpu() : ""), headers, rows,
                p.gpuTiming != null ? List.of(p.cost, p.timing, p.gpuTiming) : List.of(p.cost, p.timing));
        // the three reference networks: time and arithmetic side by side
        List<Arch> ref = reference(p.accuracy);
        String[] keys = {"fc", "lc", "conv"};
        for (int i = 0; i < 3; i++) {
            JsonNode row = cpu.get(ref.get(i).id());
            if (row != null) {
                facts.put("epoch-" + keys[i], seconds(row.get("epoch_seconds").asDouble()));
                facts.put("gflops-" + keys[i], String.format(Locale.ROOT, "%.1f", row.get("gflops_per_second").asDouble()));
            }
        }
        JsonNode tf = cpu.get(ref.get(0).id());
        JsonNode tl = cpu.get(ref.get(1).id());
        JsonNode tc = cpu.get(ref.get(2).id());
        if (tf != null && tl != null && tc != null) {
            double fc = tf.get("epoch_seconds").asDouble();
            double lc = tl.get("epoch_seconds").asDouble();
            double cv = tc.get("epoch_seconds").asDouble();
            facts.put("time-conv-over-fc", String.format(Locale.ROOT, "%.1f", cv / fc));
            facts.put("time-lc-over-conv", String.format(Locale.ROOT, "%.1f", lc / cv));
            facts.put("pred-time-verdict", cv / fc < 2 && lc > cv ? "held" : lc > cv
                    ? "held for the locally connected layer against the convolution, not for the convolution"
                    + " against the fully connected layer" : "did not hold");
        }
        Arch conv = ref.get(2);
        facts.put("lc-param-ratio", count((long) conv.mapSide() * conv.mapSide()));
        facts.put("ref-conv-params", count(conv.params()));
        facts.put("ref-lc-params", count(ref.get(1).params()));
        facts.put("ref-fc-params", count(ref.get(0).params()));
        facts.put("ref-conv-layer-params", count(conv.layerParams()));
        facts.put("fpp-fc", String.format(Locale.ROOT, "%.1f", ref.get(0).flops() / (double) ref.get(0).params()));
        facts.put("fpp-conv", String.format(Locale.ROOT, "%.1f", conv.flops() / (double) conv.params()));
        facts.put("fpp-conv-layer", String.format(Locale.ROOT, "%.0f", 2.0 * conv.layerMacs() / conv.layerParams()));
        facts.put("conv-head-share", pct(1 - conv.layerParams() / (double) conv.params()));
        facts.put("ref-lc-layer-params", count(ref.get(1).layerParams()));
        if (p.gpuTiming != null) {
            facts.put("gpu-timing-measured", "yes");
            facts.put("gpu-timing-status", "Measured on " + p.gpuTiming.provenance().gpu() + ": the last column");
        } else {
            facts.put("gpu-timing-status", "No GPU timing is pinned for this post: the CUDA backend has not yet run"
                    + " on a GPU (see the README's \"What works\"), so the table has no GPU column. Once"
                    + " `--only timing --backend cuda` has run on a machine with a GPU, its `timing-cuda.json`"
                    + " beside the other results fills one in");
        }
    }

    // ------------------------------------------------------------------ accuracy at equal budgets

    /** For each level of a budget, the three families' networks matched to it. */
    static List<List<Arch>> matched(Pinned acc, String kind) {
        List<List<Arch>> out = new ArrayList<>();
        for (double level : ints(acc.at("/config/" + kind + "_levels"))) {
            Arch setter = Arch.conv(3, (int) level);
            List<Arch> row = new ArrayList<>();
            for (Arch f : Experiment.FAMILIES) {
                row.add(kind.equals("param") ? Budgets.matchParams(f, setter.params())
                        : Budgets.matchFlops(f, setter.flops()));
            }
            out.add(row);
        }
        return out;
    }

    static void budgets(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = p.acc();
        int n = p.refImages();
        List<List<?>> rows = new ArrayList<>();
        int orderParams = 0;
        int lcOverFc = 0;
        int orderFlops = 0;
        int cells = 0;
        int cellsF = 0;
        for (String ds : strings(p.accuracy.at("/config/datasets"))) {
            for (String kind : List.of("param", "flop")) {
                List<List<Arch>> levels = matched(p.accuracy, kind);
                Figures.LineFigure fig = Figures.line("accuracy-" + kind + "s-" + ds, "Accuracy at equal "
                                + (kind.equals("param") ? "parameters" : "FLOPs per image") + ", " + dataset(ds) + " ("
                                + p.accuracy.at("/config/seeds").asText() + " seeds)")
                        .axes(kind.equals("param") ? "parameters (thousands)" : "FLOPs per image, forward (thousands)",
                                "test accuracy")
                        .logX().colours(FAMILY_COLOURS).from(p.accuracy);
                for (int f = 0; f < Experiment.FAMILIES.size(); f++) {
                    double[] x = new double[levels.size()];
                    double[][] bySeed = null;
                    for (int l = 0; l < levels.size(); l++) {
                        Arch a = levels.get(l).get(f);
                        // in thousands: short tick labels on the logarithmic axis
                        x[l] = (kind.equals("param") ? a.params() : a.flops()) / 1e3;
                        double[] v = pts.values(config(ds, a, n), "test_accuracy");
                        if (bySeed == null) {
                            bySeed = new double[v.length][levels.size()];
                        }
                        for (int s = 0; s < v.length; s++) {
                            bySeed[s][l] = v[s];
                        }
                    }
                    fig.seeds(familyLabel(Experiment.FAMILIES.get(f)), x, bySeed);
                }
                fig.save(outDir);
                for (int l = 0; l < levels.size(); l++) {
                    List<Arch> row = levels.get(l);
                    double[] m = new double[3];
                    for (int f = 0; f < 3; f++) {
                        Arch a = row.get(f);
                        double[] v = pts.values(config(ds, a, n), "test_accuracy");
                        m[f] = Describe.mean(v);
                        long budget = kind.equals("param") ? Arch.conv(3, (int) ints(p.accuracy.at("/config/"
                                + kind + "_levels"))[l]).params() : Arch.conv(3, (int) ints(p.accuracy.at("/config/"
                                + kind + "_levels"))[l]).flops();
                        rows.add(List.of(dataset(ds), compact(budget) + (kind.equals("param") ? " parameters"
                                : " FLOPs"), label(a), count(a.params()), count(a.flops()), spread(v)));
                    }
                    // m: fc, lc, conv
                    if (kind.equals("param")) {
                        cells++;
                        orderParams += m[2] > m[0] && m[0] > m[1] ? 1 : 0;
                        lcOverFc += m[1] > m[0] ? 1 : 0;
                    } else {
                        cellsF++;
                        orderFlops += m[2] > m[1] && m[1] > m[0] ? 1 : 0;
                    }
                    String key = "budget-" + ds + "-" + kind + "-" + l;
                    facts.put(key + "-fc", pct(m[0]));
                    facts.put(key + "-lc", pct(m[1]));
                    facts.put(key + "-conv", pct(m[2]));
                    facts.put(key + "-fc-width", String.valueOf(row.get(0).width()));
                    facts.put(key + "-lc-width", String.valueOf(row.get(1).width()));
                    facts.put(key + "-conv-width", String.valueOf(row.get(2).width()));
                }
            }
        }
        Tables.write(outDir, "budgets", "Test accuracy (mean ± std over " + p.accuracy.at("/config/seeds").asText()
                        + " seeds) of the three families at equal parameter budgets and at equal FLOP budgets,"
                        + " each trained on " + count(n) + " images; each budget is that of a 3×3 convolutional"
                        + " network, and the other two take the width that comes nearest to it",
                List.of("dataset", "budget", "network", "parameters", "FLOPs per image", "test accuracy"), rows,
                List.of(p.accuracy));
        facts.put("param-levels", String.valueOf(matched(p.accuracy, "param").size()));
        facts.put("flop-levels", String.valueOf(matched(p.accuracy, "flop").size()));
        facts.put("pred-params", orderParams + " of " + cells);
        facts.put("params-lc-over-fc", lcOverFc + " of " + cells);
        facts.put("pred-flops", orderFlops + " of " + cellsF);
        facts.put("pred-params-verdict", verdict(orderParams, cells));
        facts.put("pred-flops-verdict", verdict(orderFlops, cellsF));
        List<String> lv = new ArrayList<>();
        for (List<Arch> l : matched(p.accuracy, "param")) {
            lv.add(compact(l.get(2).params()));
        }
        facts.put("param-budgets", String.join(", ", lv));
        lv.clear();
        for (List<Arch> l : matched(p.accuracy, "flop")) {
            lv.add(compact(l.get(2).flops()));
        }
        facts.put("flop-budgets", String.join(", ", lv));
    }

    // ------------------------------------------------------------------ data efficiency and attribution

    static void dataFacts(Pins p, Map<String, String> facts) {
        SweepPoints pts = p.acc();
        facts.put("seeds", p.accuracy.at("/config/seeds").asText());
        List<Arch> ref = reference(p.accuracy);
        double[] sizes = ints(p.accuracy.at("/config/sizes"));
        String[] keys = {"fc", "lc", "conv"};
        for (String ds : strings(p.accuracy.at("/config/data_datasets"))) {
            for (String which : List.of("min", "ref", "max")) {
                int n = which.equals("min") ? (int) sizes[0] : which.equals("max") ? (int) sizes[sizes.length - 1]
                        : p.refImages();
                double[] m = new double[3];
                for (int f = 0; f < 3; f++) {
                    m[f] = Describe.mean(pts.values(config(ds, ref.get(f), n), "test_accuracy"));
                    facts.put("data-" + ds + "-" + which + "-" + keys[f], pct(m[f]));
                }
                double gap = m[2] - m[0];
                facts.put("gap-" + ds + "-" + which, points(gap));
                facts.put("share-" + ds + "-" + which + "-locality", gap > 0 ? pct((m[1] - m[0]) / gap) : "–");
                facts.put("share-" + ds + "-" + which + "-sharing", gap > 0 ? pct((m[2] - m[1]) / gap) : "–");
                facts.put("locality-" + ds + "-" + which, signedPoints(m[1] - m[0]));
                facts.put("dominant-" + ds + "-" + which, gap <= 0 ? "neither (there is no gap)"
                        : m[2] - m[1] > m[1] - m[0] ? "weight sharing" : "locality");
                facts.put("sharing-" + ds + "-" + which, signedPoints(m[2] - m[1]));
            }
        }
        facts.put("size-min", count((long) sizes[0]));
        facts.put("size-max", count((long) sizes[sizes.length - 1]));
    }

    static void dataEfficiency(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        dataFacts(p, facts);
        SweepPoints pts = p.acc();
        List<Arch> ref = reference(p.accuracy);
        double[] sizes = ints(p.accuracy.at("/config/sizes"));
        List<List<?>> rows = new ArrayList<>();
        List<List<?>> shares = new ArrayList<>();
        int gapShrinks = 0;
        List<Double> locList = new ArrayList<>();
        List<Double> shList = new ArrayList<>();
        int sharingMost = 0;
        int cells = 0;
        List<String> datasets = strings(p.accuracy.at("/config/data_datasets"));
        double[] locs = new double[0];
        double[] shs = new double[0];
        for (String ds : datasets) {
            Figures.LineFigure fig = Figures.line("data-efficiency-" + ds, "Accuracy against the training-set size, "
                            + dataset(ds) + " (" + p.accuracy.at("/config/seeds").asText() + " seeds)")
                    .axes("training images (thousands)", "test accuracy").logX().colours(FAMILY_COLOURS)
                    .from(p.accuracy);
            double[] thousands = new double[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                thousands[i] = sizes[i] / 1e3;
            }
            double[][] means = new double[3][sizes.length];
            for (int f = 0; f < 3; f++) {
                double[][] bySeed = null;
                for (int i = 0; i < sizes.length; i++) {
                    double[] v = pts.values(config(ds, ref.get(f), (int) sizes[i]), "test_accuracy");
                    if (bySeed == null) {
                        bySeed = new double[v.length][sizes.length];
                    }
                    for (int s = 0; s < v.length; s++) {
                        bySeed[s][i] = v[s];
                    }
                    means[f][i] = Describe.mean(v);
                }
                fig.seeds(familyLabel(ref.get(f)), thousands, bySeed);
            }
            fig.save(outDir);
            for (int i = 0; i < sizes.length; i++) {
                int n = (int) sizes[i];
                List<Object> row = new ArrayList<>(List.of(dataset(ds), count(n)));
                for (int f = 0; f < 3; f++) {
                    row.add(spread(pts.values(config(ds, ref.get(f), n), "test_accuracy")));
                }
                rows.add(row);
                double gap = means[2][i] - means[0][i];
                double loc = means[1][i] - means[0][i];
                double sh = means[2][i] - means[1][i];
                shares.add(List.of(dataset(ds), count(n), signedPoints(gap), signedPoints(loc),
                        gap > 0 ? pct(loc / gap) : "–", signedPoints(sh), gap > 0 ? pct(sh / gap) : "–"));
                cells++;
                sharingMost += gap > 0 && sh > gap / 2 ? 1 : 0;
                locList.add(loc);
                shList.add(sh);
            }
            double gapMin = means[2][0] - means[0][0];
            double gapMax = means[2][sizes.length - 1] - means[0][sizes.length - 1];
            gapShrinks += gapMin > gapMax ? 1 : 0;
            locs = locList.stream().mapToDouble(Double::doubleValue).toArray();
            shs = shList.stream().mapToDouble(Double::doubleValue).toArray();
            facts.put("gap-trend-" + ds, gapMin > gapMax ? "shrinks" : "grows");
        }
        facts.put("locality-range", signedPoints(min(locs)) + " to " + signedPoints(max(locs)));
        facts.put("sharing-range", signedPoints(min(shs)) + " to " + signedPoints(max(shs)));
        double lossAtMin = 0;
        for (String ds : datasets) {
            for (Arch a : ref) {
                lossAtMin = Math.max(lossAtMin, Describe.mean(lastLoss(pts, config(ds, a, (int) sizes[0]))));
            }
        }
        facts.put("loss-at-min", String.format(Locale.ROOT, "%.3f", lossAtMin));
        facts.put("epochs-at-min", String.format(Locale.ROOT, "%.0f", p.accuracy.at("/config/steps").asDouble()
                * p.accuracy.at("/config/batch").asDouble() / sizes[0]));
        Tables.write(outDir, "data-efficiency", "Test accuracy (mean ± std over " + p.accuracy.at("/config/seeds")
                        .asText() + " seeds) of the three networks of equal FLOPs against the size of the training"
                        + " set; every run takes " + p.accuracy.at("/config/steps").asText() + " steps of "
                        + p.accuracy.at("/config/batch").asText() + " images, whatever the set's size",
                List.of("dataset", "training images", familyLabel(ref.get(0)), familyLabel(ref.get(1)),
                        familyLabel(ref.get(2))), rows, List.of(p.accuracy));
        Tables.write(outDir, "attribution", "Where the convolution's lead over the fully connected network comes"
                        + " from, in points of test accuracy (means over the seeds): locality is the locally connected"
                        + " network's gain over the fully connected one, weight sharing the convolution's gain over"
                        + " the locally connected one; the shares are of the whole gap (– where there is no gap)",
                List.of("dataset", "training images", "gap: conv − fc", "locality: lc − fc", "share",
                        "weight sharing: conv − lc", "share"), shares, List.of(p.accuracy));
        facts.put("sizes", String.join(", ", java.util.Arrays.stream(sizes).mapToObj(v -> count((long) v)).toList()));
        facts.put("pred-data-verdict", verdict(gapShrinks, datasets.size()));
        facts.put("pred-sharing-verdict", verdict(sharingMost, cells));
        facts.put("sharing-most", sharingMost + " of " + cells);
    }

    /** The mean training loss over the last stretch of steps of each seed. */
    static double[] lastLoss(SweepPoints pts, String config) {
        double[][] rows = pts.rows(config, "train_loss");
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i][rows[i].length - 1];
        }
        return out;
    }

    // ------------------------------------------------------------------ kernel sizes between the extremes

    static void kernels(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = p.acc();
        int n = p.refImages();
        int w = p.accuracy.at("/config/ref_width").asInt();
        double[] ks = ints(p.accuracy.at("/config/kernels"));
        List<List<?>> rows = new ArrayList<>();
        int convAbove = 0;
        for (String ds : strings(p.accuracy.at("/config/probe_datasets"))) {
            double[] x = new double[ks.length + 1];
            double[][] conv = null;
            double[][] lc = null;
            double[] fc = pts.values(config(ds, Arch.fc(w), n), "test_accuracy");
            for (int i = 0; i <= ks.length; i++) {
                x[i] = i < ks.length ? ks[i] : Arch.SIDE;
                double[] vc = i < ks.length ? pts.values(config(ds, Arch.conv((int) ks[i], w), n), "test_accuracy") : fc;
                double[] vl = i < ks.length ? pts.values(config(ds, Arch.lc((int) ks[i], w), n), "test_accuracy") : fc;
                if (conv == null) {
                    conv = new double[vc.length][ks.length + 1];
                    lc = new double[vl.length][ks.length + 1];
                }
                for (int s = 0; s < vc.length; s++) {
                    conv[s][i] = vc[s];
                    lc[s][i] = vl[s];
                }
                if (i < ks.length) {
                    Arch ac = Arch.conv((int) ks[i], w);
                    Arch al = Arch.lc((int) ks[i], w);
                    rows.add(List.of(dataset(ds), (int) ks[i] + "×" + (int) ks[i], count(ac.params()), spread(vc),
                            count(al.params()), spread(vl), count(ac.flops())));
                    convAbove += Describe.mean(vc) > Describe.mean(vl) ? 1 : 0;
                    facts.put("kernel-" + ds + "-" + (int) ks[i] + "-conv", pct(Describe.mean(vc)));
                    facts.put("kernel-" + ds + "-" + (int) ks[i] + "-lc", pct(Describe.mean(vl)));
                } else {
                    Arch a = Arch.fc(w);
                    rows.add(List.of(dataset(ds), "28×28 (fully connected)", count(a.params()), spread(fc),
                            count(a.params()), spread(fc), count(a.flops())));
                    facts.put("kernel-" + ds + "-fc", pct(Describe.mean(fc)));
                }
            }
            Figures.line("kernels-" + ds, "From a 3×3 kernel to the whole image, " + w + " maps, " + dataset(ds)
                            + " (" + p.accuracy.at("/config/seeds").asText() + " seeds)")
                    .axes("kernel size k (k×k)", "test accuracy")
                    .colours(List.of("fully connected", "locally connected", "convolution"))
                    .seeds("locally connected", x, lc)
                    .seeds("convolution", x, conv)
                    .from(p.accuracy).save(outDir);
        }
        Tables.write(outDir, "kernels", "The networks between the extremes: " + w + " maps of k×k windows, with and"
                        + " without weight sharing, then max-pooling 2 and a linear head; test accuracy, mean ± std over "
                        + p.accuracy.at("/config/seeds").asText() + " seeds, " + count(n) + " training images",
                List.of("dataset", "kernel", "conv parameters", "conv accuracy", "lc parameters", "lc accuracy",
                        "FLOPs per image"), rows, List.of(p.accuracy));
        int total = ks.length * strings(p.accuracy.at("/config/probe_datasets")).size();
        // does accuracy fall as the kernel grows towards the whole image (first probe dataset)?
        String ds0 = strings(p.accuracy.at("/config/probe_datasets")).get(0);
        boolean convFalls = true;
        boolean lcFalls = true;
        double lastC = Double.POSITIVE_INFINITY;
        double lastL = Double.POSITIVE_INFINITY;
        for (int i = 0; i <= ks.length; i++) {
            Arch c = i < ks.length ? Arch.conv((int) ks[i], w) : Arch.fc(w);
            Arch l = i < ks.length ? Arch.lc((int) ks[i], w) : Arch.fc(w);
            double mc = Describe.mean(pts.values(config(ds0, c, n), "test_accuracy"));
            double ml = Describe.mean(pts.values(config(ds0, l, n), "test_accuracy"));
            convFalls &= mc < lastC;
            lcFalls &= ml < lastL;
            lastC = mc;
            lastL = ml;
        }
        facts.put("kernel-conv-falls", convFalls ? "falls at every step" : "does not fall at every step");
        int bestC = 0;
        int bestL = 0;
        for (int i = 1; i < ks.length; i++) {
            if (Describe.mean(pts.values(config(ds0, Arch.conv((int) ks[i], w), n), "test_accuracy"))
                    > Describe.mean(pts.values(config(ds0, Arch.conv((int) ks[bestC], w), n), "test_accuracy"))) {
                bestC = i;
            }
            if (Describe.mean(pts.values(config(ds0, Arch.lc((int) ks[i], w), n), "test_accuracy"))
                    > Describe.mean(pts.values(config(ds0, Arch.lc((int) ks[bestL], w), n), "test_accuracy"))) {
                bestL = i;
            }
        }
        facts.put("kernel-conv-best", (int) ks[bestC] + "×" + (int) ks[bestC]);
        facts.put("kernel-lc-best", (int) ks[bestL] + "×" + (int) ks[bestL]);
        facts.put("kernel-lc-falls", lcFalls ? "falls at every step" : "does not fall at every step");
        facts.put("kernel-falls-verdict", convFalls && lcFalls ? "held" : convFalls || lcFalls ? "held only in part"
                : "did not hold");
        facts.put("kernel-list", String.join(", ", java.util.Arrays.stream(ks).mapToObj(v -> String.valueOf((int) v))
                .toList()));
        facts.put("pred-kernels-verdict", verdict(convAbove, total));
        facts.put("conv-above-lc", convAbove + " of " + total);
    }

    // ------------------------------------------------------------------ translation

    /** Mean over the seeds of an array field, element by element. */
    static double[] meanRow(SweepPoints pts, String config, String field) {
        double[][] r = pts.rows(config, field);
        double[] m = new double[r[0].length];
        for (double[] row : r) {
            for (int i = 0; i < m.length; i++) {
                m[i] += row[i] / r.length;
            }
        }
        return m;
    }

    static double[] shifts(int max) {
        double[] x = new double[max + 1];
        for (int i = 0; i <= max; i++) {
            x[i] = i;
        }
        return x;
    }

    static void translationFacts(Pins p, Map<String, String> facts) {
        SweepPoints pts = p.acc();
        String ds = strings(p.accuracy.at("/config/probe_datasets")).get(0);
        int n = p.refImages();
        Arch conv = reference(p.accuracy).get(2);
        facts.put("equivariance-conv-max", fmt(max(meanRow(pts, config(ds, conv, n), "equivariance"))));
        for (int pool : Experiment.POOLS) {
            double[] acc = meanRow(pts, config(ds, conv.withPool(pool), n), "shift_accuracy");
            facts.put("shift4-pool" + pool, pct(acc[4]));
        }
    }

    static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    static String fmt(double v) {
        if (v == 0) {
            return "0";
        }
        return String.format(Locale.ROOT, Math.abs(v) < 1e-3 ? "%.2e" : "%.3g", v);
    }

    static void translation(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        translationFacts(p, facts);
        SweepPoints pts = p.acc();
        int n = p.refImages();
        int max = p.accuracy.at("/config/max_shift").asInt();
        double[] x = shifts(max);
        List<Arch> ref = reference(p.accuracy);
        String seeds = p.accuracy.at("/config/seeds").asText();
        List<List<?>> rows = new ArrayList<>();
        for (String ds : strings(p.accuracy.at("/config/probe_datasets"))) {
            String suffix = "-" + ds;
            Figures.LineFigure acc = Figures.line("shift-accuracy" + suffix, "Accuracy on shifted test images, "
                            + dataset(ds) + " (" + seeds + " seeds)")
                    .axes("shift (pixels)", "test accuracy").colours(FAMILY_COLOURS).from(p.accuracy);
            for (Arch a : ref) {
                acc.seeds(familyLabel(a), x, pts.rows(config(ds, a, n), "shift_accuracy"));
            }
            acc.save(outDir);
            List<String> poolLabels = new ArrayList<>();
            Figures.LineFigure pool = Figures.line("shift-pooling" + suffix, "What max-pooling adds on shifted images, "
                            + dataset(ds) + " (" + seeds + " seeds)")
                    .axes("shift (pixels)", "test accuracy").colours(POOL_COLOURS).from(p.accuracy);
            for (int pl : Experiment.POOLS) {
                Arch a = ref.get(2).withPool(pl);
                poolLabels.add(familyLabel(a));
                pool.seeds(pl == Arch.DEFAULT_POOL ? familyLabel(a) + ", max-pool 2" : familyLabel(a), x,
                        pts.rows(config(ds, a, n), "shift_accuracy"));
            }
            pool.save(outDir);
            List<Arch> all = new ArrayList<>(ref);
            for (int pl : Experiment.POOLS) {
                if (pl != Arch.DEFAULT_POOL) {
                    all.add(ref.get(2).withPool(pl));
                }
            }
            for (Arch a : all) {
                double[][] r = pts.rows(config(ds, a, n), "shift_accuracy");
                List<Object> row = new ArrayList<>(List.of(dataset(ds), label(a)
                        + (a.kind() != Arch.Kind.FC && a.pool() == Arch.DEFAULT_POOL ? ", max-pool 2" : "")));
                for (int s : new int[] {0, 1, 2, 4, max}) {
                    double[] v = new double[r.length];
                    for (int i = 0; i < r.length; i++) {
                        v[i] = r[i][s];
                    }
                    row.add(spread(v));
                    String key = "shift-" + ds + "-" + a.family() + "-" + s;
                    facts.put(key, pct(Describe.mean(v)));
                }
                rows.add(row);
            }
            // equivariance of the maps, and invariance of what the head reads
            Figures.LineFigure eq = Figures.line("equivariance" + suffix, "Equivariance of the first layer's maps, "
                            + dataset(ds) + " (mean of " + seeds + " seeds)")
                    .axes("shift (pixels)", "‖maps(shift x) − shift(maps x)‖ / ‖shift(maps x)‖")
                    .colours(List.of("fully connected", "locally connected 3×3", "convolution 3×3",
                            "locally connected 3×3, started as the convolution")).from(p.accuracy, p.interventions);
            eq.line(familyLabel(ref.get(1)), x, meanRow(pts, config(ds, ref.get(1), n), "equivariance"));
            eq.line(familyLabel(ref.get(2)), x, meanRow(pts, config(ds, ref.get(2), n), "equivariance"));
            SweepPoints iv = new SweepPoints(p.interventions);
            String tied = config(ds, ref.get(1), n) + "-tied";
            eq.dashed("locally connected 3×3, started as the convolution", x, meanRow(iv, tied, "equivariance"));
            eq.save(outDir);
            facts.put("equivariance-" + ds + "-lc-1", fmt(meanRow(pts, config(ds, ref.get(1), n), "equivariance")[1]));
            facts.put("equivariance-" + ds + "-tied-init-max", fmt(max(meanRow(iv, tied, "equivariance_at_init"))));
            facts.put("equivariance-" + ds + "-tied-1", fmt(meanRow(iv, tied, "equivariance")[1]));
            facts.put("equivariance-" + ds + "-tied-max", fmt(max(meanRow(iv, tied, "equivariance"))));
            Figures.LineFigure inv = Figures.line("invariance" + suffix, "How much the head's input changes under a"
                            + " shift, " + dataset(ds) + " (mean of " + seeds + " seeds)")
                    .axes("shift (pixels)", "‖h(shift x) − h(x)‖ / ‖h(x)‖").colours(POOL_COLOURS).from(p.accuracy);
            for (Arch a : List.of(ref.get(0), ref.get(1), ref.get(2).withPool(1), ref.get(2), ref.get(2).withPool(4))) {
                double[] v = meanRow(pts, config(ds, a, n), "invariance");
                inv.line(familyLabel(a) + (a.kind() != Arch.Kind.FC && a.pool() == 2 ? ", max-pool 2" : ""), x, v);
                facts.put("invariance-" + ds + "-" + a.family() + "-2", fmt(v[2]));
                facts.put("invariance-" + ds + "-" + a.family() + "-1", fmt(v[1]));
                facts.put("invariance-" + ds + "-" + a.family() + "-4", fmt(v[4]));
            }
            inv.save(outDir);
            double[] a1 = meanRow(pts, config(ds, ref.get(2).withPool(1), n), "shift_accuracy");
            double[] a2 = meanRow(pts, config(ds, ref.get(2), n), "shift_accuracy");
            double[] a4 = meanRow(pts, config(ds, ref.get(2).withPool(4), n), "shift_accuracy");
            double[] af = meanRow(pts, config(ds, ref.get(0), n), "shift_accuracy");
            facts.put("pool-order-" + ds, a4[4] > a2[4] && a2[4] > a1[4] ? "held" : "did not hold");
            facts.put("pool1-minus-fc-" + ds + "-4", signedPoints(a1[4] - af[4]));
            facts.put("pool4-minus-fc-" + ds + "-4", signedPoints(a4[4] - af[4]));
            facts.put("equivariance-verdict-" + ds, max(meanRow(pts, config(ds, ref.get(2), n), "equivariance")) == 0
                    && meanRow(pts, config(ds, ref.get(1), n), "equivariance")[1] > 0 ? "held" : "did not hold");
        }
        Tables.write(outDir, "translation", "Test accuracy (mean ± std over " + seeds + " seeds) on test images"
                        + " shifted by 0, 1, 2, 4 and " + max + " pixels (each the mean over four directions), the"
                        + " networks trained on " + count(n) + " unshifted images",
                List.of("dataset", "network", "0", "1", "2", "4", String.valueOf(max)), rows, List.of(p.accuracy));
        facts.put("max-shift", String.valueOf(max));
    }

    // ------------------------------------------------------------------ interventions

    /** What "unchanged" means for a mean change of accuracy across the seeds: within one point. */
    static final double PERMUTATION_POINT = 0.01;

    static void interventions(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = p.acc();
        SweepPoints iv = new SweepPoints(p.interventions);
        int n = p.refImages();
        List<Arch> ref = reference(p.accuracy);
        List<List<?>> rows = new ArrayList<>();
        String[] keys = {"fc", "lc", "conv"};
        for (String ds : strings(p.accuracy.at("/config/probe_datasets"))) {
            double[] change = new double[3];
            for (int f = 0; f < 3; f++) {
                Arch a = ref.get(f);
                double[] base = pts.values(config(ds, a, n), "test_accuracy");
                double[] perm = iv.values(config(ds, a, n) + "-permuted", "test_accuracy");
                double[] diff = new double[base.length];
                for (int s = 0; s < base.length; s++) {
                    diff[s] = perm[s] - base[s];
                }
                rows.add(List.of(dataset(ds), label(a), "pixels permuted", spread(base), spread(perm),
                        String.format(Locale.ROOT, "%+.1f ± %.1f", 100 * Describe.mean(diff), 100 * Describe.std(diff))));
                facts.put("permuted-" + ds + "-" + keys[f], pct(Describe.mean(perm)));
                facts.put("permuted-" + ds + "-" + keys[f] + "-change", signedPoints(Describe.mean(diff)));
                facts.put("permuted-" + ds + "-" + keys[f] + "-change-std", points(Describe.std(diff)));
                facts.put("unpermuted-" + ds + "-" + keys[f], pct(Describe.mean(base)));
                change[f] = Describe.mean(diff);
            }
            // the explanation's two predictions: locality's users lose more than a point, fc stays within one
            facts.put("permuted-verdict-" + ds, change[2] < -PERMUTATION_POINT && change[1] < -PERMUTATION_POINT
                    ? "held" : "did not hold");
            facts.put("permuted-fc-verdict-" + ds, Math.abs(change[0]) < PERMUTATION_POINT ? "held" : "did not hold");
            double[] lc = pts.values(config(ds, ref.get(1), n), "test_accuracy");
            double[] tied = iv.values(config(ds, ref.get(1), n) + "-tied", "test_accuracy");
            double[] conv = pts.values(config(ds, ref.get(2), n), "test_accuracy");
            double[] diff = new double[lc.length];
            for (int s = 0; s < lc.length; s++) {
                diff[s] = tied[s] - lc[s];
            }
            rows.add(List.of(dataset(ds), label(ref.get(1)), "started as the convolution", spread(lc), spread(tied),
                    String.format(Locale.ROOT, "%+.1f ± %.1f", 100 * Describe.mean(diff), 100 * Describe.std(diff))));
            facts.put("tied-" + ds, pct(Describe.mean(tied)));
            facts.put("tied-" + ds + "-change", signedPoints(Describe.mean(diff)));
            facts.put("tied-" + ds + "-change-std", points(Describe.std(diff)));
            facts.put("tied-" + ds + "-lc", pct(Describe.mean(lc)));
            facts.put("tied-" + ds + "-conv", pct(Describe.mean(conv)));
            facts.put("tied-" + ds + "-gap-closed", Describe.mean(conv) - Describe.mean(lc) > 0
                    ? pct((Describe.mean(tied) - Describe.mean(lc)) / (Describe.mean(conv) - Describe.mean(lc))) : "–");
            boolean tiedLikeLc = Describe.mean(conv) - Describe.mean(lc) > 0
                    && (Describe.mean(tied) - Describe.mean(lc)) < 0.5 * (Describe.mean(conv) - Describe.mean(lc));
            facts.put("tied-verdict-" + ds, tiedLikeLc ? "held" : "did not hold");
        }
        Tables.write(outDir, "interventions", "Interventions (mean ± std over " + p.accuracy.at("/config/seeds")
                        + " seeds, " + count(n) + " training images): one fixed permutation of the pixels, the same for"
                        + " every training and test image, which leaves no neighbourhood for locality to use; and the"
                        + " locally connected network started from the convolution's kernel copied to every position."
                        + " The change is paired by seed (same initialisation and batches)",
                List.of("dataset", "network", "intervention", "as trained", "with the intervention", "change (points)"),
                rows, List.of(p.accuracy, p.interventions));
    }
}
