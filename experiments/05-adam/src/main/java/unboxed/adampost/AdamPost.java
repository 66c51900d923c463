package unboxed.adampost;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.knowm.xchart.XYChart;
import unboxed.kit.Figures;
import unboxed.kit.ImageGrid;
import unboxed.kit.ImageGrid.Scale;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.Tables;

/**
 * Post 05's figures and tables, drawn from its pinned results only; every number the prose quotes
 * is a fact computed here ({@code facts.adoc}). No benchmark is pinned for this post.
 */
public final class AdamPost implements Post {
    /**
     * A loss "trains" when every seed finishes with a finite loss and a test accuracy of at least
     * this; written down with the predictions, before the runs.
     */
    static final double TRAINS = 0.80;

    /** Deviations below this many tolerances (the exact zeros included) are drawn at it on the log axis. */
    static final double FLOOR = 1e-4;

    /** The first steps the bias-correction loss figure shows. */
    static final int BIAS_LOSS_STEPS = 100;

    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Adam";
    }

    @Override
    public String summary() {
        return "Adam and AdamW checked step by step against PyTorch's trajectories, with near misses that the check"
                + " tells apart; scale invariance, bias correction, a β1 × β2 sweep, Adam against tuned SGD, and the"
                + " loss family that plain SGD cannot train and Adam can, with two interventions that test why.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned tc = Pinned.load(resultsDir, "torch-check");
        Pinned si = Pinned.load(resultsDir, "scale-invariance");
        Pinned bc = Pinned.load(resultsDir, "bias-correction");
        Pinned be = Pinned.load(resultsDir, "betas");
        Pinned op = Pinned.load(resultsDir, "optimizers");
        Pinned lf = Pinned.load(resultsDir, "loss-family");
        Pinned iv = Pinned.load(resultsDir, "interventions");
        Map<String, String> facts = new LinkedHashMap<>();
        torchCheck(tc, outDir, facts);
        scaleInvariance(si, outDir, facts);
        biasCorrection(bc, outDir, facts);
        betas(be, outDir, facts);
        optimizers(op, outDir, facts);
        lossFamily(lf, iv, outDir, facts);
        double wall = 0;
        for (Pinned p : List.of(tc, si, bc, be, op, lf, iv)) {
            wall += p.provenanceJson().path("wall_seconds").asDouble();
        }
        facts.put("run-minutes", fixed(wall / 60, 1));
        unboxed.kit.Facts.write(outDir, List.of(tc, si, bc, be, op, lf, iv), facts);
    }

    // ------------------------------------------------------------------ make sure it is actually Adam

    /** The variants of the check, in the order of the figure and the table, with their labels. */
    static final Map<String, String> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put("exact_adam", "Adam (engine)");
        VARIANTS.put("exact_adamw", "AdamW (engine)");
        VARIANTS.put("exact_sgd", "SGD (engine)");
        VARIANTS.put("no_bias_correction", "Adam without bias correction");
        VARIANTS.put("eps_inside_sqrt", "Adam with eps inside the square root");
        VARIANTS.put("l2_weight_decay", "Adam's L2 decay on AdamW's cases");
    }

    private static void torchCheck(Pinned tc, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode curves = tc.at("/curves_tolerance_units");
        String title = "The largest deviation from PyTorch's parameter after each step, over every case of each"
                + " optimizer, in units of the fixtures' tolerance (at most 1: the case passes). Values below "
                + sci(FLOOR) + ", among them the exact zeros of Adam and AdamW, are drawn at " + sci(FLOOR)
                + "; the MLP's cases end at step 100, the others at 500";
        Figures.LineFigure fig = Figures.line("torch-check", title)
                .axes("step", "largest |ours − torch| / tolerance").logX().logY().size(760, 480);
        int longest = 0;
        Map<String, double[]> lines = new LinkedHashMap<>();
        for (String v : VARIANTS.keySet()) {
            double[] merged = mergeProblems(curves.get(v));
            String label = v.startsWith("exact_adam") ? "Adam and AdamW (engine)" : VARIANTS.get(v);
            double[] was = lines.get(label);
            if (was != null) {
                double[] both = new double[Math.max(was.length, merged.length)];
                for (int i = 0; i < both.length; i++) {
                    both[i] = Math.max(i < was.length ? was[i] : 0, i < merged.length ? merged[i] : 0);
                }
                merged = both;
            }
            lines.put(label, merged);
        }
        for (var e : lines.entrySet()) {
            double[] merged = e.getValue();
            longest = Math.max(longest, merged.length);
            double[] y = new double[merged.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.max(FLOOR, merged[i]);
            }
            fig.line(e.getKey(), steps(merged.length), y);
        }
        double[] one = new double[longest];
        java.util.Arrays.fill(one, 1);
        save(fig.line("tolerance", steps(longest), one), "torch-check", title, false, outDir, tc);

        // the table: per variant and problem, how many cases, how many the check catches, the largest deviation
        Map<String, int[]> counts = new TreeMap<>();
        Map<String, Double> worst = new TreeMap<>();
        Map<String, Double> least = new TreeMap<>();
        Map<String, Integer> firstCaught = new TreeMap<>();
        int cases = 0;
        int zeroDecay = 0;
        double exactAdam = 0;
        double exactSgd = 0;
        int sgdCases = 0;
        for (JsonNode c : tc.at("/cases")) {
            cases++;
            String opName = c.get("op").asText();
            String problem = c.get("problem").asText();
            JsonNode args = c.get("args");
            boolean decayFree = opName.equals("adamw") && args.has("weight_decay")
                    && args.get("weight_decay").asDouble() == 0;
            zeroDecay += decayFree ? 1 : 0;
            sgdCases += opName.equals("sgd") ? 1 : 0;
            var it = c.get("variants").fields();
            while (it.hasNext()) {
                var e = it.next();
                String v = e.getKey().equals("exact") ? "exact_" + opName : e.getKey();
                double units = number(e.getValue().get("max_tolerance_units"));
                String key = VARIANTS.keySet().stream().toList().indexOf(v) + "|" + problem;
                int[] n = counts.computeIfAbsent(key, k -> new int[2]);
                n[0]++;
                n[1] += units > 1 ? 1 : 0;
                worst.merge(key, units, Math::max);
                least.merge(key, units, Math::min);
                JsonNode first = e.getValue().get("first_step_beyond_tolerance");
                if (first != null && !first.isNull()) {
                    firstCaught.merge(key, first.asInt(), Math::min);
                }
                if (v.startsWith("exact_adam")) {
                    exactAdam = Math.max(exactAdam, number(e.getValue().get("max_abs")));
                }
                if (v.equals("exact_sgd")) {
                    exactSgd = Math.max(exactSgd, units);
                }
            }
        }
        List<List<?>> rows = new ArrayList<>();
        List<String> order = new ArrayList<>(VARIANTS.keySet());
        Map<String, int[]> caughtByVariant = new LinkedHashMap<>();
        counts.forEach((key, n) -> {
            String[] parts = key.split("\\|");
            String v = order.get(Integer.parseInt(parts[0]));
            rows.add(List.of(VARIANTS.get(v), parts[1], n[0], sci(least.get(key)), sci(worst.get(key)),
                    n[1] + " of " + n[0], firstCaught.containsKey(key) ? String.valueOf(firstCaught.get(key)) : "–"));
            int[] t = caughtByVariant.computeIfAbsent(v, k -> new int[2]);
            t[0] += n[0];
            t[1] += n[1];
        });
        Tables.write(outDir, "torch-check", "Every PyTorch trajectory of data/fixtures/05-adam replayed by the engine's"
                        + " optimizers and by three near misses of Adam: the deviation from PyTorch in units of the"
                        + " tolerance (smallest and largest over the cases), how many cases end beyond it, and the"
                        + " earliest step at which one does",
                List.of("optimizer", "problem", "cases", "smallest largest-deviation", "largest deviation",
                        "beyond the tolerance", "earliest step beyond"), rows, List.of(tc));
        facts.put("tc-cases", String.valueOf(cases));
        facts.put("tc-exact-adam", exactAdam == 0 ? "0: the same bits at every step of every case"
                : "at most " + sci(exactAdam));
        facts.put("tc-sgd-cases", String.valueOf(sgdCases));
        facts.put("tc-exact-sgd", fixed(exactSgd, 2));
        int[] nb = caughtByVariant.get("no_bias_correction");
        int[] ei = caughtByVariant.get("eps_inside_sqrt");
        int[] l2 = caughtByVariant.get("l2_weight_decay");
        facts.put("tc-nobc-caught", nb[1] + " of " + nb[0]);
        facts.put("tc-nobc-least", sci(minOver(least, order.indexOf("no_bias_correction"))));
        facts.put("tc-eps-caught", ei[1] + " of " + ei[0]);
        facts.put("tc-eps-mlp", caughtText(counts, order.indexOf("eps_inside_sqrt"), "mlp"));
        facts.put("tc-eps-small-worst", sci(Math.max(worstWithout(tc, "eps_inside_sqrt", "quadratic", "eps1e-3"),
                worstWithout(tc, "eps_inside_sqrt", "rosenbrock", "eps1e-3"))));
        facts.put("tc-eps-1e3", caughtEps1e3(tc));
        facts.put("tc-l2-caught", l2[1] + " of " + l2[0]);
        facts.put("tc-l2-zero", String.valueOf(zeroDecay));
        boolean epsAsPredicted = counts.get(order.indexOf("eps_inside_sqrt") + "|mlp")[1]
                == counts.get(order.indexOf("eps_inside_sqrt") + "|mlp")[0];
        boolean held = exactAdam == 0 && nb[1] == nb[0] && l2[1] == l2[0] - zeroDecay && epsAsPredicted;
        facts.put("pred-tc", held ? "held" : "did not hold in full (see the table)");
    }

    /** Per step, the largest value over the problems' curves (the shorter ones end early). */
    static double[] mergeProblems(JsonNode byProblem) {
        int n = 0;
        for (JsonNode c : byProblem) {
            n = Math.max(n, c.size());
        }
        double[] out = new double[n];
        for (JsonNode c : byProblem) {
            for (int i = 0; i < c.size(); i++) {
                out[i] = Math.max(out[i], number(c.get(i)));
            }
        }
        return out;
    }

    private static double minOver(Map<String, Double> least, int variant) {
        double m = Double.POSITIVE_INFINITY;
        for (var e : least.entrySet()) {
            if (e.getKey().startsWith(variant + "|")) {
                m = Math.min(m, e.getValue());
            }
        }
        return m;
    }

    private static String caughtText(Map<String, int[]> counts, int variant, String problem) {
        int[] n = counts.get(variant + "|" + problem);
        return n[1] + " of " + n[0];
    }

    /** The largest deviation of a near miss over a problem's cases, leaving out the cases whose name contains {@code skip}. */
    private static double worstWithout(Pinned tc, String variant, String problem, String skip) {
        double m = 0;
        for (JsonNode c : tc.at("/cases")) {
            if (c.get("problem").asText().equals(problem) && !c.get("case").asText().contains(skip)
                    && c.get("variants").has(variant)) {
                m = Math.max(m, number(c.get("variants").get(variant).get("max_tolerance_units")));
            }
        }
        return m;
    }

    /** "75.5 and 12.5 times": the eps-inside near miss on the cases with eps = 1e−3. */
    private static String caughtEps1e3(Pinned tc) {
        List<String> parts = new ArrayList<>();
        for (JsonNode c : tc.at("/cases")) {
            if (c.get("case").asText().contains("eps1e-3") && c.get("variants").has("eps_inside_sqrt")) {
                parts.add(fixed(number(c.get("variants").get("eps_inside_sqrt").get("max_tolerance_units")), 1) + " ("
                        + c.get("problem").asText() + ")");
            }
        }
        return String.join(" and ", parts);
    }

    // ------------------------------------------------------------------ scale invariance

    private static void scaleInvariance(Pinned si, Path outDir, Map<String, String> facts) throws IOException {
        String stepTitle = "The step in units of lr (per-element RMS, mean over the run) against the factor c that"
                + " multiplies the loss, and so every gradient; points where a run diverged or the step is exactly 0"
                + " are left out";
        Figures.LineFigure step = Figures.line("scale-step", stepTitle)
                .axes("loss multiplied by c", "RMS of the step / lr").logX().logY();
        String lossTitle = "Validation cross-entropy (unscaled) after the run, against the factor c that multiplies"
                + " the training loss; points where a run diverged are left out";
        Figures.LineFigure loss = Figures.line("scale-loss", lossTitle)
                .axes("loss multiplied by c", "validation cross-entropy").logX();
        Map<String, Map<Double, double[]>> stepAt = new LinkedHashMap<>();
        Map<String, Map<Double, double[]>> lossAt = new LinkedHashMap<>();
        Map<String, Map<Double, Double>> gradAt = new LinkedHashMap<>();
        int seeds = 0;
        for (String o : List.of("adam", "sgd")) {
            List<Double> xs = new ArrayList<>();
            List<double[]> ys = new ArrayList<>();
            List<Double> lx = new ArrayList<>();
            List<double[]> ly = new ArrayList<>();
            Map<Double, double[]> sm = new TreeMap<>();
            Map<Double, double[]> lm = new TreeMap<>();
            Map<Double, Double> gm = new TreeMap<>();
            for (JsonNode p : si.at("/optimizers/" + o)) {
                double c = p.get("scale").asDouble();
                JsonNode runs = p.get("runs");
                seeds = runs.size();
                double[] st = new double[runs.size()];
                double[] ev = new double[runs.size()];
                SummaryStatistics g = new SummaryStatistics();
                boolean ok = true;
                for (int i = 0; i < runs.size(); i++) {
                    JsonNode r = runs.get(i);
                    ok &= r.get("divergedAtStep").isNull() && r.get("stepRmsOverLr").size() > 0;
                    st[i] = ok ? mean(r.get("stepRmsOverLr")) : Double.NaN;
                    ev[i] = number(r.get("evalLoss"));
                    if (ok) {
                        g.addValue(mean(r.get("gradRms")));
                    }
                }
                gm.put(c, g.getMean());
                if (ok) {
                    lx.add(c);
                    ly.add(ev);
                    lm.put(c, ev);
                    sm.put(c, st);
                    boolean positive = true;
                    for (double v : st) {
                        positive &= v > 0;
                    }
                    if (positive) {
                        xs.add(c);
                        ys.add(st);
                    }
                }
            }
            String label = o.equals("adam") ? "Adam, lr " + num(si.number("/config/adam_lr"))
                    : "SGD, lr " + num(si.number("/config/sgd_lr"));
            step.seeds(label, unbox(xs), transpose(ys));
            loss.seeds(label, unbox(lx), transpose(ly));
            stepAt.put(o, sm);
            lossAt.put(o, lm);
            gradAt.put(o, gm);
        }
        save(step, "scale-step", stepTitle, true, outDir, si);
        save(loss, "scale-loss", lossTitle, true, outDir, si);

        Map<Double, double[]> adam = stepAt.get("adam");
        double ref = meanOf(adam.get(1.0));
        // the range of c over which Adam's step stays within 5% of its size at c = 1
        double lo = Double.NaN;
        double hi = Double.NaN;
        for (var e : adam.entrySet()) {
            if (Math.abs(meanOf(e.getValue()) / ref - 1) <= 0.05) {
                lo = Double.isNaN(lo) ? e.getKey() : Math.min(lo, e.getKey());
                hi = Double.isNaN(hi) ? e.getKey() : Math.max(hi, e.getKey());
            }
        }
        double gradAt1 = gradAt.get("adam").get(1.0);
        double eps = si.number("/config/adam_eps");
        double predicted = eps / gradAt1;
        List<String> row = new ArrayList<>();
        for (double c : List.of(1e-4, 1e-6, 1e-8)) {
            row.add(pctOf(meanOf(adam.get(c)) / ref) + " at c = " + sci(c));
        }
        Map<Double, double[]> adamLoss = lossAt.get("adam");
        SummaryStatistics spread = new SummaryStatistics();
        for (var e : adamLoss.entrySet()) {
            if (e.getKey() >= lo && e.getKey() <= hi) {
                spread.addValue(meanOf(e.getValue()));
            }
        }
        facts.put("si-scales", sci(si.at("/config/scales").get(0).asDouble()) + " to "
                + sci(si.at("/config/scales").get(si.at("/config/scales").size() - 1).asDouble()));
        facts.put("si-steps", si.at("/config/steps").asText());
        facts.put("si-seeds", String.valueOf(seeds));
        facts.put("si-adam-step", fixed(ref, 3));
        facts.put("si-flat-range", sci(lo) + " to " + sci(hi));
        facts.put("si-flat-decades", String.valueOf(Math.round(Math.log10(hi / lo))));
        facts.put("si-grad-at-1", sci(gradAt1));
        facts.put("si-predicted-break", sci(predicted));
        facts.put("si-below", String.join(", ", row));
        facts.put("si-loss-range", fixed(spread.getMin(), 4) + " to " + fixed(spread.getMax(), 4));
        facts.put("si-loss-tiny", fixed(meanOf(adamLoss.get(1e-10)), 3));
        facts.put("si-sgd-loss-1", fixed(meanOf(lossAt.get("sgd").get(1.0)), 3));
        facts.put("si-sgd-small", fixed(meanOf(lossAt.get("sgd").get(1e-2)), 3));
        Map<Double, double[]> sgdLoss = lossAt.get("sgd");
        double sgdBig = Double.NaN;
        for (var e : sgdLoss.entrySet()) {
            sgdBig = e.getKey() > 1 && Double.isNaN(sgdBig) ? e.getKey() : sgdBig;
        }
        facts.put("si-sgd-big", Double.isNaN(sgdBig) ? "every c above 1 diverged"
                : "at c = " + sci(sgdBig) + " it ends at " + fixed(meanOf(sgdLoss.get(sgdBig)), 2));
        facts.put("si-sgd-lost", stepLost(si));
        double at4 = meanOf(adam.get(1e-4)) / ref;
        facts.put("pred-si", lo <= 1e-2 && hi >= 1e6
                ? "held above c = " + sci(lo) + ", but the step starts to shrink earlier than eps / RMS(g) says: it is"
                + " down to " + pctOf(at4) + " at c = " + sci(1e-4)
                : "did not hold: the step stays within 5% only from c = " + sci(lo) + " to " + sci(hi));
    }

    /** The loss multipliers at which SGD's step rounds away entirely: p + lr·c·g == p for every element. */
    private static String stepLost(Pinned si) {
        List<String> cs = new ArrayList<>();
        for (JsonNode p : si.at("/optimizers/sgd")) {
            boolean zero = true;
            for (JsonNode r : p.get("runs")) {
                zero &= r.get("stepRmsOverLr").size() > 0 && mean(r.get("stepRmsOverLr")) == 0;
            }
            if (zero) {
                cs.add(sci(p.get("scale").asDouble()));
            }
        }
        return cs.isEmpty() ? "no c" : "c = " + String.join(", ", cs);
    }

    // ------------------------------------------------------------------ bias correction

    private static void biasCorrection(Pinned bc, Path outDir, Map<String, String> facts) throws IOException {
        double b1 = bc.at("/config/betas/0").asDouble();
        double b2 = bc.at("/config/betas/1").asDouble();
        int steps = bc.at("/config/steps").asInt();
        String ratioTitle = "How much larger the step is without bias correction: the RMS of the uncorrected run's"
                + " step over the corrected run's, at each step (mean over seeds), beside (1 − β1^t) / sqrt(1 − β2^t),"
                + " the factor for one and the same gradient history";
        Figures.LineFigure ratio = Figures.line("bias-ratio", ratioTitle)
                .axes("step t", "step without / step with correction").logX();
        String lossTitle = "Batch loss (cross-entropy, mean over seeds) over the first " + BIAS_LOSS_STEPS
                + " steps, with and without bias correction, at two learning rates";
        Figures.LineFigure loss = Figures.line("bias-loss", lossTitle)
                .axes("step", "batch loss").logX().logY();
        Map<String, double[]> stepsMean = new LinkedHashMap<>();
        Map<String, double[][]> lossBySeed = new LinkedHashMap<>();
        Map<String, SummaryStatistics> finals = new LinkedHashMap<>();
        for (JsonNode c : bc.at("/configs")) {
            String key = num(c.get("lr").asDouble()) + (c.get("bias_correction").asBoolean() ? "|with" : "|without");
            JsonNode runs = c.get("runs");
            double[][] l = new double[runs.size()][];
            double[] s = new double[runs.get(0).get("stepRmsOverLr").size()];
            SummaryStatistics f = new SummaryStatistics();
            for (int i = 0; i < runs.size(); i++) {
                l[i] = doubles(runs.get(i).get("loss"));
                double[] st = doubles(runs.get(i).get("stepRmsOverLr"));
                for (int t = 0; t < s.length; t++) {
                    s[t] += st[t] / runs.size();
                }
                f.addValue(number(runs.get(i).get("evalLoss")));
            }
            stepsMean.put(key, s);
            lossBySeed.put(key, l);
            finals.put(key, f);
        }
        double[] x = steps(steps);
        double[] theory = new double[steps];
        for (int t = 0; t < steps; t++) {
            theory[t] = (1 - Math.pow(b1, t + 1)) / Math.sqrt(1 - Math.pow(b2, t + 1));
        }
        List<String> lrs = new ArrayList<>();
        for (JsonNode v : bc.at("/config/learning_rates")) {
            lrs.add(num(v.asDouble()));
        }
        Map<String, double[]> ratios = new LinkedHashMap<>();
        for (String lr : lrs) {
            double[] with = stepsMean.get(lr + "|with");
            double[] without = stepsMean.get(lr + "|without");
            double[] r = new double[steps];
            for (int t = 0; t < steps; t++) {
                r[t] = without[t] / with[t];
            }
            ratios.put(lr, r);
            ratio.line("measured, lr " + lr, x, r);
        }
        save(ratio.line("(1 − β1^t) / sqrt(1 − β2^t)", x, theory), "bias-ratio", ratioTitle, false, outDir, bc);
        int shown = Math.min(BIAS_LOSS_STEPS, steps);
        double[] xs = steps(shown);
        for (String lr : lrs) {
            for (String w : List.of("with", "without")) {
                double[][] l = lossBySeed.get(lr + "|" + w);
                double[] m = new double[shown];
                for (int t = 0; t < shown; t++) {
                    m[t] = meanAt(l, t);
                }
                loss.line("lr " + lr + (w.equals("with") ? ", with correction" : ", without"), xs, m);
            }
        }
        save(loss, "bias-loss", lossTitle, false, outDir, bc);

        List<List<?>> rows = new ArrayList<>();
        for (String lr : lrs) {
            for (String w : List.of("with", "without")) {
                String key = lr + "|" + w;
                double[][] l = lossBySeed.get(key);
                rows.add(List.of(lr, w, fixed(meanAt(l, 0), 3), fixed(meanAt(l, 1), 3), fixed(meanAt(l, 9), 3),
                        fixed(meanAt(l, 49), 3), meanStd(finals.get(key), 4)));
            }
        }
        Tables.write(outDir, "bias-correction", "Adam with and without bias correction: the batch loss at steps 1, 2,"
                        + " 10 and 50 (mean over seeds), and the validation cross-entropy after " + steps + " steps"
                        + " (mean ± std over " + finals.values().iterator().next().getN() + " seeds)",
                List.of("lr", "bias correction", "loss, step 1", "step 2", "step 10", "step 50",
                        "validation loss at the end"), rows, List.of(bc));

        String lrSmall = lrs.get(0);
        String lrLarge = lrs.get(lrs.size() - 1);
        double[] rs = ratios.get(lrSmall);
        int argmax = 0;
        for (int t = 0; t < steps; t++) {
            argmax = rs[t] > rs[argmax] ? t : argmax;
        }
        int theoryMax = 0;
        for (int t = 0; t < steps; t++) {
            theoryMax = theory[t] > theory[theoryMax] ? t : theoryMax;
        }
        facts.put("bc-steps", String.valueOf(steps));
        facts.put("bc-lr-small", lrSmall);
        facts.put("bc-lr-large", lrLarge);
        facts.put("bc-theory-1", fixed(theory[0], 2));
        facts.put("bc-theory-max", fixed(theory[theoryMax], 2));
        facts.put("bc-theory-max-step", String.valueOf(theoryMax + 1));
        facts.put("bc-theory-end", fixed(theory[steps - 1], 2));
        facts.put("bc-ratio-1", fixed(rs[0], 2));
        facts.put("bc-ratio-max", fixed(rs[argmax], 2));
        facts.put("bc-ratio-max-step", String.valueOf(argmax + 1));
        facts.put("bc-ratio-end", fixed(rs[steps - 1], 2));
        facts.put("bc-ratio-large-1", fixed(ratios.get(lrLarge)[0], 2));
        facts.put("bc-ratio-large-10", fixed(ratios.get(lrLarge)[9], 2));
        facts.put("bc-with-step1", fixed(stepsMean.get(lrSmall + "|with")[0], 3));
        facts.put("bc-large-with-2", fixed(meanAt(lossBySeed.get(lrLarge + "|with"), 1), 2));
        facts.put("bc-large-without-2", fixed(meanAt(lossBySeed.get(lrLarge + "|without"), 1), 2));
        facts.put("bc-loss-1", fixed(meanAt(lossBySeed.get(lrLarge + "|with"), 0), 2));
        facts.put("bc-small-with-final", meanStd(finals.get(lrSmall + "|with"), 3));
        facts.put("bc-small-without-final", meanStd(finals.get(lrSmall + "|without"), 3));
        facts.put("bc-large-with-final", meanStd(finals.get(lrLarge + "|with"), 3));
        facts.put("bc-large-without-final", meanStd(finals.get(lrLarge + "|without"), 3));
        facts.put("bc-small-better", finals.get(lrSmall + "|without").getMean() < finals.get(lrSmall + "|with").getMean()
                ? "ends lower without the correction" : "ends lower with the correction");
        boolean firstStep = Math.abs(rs[0] / theory[0] - 1) < 0.01;
        boolean spike = meanAt(lossBySeed.get(lrLarge + "|without"), 1) > meanAt(lossBySeed.get(lrLarge + "|without"), 0);
        facts.put("pred-bc-first", firstStep ? "held" : "did not hold");
        facts.put("pred-bc-spike", spike ? "held" : "did not hold");
        facts.put("bc-large-better", finals.get(lrLarge + "|without").getMean() < finals.get(lrLarge + "|with").getMean()
                ? "ends lower without the correction" : "ends lower with the correction");
    }

    // ------------------------------------------------------------------ betas

    private static void betas(Pinned be, Path outDir, Map<String, String> facts) throws IOException {
        double[] b1s = be.doubles("/config/beta1");
        double[] b2s = be.doubles("/config/beta2");
        double[][] mean = new double[b1s.length][b2s.length];
        SummaryStatistics[][] stats = new SummaryStatistics[b1s.length][b2s.length];
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        int[] best = null;
        int[] worst = null;
        int diverged = 0;
        for (JsonNode c : be.at("/cells")) {
            int i = indexOf(b1s, c.get("beta1").asDouble());
            int j = indexOf(b2s, c.get("beta2").asDouble());
            SummaryStatistics s = new SummaryStatistics();
            for (JsonNode r : c.get("runs")) {
                if (r.get("divergedAtStep").isNull()) {
                    s.addValue(number(r.get("evalLoss")));
                } else {
                    diverged++;
                }
            }
            stats[i][j] = s;
            mean[i][j] = s.getN() > 0 ? s.getMean() : Double.NaN;
            if (s.getN() > 0) {
                lo = Math.min(lo, mean[i][j]);
                hi = Math.max(hi, mean[i][j]);
                best = best == null || mean[i][j] < mean[best[0]][best[1]] ? new int[] {i, j} : best;
                worst = worst == null || mean[i][j] > mean[worst[0]][worst[1]] ? new int[] {i, j} : worst;
            }
        }
        String[] cols = new String[b2s.length];
        for (int j = 0; j < b2s.length; j++) {
            cols[j] = "β2 = " + num(b2s[j]);
        }
        int steps = be.at("/config/steps").asInt();
        ImageGrid grid = ImageGrid.of("betas-heatmap", "Validation cross-entropy of the MLP after " + steps
                        + " steps of Adam (lr " + num(be.number("/config/lr")) + "), mean over "
                        + be.at("/config/seeds").size() + " seeds, for each pair of β1 (rows) and β2 (columns);"
                        + " darker is worse")
                .columns(cols);
        for (int i = 0; i < b1s.length; i++) {
            ImageGrid.Panel[] cells = new ImageGrid.Panel[b2s.length];
            for (int j = 0; j < b2s.length; j++) {
                cells[j] = ImageGrid.panel(new double[][] {{mean[i][j]}}, Scale.blues(lo, hi)).numbers("%.4f", false);
            }
            grid.row("β1 = " + num(b1s[i]), 90, cells);
        }
        grid.from(be).save(outDir);

        List<List<?>> rows = new ArrayList<>();
        for (int i = 0; i < b1s.length; i++) {
            List<Object> row = new ArrayList<>();
            row.add(num(b1s[i]));
            for (int j = 0; j < b2s.length; j++) {
                row.add(meanStd(stats[i][j], 4));
            }
            rows.add(row);
        }
        List<String> headers = new ArrayList<>();
        headers.add("β1 \\ β2");
        for (double b2 : b2s) {
            headers.add(num(b2));
        }
        Tables.write(outDir, "betas", "Validation cross-entropy after " + steps + " steps, mean ± std over seeds, by β1"
                + " (rows) and β2 (columns)", headers, rows, List.of(be));
        int i9 = indexOf(b1s, 0.9);
        int j999 = indexOf(b2s, 0.999);
        // the spread along each axis: how much the loss moves across β2 at fixed β1, and across β1 at fixed β2
        double acrossB2 = 0;
        for (int i = 0; i < b1s.length; i++) {
            if (b1s[i] < 0.95) {
                double mn = Double.POSITIVE_INFINITY;
                double mx = 0;
                for (int j = 0; j < b2s.length; j++) {
                    mn = Math.min(mn, mean[i][j]);
                    mx = Math.max(mx, mean[i][j]);
                }
                acrossB2 = Math.max(acrossB2, mx - mn);
            }
        }
        int last = b1s.length - 1;
        double rowLast = 0;
        for (int j = 0; j < b2s.length; j++) {
            rowLast += mean[last][j] / b2s.length;
        }
        facts.put("be-steps", String.valueOf(steps));
        facts.put("be-seeds", String.valueOf(be.at("/config/seeds").size()));
        facts.put("be-best", "β1 = " + num(b1s[best[0]]) + ", β2 = " + num(b2s[best[1]]) + " ("
                + fixed(mean[best[0]][best[1]], 4) + ")");
        facts.put("be-worst", "β1 = " + num(b1s[worst[0]]) + ", β2 = " + num(b2s[worst[1]]) + " ("
                + fixed(mean[worst[0]][worst[1]], 4) + ")");
        facts.put("be-default", fixed(mean[i9][j999], 4));
        facts.put("be-across-b2", fixed(acrossB2, 4));
        facts.put("be-b1-last", num(b1s[last]));
        facts.put("be-row-last", fixed(rowLast, 4));
        facts.put("be-diverged", String.valueOf(diverged));
        int j9 = indexOf(b2s, 0.9);
        int i99 = indexOf(b1s, 0.99);
        facts.put("pred-be-worst", worst[0] == i99 && worst[1] == j9 ? "held" : "did not hold");
        int j9999 = indexOf(b2s, 0.9999);
        double slower = 0;
        for (int i = 0; i < b1s.length; i++) {
            slower += (mean[i][j9999] - mean[i][j999]) / b1s.length;
        }
        facts.put("be-9999-vs-999", fixed(slower, 4));
        facts.put("pred-be-slow", slower > 0.005 ? "held" : "did not hold: the β2 = 0.9999 column is no worse than"
                + " the β2 = 0.999 one (by " + fixed(slower, 4) + " on average)");
    }

    // ------------------------------------------------------------------ Adam against SGD

    private static void optimizers(Pinned op, Path outDir, Map<String, String> facts) throws IOException {
        String sweepTitle = "Validation cross-entropy after the budget against the learning rate, for each optimizer"
                + " (mean of the seeds, band from the smallest to the largest); learning rates at which a seed"
                + " diverged are left out";
        Figures.LineFigure sweep = Figures.line("optimizers-lr", sweepTitle)
                .axes("learning rate", "validation cross-entropy").logX().logY();
        String curvesTitle = "Training loss (mean over " + op.at("/config/log_every_steps").asText() + " steps) of"
                + " each optimizer at its chosen learning rate";
        Figures.LineFigure curves = Figures.line("optimizers-curves", curvesTitle)
                .axes("step", "training loss").logY();
        List<List<?>> rows = new ArrayList<>();
        Map<String, SummaryStatistics> testAcc = new LinkedHashMap<>();
        Map<String, SummaryStatistics> testLoss = new LinkedHashMap<>();
        var it = op.at("/optimizers").fields();
        while (it.hasNext()) {
            var e = it.next();
            JsonNode o = e.getValue();
            String label = o.get("label").asText();
            double chosen = o.get("chosen_lr").asDouble();
            List<Double> xs = new ArrayList<>();
            List<double[]> ys = new ArrayList<>();
            for (JsonNode p : o.get("sweep")) {
                JsonNode runs = p.get("runs");
                double[] v = new double[runs.size()];
                boolean ok = true;
                for (int i = 0; i < v.length; i++) {
                    ok &= runs.get(i).get("divergedAtStep").isNull();
                    v[i] = number(runs.get(i).get("evalLoss"));
                }
                if (ok) {
                    xs.add(p.get("lr").asDouble());
                    ys.add(v);
                }
                if (p.get("lr").asDouble() == chosen) {
                    double[][] l = new double[runs.size()][];
                    SummaryStatistics val = new SummaryStatistics();
                    SummaryStatistics tl = new SummaryStatistics();
                    SummaryStatistics ta = new SummaryStatistics();
                    for (int i = 0; i < runs.size(); i++) {
                        l[i] = doubles(runs.get(i).get("loss"));
                        val.addValue(number(runs.get(i).get("evalLoss")));
                        tl.addValue(number(runs.get(i).get("testLoss")));
                        ta.addValue(number(runs.get(i).get("testAccuracy")));
                    }
                    curves.seeds(label + ", lr " + num(chosen), ints(runs.get(0).get("steps")), l);
                    rows.add(List.of(label, lrList(o.get("learning_rates")), num(chosen), meanStd(val, 4),
                            meanStd(tl, 4), pctStd(ta)));
                    testAcc.put(e.getKey(), ta);
                    testLoss.put(e.getKey(), tl);
                    facts.put("op-" + e.getKey() + "-lr", num(chosen));
                    facts.put("op-" + e.getKey() + "-acc", pctStd(ta));
                    facts.put("op-" + e.getKey() + "-loss", meanStd(tl, 3));
                    facts.put("op-" + e.getKey() + "-edge", edge(o.get("learning_rates"), chosen));
                }
            }
            sweep.seeds(label, unbox(xs), transpose(ys));
        }
        save(sweep, "optimizers-lr", sweepTitle, false, outDir, op);
        save(curves, "optimizers-curves", curvesTitle, false, outDir, op);
        Tables.write(outDir, "optimizers", "Each optimizer at the learning rate its sweep chose (lowest mean validation"
                        + " cross-entropy): validation and test cross-entropy and test accuracy after "
                        + op.at("/config/steps").asText() + " steps of batch " + op.at("/config/batch_size").asText()
                        + ", mean ± std over " + op.at("/config/seeds").size() + " seeds",
                List.of("optimizer", "learning rates swept", "chosen", "validation loss", "test loss", "test accuracy"),
                rows, List.of(op));
        facts.put("op-steps", op.at("/config/steps").asText());
        facts.put("op-batch", op.at("/config/batch_size").asText());
        facts.put("op-epochs", fixed(op.at("/config/steps").asDouble() * op.at("/config/batch_size").asDouble()
                / 55_000, 2));
        facts.put("op-seeds", String.valueOf(op.at("/config/seeds").size()));
        List<Map.Entry<String, SummaryStatistics>> order = new ArrayList<>(testLoss.entrySet());
        order.sort((a, b) -> Double.compare(a.getValue().getMean(), b.getValue().getMean()));
        List<String> names = new ArrayList<>();
        for (var e : order) {
            names.add(e.getKey().equals("sgd") ? "SGD" : e.getKey().equals("momentum") ? "SGD with momentum" : "Adam");
        }
        facts.put("op-order", String.join(" < ", names));
        facts.put("op-gap-adam-momentum", gap(testLoss.get("momentum"), testLoss.get("adam")));
        facts.put("op-gap-momentum-sgd", gap(testLoss.get("sgd"), testLoss.get("momentum")));
        facts.put("pred-op", names.equals(List.of("Adam", "SGD with momentum", "SGD")) ? "held" : "did not hold");
    }

    /** "0.008, less than the larger standard deviation (0.010)": a difference of means beside the spread. */
    static String gap(SummaryStatistics worse, SummaryStatistics better) {
        double d = worse.getMean() - better.getMean();
        double sd = Math.max(worse.getStandardDeviation(), better.getStandardDeviation());
        return fixed(d, 3) + (Math.abs(d) < sd ? ", less than" : ", more than") + " the larger of their standard"
                + " deviations across seeds (" + fixed(sd, 3) + ")";
    }

    /** "inside the sweep" or "at the sweep's upper end": whether the chosen rate is an end of the range. */
    private static String edge(JsonNode lrs, double chosen) {
        if (chosen == lrs.get(lrs.size() - 1).asDouble()) {
            return "at the largest rate of its sweep";
        }
        if (chosen == lrs.get(0).asDouble()) {
            return "at the smallest rate of its sweep";
        }
        return "inside its sweep";
    }

    // ------------------------------------------------------------------ the loss family

    /** What happened to one optimizer on one loss, over its seeds. */
    record Outcome(int seeds, int diverged, SummaryStatistics accuracy, SummaryStatistics loss) {
        boolean trains() {
            return diverged == 0 && accuracy.getN() == seeds && accuracy.getMin() >= TRAINS;
        }

        String verdict() {
            return trains() ? "trains" : diverged > 0 ? "diverges" : "stalls";
        }

        String cell() {
            String acc = accuracy.getN() == 0 ? "–" : pctStd(accuracy);
            String div = diverged == 0 ? "" : ", " + diverged + " of " + seeds + " diverged";
            return verdict() + ": " + acc + div;
        }
    }

    static Outcome outcome(JsonNode runs) {
        int diverged = 0;
        SummaryStatistics acc = new SummaryStatistics();
        SummaryStatistics loss = new SummaryStatistics();
        for (JsonNode r : runs) {
            if (r.get("divergedAtStep").isNull()) {
                acc.addValue(number(r.get("evalAccuracy")));
                loss.addValue(number(r.get("evalLoss")));
            } else {
                diverged++;
            }
        }
        return new Outcome(runs.size(), diverged, acc, loss);
    }

    private static void lossFamily(Pinned lf, Pinned iv, Path outDir, Map<String, String> facts) throws IOException {
        Map<String, String> formulas = new LinkedHashMap<>();
        for (JsonNode l : lf.at("/config/losses")) {
            formulas.put(l.get("id").asText(), l.get("formula").asText());
        }
        List<String> ids = new ArrayList<>(formulas.keySet());

        // the gradient against x
        double[] x = lf.doubles("/gradient_vs_x/x");
        String gTitle = "|dL/dz_y|, the gradient each loss sends to the correct class's logit, against x, the"
                + " probability of the correct class (the engine's autograd on one sample, the other nine classes"
                + " sharing 1 − x)";
        Figures.LineFigure g = Figures.line("gradient-vs-x", gTitle)
                .axes("x, probability of the correct class", "|dL/dz_y|").logX().logY().colours(labels(formulas));
        double closedWorst = 0;
        int i01 = nearest(x, 0.1);
        List<String> at01 = new ArrayList<>();
        for (String id : ids) {
            double[] m = lf.doubles("/gradient_vs_x/abs_grad_correct_logit/" + id);
            double[] c = lf.doubles("/gradient_vs_x/closed_form/" + id);
            for (int i = 0; i < m.length; i++) {
                closedWorst = Math.max(closedWorst, Math.abs(m[i] - c[i]) / c[i]);
            }
            g.line(formulas.get(id), x, m);
            at01.add(formulas.get(id) + ": " + num3(m[i01]));
        }
        save(g, "gradient-vs-x", gTitle, true, outDir, lf);
        facts.put("lf-closed-worst", sci(closedWorst));
        facts.put("lf-x01", fixed(x[i01], 3));
        facts.put("lf-at01", String.join(", ", at01));
        double lo01 = Double.POSITIVE_INFINITY;
        double hi01 = 0;
        for (String id : ids) {
            double v = lf.doubles("/gradient_vs_x/abs_grad_correct_logit/" + id)[i01];
            lo01 = Math.min(lo01, v);
            hi01 = Math.max(hi01, v);
        }
        facts.put("lf-at01-decades", String.valueOf((int) Math.floor(Math.log10(hi01 / lo01))));

        // the table: SGD and Adam
        Map<String, Map<String, Outcome>> outcomes = new LinkedHashMap<>();
        for (Pinned p : List.of(lf, iv)) {
            var it = p.at("/optimizers").fields();
            while (it.hasNext()) {
                var e = it.next();
                Map<String, Outcome> byLoss = new LinkedHashMap<>();
                for (String id : ids) {
                    byLoss.put(id, outcome(e.getValue().get(id)));
                }
                outcomes.put(e.getKey(), byLoss);
            }
        }
        List<List<?>> rows = new ArrayList<>();
        for (String id : ids) {
            rows.add(List.of(formulas.get(id), outcomes.get("sgd").get(id).cell(), outcomes.get("adam").get(id).cell()));
        }
        int seeds = lf.at("/config/seeds").size();
        Tables.write(outDir, "loss-family", "The loss family on the MNIST MLP: test accuracy after "
                        + lf.at("/config/steps").asText() + " steps (mean ± std over the seeds that did not diverge, "
                        + seeds + " seeds); \"trains\": every seed finite and at least " + pct(TRAINS) + " accurate",
                List.of("loss of x", "SGD, lr " + num(LossFamily.SGD_LR), "Adam, lr " + num(LossFamily.ADAM_LR)), rows,
                List.of(lf));
        List<List<?>> irows = new ArrayList<>();
        for (String id : ids) {
            irows.add(List.of(formulas.get(id), outcomes.get("sgd").get(id).verdict(), outcomes.get("sgd_clip").get(id).cell(),
                    outcomes.get("adam").get(id).verdict(), outcomes.get("adam_huge_eps").get(id).cell()));
        }
        Tables.write(outDir, "interventions", "The interventions, beside the runs they change: SGD with the gradient's"
                        + " norm clipped to " + num(iv.number("/config/clip_norm")) + ", and Adam with eps "
                        + sci(iv.number("/config/huge_eps")) + " (lr " + sci(iv.number("/config/huge_eps_lr"))
                        + ", so that far from the limit its step is " + num(iv.number("/config/sgd_lr"))
                        + " times the running mean of the gradient); test accuracy as in the table above",
                List.of("loss of x", "SGD", "SGD, clipped", "Adam", "Adam, huge eps"), irows, List.of(lf, iv));

        // Adam's step against the raw gradient over training
        String gradTitle = "Adam on each loss: the raw gradient, per-element RMS (mean over "
                + lf.at("/config/log_every_steps").asText() + " steps and over the seeds)";
        Figures.LineFigure grad = Figures.line("adam-gradient", gradTitle)
                .axes("step", "RMS of the gradient").logY().colours(labels(formulas));
        String stepTitle = "Adam on each loss: the step it takes, per-element RMS divided by lr, over the same steps";
        Figures.LineFigure step = Figures.line("adam-step", stepTitle)
                .axes("step", "RMS of the step / lr").logY().colours(labels(formulas));
        double gMin = Double.POSITIVE_INFINITY;
        double gMax = 0;
        double sMin = Double.POSITIVE_INFINITY;
        double sMax = 0;
        for (String id : ids) {
            JsonNode runs = lf.at("/optimizers/adam/" + id);
            double[][] gs = new double[runs.size()][];
            double[][] ss = new double[runs.size()][];
            for (int i = 0; i < runs.size(); i++) {
                gs[i] = doubles(runs.get(i).get("gradRms"));
                ss[i] = doubles(runs.get(i).get("stepRmsOverLr"));
                for (double v : gs[i]) {
                    gMin = Math.min(gMin, v);
                    gMax = Math.max(gMax, v);
                }
                for (double v : ss[i]) {
                    sMin = Math.min(sMin, v);
                    sMax = Math.max(sMax, v);
                }
            }
            double[] steps = ints(runs.get(0).get("steps"));
            grad.line(formulas.get(id), steps, meanRows(gs));
            step.line(formulas.get(id), steps, meanRows(ss));
        }
        save(grad, "adam-gradient", gradTitle, false, outDir, lf);
        save(step, "adam-step", stepTitle, false, outDir, lf);
        facts.put("lf-grad-range", sci(gMin) + " to " + sci(gMax));
        facts.put("lf-grad-decades", String.valueOf((int) Math.floor(Math.log10(gMax / gMin))));
        facts.put("lf-step-range", fixed(sMin, 3) + " to " + fixed(sMax, 3));
        facts.put("lf-steps", lf.at("/config/steps").asText());
        facts.put("lf-epochs", fixed(lf.at("/config/steps").asDouble() * lf.at("/config/batch_size").asDouble()
                / 55_000, 2));
        facts.put("lf-seeds", String.valueOf(seeds));
        facts.put("lf-trains", pct(TRAINS));
        facts.put("iv-clip", num(iv.number("/config/clip_norm")));
        facts.put("iv-eps", sci(iv.number("/config/huge_eps")));
        facts.put("iv-eps-lr", sci(iv.number("/config/huge_eps_lr")));
        facts.put("iv-sgd-lr", num(iv.number("/config/sgd_lr")));
        for (String o : outcomes.keySet()) {
            facts.put("lf-" + o + "-trains", listOf(outcomes.get(o), formulas, "trains"));
            facts.put("lf-" + o + "-diverges", listOf(outcomes.get(o), formulas, "diverges"));
            facts.put("lf-" + o + "-stalls", listOf(outcomes.get(o), formulas, "stalls"));
            for (String id : ids) {
                facts.put("lf-" + o + "-" + id, outcomes.get(o).get(id).cell());
                facts.put("lf-" + o + "-" + id + "-acc", pctStd(outcomes.get(o).get(id).accuracy()));
            }
        }
        // how SGD's runs of 1/√x ended: the step, and the batch loss one step before
        List<String> stops = new ArrayList<>();
        List<String> lossesBefore = new ArrayList<>();
        for (JsonNode r : lf.at("/optimizers/sgd/inv_sqrt")) {
            if (!r.get("divergedAtStep").isNull()) {
                stops.add(r.get("divergedAtStep").asText());
                lossesBefore.add(num3(number(r.get("lossBeforeDivergence"))));
            }
        }
        facts.put("lf-sgd-invsqrt-steps", words(stops));
        List<String> invStops = new ArrayList<>();
        for (JsonNode r : lf.at("/optimizers/sgd/inv")) {
            invStops.add(r.get("divergedAtStep").isNull() ? "never" : r.get("divergedAtStep").asText());
        }
        facts.put("lf-sgd-inv-steps", words(invStops));
        facts.put("lf-sgd-invsqrt-before", words(lossesBefore));
        List<String> early = new ArrayList<>();
        for (String id : List.of("inv_cube", "inv_fifth")) {
            for (JsonNode r : lf.at("/optimizers/sgd/" + id)) {
                early.add(r.get("divergedAtStep").isNull() ? "never" : r.get("divergedAtStep").asText());
            }
        }
        facts.put("lf-sgd-powers-stop", early.stream().distinct().count() == 1 ? "step " + early.get(0)
                : "steps " + words(early));
        // which of the losses that SGD fails and Adam trains each intervention rescues or breaks
        List<String> rescued = new ArrayList<>();
        List<String> notRescued = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        List<String> unbroken = new ArrayList<>();
        for (String id : ids) {
            boolean adamOnly = outcomes.get("adam").get(id).trains() && !outcomes.get("sgd").get(id).trains();
            if (adamOnly) {
                (outcomes.get("sgd_clip").get(id).trains() ? rescued : notRescued).add(formulas.get(id));
                (outcomes.get("adam_huge_eps").get(id).trains() ? unbroken : broken).add(formulas.get(id));
            }
        }
        facts.put("iv-rescued", words(rescued));
        facts.put("iv-not-rescued", words(notRescued));
        facts.put("iv-broken", words(broken));
        facts.put("iv-unbroken", words(unbroken));
        facts.put("iv-eps-keeps", listOf(outcomes.get("adam_huge_eps"), formulas, "trains"));
        // the predictions, loss by loss: the series' notes for SGD, all six for Adam, and the interventions
        Map<String, Boolean> notes = new LinkedHashMap<>();
        notes.put("neg_log", true);
        notes.put("inv_sqrt", true);
        notes.put("one_minus", false);
        notes.put("inv", false);
        notes.put("inv_cube", false);
        notes.put("inv_fifth", false);
        facts.put("pred-sgd", agreement(notes, outcomes.get("sgd"), formulas));
        Map<String, Boolean> all = new LinkedHashMap<>();
        for (String id : ids) {
            all.put(id, true);
        }
        facts.put("pred-adam", agreement(all, outcomes.get("adam"), formulas));
        // clipping: the exploding losses rescued; 1 − x left exactly where plain SGD leaves it
        Map<String, Boolean> clip = new LinkedHashMap<>();
        for (String id : List.of("inv", "inv_cube", "inv_fifth")) {
            clip.put(id, true);
        }
        boolean same = outcomes.get("sgd").get("one_minus").accuracy().getMean()
                == outcomes.get("sgd_clip").get("one_minus").accuracy().getMean();
        facts.put("pred-clip", agreement(clip, outcomes.get("sgd_clip"), formulas) + "; on 1 − x clipping "
                + (same ? "changes nothing, as predicted" : "changes the result, which was not predicted"));
        // the huge eps: the exploding losses fail again, the ones SGD trains (by the notes) keep training
        Map<String, Boolean> eps = new LinkedHashMap<>();
        eps.put("neg_log", true);
        eps.put("inv_sqrt", true);
        for (String id : List.of("inv", "inv_cube", "inv_fifth")) {
            eps.put(id, false);
        }
        facts.put("pred-eps", agreement(eps, outcomes.get("adam_huge_eps"), formulas));
    }

    /**
     * "held for −log x and 1/x; not for 1/√x (diverges)": the predicted "trains" (true) or "fails"
     * (false) of each loss against what the runs did.
     */
    static String agreement(Map<String, Boolean> predicted, Map<String, Outcome> got, Map<String, String> formulas) {
        List<String> held = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        predicted.forEach((id, trains) -> {
            Outcome o = got.get(id);
            if (o.trains() == trains) {
                held.add(formulas.get(id));
            } else {
                missed.add(formulas.get(id) + " (" + o.verdict() + ")");
            }
        });
        if (missed.isEmpty()) {
            return "held for all " + held.size();
        }
        return "held for " + words(held) + "; not for " + words(missed);
    }

    private static List<String> labels(Map<String, String> formulas) {
        return new ArrayList<>(formulas.values());
    }

    private static String listOf(Map<String, Outcome> byLoss, Map<String, String> formulas, String verdict) {
        List<String> out = new ArrayList<>();
        byLoss.forEach((id, o) -> {
            if (o.verdict().equals(verdict)) {
                out.add(formulas.get(id));
            }
        });
        return words(out);
    }

    /** "a, b and c", or "none". */
    static String words(List<String> items) {
        if (items.isEmpty()) {
            return "none";
        }
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    // ------------------------------------------------------------------ finding

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pinned tc = Pinned.load(resultsDir, "torch-check");
        Pinned lf = Pinned.load(resultsDir, "loss-family");
        double exact = 0;
        int cases = 0;
        for (JsonNode c : tc.at("/cases")) {
            cases++;
            if (!c.get("op").asText().equals("sgd")) {
                exact = Math.max(exact, number(c.get("variants").get("exact").get("max_abs")));
            }
        }
        Map<String, String> formulas = new LinkedHashMap<>();
        for (JsonNode l : lf.at("/config/losses")) {
            formulas.put(l.get("id").asText(), l.get("formula").asText());
        }
        List<String> sgd = new ArrayList<>();
        List<String> adam = new ArrayList<>();
        for (String id : formulas.keySet()) {
            if (outcome(lf.at("/optimizers/sgd/" + id)).trains()) {
                sgd.add(formulas.get(id));
            }
            if (outcome(lf.at("/optimizers/adam/" + id)).trains()) {
                adam.add(formulas.get(id));
            }
        }
        return "Pinned results (`data/results/05-adam/`): the engine's Adam and AdamW follow PyTorch's trajectories "
                + (exact == 0 ? "bit for bit" : "to " + sci(exact)) + " (" + cases + " fixture cases with SGD's), and"
                + " each of three near misses (no bias correction, eps inside the square root, L2 decay in place of"
                + " AdamW's) leaves them; on the MNIST MLP, plain SGD trains with " + words(sgd) + " as the loss of"
                + " the correct-class probability x, Adam with " + words(adam) + ".";
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Saves a line figure with its title in the caption only (the titles here are sentences, too long
     * for the top of a chart) and without grid lines; {@code scientificX}: tick labels such as 1E-8 on a logarithmic x axis
     * that spans values below 0.001.
     */
    static void save(Figures.LineFigure f, String name, String title, boolean scientificX, Path outDir, Pinned... from)
            throws IOException {
        XYChart chart = f.chart();
        chart.getStyler().setChartTitleVisible(false);
        // a log axis over many decades draws a grid line per minor tick: megabytes of SVG for a page that embeds it
        chart.getStyler().setPlotGridLinesVisible(false);
        if (scientificX) {
            chart.getStyler().setXAxisDecimalPattern("0E0");
        }
        Figures.save(chart, outDir, name, title, List.of(from));
    }

    static double[] steps(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        return x;
    }

    static double[] ints(JsonNode a) {
        return doubles(a);
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(a.get(i));
        }
        return out;
    }

    static double mean(JsonNode a) {
        double s = 0;
        for (JsonNode v : a) {
            s += number(v);
        }
        return s / a.size();
    }

    static double meanOf(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    static double meanAt(double[][] rows, int i) {
        double s = 0;
        for (double[] r : rows) {
            s += r[i];
        }
        return s / rows.length;
    }

    static double[] meanRows(double[][] rows) {
        double[] out = new double[rows[0].length];
        for (double[] r : rows) {
            for (int i = 0; i < out.length; i++) {
                out[i] += r[i] / rows.length;
            }
        }
        return out;
    }

    static double[] unbox(List<Double> v) {
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    /** Per-point arrays of per-seed values, turned into per-seed rows over the points. */
    static double[][] transpose(List<double[]> points) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("no points to draw");
        }
        double[][] out = new double[points.get(0).length][points.size()];
        for (int p = 0; p < points.size(); p++) {
            for (int s = 0; s < out.length; s++) {
                out[s][p] = points.get(p)[s];
            }
        }
        return out;
    }

    static int indexOf(double[] a, double v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new IllegalArgumentException(v + " not among the values swept");
    }

    static int nearest(double[] a, double v) {
        int best = 0;
        for (int i = 0; i < a.length; i++) {
            best = Math.abs(Math.log(a[i] / v)) < Math.abs(Math.log(a[best] / v)) ? i : best;
        }
        return best;
    }

    static String lrList(JsonNode lrs) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : lrs) {
            out.add(num(v.asDouble()));
        }
        return String.join(", ", out);
    }

    /** A number, with the results files' "NaN" and "Infinity" strings. */
    static double number(JsonNode n) {
        if (n == null || n.isNull()) {
            return Double.NaN;
        }
        if (n.isTextual()) {
            switch (n.asText()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: throw new IllegalArgumentException("not a number: " + n);
            }
        }
        return n.asDouble();
    }

    static String meanStd(SummaryStatistics s, int digits) {
        if (s.getN() == 0) {
            return "–";
        }
        return fixed(s.getMean(), digits) + " ± " + fixed(s.getN() > 1 ? s.getStandardDeviation() : 0, digits);
    }

    static String pctStd(SummaryStatistics s) {
        if (s.getN() == 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.1f%% ± %.1f", 100 * s.getMean(),
                100 * (s.getN() > 1 ? s.getStandardDeviation() : 0));
    }

    /** 0 as "0", else three significant digits in scientific notation. */
    static String sci(double v) {
        if (v == 0) {
            return "0";
        }
        if (Double.isInfinite(v)) {
            return "∞";
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }

    static String fixed(double v, int digits) {
        String t = String.format(Locale.ROOT, "%." + digits + "f", v);
        return t.matches("-0\\.?0*") ? t.substring(1) : t;
    }

    static String pctOf(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    /** Three significant digits, plain where that reads well. */
    static String num3(double v) {
        if (v >= 1e4 || v < 1e-3) {
            return sci(v);
        }
        return num(Double.parseDouble(String.format(Locale.ROOT, "%.3g", v)));
    }

    /** A short number: an integer without decimals, else as few digits as it needs. */
    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return String.valueOf((long) v);
        }
        if (Math.abs(v) < 1e-3) {
            return sci(v).replaceAll("\\.?0+e", "e");
        }
        String t = String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}
