package unboxed.learningrate;

import static unboxed.learningrate.Stats.num;
import static unboxed.learningrate.Stats.rate;
import static unboxed.learningrate.Stats.strings;

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
import unboxed.kit.GnuParallel;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.SweepPoints;
import unboxed.kit.Tables;

/**
 * Post 12's figures and tables, drawn from its pinned results only; every number the prose quotes
 * is a fact computed here ({@code facts.adoc}). The sweeps' summaries (the best rate, the
 * threshold, the edge of stability) are computed by {@link RateSweep} and {@link Dynamics}.
 */
public final class LearningRatePost implements Post {
    /** One colour per quantity across the post's figures (a label matches an entry, or the entry followed by " ("). */
    static final List<String> COLOURS = List.of("measured threshold", "best rate", "2/λ₀ (prediction)",
            "output-bias limit", "linear scaling", "blew up", "measured", "chance");
    /** Rates from 1e-5: the axis needs five decimals. */
    static final String RATE_PATTERN = "0.#####";

    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Learning rate: the best one, the limit, and the strange behaviours in between";
    }

    @Override
    public String summary() {
        return "Log-spaced learning rates from 1e-5 to 10 for post 06's MLP and a small CNN on Fashion-MNIST: the best"
                + " rate and the divergence threshold against the 2/λ_max of gradient descent, in 1 to 256 input"
                + " dimensions and widths 8 to 128; the edge of stability, the catapult, batch size, warm-up and"
                + " schedules; and a sweep that gives the same bytes on a thread pool, one worker or GNU parallel.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public String finding(Path resultsDir) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        RateSweep.mlp(Pinned.load(resultsDir, "mlp"), null, f);
        RateSweep.cnn(Pinned.load(resultsDir, "cnn"), null, f);
        Dynamics.warmup(Pinned.load(resultsDir, "warmup"), null, f);
        return String.format(Locale.ROOT, "Pinned results (`data/results/%s/`): plain full-batch gradient descent"
                        + " trains post 06's 1-32-32-1 ReLU network on sin x best at lr %s and fails from %s, above the"
                        + " 2/λ₀ = %s that the initial sharpness predicts (the catapult), and from lr %s on the"
                        + " sharpness ends at 2/lr (the edge of stability); a small CNN on Fashion-MNIST (SGD, batch %s)"
                        + " peaks at %s test accuracy at lr %s and fails from %s. A warm-up trains at lr %s in %s runs"
                        + " where a constant rate and a cool-down train in %s and %s.",
                Experiment.POST, f.get("mlp-best-lr"), f.get("mlp-threshold"), f.get("mlp-predicted"),
                f.get("mlp-eos-from"), f.get("cnn-batch"), f.get("cnn-best-acc"), f.get("cnn-best-lr"),
                f.get("cnn-threshold"), f.get("warm-rescue-lr"), f.get("warm-rescue-warmup"),
                f.get("warm-rescue-constant"), f.get("warm-rescue-cooldown"));
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned mlp = Pinned.load(resultsDir, "mlp");
        Pinned cnn = Pinned.load(resultsDir, "cnn");
        Pinned dim = Pinned.load(resultsDir, "dimension");
        Pinned dyn = Pinned.load(resultsDir, "dynamics");
        Pinned batch = Pinned.load(resultsDir, "batch");
        Pinned warm = Pinned.load(resultsDir, "warmup");
        Pinned sched = Pinned.load(resultsDir, "schedules");
        Pinned demo = Pinned.load(resultsDir, "demo");
        Pinned three = Pinned.load(resultsDir, "threeways");
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("scale", mlp.at("/config/scale").asText());
        RateSweep.mlp(mlp, outDir, facts);
        RateSweep.cnn(cnn, outDir, facts);
        RateSweep.batch(batch, cnn, outDir, facts);
        Dynamics.dimension(dim, outDir, facts);
        Dynamics.edgeOfStability(dyn, outDir, facts);
        Dynamics.catapult(dyn, outDir, facts);
        Dynamics.warmup(warm, outDir, facts);
        Dynamics.schedules(sched, outDir, facts);
        sweepDemo(demo, three, outDir, facts);
        Facts.fixtures(Experiment.POST, facts);
        Facts.write(outDir, List.of(mlp, cnn, dim, dyn, batch, warm, sched, demo, three), facts);
    }

    /** The three ways of running the demo sweep, their hashes, and the pinned demo.json's own. */
    static void sweepDemo(Pinned demo, Pinned three, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode point = three.at("/points/0");
        String pinned = GnuParallel.sha256(demo.results());
        List<List<?>> rows = new ArrayList<>();
        boolean allSame = true;
        for (JsonNode w : point.get("ways")) {
            String sha = w.get("sha256").asText();
            allSame &= sha.equals(pinned);
            rows.add(List.of(w.get("way").asText().replace('-', ' '), w.get("workers").asInt(),
                    w.has("commands") ? w.get("commands").asInt() + " JVMs" : "1 JVM", "`" + sha.substring(0, 16) + "…`"));
        }
        rows.add(List.of("this run (`demo.json`)", "–", "–", "`" + pinned.substring(0, 16) + "…`"));
        facts.put("demo-points", point.get("points").asText());
        facts.put("demo-sha", "`" + pinned.substring(0, 16) + "…`");
        facts.put("demo-identical", point.get("identical").asBoolean() && allSame ? "identical" : "NOT identical");
        facts.put("demo-jobs", three.at("/config/jobs").asText());
        facts.put("demo-steps", demo.at("/config/steps").asText());
        facts.put("demo-lrs", String.join(", ", strings(demo.at("/config/lrs")).stream()
                .map(s -> rate(Double.parseDouble(s))).toList()));
        if (outDir != null) {
            Tables.write(outDir, "sweep-demo", "The demonstration sweep (" + point.get("points").asInt() + " points)"
                            + " merged after three ways of running it: the sha256 of each merged result",
                    List.of("way", "workers", "processes", "sha256 of the merged results"), rows, List.of(three, demo));
        }
    }

    // ------------------------------------------------------------------ small helpers shared by the sections

    /** A vertical dashed line at x across [lo, hi]: a marked rate in a figure. */
    static Figures.LineFigure vertical(Figures.LineFigure f, String label, double x, double lo, double hi) {
        return f.dashed(label, new double[] {x, x}, new double[] {lo, hi});
    }

    static double[] column(List<double[]> rows, int k) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[k];
        }
        return out;
    }

    static List<String> statusesOf(SweepPoints pts, String config) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : pts.seeds(config)) {
            out.add(p.get("status").asText());
        }
        return out;
    }

    /** One field of a configuration's seeds; "Infinity" and "NaN" strings as such. */
    static double[] valuesOf(SweepPoints pts, String config, String field) {
        List<JsonNode> l = pts.seeds(config);
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = num(l.get(i).get(field));
        }
        return v;
    }

    static double[] finite(double[] v) {
        return java.util.Arrays.stream(v).filter(Double::isFinite).toArray();
    }
}
