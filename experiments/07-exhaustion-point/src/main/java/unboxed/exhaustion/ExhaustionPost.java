package unboxed.exhaustion;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import unboxed.kit.Dashboard;
import unboxed.kit.Facts;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.SweepPoints;
import unboxed.kit.Tables;
import unboxed.kit.stats.Describe;

/**
 * Post 07's figures and tables, drawn from its pinned results only; every number the prose quotes
 * is a fact computed here ({@code facts.adoc}).
 */
public final class ExhaustionPost implements Post {
    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "The exhaustion point: wearing a small network out";
    }

    @Override
    public String summary() {
        return "Post 06's 1-32-32-1 network, asked to switch between sin x and sin(x + δ) again and again until it"
                + " can no longer learn: an S–N curve of cycles to failure against the size of the switch, with"
                + " widths, depths and tanh; every attack we could think of, and which of them leave lasting"
                + " damage; what is exhausted (dead units), and the interventions that prove it.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pinned f = Pinned.load(resultsDir, "fatigue");
        Pinned iv = Pinned.load(resultsDir, "interventions");
        Map<String, String> facts = new LinkedHashMap<>();
        fatigueFacts(f, facts);
        interventionFacts(iv, facts);
        return String.format(Locale.ROOT, "Pinned results (`data/results/%s/`): when the target of a 1-32-32-1 ReLU"
                        + " network alternates between sin x and sin(x + δ) every %s Adam steps, it fails to reach"
                        + " 10⁻² relative loss within a cycle after a median of %s cycles at δ = π and %s at δ = 1,"
                        + " and never within %s cycles at δ ≤ %s (an endurance limit, %s seeds); at failure %s of"
                        + " its hidden units are dead. Re-initialising the dead units between cycles prevents"
                        + " failure in %s runs at δ = 1; weight decay in %s.",
                Experiment.POST, facts.get("budget"), facts.get("median-pi"), facts.get("median-1"),
                facts.get("max-cycles"), facts.get("endurance-delta"), facts.get("seeds"), facts.get("dead-at-failure"),
                facts.get("iv-reinit-dead-delta1-survived"), facts.get("iv-weight-decay-delta1-survived"));
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned f = Pinned.load(resultsDir, "fatigue");
        Pinned iv = Pinned.load(resultsDir, "interventions");
        Pinned at = Pinned.load(resultsDir, "attacks");
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("lr", fmt(f.at("/config/lr").asDouble()));
        facts.put("points", f.at("/config/points").asText());
        facts.put("scale", f.at("/config/scale").asText());
        fatigue(f, outDir, facts);
        exhausted(f, outDir, facts);
        interventions(iv, outDir, facts);
        attacks(at, outDir, facts);
        Facts.fixtures(Experiment.POST, facts);
        Facts.write(outDir, List.of(f, iv, at), facts);
    }

    // ------------------------------------------------------------------ statistics

    static double mean(double[] v) {
        return Describe.mean(v);
    }

    static double std(double[] v) {
        return Describe.std(v);
    }

    static double median(double[] v) {
        return Describe.median(v);
    }

    static String fmt(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e4 || a < 1e-3) {
            return String.format(Locale.ROOT, "%.2e", v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.3g", v);
    }

    /** A count of cycles: whole numbers without decimals (a median of two may end in .5). */
    static String cyclesText(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String spread(double[] v) {
        return fmt(mean(v)) + " ± " + fmt(std(v));
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * share);
    }

    static String pctSpread(double[] shares) {
        return String.format(Locale.ROOT, "%.0f ± %.0f%%", 100 * mean(shares), 100 * std(shares));
    }

    /** The mean of log(v) with its 95% Student-t interval, as factors: {geometric mean, low, high}. */
    static double[] geometricInterval(double[] v) {
        double[] l = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = Math.log(v[i]);
        }
        double m = mean(l);
        if (v.length < 2) {
            return new double[] {Math.exp(m), Double.NaN, Double.NaN};
        }
        double h = new TDistribution(v.length - 1).inverseCumulativeProbability(0.975) * std(l) / Math.sqrt(v.length);
        return new double[] {Math.exp(m), Math.exp(m - h), Math.exp(m + h)};
    }

    static double[] column(List<double[]> rows, int k) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[k];
        }
        return out;
    }

    static double[] doubles(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double[] numbers(JsonNode arr) {
        return SweepPoints.numbers(arr);
    }

    // ------------------------------------------------------------------ fatigue

    /** One fatigue configuration: its id prefix (without -delta…) and its label. */
    record Family(String prefix, String label, int seeds) {
    }

    static String deltaLabel(String id) {
        return id.equals("pi") ? "π" : id;
    }

    /** Cycles to failure of each seed, a run-out counted as the maximum (a lower bound). */
    static double[] cycles(SweepPoints pts, String config, int max) {
        double[] out = pts.values(config, "cycles_to_failure");
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i] < 0 ? max : out[i];
        }
        return out;
    }

    static int failures(SweepPoints pts, String config) {
        int n = 0;
        for (double v : pts.values(config, "cycles_to_failure")) {
            n += v > 0 ? 1 : 0;
        }
        return n;
    }

    static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<Family> families(Pinned p) {
        List<Family> fams = new ArrayList<>();
        int seeds = p.at("/config/seeds").asInt();
        int vs = p.at("/config/variant_seeds").asInt();
        int w = p.at("/config/width").asInt();
        int d = p.at("/config/depth").asInt();
        fams.add(new Family("relu-w" + w + "-d" + d, "ReLU 1-" + w + "-" + w + "-1 (the reference)", seeds));
        for (JsonNode width : p.at("/config/widths")) {
            fams.add(new Family("relu-w" + width.asInt() + "-d" + d, "ReLU, width " + width.asInt(), vs));
        }
        for (JsonNode depth : p.at("/config/depths")) {
            fams.add(new Family("relu-w" + w + "-d" + depth.asInt(), "ReLU, depth " + depth.asInt(), vs));
        }
        fams.add(new Family("tanh-w" + w + "-d" + d, "tanh 1-" + w + "-" + w + "-1", vs));
        return fams;
    }

    private static void fatigueFacts(Pinned p, Map<String, String> facts) {
        SweepPoints pts = new SweepPoints(p);
        int max = p.at("/config/max_cycles").asInt();
        int seeds = p.at("/config/seeds").asInt();
        Family ref = families(p).get(0);
        List<String> deltas = strings(p.at("/config/deltas"));
        facts.put("budget", p.at("/config/budget").asText());
        facts.put("max-cycles", String.valueOf(max));
        facts.put("seeds", String.valueOf(seeds));
        facts.put("variant-seeds", p.at("/config/variant_seeds").asText());
        facts.put("threshold", fmt(p.at("/config/threshold").asDouble()));
        facts.put("deltas", String.join(", ", deltas.stream().map(ExhaustionPost::deltaLabel).toList()));
        // the endurance limit: the largest δ below which no seed of the reference network ever failed
        String endurance = null;
        String firstAllFail = null;
        for (String d : deltas) {
            String c = ref.prefix() + "-delta" + d;
            int fails = failures(pts, c);
            if (fails == 0 && firstAllFail == null) {
                endurance = d;
            }
            if (fails == seeds && firstAllFail == null) {
                firstAllFail = d;
            }
            String key = d.replace(".", "");
            facts.put("median-" + key, fails * 2 <= seeds ? "≥ " + max : cyclesText(median(cycles(pts, c, max))));
            facts.put("failed-" + key, fails + " of " + seeds);
        }
        facts.put("endurance-delta", endurance == null ? "none" : deltaLabel(endurance));
        facts.put("endurance-a", endurance == null ? "none"
                : fmt(pts.seeds(ref.prefix() + "-delta" + endurance).get(0).get("amplitude").asDouble()));
        facts.put("all-fail-delta", firstAllFail == null ? "none" : deltaLabel(firstAllFail));
        facts.put("all-fail-a", firstAllFail == null ? "none"
                : fmt(pts.seeds(ref.prefix() + "-delta" + firstAllFail).get(0).get("amplitude").asDouble()));
        // dead units at failure, every failed run of the reference network
        List<Double> deadAtFailure = new ArrayList<>();
        List<Double> deadAfterFirst = new ArrayList<>();
        for (String d : deltas) {
            for (JsonNode run : pts.seeds(ref.prefix() + "-delta" + d)) {
                double[] dead = numbers(run.get("dead"));
                deadAfterFirst.add(dead[0]);
                if (run.get("cycles_to_failure").asInt() > 0) {
                    deadAtFailure.add(dead[dead.length - 1]);
                }
            }
        }
        facts.put("dead-at-failure", deadAtFailure.isEmpty() ? "none" : pctSpread(doubles(deadAtFailure)));
        facts.put("dead-after-first", pctSpread(doubles(deadAfterFirst)));
        facts.put("failed-runs", String.valueOf(deadAtFailure.size()));
    }

    private void fatigue(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        fatigueFacts(p, facts);
        SweepPoints pts = new SweepPoints(p);
        int max = p.at("/config/max_cycles").asInt();
        List<Family> fams = families(p);
        Family ref = fams.get(0);
        List<String> deltas = strings(p.at("/config/deltas"));
        List<String> coarse = strings(p.at("/config/coarse_deltas"));

        // the S–N figure: every run as a dot (failure) or a triangle (run-out), the median as a line
        List<Double> fx = new ArrayList<>();
        List<Double> fy = new ArrayList<>();
        List<Double> rx = new ArrayList<>();
        List<Double> ry = new ArrayList<>();
        List<Double> mx = new ArrayList<>();
        List<Double> my = new ArrayList<>();
        for (String d : deltas) {
            String c = ref.prefix() + "-delta" + d;
            double a = pts.seeds(c).get(0).get("amplitude").asDouble();
            for (JsonNode run : pts.seeds(c)) {
                int n = run.get("cycles_to_failure").asInt();
                (n > 0 ? fx : rx).add(a);
                (n > 0 ? fy : ry).add((double) (n > 0 ? n : max));
            }
            if (failures(pts, c) * 2 > ref.seeds()) {
                mx.add(a);
                my.add(median(cycles(pts, c, max)));
            }
        }
        Figures.LineFigure sn = Figures.line("sn-curve", "S–N curve of the 1-32-32-1 ReLU network (" + ref.seeds() + " seeds)")
                .axes("load a = 2 sin(δ/2)", "cycles to failure").logX().logY().from(p);
        if (!mx.isEmpty()) {
            sn.line("median of the seeds", doubles(mx), doubles(my));
        }
        if (!fx.isEmpty()) {
            sn.points("one run: failed at this cycle", doubles(fx), doubles(fy), Figures.LineFigure.Mark.DOT);
        }
        if (!rx.isEmpty()) {
            sn.points("one run: no failure in " + max + " cycles (run-out)", doubles(rx), doubles(ry),
                    Figures.LineFigure.Mark.TRIANGLE);
        }
        sn.save(outDir);

        // Basquin's law N = C a^(−k), fitted in log–log to the failed runs of the loads where every seed failed
        List<Double> lx = new ArrayList<>();
        List<Double> ly = new ArrayList<>();
        for (String d : deltas) {
            String c = ref.prefix() + "-delta" + d;
            if (failures(pts, c) == ref.seeds()) {
                double a = pts.seeds(c).get(0).get("amplitude").asDouble();
                for (double n : pts.values(c, "cycles_to_failure")) {
                    lx.add(Math.log(a));
                    ly.add(Math.log(n));
                }
            }
        }
        if (lx.size() >= 3) {
            double[] x = doubles(lx);
            double[] y = doubles(ly);
            double xm = mean(x);
            double ym = mean(y);
            double sxy = 0;
            double sxx = 0;
            for (int i = 0; i < x.length; i++) {
                sxy += (x[i] - xm) * (y[i] - ym);
                sxx += (x[i] - xm) * (x[i] - xm);
            }
            facts.put("basquin-k", String.format(Locale.ROOT, "%.2f", -sxy / sxx));
            facts.put("basquin-runs", String.valueOf(x.length));
        } else {
            facts.put("basquin-k", "not fitted (fewer than 3 failed runs)");
            facts.put("basquin-runs", String.valueOf(lx.size()));
        }

        // widths, depths, tanh: the median against the load, run-outs at the ceiling
        for (String fig : List.of("width", "depth")) {
            Figures.LineFigure f = Figures.line("sn-" + fig, "S–N curves by " + fig + (fig.equals("depth")
                            ? ", and tanh" : "") + " (median of " + p.at("/config/variant_seeds").asText() + " seeds)")
                    .axes("load a = 2 sin(δ/2)", "cycles to failure (median)").logX().logY().from(p);
            for (Family fam : fams) {
                boolean inFigure = fam == ref || (fig.equals("width") ? fam.label().contains("width")
                        : fam.label().contains("depth") || fam.prefix().startsWith("tanh"));
                if (!inFigure) {
                    continue;
                }
                double[] a = new double[coarse.size()];
                double[] m = new double[coarse.size()];
                for (int i = 0; i < coarse.size(); i++) {
                    String c = fam.prefix() + "-delta" + coarse.get(i);
                    a[i] = pts.seeds(c).get(0).get("amplitude").asDouble();
                    double[] cyc = cycles(pts, c, max);
                    m[i] = median(Arrays.copyOf(cyc, fam == ref ? fams.get(1).seeds() : cyc.length));
                }
                f.line(fam.label(), a, m);
            }
            double[] ends = {pts.seeds(ref.prefix() + "-delta" + coarse.get(0)).get(0).get("amplitude").asDouble(),
                    pts.seeds(ref.prefix() + "-delta" + coarse.get(coarse.size() - 1)).get(0).get("amplitude").asDouble()};
            f.dashed("run-out ceiling (" + max + " cycles)", ends, new double[] {max, max});
            f.save(outDir);
        }

        // the table: every configuration at every coarse load
        List<String> headers = new ArrayList<>(List.of("network"));
        coarse.forEach(d -> headers.add("δ = " + deltaLabel(d)));
        List<List<?>> rows = new ArrayList<>();
        for (Family fam : fams) {
            List<Object> row = new ArrayList<>(List.of(fam.label()));
            for (String d : coarse) {
                String c = fam.prefix() + "-delta" + d;
                int fails = failures(pts, c);
                int n = pts.seeds(c).size();
                row.add(fails + "/" + n + " failed" + (fails * 2 > n ? ", median " + cyclesText(median(cycles(pts, c, max)))
                        : fails == 0 ? "" : ", median ≥ " + max));
            }
            rows.add(row);
        }
        List<String> amps = new ArrayList<>();
        for (String d : coarse) {
            amps.add("δ = " + deltaLabel(d) + ": a = " + fmt(pts.seeds(ref.prefix() + "-delta" + d).get(0)
                    .get("amplitude").asDouble()));
        }
        Tables.write(outDir, "fatigue", "Runs that failed, of the seeds, and the median cycles to failure, by network"
                        + " and load (" + String.join("; ", amps) + "); at most " + max + " cycles of "
                        + facts.get("budget") + " steps", headers, rows,
                "Source: " + p.citation());
        facts.put("widths", Arrays.stream(SweepPoints.numbers(p.at("/config/widths")))
                .mapToObj(v -> String.valueOf((int) v)).reduce((x, y) -> x + ", " + y).orElse(""));
        facts.put("depths", Arrays.stream(SweepPoints.numbers(p.at("/config/depths")))
                .mapToObj(v -> String.valueOf((int) v)).reduce((x, y) -> x + ", " + y).orElse(""));
        facts.put("coarse-deltas", String.join(", ", coarse.stream().map(ExhaustionPost::deltaLabel).toList()));

        // the dashboards of the runs filmed
        for (JsonNode d : p.at("/config/trail_deltas")) {
            JsonNode run = pts.seeds(ref.prefix() + "-delta" + d.asText()).get(0);
            String name = "dashboard-fatigue-delta" + d.asText().replace(".", "");
            int n = run.get("cycles_to_failure").asInt();
            dashboard(run.get("trail"), name, "A fatigue run filmed: δ = " + deltaLabel(d.asText()) + ", seed 0, "
                    + (n > 0 ? "failed at cycle " + n : "no failure in " + max + " cycles")
                    + "; every measure of every layer against the step, a grey rule at each change of target", true, p)
                    .save(outDir);
        }
    }

    /** The dashboard of one filmed run: loss, norms, gradients, dead units or saturation, rank, churn, kinks. */
    static Dashboard dashboard(JsonNode trail, String name, String title, boolean relu, Pinned p) {
        double[] steps = numbers(trail.get("steps"));
        int looks = steps.length;
        List<double[]> wn = rows(trail.get("weight_norm"));
        List<double[]> gn = rows(trail.get("grad_norm"));
        List<double[]> dead = rows(trail.get("dead"));
        List<double[]> sat = rows(trail.get("saturated"));
        List<double[]> rank = rows(trail.get("rank"));
        int linears = wn.get(0).length;
        String[] legend = new String[linears];
        for (int l = 0; l < linears; l++) {
            legend[l] = l == linears - 1 ? "output layer" : "layer " + (l + 1);
        }
        Dashboard d = Dashboard.of(name, title).legend(legend).columns(4).events(numbers(trail.get("events")))
                .panelSize(200, 110).from(p);
        d.panel("loss / Var(target)").logY().line(0, steps, numbers(trail.get("relative_loss")));
        d.panel("‖W‖ per layer");
        for (int l = 0; l < linears; l++) {
            d.line(l, steps, column(wn, l));
        }
        d.panel("‖∂L/∂W‖ per layer").logY();
        for (int l = 0; l < linears; l++) {
            d.line(l, steps, column(gn, l));
        }
        d.panel(relu ? "dead units (share)" : "saturated (|z| ≥ 2.65)").yRange(0, 1);
        for (int l = 0; l < linears - 1; l++) {
            d.line(l, steps, column(relu ? dead : sat, l));
        }
        d.panel("effective rank of the activations");
        for (int l = 0; l < linears - 1; l++) {
            d.line(l, steps, column(rank, l));
        }
        double[] churn = numbers(trail.get("churn_inputs"));
        d.panel("pattern churn (share of inputs)").yRange(0, 1)
                .line(0, Arrays.copyOfRange(steps, looks - churn.length, looks), churn);
        if (relu) {
            List<Double> kx = new ArrayList<>();
            List<Double> ky = new ArrayList<>();
            JsonNode kinks = trail.get("kinks");
            for (int i = 0; i < looks; i++) {
                for (JsonNode k : kinks.get(i)) {
                    kx.add(steps[i]);
                    ky.add(k.asDouble());
                }
            }
            d.panel("kinks in [−π, π]").yRange(-Math.PI, Math.PI).dots(doubles(kx), doubles(ky));
        }
        return d;
    }

    static List<double[]> rows(JsonNode arr) {
        List<double[]> out = new ArrayList<>();
        arr.forEach(r -> out.add(numbers(r)));
        return out;
    }

    // ------------------------------------------------------------------ what is exhausted

    private void exhausted(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        Family ref = families(p).get(0);
        int budget = p.at("/config/budget").asInt();
        int max = p.at("/config/max_cycles").asInt();
        List<String> deltas = strings(p.at("/config/deltas"));
        String shown = "1";
        // cycle by cycle at δ = 1, one line per seed
        List<JsonNode> runs = pts.seeds(ref.prefix() + "-delta" + shown);
        String[] legend = new String[runs.size()];
        for (int s = 0; s < runs.size(); s++) {
            legend[s] = "seed " + s;
        }
        Dashboard d = Dashboard.of("cycles-delta1", "Cycle by cycle at δ = 1, one line per seed, until each fails:"
                        + " the steps it needed to reach the threshold (" + budget + " = not reached), its dead"
                        + " units, the norm of its middle weight matrix and the effective rank of its second"
                        + " layer's activations, at the end of every cycle")
                .legend(legend).columns(5).panelSize(170, 120).xLabel("cycle").from(p);
        String[][] panels = {{"steps to the threshold", "steps_to_threshold"}, {"dead units (share)", "dead"},
                {"dead units, layer 2", "dead_last"}, {"‖W₂‖ (32 × 32)", "weight_norm"},
                {"effective rank, layer 2", "rank"}};
        for (String[] panel : panels) {
            d.panel(panel[0]);
            if (panel[1].startsWith("dead")) {
                d.yRange(0, 1);
            }
            for (int s = 0; s < runs.size(); s++) {
                JsonNode run = runs.get(s);
                double[] y = series(run, panel[1], budget);
                double[] x = new double[y.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i + 1;
                }
                d.line(s, x, y);
            }
        }
        d.save(outDir);

        // what the failed runs have that the others lack: the measures at the end of the last cycle run
        List<double[]> first = new ArrayList<>();
        List<double[]> failed = new ArrayList<>();
        List<double[]> survived = new ArrayList<>();
        // and whether a measure after cycle c predicts the steps cycle c + 1 needs (Spearman, pooled)
        List<double[]> pairs = new ArrayList<>();
        for (String delta : deltas) {
            for (JsonNode run : pts.seeds(ref.prefix() + "-delta" + delta)) {
                double[] steps = series(run, "steps_to_threshold", budget);
                double[][] m = {series(run, "dead", budget), series(run, "dead_last", budget),
                        series(run, "weight_norm", budget), series(run, "rank", budget), series(run, "rank1", budget)};
                int last = steps.length - 1;
                first.add(at(m, 0));
                (run.get("cycles_to_failure").asInt() > 0 ? failed : survived).add(at(m, last));
                for (int c = 1; c < steps.length; c++) {
                    double[] pair = Arrays.copyOf(at(m, c - 1), m.length + 1);
                    pair[m.length] = steps[c];
                    pairs.add(pair);
                }
            }
        }
        List<List<?>> rows = new ArrayList<>();
        rows.add(row("after the first cycle (every run)", first));
        if (!failed.isEmpty()) {
            rows.add(row("at failure (" + failed.size() + " runs)", failed));
        }
        if (!survived.isEmpty()) {
            rows.add(row("after " + max + " cycles, no failure (" + survived.size() + " runs)", survived));
        }
        SpearmansCorrelation sp = new SpearmansCorrelation();
        double[] next = column(pairs, 5);
        String[] names = {"dead", "dead2", "wnorm", "rank2", "rank1"};
        List<Object> rho = new ArrayList<>(List.of("Spearman ρ with the steps the next cycle needs (" + pairs.size()
                + " cycle pairs)"));
        for (int k = 0; k < names.length; k++) {
            double r = sp.correlation(column(pairs, k), next);
            facts.put("rho-" + names[k], String.format(Locale.ROOT, "%.2f", r));
            rho.add(String.format(Locale.ROOT, "%.2f", r));
        }
        rows.add(rho);
        Tables.write(outDir, "exhausted", "What a worn-out network has: dead hidden units, the norm of the middle"
                        + " weight matrix, and the effective rank of each hidden layer's activations (mean ± std),"
                        + " for every run of the reference network at every load",
                List.of("when", "dead units", "dead, layer 2", "‖W₂‖", "rank, layer 2", "rank, layer 1"), rows,
                "Source: " + p.citation());
        facts.put("dead-first", pctSpread(column(first, 0)));
        facts.put("dead2-first", pctSpread(column(first, 1)));
        facts.put("wnorm-first", spread(column(first, 2)));
        facts.put("rank2-first", spread(column(first, 3)));
        if (!failed.isEmpty()) {
            facts.put("dead2-failed", pctSpread(column(failed, 1)));
            facts.put("wnorm-failed", spread(column(failed, 2)));
            facts.put("rank2-failed", spread(column(failed, 3)));
        }
        if (!survived.isEmpty()) {
            facts.put("dead-survived", pctSpread(column(survived, 0)));
            facts.put("dead2-survived", pctSpread(column(survived, 1)));
            facts.put("wnorm-survived", spread(column(survived, 2)));
            facts.put("rank2-survived", spread(column(survived, 3)));
        }

        // the residual strength: how many dead units it takes to fail, against the load
        Figures.LineFigure res = Figures.line("dead-against-load", "Dead units at the end of each run, against the load")
                .axes("load a = 2 sin(δ/2)", "dead hidden units (share)").logX().from(p);
        List<Double> fx = new ArrayList<>();
        List<Double> fy = new ArrayList<>();
        List<Double> rx = new ArrayList<>();
        List<Double> ry = new ArrayList<>();
        for (String delta : deltas) {
            for (JsonNode run : pts.seeds(ref.prefix() + "-delta" + delta)) {
                double[] d2 = series(run, "dead", budget);
                boolean fail = run.get("cycles_to_failure").asInt() > 0;
                (fail ? fx : rx).add(run.get("amplitude").asDouble());
                (fail ? fy : ry).add(d2[d2.length - 1]);
            }
        }
        if (!fx.isEmpty()) {
            res.points("failed", doubles(fx), doubles(fy), Figures.LineFigure.Mark.DOT);
        }
        if (!rx.isEmpty()) {
            res.points("no failure in " + max + " cycles", doubles(rx), doubles(ry), Figures.LineFigure.Mark.TRIANGLE);
        }
        res.save(outDir);

        // tanh: no unit can die; does it saturate instead?
        Family tanh = families(p).get(families(p).size() - 1);
        List<Double> satFirst = new ArrayList<>();
        List<Double> satFail = new ArrayList<>();
        for (String delta : strings(p.at("/config/coarse_deltas"))) {
            for (JsonNode run : pts.seeds(tanh.prefix() + "-delta" + delta)) {
                double[] s = saturation(run);
                satFirst.add(s[0]);
                if (run.get("cycles_to_failure").asInt() > 0) {
                    satFail.add(s[s.length - 1]);
                }
            }
        }
        facts.put("tanh-sat-first", pctSpread(doubles(satFirst)));
        facts.put("tanh-sat-failure", satFail.isEmpty() ? "none" : pctSpread(doubles(satFail)));
        facts.put("tanh-failed-runs", String.valueOf(satFail.size()));
    }

    private static List<Object> row(String label, List<double[]> v) {
        return List.of(label, pctSpread(column(v, 0)), pctSpread(column(v, 1)), spread(column(v, 2)),
                spread(column(v, 3)), spread(column(v, 4)));
    }

    /** The k-th value of every series. */
    private static double[] at(double[][] series, int k) {
        double[] out = new double[series.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = series[i][k];
        }
        return out;
    }

    /** A per-cycle series of a fatigue run: steps to threshold (failure = the budget), dead share, ‖W₂‖, ranks. */
    static double[] series(JsonNode run, String what, int budget) {
        return switch (what) {
            case "steps_to_threshold" -> Arrays.stream(numbers(run.get("steps_to_threshold")))
                    .map(v -> v < 0 ? budget : v).toArray();
            case "dead" -> numbers(run.get("dead"));
            case "dead_last" -> byCycle(run.get("dead_by_layer"), Integer.MAX_VALUE);
            case "weight_norm" -> byCycle(run.get("weight_norm"), 1);
            case "rank" -> byCycle(run.get("rank"), 1);
            case "rank1" -> byCycle(run.get("rank"), 0);
            default -> throw new IllegalArgumentException(what);
        };
    }

    private static double[] byCycle(JsonNode arr, int layer) {
        double[] out = new double[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).get(Math.min(layer, arr.get(i).size() - 1)).asDouble();
        }
        return out;
    }

    /** The mean saturated share over the hidden layers, cycle by cycle. */
    private static double[] saturation(JsonNode run) {
        JsonNode arr = run.get("saturated");
        double[] out = new double[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = mean(numbers(arr.get(i)));
        }
        return out;
    }

    // ------------------------------------------------------------------ interventions

    private static void interventionFacts(Pinned p, Map<String, String> facts) {
        SweepPoints pts = new SweepPoints(p);
        facts.put("iv-seeds", p.at("/config/seeds").asText());
        for (Cycling.Intervention iv : Cycling.Intervention.values()) {
            for (JsonNode d : p.at("/config/deltas")) {
                String c = iv.id + "-delta" + d.asText();
                int n = pts.seeds(c).size();
                facts.put("iv-" + iv.id + "-delta" + d.asText() + "-survived", (n - failures(pts, c)) + " of " + n);
            }
        }
    }

    private void interventions(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        interventionFacts(p, facts);
        SweepPoints pts = new SweepPoints(p);
        int max = p.at("/config/max_cycles").asInt();
        int budget = p.at("/config/budget").asInt();
        facts.put("wd", fmt(p.at("/config/weight_decay").asDouble()));
        facts.put("shrink", fmt(p.at("/config/shrink").asDouble()));
        facts.put("perturb", fmt(p.at("/config/perturb").asDouble()));
        List<List<?>> rows = new ArrayList<>();
        for (JsonNode dn : p.at("/config/deltas")) {
            String delta = dn.asText();
            for (Cycling.Intervention iv : Cycling.Intervention.values()) {
                String c = iv.id + "-delta" + delta;
                List<JsonNode> runs = pts.seeds(c);
                int fails = failures(pts, c);
                double[] deadEnd = new double[runs.size()];
                double[] dead2End = new double[runs.size()];
                double[] deadMax = new double[runs.size()];
                double[] wEnd = new double[runs.size()];
                double[] rankEnd = new double[runs.size()];
                for (int s = 0; s < runs.size(); s++) {
                    double[] dead = numbers(runs.get(s).get("dead"));
                    deadEnd[s] = dead[dead.length - 1];
                    double[] d2 = series(runs.get(s), "dead_last", budget);
                    dead2End[s] = d2[d2.length - 1];
                    deadMax[s] = Arrays.stream(dead).max().orElse(0);
                    double[] w = series(runs.get(s), "weight_norm", budget);
                    wEnd[s] = w[w.length - 1];
                    double[] r = series(runs.get(s), "rank", budget);
                    rankEnd[s] = r[r.length - 1];
                }
                String revived = "";
                if (iv == Cycling.Intervention.REINIT_DEAD) {
                    List<Double> per = new ArrayList<>();
                    for (JsonNode run : runs) {
                        double[] rv = numbers(run.get("revived"));
                        per.add(rv.length == 0 ? 0 : mean(rv));
                    }
                    revived = fmt(mean(doubles(per)));
                    facts.put("revived-delta" + delta, revived);
                }
                rows.add(List.of("δ = " + deltaLabel(delta), iv.label, (runs.size() - fails) + "/" + runs.size(),
                        fails * 2 > runs.size() ? cyclesText(median(cycles(pts, c, max))) : "≥ " + max,
                        pctSpread(deadEnd), pctSpread(dead2End), spread(wEnd), spread(rankEnd), revived));
                facts.put("iv-" + iv.id + "-delta" + delta + "-dead", pctSpread(deadEnd));
                facts.put("iv-" + iv.id + "-delta" + delta + "-dead2", pctSpread(dead2End));
                facts.put("iv-" + iv.id + "-delta" + delta + "-wnorm", spread(wEnd));
            }
        }
        Tables.write(outDir, "interventions", "Interventions between cycles: runs with no failure in " + max
                        + " cycles, median cycles to failure, and at the end of the last cycle the dead units, ‖W₂‖ and"
                        + " the effective rank of layer 2 (mean ± std); for re-initialisation, the units revived per"
                        + " cycle", List.of("load", "intervention", "no failure", "median cycles", "dead units", "dead, layer 2", "‖W₂‖",
                        "rank, layer 2", "revived per cycle"), rows,
                "Source: " + p.citation());

        // one dashboard: every intervention at δ = 1, dead units and steps needed, one line per seed
        Cycling.Intervention[] ivs = Cycling.Intervention.values();
        List<JsonNode> any = pts.seeds(ivs[0].id + "-delta1");
        String[] legend = new String[any.size()];
        for (int s = 0; s < legend.length; s++) {
            legend[s] = "seed " + s;
        }
        Dashboard d = Dashboard.of("interventions-delta1", "The interventions at δ = 1, one line per seed until it"
                        + " fails: dead units at the end of every cycle (top) and the steps the cycle needed to reach"
                        + " the threshold (bottom; " + budget + " = not reached)")
                .legend(legend).columns(ivs.length).panelSize(150, 100).xLabel("cycle").from(p);
        for (String what : List.of("dead", "steps_to_threshold")) {
            for (Cycling.Intervention iv : ivs) {
                d.panel(iv.id + (what.equals("dead") ? ": dead" : ": steps"));
                if (what.equals("dead")) {
                    d.yRange(0, 1);
                } else {
                    d.yRange(0, budget);
                }
                List<JsonNode> runs = pts.seeds(iv.id + "-delta1");
                for (int s = 0; s < runs.size(); s++) {
                    double[] y = series(runs.get(s), what, budget);
                    double[] x = new double[y.length];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = i + 1;
                    }
                    d.line(s, x, y);
                }
            }
        }
        d.save(outDir);
        for (Cycling.Intervention iv : ivs) {
            JsonNode run = pts.seeds(iv.id + "-delta1").get(0);
            int n = run.get("cycles_to_failure").asInt();
            dashboard(run.get("trail"), "dashboard-intervention-" + iv.id, "Intervention “" + iv.label
                    + "” at δ = 1, seed 0, filmed: " + (n > 0 ? "failed at cycle " + n : "no failure in " + max
                    + " cycles"), true, p).save(outDir);
        }
    }

    // ------------------------------------------------------------------ attacks

    private void attacks(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        int budget = p.at("/config/probe_budget").asInt();
        facts.put("attack-steps", p.at("/config/attack_steps").asText());
        facts.put("attack-cycle", p.at("/config/cycle").asText());
        facts.put("attack-seeds", p.at("/config/seeds").asText());
        facts.put("probe-budget", String.valueOf(budget));
        facts.put("probe-target", p.at("/config/probe_target").asText().equals("square") ? "x²"
                : p.at("/config/probe_target").asText());
        facts.put("spike-lr", fmt(p.at("/config/spike_lr").asDouble()));
        facts.put("spike-steps", p.at("/config/spike_steps").asText());
        facts.put("input-shift", fmt(p.at("/config/input_shift").asDouble()));
        List<List<?>> rows = new ArrayList<>();
        List<String> damaged = new ArrayList<>();
        List<String> harmless = new ArrayList<>();
        for (String act : List.of("relu", "tanh")) {
            double[] fresh = probeSteps(pts, act + "-fresh", budget);
            Figures.LineFigure fig = Figures.line("attacks-" + act, (act.equals("relu") ? "ReLU" : "tanh")
                            + ": the probe after each attack, against " + (act.equals("relu") ? "dead units"
                            : "saturation"))
                    .axes(act.equals("relu") ? "dead hidden units after the attack (share)"
                            : "saturated activations in layer 2 after the attack (share)", "probe: steps to loss/Var ≤ "
                            + fmt(p.at("/config/threshold").asDouble())).logY().from(p);
            List<String> order = new ArrayList<>();
            for (Attacks.Attack a : Attacks.Attack.values()) {
                order.add(a.label);
            }
            fig.colours(order);
            for (Attacks.Attack a : Attacks.Attack.values()) {
                String c = act + "-" + a.id;
                List<JsonNode> runs = pts.seeds(c);
                double[] steps = probeSteps(pts, c, budget);
                int reached = 0;
                List<Double> ox = new ArrayList<>();
                List<Double> oy = new ArrayList<>();
                List<Double> tx = new ArrayList<>();
                List<Double> ty = new ArrayList<>();
                double[] dead = new double[runs.size()];
                double[] dead2 = new double[runs.size()];
                double[] sat = new double[runs.size()];
                double[] wmax = new double[runs.size()];
                double[] rank = new double[runs.size()];
                for (int s = 0; s < runs.size(); s++) {
                    JsonNode after = runs.get(s).get("after_attack");
                    boolean ok = runs.get(s).get("probe_reached").asBoolean();
                    reached += ok ? 1 : 0;
                    dead[s] = after.get("dead").asDouble();
                    double[] dl = numbers(after.get("dead_by_layer"));
                    dead2[s] = dl[dl.length - 1];
                    double[] sl = numbers(after.get("saturated"));
                    sat[s] = sl[sl.length - 1];
                    wmax[s] = Arrays.stream(numbers(after.get("weight_norm"))).max().orElse(0);
                    double[] rk = numbers(after.get("rank"));
                    rank[s] = rk[rk.length - 1];
                    double x = act.equals("relu") ? dead[s] : sat[s];
                    (ok ? ox : tx).add(x);
                    (ok ? oy : ty).add(Math.max(1, steps[s]));
                }
                if (!ox.isEmpty()) {
                    fig.points(a.label, doubles(ox), doubles(oy), Figures.LineFigure.Mark.DOT);
                }
                if (!tx.isEmpty()) {
                    fig.points(a.label + " (not reached)", doubles(tx), doubles(ty), Figures.LineFigure.Mark.TRIANGLE);
                }
                // paired by seed: the attacked network against the new network of the same seed index
                double[] ratio = new double[steps.length];
                for (int s = 0; s < steps.length; s++) {
                    ratio[s] = Math.max(1, steps[s]) / Math.max(1, fresh[s]);
                }
                double[] gi = geometricInterval(ratio);
                String verdict;
                if (a == Attacks.Attack.FRESH) {
                    verdict = "the yardstick";
                } else if (reached < runs.size() || gi[1] > 1) {
                    verdict = "lasting damage";
                    damaged.add(act + " " + a.label);
                } else if (gi[2] < 1) {
                    verdict = "faster than new";
                    harmless.add(act + " " + a.label);
                } else {
                    // the interval holds 1: no damage that these seeds can show, which is not proof of none
                    verdict = "none detected";
                    harmless.add(act + " " + a.label);
                }
                String ratioText = a == Attacks.Attack.FRESH ? "1"
                        : (reached < runs.size() ? "≥ " : "") + String.format(Locale.ROOT, "%.2f× [%.2f, %.2f]", gi[0],
                        gi[1], gi[2]);
                rows.add(List.of(act.equals("relu") ? "ReLU" : "tanh", a.label, reached + "/" + runs.size(),
                        reached == runs.size() ? spread(steps) : "≥ " + fmt(mean(steps)), ratioText, verdict,
                        pctSpread(dead), pctSpread(dead2), pctSpread(sat), spread(wmax), spread(rank)));
                String key = "attack-" + act + "-" + a.id;
                facts.put(key + "-verdict", verdict);
                facts.put(key + "-ratio", ratioText);
                facts.put(key + "-reached", reached + " of " + runs.size());
                facts.put(key + "-dead", pctSpread(dead));
                facts.put(key + "-dead2", pctSpread(dead2));
                facts.put(key + "-sat", pctSpread(sat));
                facts.put(key + "-steps", reached == runs.size() ? spread(steps) : "≥ " + fmt(mean(steps)));
                JsonNode trail = runs.get(0).get("trail");
                if (trail != null) {
                    dashboard(trail, "dashboard-attack-" + act + "-" + a.id, (act.equals("relu") ? "ReLU" : "tanh")
                            + ", attack “" + a.label + "”, seed 0, filmed through the attack and the probe (the last"
                            + " grey rule)", act.equals("relu"), p).save(outDir);
                }
            }
            fig.save(outDir);
        }
        facts.put("damaging-attacks", damaged.isEmpty() ? "none" : String.join("; ", damaged));
        facts.put("harmless-attacks", harmless.isEmpty() ? "none" : String.join("; ", harmless));
        Tables.write(outDir, "attacks", "Every attack, then the probe (x², a fresh Adam, at most " + budget
                        + " steps): probes that reached the threshold, the steps they took (mean ± std), the ratio to a"
                        + " new network of the same seed (geometric mean and 95% t interval over seeds; ≥ where a"
                        + " probe never got there, counted as " + budget + " steps), the verdict, and the state the"
                        + " attack left: dead units (all, and layer 2), saturated share of layer 2, the largest ‖W‖, the effective rank"
                        + " of layer 2",
                List.of("net", "attack", "reached", "probe steps", "× new network", "verdict", "dead", "dead, layer 2", "saturated",
                        "max ‖W‖", "rank, layer 2"), rows,
                "Source: " + p.citation());
    }

    /** The probe's steps of each seed, a probe that never reached the threshold counted as the budget. */
    static double[] probeSteps(SweepPoints pts, String config, int budget) {
        double[] v = pts.values(config, "probe_steps");
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] < 0 ? budget : v[i];
        }
        return v;
    }
}
