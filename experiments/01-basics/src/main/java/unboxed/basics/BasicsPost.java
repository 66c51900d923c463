package unboxed.basics;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import unboxed.io.RepoRoot;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.Tables;

/** Post 01's figures and tables, drawn from its pinned results only. */
public final class BasicsPost implements Post {
    /** A loss "trains" when its mean final test accuracy reaches this; below it, it learns slowly or not at all. */
    static final double TRAINS = 0.90;
    /** Each loss keeps one colour in every figure, in this order. */
    static final List<String> FORMULAS = java.util.Arrays.stream(LossOfP.values()).map(LossOfP::formula).toList();

    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Basics: ReLU, Linear, the losses and SGD by hand";
    }

    @Override
    public String summary() {
        return "ReLU, Linear, CrossEntropyLoss, BCEWithLogitsLoss and SGD with hand-derived gradients, checked against"
                + " PyTorch; and how cross-entropy compares with other losses of the correct-class probability on MNIST.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned la = Pinned.load(resultsDir, "loss-alternatives");
        Pinned gm = Pinned.load(resultsDir, "gradient-magnitude");
        Pinned bh = Pinned.load(resultsDir, "byhand-check");
        Map<String, String> facts = new LinkedHashMap<>();
        learningCurves(la, outDir);
        accuracyTable(la, outDir, facts);
        gradientFigure(gm, outDir);
        byHandTable(bh, outDir, facts);
        byHandFixtureTable(outDir, facts);
        BenchTable.write(resultsDir, outDir, facts);
        unboxed.kit.GpuTables.write(resultsDir, outDir, facts, List.of("sgemm_"));
        writeFacts(outDir, facts, List.of(la, gm, bh));
    }

    private static void learningCurves(Pinned la, Path outDir) throws IOException {
        Figures.LineFigure fig = Figures.line("learning-curves",
                "Training accuracy (running mean over " + la.at("/config/log_every_steps").asInt()
                        + " steps) of the MNIST MLP per loss")
                .axes("SGD step", "training accuracy").size(760, 600).colours(FORMULAS).from(la);
        for (Map.Entry<String, JsonNode> e : la.at("/losses").properties()) {
            String label = e.getValue().get("formula").asText();
            JsonNode runs = e.getValue().get("runs");
            List<double[]> ys = new ArrayList<>();
            double[] x = null;
            boolean diverged = false;
            for (JsonNode r : runs) {
                if (!r.get("divergedAtStep").isNull()) {
                    diverged = true;
                    continue;
                }
                x = doubles(r.get("steps"));
                ys.add(doubles(r.get("trainAccuracy")));
            }
            if (diverged || ys.isEmpty()) {
                continue; // shown in the table: a run that diverged has no curve to draw
            }
            fig.seeds(label, x, ys.toArray(new double[0][]));
        }
        fig.save(outDir);
    }

    /** One loss's runs in loss-alternatives.json, as the table, the prose and the README's finding quote them. */
    record LossSummary(String id, String formula, String logitGradient, List<String> perSeed, double mean, double std,
                       List<String> nanSteps, int runs, String verdict) {
    }

    /** Every loss of loss-alternatives.json, in the file's order. */
    static List<LossSummary> summarise(Pinned la) {
        List<LossSummary> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : la.at("/losses").properties()) {
            SummaryStatistics acc = new SummaryStatistics();
            List<String> perSeed = new ArrayList<>();
            int diverged = 0;
            List<String> nanSteps = new ArrayList<>();
            for (JsonNode r : e.getValue().get("runs")) {
                double a = r.get("finalTestAccuracy").asDouble();
                acc.addValue(a);
                boolean d = !r.get("divergedAtStep").isNull();
                diverged += d ? 1 : 0;
                if (d) {
                    nanSteps.add(r.get("divergedAtStep").asText());
                }
                perSeed.add(pct(a) + (d ? " (NaN at step " + r.get("divergedAtStep").asInt() + ")" : ""));
            }
            String verdict = diverged > 0 ? "diverges" : acc.getMean() >= TRAINS ? "trains" : "learns slowly";
            out.add(new LossSummary(e.getKey(), e.getValue().get("formula").asText(),
                    e.getValue().get("logit_gradient").asText(), perSeed, acc.getMean(), acc.getStandardDeviation(),
                    nanSteps, e.getValue().get("runs").size(), verdict));
        }
        return out;
    }

    private static void accuracyTable(Pinned la, Path outDir, Map<String, String> facts) throws IOException {
        List<List<?>> rows = new ArrayList<>();
        for (LossSummary l : summarise(la)) {
            rows.add(List.of(l.formula(), l.logitGradient(), String.join(", ", l.perSeed()),
                    pct(l.mean()) + " ± " + pct(l.std()), l.verdict()));
            String key = l.id().replace('_', '-');
            facts.put("acc-" + key, pct(l.mean()));
            facts.put("verdict-" + key, l.verdict());
            facts.put("nan-steps-" + key, l.nanSteps().isEmpty() ? "in none of the pinned runs"
                    : (l.nanSteps().size() == 1 ? "at step " : "at steps ") + String.join(", ", l.nanSteps())
                    + " in " + l.nanSteps().size() + " of the " + l.runs() + " pinned runs");
        }
        JsonNode cfg = la.at("/config");
        facts.put("la-epochs", cfg.get("epochs").asText());
        facts.put("la-batch", cfg.get("batch_size").asText());
        facts.put("la-lr", cfg.get("lr").asText());
        facts.put("la-train", cfg.get("train_samples").asText());
        facts.put("la-test", cfg.get("test_samples").asText());
        facts.put("la-seeds", Integer.toString(cfg.get("seeds").size()));
        facts.put("la-threshold", pct(TRAINS));
        facts.put("la-wall", String.format(Locale.ROOT, "%.0f s", la.provenance().wallSeconds()));
        Tables.write(outDir, "final-accuracy", "Test accuracy after " + cfg.get("epochs").asInt() + " epochs, per loss"
                        + " (verdict: 'trains' at a mean of " + pct(TRAINS) + " or more)",
                List.of("loss of p", "dL/dz_y", "test accuracy per seed", "mean ± std", "verdict"), rows, List.of(la));
    }

    /**
     * README's line for this post: which loss has the best mean test accuracy in the pinned runs,
     * and cross-entropy's, with the numbers of losses, seeds and epochs and the file they come from.
     */
    @Override
    public String finding(Path resultsDir) throws IOException {
        return finding(Pinned.load(resultsDir, "loss-alternatives"));
    }

    static String finding(Pinned la) {
        List<LossSummary> losses = summarise(la);
        LossSummary best = losses.get(0);
        for (LossSummary l : losses) {
            if (l.mean() > best.mean()) {
                best = l;
            }
        }
        LossSummary ce = losses.stream().filter(l -> l.id().equals(LossOfP.CROSS_ENTROPY.id())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(la.relativePath() + " has no cross-entropy runs"));
        JsonNode cfg = la.at("/config");
        String head = "Pinned result (`" + la.relativePath() + "`: " + losses.size() + " losses, "
                + cfg.get("seeds").size() + " seeds each, " + cfg.get("epochs").asInt() + " epochs): ";
        if (best == ce) {
            LossSummary next = null;
            for (LossSummary l : losses) {
                if (l != ce && (next == null || l.mean() > next.mean())) {
                    next = l;
                }
            }
            return head + "the best mean test accuracy, " + pct(ce.mean()) + ", is that of cross-entropy (`"
                    + ce.formula() + "`)" + (next == null ? "." : "; next is `" + next.formula() + "` with "
                    + pct(next.mean()) + ".");
        }
        return head + "the best mean test accuracy, " + pct(best.mean()) + ", is that of `" + best.formula()
                + "`; cross-entropy (`" + ce.formula() + "`) reaches " + pct(ce.mean()) + ".";
    }

    private static void gradientFigure(Pinned gm, Path outDir) throws IOException {
        double[] p = gm.doubles("/p");
        Figures.LineFigure fig = Figures.line("gradient-magnitude",
                        "|dL/dz_y|, the push on the correct class's logit, as a function of p")
                .axes("p = softmax(z)_y", "|dL/dz_y|").logY().size(760, 600).colours(FORMULAS).from(gm);
        for (Map.Entry<String, JsonNode> e : gm.at("/abs_grad_correct_logit").properties()) {
            double[] g = doubles(e.getValue());
            // a log axis cannot show an exact zero: clamp at the smallest positive float for display only
            for (int i = 0; i < g.length; i++) {
                g[i] = Math.max(g[i], Float.MIN_NORMAL);
            }
            fig.line(formulaOf(e.getKey()), p, g);
        }
        fig.save(outDir);
    }

    private static String formulaOf(String id) {
        for (LossOfP l : LossOfP.values()) {
            if (l.id().equals(id)) {
                return l.formula();
            }
        }
        return id;
    }

    private static void byHandTable(Pinned bh, Path outDir, Map<String, String> facts) throws IOException {
        List<List<?>> rows = new ArrayList<>();
        double worst = 0;
        for (JsonNode r : bh.at("/rows")) {
            double o = r.get("maxOutputDiff").asDouble();
            double g = r.get("maxGradDiff").asDouble();
            worst = Math.max(worst, Math.max(o, g));
            rows.add(List.of(r.get("layer").asText(), r.get("config").asText(), sci(o), sci(g)));
        }
        facts.put("byhand-autograd-worst", sci(worst));
        Tables.write(outDir, "byhand-autograd", "Hand-derived layers against the engine's autograd, same inputs",
                List.of("layer", "configuration", "max |Δ| output", "max |Δ| gradients"), rows, List.of(bh));
    }

    private static void byHandFixtureTable(Path outDir, Map<String, String> facts) throws IOException {
        Path dir = RepoRoot.get().resolve("data/fixtures/01-basics");
        List<ByHandFixtures.Summary> summaries = ByHandFixtures.run(dir);
        List<List<?>> rows = new ArrayList<>();
        int failed = 0;
        int cases = 0;
        for (ByHandFixtures.Summary s : summaries) {
            rows.add(List.of(s.layer(), s.op(), s.cases(), sci(s.maxAbsError()), sci(s.tolerance()),
                    s.failed() == 0 ? "PASS" : "FAIL " + s.failed() + " of " + s.cases()));
            failed += s.failed();
            cases += s.cases();
        }
        if (failed > 0) {
            throw new IllegalStateException("hand-derived layers fail " + failed + " PyTorch fixture cases; run"
                    + " `mvn -pl experiments/01-basics test` for details");
        }
        facts.put("byhand-fixture-cases", Integer.toString(cases));
        Tables.write(outDir, "byhand-pytorch", "Hand-derived layers against PyTorch's fixtures (computed during the build)",
                List.of("layer", "fixture op", "cases", "largest |Δ| (outputs and gradients)", "tolerance", "verdict"),
                rows, "Source: data/fixtures/01-basics/ (the cases each layer supports), checked by"
                        + " `unboxed.basics.ByHandFixtures`; regenerate the fixtures with `make fixtures`");
    }

    /** Numbers quoted in the prose, as AsciiDoc attributes, so that no number in the text is typed by hand. */
    private static void writeFacts(Path outDir, Map<String, String> facts, List<Pinned> sources) throws IOException {
        unboxed.kit.Facts.write(outDir, sources, facts);
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    static String sci(double v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.1e", v);
    }
}
