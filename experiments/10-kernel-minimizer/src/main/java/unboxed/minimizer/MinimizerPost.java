package unboxed.minimizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import unboxed.kit.Facts;
import unboxed.kit.Figures;
import unboxed.kit.ImageGrid;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.SweepPoints;
import unboxed.kit.Tables;
import unboxed.kit.stats.Describe;

/**
 * Post 10's figures and tables, drawn from its pinned results only; every number the prose quotes
 * is a fact computed here ({@code facts.adoc}).
 */
public final class MinimizerPost implements Post {
    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "The kernel minimizer: the image a conv layer responds to least";
    }

    @Override
    public String summary() {
        return "Gradient descent on the pixels of an image, the trained CNN of post 02 frozen, so that one conv"
                + " layer responds as little (or as much) as possible: from noise, greys and every digit; with"
                + " regularisers, at three resolutions, with SGD and Adam; what the images converge to.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public String finding(Path resultsDir) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        Pinned starts = Pinned.load(resultsDir, "starts");
        Pinned opts = Pinned.load(resultsDir, "optimizers");
        convergence(starts, f);
        SweepPoints op = new SweepPoints(opts);
        double[] adamStd = over(op, List.of(config(2, "relu", "min", "none", "adam", 28, "noise"),
                config(2, "relu", "min", "none", "adam", 28, "digit3")), "image_std");
        return String.format(Locale.ROOT, "Pinned results (`data/results/%s/`): gradient descent on the pixels"
                        + " to minimise the summed ReLU response of post 02's trained CNN turns every start image"
                        + " (noise, greys, every digit) into the same black image for layer 1 (mean response %s"
                        + " → %s, pixel spread %s); for layer 2, SGD leaves a fine texture with a ghost of the start"
                        + " (pixel spread %s), which Adam reduces to %s and the squared-response objective to %s:"
                        + " what a conv layer responds to least is a blank image, not a pattern.",
                Experiment.POST, f.get("l1-relu-start"), f.get("l1-relu-end"), f.get("l1-relu-std"),
                f.get("l2-relu-std"), spread(adamStd), f.get("l2-square-std"));
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned model = Pinned.load(resultsDir, "model");
        Pinned starts = Pinned.load(resultsDir, "starts");
        Pinned extremes = Pinned.load(resultsDir, "extremes");
        Pinned regs = Pinned.load(resultsDir, "regularisers");
        Pinned res = Pinned.load(resultsDir, "resolution");
        Pinned opts = Pinned.load(resultsDir, "optimizers");
        Map<String, String> facts = new LinkedHashMap<>();
        JsonNode m = model.at("/points/0");
        facts.put("model-accuracy", pct(m.get("test_accuracy").asDouble()));
        JsonNode tr = model.at("/config/training");
        facts.put("model-epochs", tr.get("epochs").asText());
        facts.put("model-images", tr.get("images").asText());
        facts.put("steps", starts.at("/config/steps").asText());
        facts.put("seeds", starts.at("/config/seeds").asText());
        facts.put("sgd-lr-relu", starts.at("/config/sgd_lr_relu").asText());
        facts.put("sgd-lr-square", starts.at("/config/sgd_lr_square").asText());
        facts.put("adam-lr", starts.at("/config/adam_lr").asText());
        facts.put("l2-weight", regs.at("/config/l2_weight").asText());
        facts.put("tv-weight", regs.at("/config/tv_weight").asText());
        facts.put("blur-every", regs.at("/config/blur_every").asText());
        convergence(starts, facts);
        filmstrips(starts, outDir, facts);
        curves(starts, outDir);
        extremes(starts, extremes, outDir, facts);
        regularisers(starts, regs, outDir, facts);
        resolution(starts, res, outDir, facts);
        optimizers(starts, opts, outDir, facts);
        Facts.fixtures(Experiment.POST, facts);
        Facts.write(outDir, List.of(model, starts, extremes, regs, res, opts), facts);
    }

    // ------------------------------------------------------------------ helpers

    static String fmt(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        return a >= 1e3 || a < 1e-3 ? String.format(Locale.ROOT, "%.2e", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    static String spread(double[] v) {
        double m = Describe.mean(v);
        double sd = Describe.std(v);
        // identical runs differ by rounding in the last bits of the mean: say 0, not 1e-17
        return fmt(m) + " ± " + (sd <= 1e-9 * Math.max(1, Math.abs(m)) ? "0" : fmt(sd));
    }

    static double[][] image(JsonNode arr) {
        double[][] m = new double[arr.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = SweepPoints.numbers(arr.get(i));
        }
        return m;
    }

    static String config(int layer, String objective, String dir, String reg, String opt, int size, String start) {
        return "l" + layer + "-" + objective + "-" + dir + "-" + reg + "-" + opt + "-" + size + "-" + start;
    }

    static String startLabel(String s) {
        return s.startsWith("digit") ? "digit " + s.substring(5) : s;
    }

    /** One value per run over every start of a sweep, for one (layer, objective). */
    static double[] over(SweepPoints pts, List<String> configs, String field) {
        List<Double> v = new ArrayList<>();
        for (String c : configs) {
            for (double x : pts.values(c, field)) {
                v.add(x);
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static List<String> startConfigs(int layer, String objective) {
        List<String> c = new ArrayList<>();
        for (String st : Experiment.ALL_STARTS) {
            c.add(config(layer, objective, "min", "none", "sgd", 28, st));
        }
        return c;
    }

    // ------------------------------------------------------------------ convergence

    private static void convergence(Pinned p, Map<String, String> facts) {
        SweepPoints pts = new SweepPoints(p);
        for (int layer = 1; layer <= 2; layer++) {
            for (Minimize.Objective o : Minimize.Objective.values()) {
                List<String> cs = startConfigs(layer, o.id);
                String key = "l" + layer + "-" + o.id;
                facts.put(key + "-start", spread(over(pts, cs, "objective_start")));
                facts.put(key + "-end", spread(over(pts, cs, "objective_end")));
                facts.put(key + "-std", spread(over(pts, cs, "image_std")));
                facts.put(key + "-mean", spread(over(pts, cs, "image_mean")));
                facts.put(key + "-distance", fmt(meanDistance(pts, cs)));
            }
        }
    }

    /** The RMS pixel difference between the final images of every pair of starts (seed 0): 0 if all converge to one image. */
    static double meanDistance(SweepPoints pts, List<String> configs) {
        List<double[][]> finals = new ArrayList<>();
        for (String c : configs) {
            finals.add(image(pts.seeds(c).get(0).get("image")));
        }
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < finals.size(); a++) {
            for (int b = a + 1; b < finals.size(); b++) {
                double s = 0;
                int n = 0;
                for (int i = 0; i < finals.get(a).length; i++) {
                    for (int j = 0; j < finals.get(a)[i].length; j++) {
                        double d = finals.get(a)[i][j] - finals.get(b)[i][j];
                        s += d * d;
                        n++;
                    }
                }
                sum += Math.sqrt(s / n);
                pairs++;
            }
        }
        return pairs == 0 ? 0 : sum / pairs;
    }

    // ------------------------------------------------------------------ filmstrips and curves

    private void filmstrips(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        for (int layer = 1; layer <= 2; layer++) {
            ImageGrid g = ImageGrid.of("filmstrip-layer" + layer, "Minimising layer " + layer + "'s Σ ReLU from every"
                    + " start (seed 0): the image every " + p.at("/config/snapshot_every").asText() + " steps")
                    .from(p);
            List<String> cols = new ArrayList<>();
            boolean first = true;
            for (String st : Experiment.ALL_STARTS) {
                JsonNode run = pts.seeds(config(layer, "relu", "min", "none", "sgd", 28, st)).get(0);
                JsonNode snaps = run.get("snapshots");
                JsonNode steps = run.get("snapshot_steps");
                List<ImageGrid.Panel> row = new ArrayList<>();
                for (int k = 0; k < snaps.size(); k++) {
                    row.add(ImageGrid.panel(image(snaps.get(k)), ImageGrid.Scale.gray(0, 1)));
                    if (first) {
                        cols.add("step " + steps.get(k).asInt());
                    }
                }
                if (first) {
                    g.columns(cols.toArray(new String[0]));
                    first = false;
                }
                g.row(startLabel(st), 2, row.toArray(new ImageGrid.Panel[0]));
                if (layer == 2) {
                    List<ImageGrid.Panel> frames = new ArrayList<>();
                    for (int k = 0; k < snaps.size(); k++) {
                        frames.add(ImageGrid.panel(image(snaps.get(k)), ImageGrid.Scale.gray(0, 1))
                                .caption("step " + steps.get(k).asInt()));
                    }
                    ImageGrid.saveAnimation(outDir, "animation-" + st, "Layer 2 minimised from " + startLabel(st)
                            + ", animated", frames, 6, 0.4, List.of(p));
                }
            }
            g.save(outDir);
        }
    }

    private void curves(Pinned p, Path outDir) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        int every = p.at("/config/steps").asInt() > 0 ? pts.seeds(startConfigs(1, "relu").get(0)).get(0)
                .get("curve_every").asInt() : 1;
        for (int layer = 1; layer <= 2; layer++) {
            Figures.LineFigure f = Figures.line("objective-layer" + layer, "Layer " + layer + ": mean ReLU response"
                            + " while it is minimised, from each start (mean and range of the seeds)")
                    .axes("step", "mean ReLU output of layer " + layer).logY().from(p);
            for (String st : Experiment.ALL_STARTS) {
                if (!(st.equals("noise") || st.equals("grey") || st.equals("digit1") || st.equals("digit3")
                        || st.equals("digit8"))) {
                    continue;
                }
                double[][] rows = pts.rows(config(layer, "relu", "min", "none", "sgd", 28, st), "curve");
                double[] x = new double[rows[0].length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = Math.min(i * every, p.at("/config/steps").asInt());
                }
                f.seeds(startLabel(st), x, rows);
            }
            f.save(outDir);
        }
    }

    // ------------------------------------------------------------------ the extremes

    private void extremes(Pinned starts, Pinned ext, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints sp = new SweepPoints(starts);
        SweepPoints ep = new SweepPoints(ext);
        ImageGrid g = ImageGrid.of("extremes", "Minimised against maximised, layer 1 against layer 2: the final image"
                + " from each start (seed 0)").from(starts, ext);
        List<String> cols = new ArrayList<>();
        Experiment.FEW_STARTS.forEach(st -> cols.add(startLabel(st)));
        g.columns(cols.toArray(new String[0]));
        List<List<?>> rows = new ArrayList<>();
        for (int layer = 1; layer <= 2; layer++) {
            for (String dir : List.of("min", "max")) {
                SweepPoints pts = dir.equals("min") ? sp : ep;
                List<ImageGrid.Panel> row = new ArrayList<>();
                List<String> cs = new ArrayList<>();
                for (String st : Experiment.FEW_STARTS) {
                    String c = config(layer, "relu", dir, "none", "sgd", 28, st);
                    cs.add(c);
                    row.add(ImageGrid.panel(image(pts.seeds(c).get(0).get("image")), ImageGrid.Scale.gray(0, 1)));
                }
                String label = (dir.equals("min") ? "minimised" : "maximised") + ", layer " + layer;
                g.row(label, 3, row.toArray(new ImageGrid.Panel[0]));
                rows.add(List.of(label, spread(over(pts, cs, "objective_end")), spread(over(pts, cs, "image_mean")),
                        spread(over(pts, cs, "image_std")), spread(over(pts, cs, "image_roughness")),
                        fmt(meanDistance(pts, cs)), classes(pts, cs)));
                String key = dir + "-l" + layer;
                facts.put(key + "-end", spread(over(pts, cs, "objective_end")));
                facts.put(key + "-mean", spread(over(pts, cs, "image_mean")));
                facts.put(key + "-std", spread(over(pts, cs, "image_std")));
                facts.put(key + "-distance", fmt(meanDistance(pts, cs)));
                facts.put(key + "-classes", classes(pts, cs));
            }
        }
        g.save(outDir);
        Tables.write(outDir, "extremes", "Minimised against maximised (Σ ReLU, SGD), from noise, grey and two digits,"
                        + " every seed: the layer's mean response at the end, the final image's mean pixel, its pixel"
                        + " spread and roughness (mean |difference| of neighbours), the RMS distance between the final"
                        + " images of different starts (seed 0), and what the classifier calls them",
                List.of("run", "response at the end", "mean pixel", "pixel spread", "roughness", "distance between"
                        + " starts", "classifier says"), rows, "Source: " + starts.citation() + "; " + ext.citation());
    }

    /** The classes the classifier gives the final images, most common first, with their counts. */
    static String classes(SweepPoints pts, List<String> configs) {
        int[] counts = new int[10];
        int n = 0;
        for (String c : configs) {
            for (JsonNode run : pts.seeds(c)) {
                if (run.has("predicted_class")) {
                    counts[run.get("predicted_class").asInt()]++;
                    n++;
                }
            }
        }
        List<String> parts = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            int best = 0;
            for (int k = 1; k < 10; k++) {
                best = counts[k] > counts[best] ? k : best;
            }
            if (counts[best] == 0) {
                break;
            }
            parts.add("“" + best + "” " + counts[best] + "/" + n);
            counts[best] = 0;
        }
        return String.join(", ", parts);
    }

    // ------------------------------------------------------------------ regularisers, resolution, optimisers

    private void regularisers(Pinned starts, Pinned regs, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints sp = new SweepPoints(starts);
        SweepPoints rp = new SweepPoints(regs);
        List<String> st = List.of("noise", "digit3", "digit7");
        ImageGrid g = ImageGrid.of("regularisers", "Layer 2 minimised under each regulariser: the final image from"
                + " each start (seed 0)").from(starts, regs);
        List<String> cols = new ArrayList<>();
        st.forEach(s -> cols.add(startLabel(s)));
        g.columns(cols.toArray(new String[0]));
        List<List<?>> rows = new ArrayList<>();
        for (Minimize.Regulariser r : Minimize.Regulariser.values()) {
            SweepPoints pts = r == Minimize.Regulariser.NONE ? sp : rp;
            List<String> cs = new ArrayList<>();
            List<ImageGrid.Panel> row = new ArrayList<>();
            for (String s : st) {
                String c = config(2, "relu", "min", r.id, "sgd", 28, s);
                cs.add(c);
                row.add(ImageGrid.panel(image(pts.seeds(c).get(0).get("image")), ImageGrid.Scale.gray(0, 1)));
            }
            g.row(r.label, 3, row.toArray(new ImageGrid.Panel[0]));
            rows.add(List.of(r.label, spread(over(pts, cs, "objective_end")), spread(over(pts, cs, "image_mean")),
                    spread(over(pts, cs, "image_std")), spread(over(pts, cs, "image_roughness")), classes(pts, cs)));
            facts.put("reg-" + r.id + "-end", spread(over(pts, cs, "objective_end")));
            facts.put("reg-" + r.id + "-mean", spread(over(pts, cs, "image_mean")));
            facts.put("reg-" + r.id + "-rough", spread(over(pts, cs, "image_roughness")));
        }
        g.save(outDir);
        Tables.write(outDir, "regularisers", "Regularisers (layer 2, Σ ReLU, SGD; noise and two digits, every seed):"
                        + " the layer's mean response at the end, the final image's mean pixel, spread and roughness,"
                        + " and the classifier's verdict",
                List.of("regulariser", "response at the end", "mean pixel", "pixel spread", "roughness",
                        "classifier says"), rows, "Source: " + starts.citation() + "; " + regs.citation());
    }

    private void resolution(Pinned starts, Pinned res, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints sp = new SweepPoints(starts);
        SweepPoints rp = new SweepPoints(res);
        List<String> st = List.of("noise", "grey", "digit3");
        ImageGrid g = ImageGrid.of("resolution", "Layer 2 minimised at 28 × 28, 56 × 56 and 112 × 112 (the start"
                + " upsampled): the final image from each start (seed 0), drawn at the same size").from(starts, res);
        List<String> cols = new ArrayList<>();
        st.forEach(s -> cols.add(startLabel(s)));
        g.columns(cols.toArray(new String[0]));
        List<List<?>> rows = new ArrayList<>();
        for (int size : new int[] {28, 56, 112}) {
            SweepPoints pts = size == 28 ? sp : rp;
            List<String> cs = new ArrayList<>();
            List<ImageGrid.Panel> row = new ArrayList<>();
            for (String s : st) {
                String c = config(2, "relu", "min", "none", "sgd", size, s);
                cs.add(c);
                row.add(ImageGrid.panel(image(pts.seeds(c).get(0).get("image")), ImageGrid.Scale.gray(0, 1)));
            }
            g.row(size + " × " + size, 112 / size, row.toArray(new ImageGrid.Panel[0]));
            rows.add(List.of(size + " × " + size, spread(over(pts, cs, "objective_start")),
                    spread(over(pts, cs, "objective_end")), spread(over(pts, cs, "image_std")),
                    spread(over(pts, cs, "image_roughness"))));
            facts.put("res-" + size + "-end", spread(over(pts, cs, "objective_end")));
            facts.put("res-" + size + "-std", spread(over(pts, cs, "image_std")));
            facts.put("res-" + size + "-rough", spread(over(pts, cs, "image_roughness")));
        }
        g.save(outDir);
        Tables.write(outDir, "resolution", "Resolution (layer 2, Σ ReLU, SGD; noise, grey and a digit, every seed):"
                        + " the layer's mean response at the start and the end, the final image's pixel spread and"
                        + " roughness",
                List.of("input", "response at the start", "response at the end", "pixel spread", "roughness"), rows,
                "Source: " + starts.citation() + "; " + res.citation());
    }

    private void optimizers(Pinned starts, Pinned opts, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints sp = new SweepPoints(starts);
        SweepPoints op = new SweepPoints(opts);
        List<List<?>> rows = new ArrayList<>();
        for (int layer = 1; layer <= 2; layer++) {
            for (String opt : List.of("sgd", "adam")) {
                SweepPoints pts = opt.equals("sgd") ? sp : op;
                List<String> cs = new ArrayList<>();
                for (String s : List.of("noise", "digit3")) {
                    cs.add(config(layer, "relu", "min", "none", opt, 28, s));
                }
                rows.add(List.of("layer " + layer, opt.equals("sgd") ? "SGD" : "Adam",
                        spread(over(pts, cs, "objective_end")), spread(over(pts, cs, "image_mean")),
                        spread(over(pts, cs, "image_std"))));
                facts.put("opt-" + opt + "-l" + layer + "-end", spread(over(pts, cs, "objective_end")));
                facts.put("opt-" + opt + "-l" + layer + "-std", spread(over(pts, cs, "image_std")));
            }
        }
        Tables.write(outDir, "optimizers", "SGD against Adam (Σ ReLU, from noise and a digit, every seed): the layer's"
                        + " mean response at the end, the final image's mean pixel and pixel spread",
                List.of("layer", "optimiser", "response at the end", "mean pixel", "pixel spread"), rows,
                "Source: " + starts.citation() + "; " + opts.citation());
    }
}
