package unboxed.fluctuations;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.SweepPoints;
import unboxed.kit.Tables;

/**
 * Post 13's figures and tables, drawn from its pinned results only; the theory curves are computed
 * here from the configuration the results record ({@link Theory}), and every number the prose
 * quotes is a fact computed here ({@code facts.adoc}).
 */
public final class FluctuationsPost implements Post {
    /** A statistic leaves the healthy band when it falls below 1/10 or rises above 10 (of its value at layer 1 for gradients). */
    static final double BAND = 10;

    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Gradient fluctuations: activations and gradients through depth";
    }

    @Override
    public String summary() {
        return "Random inputs pushed through 100 affine layers with four activations and five initialisations:"
                + " per-layer means and standard deviations forward and backward, against the variance argument"
                + " behind Glorot's and He's initialisations; and a 20-layer MLP trained on MNIST with each.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pinned stacks = Pinned.load(resultsDir, "stacks");
        Pinned train = Pinned.load(resultsDir, "trainability");
        SweepPoints s = new SweepPoints(stacks);
        SweepPoints t = new SweepPoints(train);
        int depth = stacks.at("/config/depth").asInt();
        return String.format(Locale.ROOT, "Pinned results (`data/results/%s/`): through %d ReLU layers of width %d,"
                        + " He's initialisation keeps the activations' standard deviation at %s at the last layer"
                        + " (the variance argument predicts %s) while PyTorch's default shrinks it to %s; a %d-layer"
                        + " ReLU MLP on MNIST reaches %s test accuracy with He's initialisation and %s with the"
                        + " default (%d seeds each).",
                Experiment.POST, depth, stacks.at("/config/width").asInt(),
                fmt(mean(s.rows("relu-he", "pre_std"), depth - 1)),
                fmt(stackOf(stacks, "relu", "he").theory().preStd()[depth - 1]),
                fmt(mean(s.rows("relu-default", "pre_std"), depth - 1)),
                train.at("/config/depth").asInt(),
                pct(meanFinal(t, "relu-he")), pct(meanFinal(t, "relu-default")), train.at("/config/seeds").asInt());
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned stacks = Pinned.load(resultsDir, "stacks");
        Pinned fan = Pinned.load(resultsDir, "fan");
        Pinned interventions = Pinned.load(resultsDir, "interventions");
        Pinned train = Pinned.load(resultsDir, "trainability");
        Map<String, String> facts = new LinkedHashMap<>();
        stacks(stacks, outDir, facts);
        fan(fan, outDir, facts);
        interventions(interventions, stacks, outDir, facts);
        trainability(train, outDir, facts);
        unboxed.kit.Facts.fixtures(Experiment.POST, facts);
        // attribute names may not hold dots: Facts names normal-0.01 normal-001
        unboxed.kit.Facts.write(outDir, List.of(stacks, fan, interventions, train), facts);
    }

    // ------------------------------------------------------------------ reading points

    static double[] numbers(JsonNode arr) {
        return SweepPoints.numbers(arr);
    }

    static Stack stackOf(Pinned p, String act, String scheme) {
        int width = p.at("/config/width").asInt();
        int depth = p.at("/config/depth").asInt();
        return new Stack(Stack.square(width, depth), Activation.byId(act), Scheme.byId(scheme),
                p.at("/config/batch").asInt(), 0, 1, new int[0]);
    }

    /** How many leading layers every seed has finite and positive (what a logarithmic axis can show). */
    static int showable(double[][] rows) {
        int n = rows[0].length;
        for (double[] r : rows) {
            int k = 0;
            while (k < r.length && Double.isFinite(r[k]) && r[k] > 0) {
                k++;
            }
            n = Math.min(n, k);
        }
        return n;
    }

    static double[][] prefix(double[][] rows, int n) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = Arrays.copyOf(rows[i], n);
        }
        return out;
    }

    static double[] layers(int n, int from) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + from;
        }
        return x;
    }

    static double mean(double[][] rows, int layer) {
        double s = 0;
        for (double[] r : rows) {
            s += r[layer];
        }
        return s / rows.length;
    }

    /** The theory's values where a float32 measurement could show them (1e-38 to 1e38); the prefix length. */
    static int theoryShowable(double[] y) {
        int k = 0;
        while (k < y.length && y[k] > 1e-38 && y[k] < 1e38) {
            k++;
        }
        return k;
    }

    /**
     * Adds measured (seed band) and predicted (dashed) curves of one field per configuration, as
     * log10 of the value when {@code log10} (a linear axis of exponents reads better than a
     * logarithmic axis once curves span tens of decades). Measured curves stop where a seed's
     * value is no longer finite and positive, predicted ones where they leave float32's range.
     */
    static void overlay(Figures.LineFigure f, SweepPoints pts, String config, String label, String field, double[] theory,
                        boolean log10) {
        overlay(f, pts, config, label, field, theory, log10, false);
    }

    /**
     * As above; {@code thin} draws layers 1 to 10 and then every other layer (and the last): the
     * 100-layer curves are smooth there, and the page's SVGs half as large.
     */
    static void overlay(Figures.LineFigure f, SweepPoints pts, String config, String label, String field, double[] theory,
                        boolean log10, boolean thin) {
        // forward quantities are drawn from layer 1 up to where float32 gives out; gradients, which
        // start at the loss, from the top layer down to where it gives out
        boolean fromTop = field.contains("grad");
        double[][] rows = pts.rows(config, field);
        int[] run = fromTop ? suffix(rows) : new int[] {0, showable(rows)};
        if (run[1] > run[0]) {
            int[] at = kept(run[0], run[1], thin);
            double[][] r = new double[rows.length][at.length];
            for (int s = 0; s < rows.length; s++) {
                for (int i = 0; i < at.length; i++) {
                    r[s][i] = log10 ? Math.log10(rows[s][at[i]]) : rows[s][at[i]];
                }
            }
            f.seeds(label, layersAt(at), r);
        }
        if (theory != null) {
            int[] trun = fromTop ? theorySuffix(theory) : new int[] {0, theoryShowable(theory)};
            if (trun[1] > trun[0]) {
                int[] at = kept(trun[0], trun[1], thin);
                double[] t = new double[at.length];
                for (int i = 0; i < at.length; i++) {
                    t[i] = log10 ? Math.log10(theory[at[i]]) : theory[at[i]];
                }
                f.dashed(label + " (theory)", layersAt(at), t);
            }
        }
    }

    /** [from, n): the longest run ending at the top layer where every seed is finite and positive. */
    static int[] suffix(double[][] rows) {
        int n = rows[0].length;
        int from = n;
        while (from > 0) {
            boolean ok = true;
            for (double[] r : rows) {
                ok &= Double.isFinite(r[from - 1]) && r[from - 1] > 0;
            }
            if (!ok) {
                break;
            }
            from--;
        }
        return new int[] {from, n};
    }

    /** [from, n): the longest run of predictions ending at the top that float32 could show. */
    static int[] theorySuffix(double[] y) {
        int from = y.length;
        while (from > 0 && y[from - 1] > 1e-38 && y[from - 1] < 1e38) {
            from--;
        }
        return new int[] {from, y.length};
    }

    /** The 0-based layer indices drawn of [from, to). */
    static int[] kept(int from, int to, boolean thin) {
        List<Integer> at = new ArrayList<>();
        for (int i = from; i < to; i++) {
            if (!thin || i < 10 || i % 2 == 1 || i == from || i == to - 1) {
                at.add(i);
            }
        }
        return at.stream().mapToInt(Integer::intValue).toArray();
    }

    static double[] layersAt(int[] at) {
        double[] x = new double[at.length];
        for (int i = 0; i < at.length; i++) {
            x[i] = at[i] + 1;
        }
        return x;
    }

    /** The first layer (1-based) where any seed's value leaves [lo, hi] or is not finite, or 0 when none does. */
    static int leaves(double[][] rows, double lo, double hi) {
        int n = rows[0].length;
        for (int l = 0; l < n; l++) {
            for (double[] r : rows) {
                if (!(r[l] >= lo && r[l] <= hi)) {
                    return l + 1;
                }
            }
        }
        return 0;
    }

    /** The first layer where any seed's value is not finite (overflow), or 0. */
    static int firstNonFinite(double[][] rows) {
        for (int l = 0; l < rows[0].length; l++) {
            for (double[] r : rows) {
                if (!Double.isFinite(r[l])) {
                    return l + 1;
                }
            }
        }
        return 0;
    }

    /** The first layer where any seed's value is exactly 0 (underflow, or every ReLU dead), or 0. */
    static int firstZero(double[][] rows) {
        for (int l = 0; l < rows[0].length; l++) {
            for (double[] r : rows) {
                if (r[l] == 0) {
                    return l + 1;
                }
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ stacks

    private static List<String> schemeLabels(List<Scheme> schemes) {
        return schemes.stream().map(s -> s.label).toList();
    }

    private void stacks(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        int depth = p.at("/config/depth").asInt();
        int width = p.at("/config/width").asInt();
        facts.put("width", String.valueOf(width));
        facts.put("depth", String.valueOf(depth));
        facts.put("batch", p.at("/config/batch").asText());
        facts.put("seeds", p.at("/config/seeds").asText());
        facts.put("points", String.valueOf(p.at("/points").size()));
        List<List<?>> rows = new ArrayList<>();
        for (Activation act : Experiment.ACTIVATIONS) {
            Figures.LineFigure fwd = Figures.line("forward-std-" + act.id, "Forward, " + act.id + ": std of h_l, measured and"
                            + " predicted (dashed)")
                    .axes("layer l", "log10 of std(h_l)").size(760, 560)
                    .colours(schemeLabels(Experiment.SCHEMES));
            Figures.LineFigure bwd = Figures.line("backward-std-" + act.id, "Backward, " + act.id + ": std of ∂L/∂h_l,"
                            + " measured and predicted (dashed)")
                    .axes("layer l", "log10 of std(∂L/∂h_l)").size(760, 560)
                    .colours(schemeLabels(Experiment.SCHEMES));
            for (Scheme sc : Experiment.SCHEMES) {
                String config = act.id + "-" + sc.id;
                Theory.Prediction th = stackOf(p, act.id, sc.id).theory();
                overlay(fwd, pts, config, sc.label, "pre_std", th.preStd(), true, true);
                overlay(bwd, pts, config, sc.label, "grad_std", th.gradStd(), true, true);
                double[][] f = pts.rows(config, "pre_std");
                double[][] g = pts.rows(config, "grad_std");
                int overflow = firstNonFinite(f);
                int underflow = firstZero(f);
                String key = act.id + "-" + sc.id;
                String last = describeLast(f, depth);
                facts.put(key + "-std-last", last);
                facts.put(key + "-std-last-theory", fmt(th.preStd()[depth - 1]));
                facts.put(key + "-std-10", describeAt(f, 10));
                facts.put(key + "-std-1", describeAt(f, 1));
                facts.put(key + "-overflow-at", String.valueOf(overflow));
                facts.put(key + "-zero-at", String.valueOf(underflow));
                facts.put(key + "-grad-zero-below", String.valueOf(lastZero(g) + 1));
                facts.put(key + "-grad-first", describeAt(g, 1));
                facts.put(key + "-grad-first-theory", fmt(th.gradStd()[0]));
                int fLeave = leaves(f, 1 / BAND, BAND);
                double top = mean(g, depth - 1);
                int gLeave = leavesFromTop(g, top / BAND, top * BAND);
                int gZero = lastZero(g);
                facts.put(key + "-forward-leaves", fLeave == 0 ? "never" : "layer " + fLeave);
                facts.put(key + "-backward-leaves", gLeave == 0 ? "never" : "layer " + gLeave);
                rows.add(List.of(act.id, sc.label, describeAt(f, 1), describeAt(f, 10), last, fmt(th.preStd()[depth - 1]),
                        fLeave == 0 ? "–" : String.valueOf(fLeave),
                        describeAt(g, 1), fmt(th.gradStd()[0]), gLeave == 0 ? "–" : String.valueOf(gLeave),
                        float32(depth, overflow, underflow, firstNonFinite(g) > 0 ? lastNonFinite(g) : 0, gZero)));
            }
            fwd.from(p).save(outDir);
            bwd.from(p).save(outDir);
        }
        Tables.write(outDir, "choke-points", "Where each initialisation stops working: the standard deviation of the"
                        + " layer outputs at layers 1, 10 and " + depth + " (mean over seeds) against the prediction,"
                        + " and the first layer where any seed leaves [0.1, 10]; the same for the gradient at layer 1,"
                        + " and the first layer, going down from the loss, where it leaves [1/10, 10] times its value"
                        + " at the top; and where float32 gives out (overflow to ∞ or NaN, underflow to exact zeros)",
                List.of("φ", "initialisation", "std h_1", "std h_10", "std h_" + depth, "predicted", "forward leaves at",
                        "std ∂L/∂h_1", "predicted", "backward leaves at", "float32"), rows, List.of(p));
        // the activations' means: one good initialisation per activation
        Figures.LineFigure means = Figures.line("activation-mean", "Mean of the activations x_l = φ(h_l), measured and"
                        + " predicted (dashed)")
                .axes("layer l", "mean of x_l").size(760, 460)
                .colours(List.of("none, Glorot", "tanh, Glorot", "ReLU, He", "sigmoid, Glorot"));
        String[][] good = {{"none", "xavier", "none, Glorot"}, {"tanh", "xavier", "tanh, Glorot"},
            {"relu", "he", "ReLU, He"}, {"sigmoid", "xavier", "sigmoid, Glorot"}};
        for (String[] g : good) {
            double[][] r = pts.rows(g[0] + "-" + g[1], "post_mean");
            means.seeds(g[2], layers(depth, 1), r);
            means.dashed(g[2] + " (theory)", layers(depth, 1), stackOf(p, g[0], g[1]).theory().postMean());
            facts.put(g[0] + "-" + g[1] + "-mean-last", fmt(mean(r, depth - 1)));
        }
        means.from(p).save(outDir);
        // weight-gradient norms, ReLU and tanh
        for (String act : List.of("relu", "tanh")) {
            Figures.LineFigure wg = Figures.line("weight-grad-norm-" + act, "Weight gradients, " + act
                            + ": ‖∂L/∂W_l‖, measured and predicted (dashed)")
                    .axes("layer l", "log10 of ‖∂L/∂W_l‖").size(760, 560).colours(schemeLabels(Experiment.SCHEMES));
            for (Scheme sc : Experiment.SCHEMES) {
                overlay(wg, pts, act + "-" + sc.id, sc.label, "weight_grad_norm",
                        stackOf(p, act, sc.id).theory().weightGradNorm(), true, true);
            }
            wg.from(p).save(outDir);
        }
        // histograms at a few depths
        int[] at = numbersInt(p.at("/config/histograms_at"));
        double range = p.at("/config/histogram_range").asDouble();
        for (String[] h : new String[][] {{"tanh", "normal-1"}, {"tanh", "xavier"}, {"relu", "he"}, {"sigmoid", "default"}}) {
            JsonNode point = pts.seeds(h[0] + "-" + h[1]).get(0);
            Figures.LineFigure f = Figures.line("histograms-" + h[0] + "-" + h[1], "Activations x_l, " + h[0]
                            + " with " + Scheme.byId(h[1]).label + ", standardized per layer (seed "
                            + point.get("seed").asLong() + ")")
                    .axes("(x − mean) / std", "density").size(720, 400);
            for (int l : at) {
                JsonNode hist = point.at("/histograms/" + l);
                long[] counts = new long[hist.get("counts").size()];
                long total = hist.get("below").asLong() + hist.get("above").asLong() + hist.get("non_finite").asLong();
                for (int i = 0; i < counts.length; i++) {
                    counts[i] = hist.get("counts").get(i).asLong();
                    total += counts[i];
                }
                double w = 2 * range / counts.length;
                double[] x = new double[counts.length];
                double[] d = new double[counts.length];
                for (int i = 0; i < counts.length; i++) {
                    x[i] = -range + (i + 0.5) * w;
                    d[i] = counts[i] / (total * w);
                }
                f.line("layer " + l, x, d);
            }
            f.from(p).save(outDir);
        }
        // the numbers the prose quotes
        double[][] reluHe = pts.rows("relu-he", "pre_std");
        facts.put("relu-he-std-last-min", fmt(Arrays.stream(reluHe).mapToDouble(r -> r[depth - 1]).min().orElseThrow()));
        facts.put("relu-he-std-last-max", fmt(Arrays.stream(reluHe).mapToDouble(r -> r[depth - 1]).max().orElseThrow()));
        facts.put("relu-default-factor", fmt(Math.sqrt(1.0 / 6)));
        facts.put("default-bias-floor", fmt(stackOf(p, "relu", "default").theory().preStd()[depth - 1]));
        facts.put("he-factor-relu-normal1", fmt(Math.sqrt(width / 2.0)));
        facts.put("normal1-linear-factor", fmt(Math.sqrt(width)));
        facts.put("normal001-linear-factor", fmt(0.01 * Math.sqrt(width)));
        facts.put("tanh-he-grad-growth", fmt(Math.pow(stackOf(p, "tanh", "he").theory().gradStd()[0]
                / stackOf(p, "tanh", "he").theory().gradStd()[depth - 1], 1.0 / (depth - 1))));
        // largest deviation of measurement from theory where both are finite and the theory is within float range
        worstTheory(pts, p, depth, facts);
    }

    /** Per activation and scheme, the measured/predicted ratio of forward std at layers 10 and the last, summarised. */
    private void worstTheory(SweepPoints pts, Pinned p, int depth, Map<String, String> facts) {
        double globalWorst = 1;
        String globalConfig = "";
        int within10 = 0;
        int configs = 0;
        for (Activation act : Experiment.ACTIVATIONS) {
            for (Scheme sc : Experiment.SCHEMES) {
                double[][] f = pts.rows(act.id + "-" + sc.id, "pre_std");
                double[] th = stackOf(p, act.id, sc.id).theory().preStd();
                int n = Math.min(showable(f), theoryShowable(th));
                double worst = 1;
                int worstAt = 0;
                for (int l = 0; l < n; l++) {
                    double ratio = mean(f, l) / th[l];
                    if (Math.abs(Math.log(ratio)) > Math.abs(Math.log(worst))) {
                        worst = ratio;
                        worstAt = l + 1;
                    }
                }
                facts.put(act.id + "-" + sc.id + "-worst-ratio", fmt(worst));
                facts.put(act.id + "-" + sc.id + "-worst-ratio-at", String.valueOf(worstAt));
                configs++;
                within10 += Math.abs(Math.log(worst)) <= Math.log(1.1) ? 1 : 0;
                if (Math.abs(Math.log(worst)) > Math.abs(Math.log(globalWorst))) {
                    globalWorst = worst;
                    globalConfig = act.id + " with " + sc.label + " (layer " + worstAt + ")";
                }
            }
        }
        facts.put("theory-worst-ratio", fmt(globalWorst));
        facts.put("theory-worst-config", globalConfig);
        facts.put("theory-within-10pct", within10 + " of " + configs);
    }

    /** The highest layer (1-based) where any seed's gradient is exactly 0, or 0 when none is. */
    static int lastZero(double[][] rows) {
        for (int l = rows[0].length - 1; l >= 0; l--) {
            for (double[] r : rows) {
                if (r[l] == 0) {
                    return l + 1;
                }
            }
        }
        return 0;
    }

    /** The highest layer (1-based) where any seed's value is not finite, or 0. */
    static int lastNonFinite(double[][] rows) {
        for (int l = rows[0].length - 1; l >= 0; l--) {
            for (double[] r : rows) {
                if (!Double.isFinite(r[l])) {
                    return l + 1;
                }
            }
        }
        return 0;
    }

    static String float32(int depthOf, int forwardOverflow, int forwardZero, int backwardOverflow, int backwardZero) {
        List<String> parts = new ArrayList<>();
        if (forwardOverflow > 0) {
            parts.add("h overflows at layer " + forwardOverflow);
        }
        if (forwardZero > 0) {
            parts.add("h is 0 from layer " + forwardZero);
        }
        if (backwardOverflow > 0) {
            parts.add("∂L/∂h overflows below layer " + (backwardOverflow + 1));
        }
        if (backwardZero == depthOf) {
            parts.add("∂L/∂h is 0 at every layer");
        } else if (backwardZero > 0) {
            parts.add("∂L/∂h is 0 below layer " + (backwardZero + 1));
        }
        return parts.isEmpty() ? "–" : String.join("; ", parts);
    }

    /** Like {@link #leaves} but walking down from the top layer, relative to band [lo, hi]; returns the 1-based layer. */
    static int leavesFromTop(double[][] rows, double lo, double hi) {
        int n = rows[0].length;
        for (int l = n - 1; l >= 0; l--) {
            for (double[] r : rows) {
                if (!(r[l] >= lo && r[l] <= hi)) {
                    return l + 1;
                }
            }
        }
        return 0;
    }

    static int[] numbersInt(JsonNode arr) {
        int[] v = new int[arr.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = arr.get(i).asInt();
        }
        return v;
    }

    /** The mean over seeds at a 1-based layer, or what went wrong there. */
    static String describeAt(double[][] rows, int layer) {
        for (double[] r : rows) {
            if (!Double.isFinite(r[layer - 1])) {
                return "overflow";
            }
        }
        return fmt(mean(rows, layer - 1));
    }

    static String describeLast(double[][] rows, int depth) {
        return describeAt(rows, depth);
    }

    // ------------------------------------------------------------------ fan

    private void fan(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        int[] widths = numbersInt(p.at("/config/widths"));
        int batch = p.at("/config/batch").asInt();
        int depth = widths.length - 1;
        List<Scheme> schemes = Experiment.FAN_SCHEMES;
        Figures.LineFigure fwd = Figures.line("fan-forward", "A funnel from " + widths[0] + " to " + widths[depth]
                        + " units, no activation: std of h_l")
                .axes("layer l", "std of h_l").logY().size(720, 440).colours(schemeLabels(schemes));
        Figures.LineFigure bwd = Figures.line("fan-backward", "The same funnel: std of ∂L/∂h_l")
                .axes("layer l", "std of ∂L/∂h_l").logY().size(720, 440).colours(schemeLabels(schemes));
        for (Scheme sc : schemes) {
            Stack st = new Stack(widths, Activation.NONE, sc, batch, 0, 1, new int[0]);
            Theory.Prediction th = st.theory();
            overlay(fwd, pts, sc.id, sc.label, "pre_std", th.preStd(), false);
            overlay(bwd, pts, sc.id, sc.label, "grad_std", th.gradStd(), false);
            facts.put("fan-" + sc.id + "-forward-last", fmt(mean(pts.rows(sc.id, "pre_std"), depth - 1)));
            facts.put("fan-" + sc.id + "-backward-first", fmt(mean(pts.rows(sc.id, "grad_std"), 0)));
            facts.put("fan-" + sc.id + "-forward-last-theory", fmt(th.preStd()[depth - 1]));
            facts.put("fan-" + sc.id + "-backward-first-theory", fmt(th.gradStd()[0]));
        }
        fwd.from(p).save(outDir);
        bwd.from(p).save(outDir);
        facts.put("fan-from", String.valueOf(widths[0]));
        facts.put("fan-to", String.valueOf(widths[depth]));
        facts.put("fan-depth", String.valueOf(depth));
    }

    // ------------------------------------------------------------------ interventions

    private void interventions(Pinned p, Pinned stacks, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        SweepPoints base = new SweepPoints(stacks);
        int depth = p.at("/config/depth").asInt();
        int k = p.at("/config/rescale_layer").asInt();
        double factor = p.at("/config/rescale_factor").asDouble();
        facts.put("rescale-layer", String.valueOf(k));
        facts.put("rescale-factor", fmt(factor));
        for (String dir : List.of("forward", "backward")) {
            String field = dir.equals("forward") ? "pre_std" : "grad_std";
            Figures.LineFigure f = Figures.line("rescale-" + dir, "Layer " + k + "'s weights times " + fmt(factor)
                            + ": std of " + (dir.equals("forward") ? "h_l" : "∂L/∂h_l") + ", predicted dashed")
                    .axes("layer l", dir.equals("forward") ? "std of h_l" : "std of ∂L/∂h_l").logY().size(760, 500)
                    .colours(List.of("ReLU, He, rescaled", "tanh, Glorot, rescaled", "none, Glorot, rescaled",
                            "ReLU, He", "tanh, Glorot", "none, Glorot"));
            for (String[] c : new String[][] {{"relu", "he", "ReLU, He"}, {"tanh", "xavier", "tanh, Glorot"},
                {"none", "xavier", "none, Glorot"}}) {
                Stack rescaled = new Stack(Stack.square(p.at("/config/width").asInt(), depth), Activation.byId(c[0]),
                        Scheme.byId(c[1]), p.at("/config/batch").asInt(), k, factor, new int[0]);
                Theory.Prediction th = rescaled.theory();
                overlay(f, pts, "rescale-" + c[0] + "-" + c[1], c[2] + ", rescaled", field,
                        dir.equals("forward") ? th.preStd() : th.gradStd(), false);
                overlay(f, base, c[0] + "-" + c[1], c[2], field, null, false);
                if (dir.equals("forward")) {
                    double[][] r = pts.rows("rescale-" + c[0] + "-" + c[1], field);
                    double[][] b = base.rows(c[0] + "-" + c[1], field);
                    String key = "rescale-" + c[0] + "-" + c[1];
                    facts.put(key + "-jump", fmt(mean(r, k - 1) / mean(b, k - 1)));
                    facts.put(key + "-jump-theory", fmt(th.preStd()[k - 1]
                            / stackOf(stacks, c[0], c[1]).theory().preStd()[k - 1]));
                    facts.put(key + "-last-ratio", fmt(mean(r, depth - 1) / mean(b, depth - 1)));
                    facts.put(key + "-last-ratio-theory", fmt(th.preStd()[depth - 1]
                            / stackOf(stacks, c[0], c[1]).theory().preStd()[depth - 1]));
                } else {
                    double[][] r = pts.rows("rescale-" + c[0] + "-" + c[1], field);
                    double[][] b = base.rows(c[0] + "-" + c[1], field);
                    facts.put("rescale-" + c[0] + "-" + c[1] + "-grad-first-ratio", fmt(mean(r, 0) / mean(b, 0)));
                }
            }
            f.from(p, stacks).save(outDir);
        }
        // the same variance, another distribution
        Figures.LineFigure shape = Figures.line("same-variance", "Same variance, other distribution: std of h_l")
                .axes("layer l", "std of h_l").logY().size(760, 460)
                .colours(List.of("ReLU, He normal", "ReLU, He uniform", "tanh, Glorot uniform", "tanh, Glorot normal"));
        List<List<?>> rows = new ArrayList<>();
        for (String[] c : new String[][] {{"relu", "he", "he-uniform", "ReLU, He normal", "ReLU, He uniform"},
            {"tanh", "xavier", "xavier-normal", "tanh, Glorot uniform", "tanh, Glorot normal"}}) {
            overlay(shape, base, c[0] + "-" + c[1], c[3], "pre_std", stackOf(stacks, c[0], c[1]).theory().preStd(), false);
            overlay(shape, pts, "shape-" + c[0] + "-" + c[2], c[4], "pre_std", null, false);
            double[][] a = base.rows(c[0] + "-" + c[1], "pre_std");
            double[][] b = pts.rows("shape-" + c[0] + "-" + c[2], "pre_std");
            double[][] ga = base.rows(c[0] + "-" + c[1], "grad_std");
            double[][] gb = pts.rows("shape-" + c[0] + "-" + c[2], "grad_std");
            rows.add(List.of(c[0], Scheme.byId(c[1]).label, Scheme.byId(c[2]).label, spread(a, depth - 1),
                    spread(b, depth - 1), spread(ga, 0), spread(gb, 0)));
            facts.put("shape-" + c[0] + "-last-a", fmt(mean(a, depth - 1)));
            facts.put("shape-" + c[0] + "-last-b", fmt(mean(b, depth - 1)));
        }
        shape.from(p, stacks).save(outDir);
        Tables.write(outDir, "same-variance", "Same variance, other distribution: std of h_" + depth + " and of ∂L/∂h_1,"
                        + " mean ± std over seeds",
                List.of("φ", "weights", "other weights", "std h_" + depth, "other", "std ∂L/∂h_1", "other"), rows,
                List.of(stacks, p));
    }

    static String spread(double[][] rows, int layer) {
        double m = mean(rows, layer);
        double v = 0;
        for (double[] r : rows) {
            v += (r[layer] - m) * (r[layer] - m);
        }
        return fmt(m) + " ± " + fmt(Math.sqrt(v / Math.max(1, rows.length - 1)));
    }

    // ------------------------------------------------------------------ trainability

    static double meanFinal(SweepPoints t, String config) {
        double s = 0;
        List<JsonNode> l = t.seeds(config);
        for (JsonNode n : l) {
            s += n.get("final_test_accuracy").asDouble();
        }
        return s / l.size();
    }

    private void trainability(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        int depth = p.at("/config/depth").asInt();
        facts.put("mlp-depth", String.valueOf(depth));
        facts.put("mlp-width", p.at("/config/width").asText());
        facts.put("mlp-train", p.at("/config/train_images").asText());
        facts.put("mlp-test", p.at("/config/test_images").asText());
        facts.put("mlp-epochs", p.at("/config/epochs").asText());
        facts.put("mlp-batch", p.at("/config/batch").asText());
        facts.put("mlp-lr", p.at("/config/lr").asText());
        facts.put("mlp-momentum", p.at("/config/momentum").asText());
        facts.put("mlp-seeds", p.at("/config/seeds").asText());
        List<List<?>> rows = new ArrayList<>();
        for (Activation act : Experiment.TRAIN_ACTIVATIONS) {
            Figures.LineFigure acc = Figures.line("trainability-" + act.id, "Training the " + depth + "-layer "
                            + act.id + " MLP on MNIST: test accuracy (band: min to max over seeds)")
                    .axes("step", "test accuracy").size(760, 460).colours(schemeLabels(Experiment.SCHEMES));
            Figures.LineFigure f0 = Figures.line("step0-forward-" + act.id, "The same " + act.id + " MLP at step 0,"
                            + " first batch: std of h_l")
                    .axes("layer l", "log10 of std(h_l)").size(760, 460).colours(schemeLabels(Experiment.SCHEMES));
            Figures.LineFigure g0 = Figures.line("step0-backward-" + act.id, "The same " + act.id + " MLP at step 0:"
                            + " std of ∂L/∂h_l (cross-entropy)")
                    .axes("layer l", "log10 of std(∂L/∂h_l)").size(760, 460).colours(schemeLabels(Experiment.SCHEMES));
            for (Scheme sc : Experiment.SCHEMES) {
                String config = act.id + "-" + sc.id;
                List<JsonNode> seeds = pts.seeds(config);
                double[] steps = numbers(seeds.get(0).get("steps"));
                double[][] a = pts.rows(config, "test_accuracy");
                acc.seeds(sc.label, steps, a);
                overlay(f0, pts, config, sc.label, "step0/pre_std", null, true);
                overlay(g0, pts, config, sc.label, "step0/grad_std", null, true);
                double[][] f = pts.rows(config, "step0/pre_std");
                double[][] g = pts.rows(config, "step0/grad_std");
                int diverged = 0;
                for (JsonNode n : seeds) {
                    diverged += n.get("diverged_at_step").isNull() ? 0 : 1;
                }
                double[] fin = new double[seeds.size()];
                for (int i = 0; i < fin.length; i++) {
                    fin[i] = seeds.get(i).get("final_test_accuracy").asDouble();
                }
                double m = Arrays.stream(fin).average().orElseThrow();
                double sd = Math.sqrt(Arrays.stream(fin).map(v -> (v - m) * (v - m)).sum() / Math.max(1, fin.length - 1));
                rows.add(List.of(act.id, sc.label, describeAt(f, depth - 1), describeAt(g, 1),
                        String.format(Locale.ROOT, "%.1f%% ± %.1f", 100 * m, 100 * sd),
                        diverged + " of " + seeds.size()));
                facts.put("train-" + config, pct(m));
                facts.put("train-" + config + "-sd", String.format(Locale.ROOT, "%.1f", 100 * sd));
                facts.put("train-" + config + "-step0-std", describeAt(f, depth - 1));
                facts.put("train-" + config + "-step0-grad", describeAt(g, 1));
                facts.put("train-" + config + "-diverged", String.valueOf(diverged));
            }
            acc.from(p).save(outDir);
            f0.from(p).save(outDir);
            g0.from(p).save(outDir);
        }
        Tables.write(outDir, "trainability", "Step 0 against the end of training: the std of the last hidden layer's"
                        + " output h_" + (depth - 1) + " and of the first layer's gradient ∂L/∂h_1 on the first batch"
                        + " (mean over seeds), and the test accuracy after " + p.at("/config/epochs").asText()
                        + " epochs (mean ± std over " + p.at("/config/seeds").asText() + " seeds)",
                List.of("φ", "initialisation", "step 0: std h_" + (depth - 1), "step 0: std ∂L/∂h_1", "test accuracy",
                        "diverged"), rows, List.of(p));
    }

    // ------------------------------------------------------------------ formatting

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e4 && v != 0) {
            return String.valueOf((long) v);
        }
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : (v > 0 ? "∞" : "−∞");
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e4 || a < 1e-3) {
            // the exponent in superscript characters: the same in prose, tables and captions
            String[] parts = String.format(Locale.ROOT, "%.2e", v).split("e");
            StringBuilder e = new StringBuilder();
            for (char c : String.valueOf(Integer.parseInt(parts[1])).toCharArray()) {
                e.append(c == '-' ? '⁻' : "⁰¹²³⁴⁵⁶⁷⁸⁹".charAt(c - '0'));
            }
            return parts[0] + "·10" + e;
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
