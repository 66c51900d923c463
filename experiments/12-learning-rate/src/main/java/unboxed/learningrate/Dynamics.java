package unboxed.learningrate;

import static unboxed.learningrate.LearningRatePost.statusesOf;
import static unboxed.learningrate.LearningRatePost.valuesOf;
import static unboxed.learningrate.Stats.count;
import static unboxed.learningrate.Stats.doubles;
import static unboxed.learningrate.Stats.fmt;
import static unboxed.learningrate.Stats.geomean;
import static unboxed.learningrate.Stats.list;
import static unboxed.learningrate.Stats.mean;
import static unboxed.learningrate.Stats.outcome;
import static unboxed.learningrate.Stats.rate;
import static unboxed.learningrate.Stats.spread;
import static unboxed.learningrate.Stats.strings;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.SweepPoints;
import unboxed.kit.Tables;
import unboxed.kit.stats.Describe;

/**
 * Dimensionality against the 2/λ₀ prediction, the edge of stability, the catapult, warm-up and the
 * schedules: the sections of the post that look inside runs.
 */
final class Dynamics {
    private Dynamics() {
    }

    // ------------------------------------------------------------------ dimensionality

    /** One configuration of the dimension sweep, summarised over its seeds. */
    record Dim(int d, int w, double[] lambda0, double[] best, double[] threshold) {
        double[] predicted() {
            double[] out = new double[lambda0.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = 2 / lambda0[i];
            }
            return out;
        }

        /** threshold · λ₀ / 2 per seed: 1 where the 2/λ₀ rule holds exactly. */
        double[] ratio() {
            double[] p = predicted();
            double[] out = new double[p.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = threshold[i] / p[i];
            }
            return out;
        }
    }

    static Dim dim(SweepPoints pts, int d, int w) {
        String c = "d" + d + "-w" + w;
        return new Dim(d, w, valuesOf(pts, c, "lambda0"), valuesOf(pts, c, "best_lr"), valuesOf(pts, c, "threshold"));
    }

    static void dimension(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        int dimWidth = p.at("/config/dim_width").asInt();
        int widthDim = p.at("/config/width_dim").asInt();
        List<Dim> byD = new ArrayList<>();
        p.at("/config/dims").forEach(n -> byD.add(dim(pts, n.asInt(), dimWidth)));
        List<Dim> byW = new ArrayList<>();
        p.at("/config/widths").forEach(n -> byW.add(dim(pts, widthDim, n.asInt())));
        List<Dim> all = new ArrayList<>(byD);
        byW.stream().filter(x -> x.w() != dimWidth).forEach(all::add);
        double thrLo = Double.POSITIVE_INFINITY;
        double thrHi = 0;
        double predLo = Double.POSITIVE_INFINITY;
        double predHi = 0;
        double ratioLo = Double.POSITIVE_INFINITY;
        double ratioHi = 0;
        double bestLo = Double.POSITIVE_INFINITY;
        double bestHi = 0;
        for (Dim x : all) {
            thrLo = Math.min(thrLo, geomean(x.threshold()));
            thrHi = Math.max(thrHi, geomean(x.threshold()));
            predLo = Math.min(predLo, geomean(x.predicted()));
            predHi = Math.max(predHi, geomean(x.predicted()));
            ratioLo = Math.min(ratioLo, geomean(x.ratio()));
            ratioHi = Math.max(ratioHi, geomean(x.ratio()));
            bestLo = Math.min(bestLo, geomean(x.best()));
            bestHi = Math.max(bestHi, geomean(x.best()));
        }
        facts.put("dim-steps", p.at("/config/steps").asText());
        facts.put("dim-points", p.at("/config/points").asText());
        facts.put("dim-seeds", p.at("/config/seeds").asText());
        facts.put("dim-halvings", p.at("/config/halvings").asText());
        facts.put("dim-width", String.valueOf(dimWidth));
        facts.put("width-dim", String.valueOf(widthDim));
        facts.put("dims", String.join(", ", strings(p.at("/config/dims"))));
        facts.put("widths", String.join(", ", strings(p.at("/config/widths"))));
        List<Double> grid = list(p.at("/config/lrs"));
        facts.put("dim-grid", rate(grid.get(0)) + " to " + rate(grid.get(grid.size() - 1)));
        facts.put("dim-per-decade", String.valueOf(Math.round((grid.size() - 1) / Math.log10(grid.get(grid.size() - 1)
                / grid.get(0)))));
        facts.put("dim-threshold-range", fmt(thrLo) + " to " + fmt(thrHi));
        facts.put("dim-predicted-range", fmt(predLo) + " to " + fmt(predHi));
        facts.put("dim-ratio-range", fmt(ratioLo) + " to " + fmt(ratioHi));
        facts.put("dim-best-range", fmt(bestLo) + " to " + fmt(bestHi));
        // the bisection narrows one step of the grid, a factor 10^(1/per decade), to its 2^halvings-th root
        double step = Math.pow(10, 1.0 / Math.round((grid.size() - 1) / Math.log10(grid.get(grid.size() - 1) / grid.get(0))));
        facts.put("dim-precision", Stats.pct(Math.pow(step, 1.0 / (1 << p.at("/config/halvings").asInt())) - 1));
        double belowLo = Double.POSITIVE_INFINITY;
        double belowHi = 0;
        for (Dim x : all) {
            double r = geomean(x.threshold()) / geomean(x.best());
            belowLo = Math.min(belowLo, r);
            belowHi = Math.max(belowHi, r);
        }
        facts.put("dim-best-below", fmt(belowLo) + " to " + fmt(belowHi));
        Dim w0 = byW.get(0);
        Dim w1 = byW.get(byW.size() - 1);
        facts.put("dim-lambda-w-lo", fmt(mean(w0.lambda0())));
        facts.put("dim-lambda-w-hi", fmt(mean(w1.lambda0())));
        facts.put("dim-w-lo", String.valueOf(w0.w()));
        facts.put("dim-w-hi", String.valueOf(w1.w()));
        facts.put("dim-thr-w-lo", fmt(geomean(w0.threshold())));
        facts.put("dim-thr-w-hi", fmt(geomean(w1.threshold())));
        Dim d0 = byD.get(0);
        Dim d1 = byD.get(byD.size() - 1);
        facts.put("dim-lambda-d-lo", fmt(mean(d0.lambda0())));
        facts.put("dim-lambda-d-hi", fmt(mean(d1.lambda0())));
        facts.put("dim-d-lo", String.valueOf(d0.d()));
        facts.put("dim-d-hi", String.valueOf(d1.d()));
        facts.put("dim-lambda-d2", fmt(mean(byD.get(1).lambda0())));
        facts.put("dim-d2", String.valueOf(byD.get(1).d()));
        List<String> failures = new ArrayList<>();
        for (JsonNode pt : p.at("/points")) {
            failures.add(pt.get("threshold_failure").asText());
        }
        facts.put("dim-failures", outcome(failures));
        facts.put("dim-runs", String.valueOf(failures.size()));
        if (outDir == null) {
            return;
        }
        dimFigure(p, outDir, "dimension-input", "Threshold and best rate against the input dimension",
                "input dimension d (width " + dimWidth + ")", byD, true);
        dimFigure(p, outDir, "dimension-width", "Threshold and best rate against the width", "width w (d = "
                + widthDim + ")", byW, false);
        List<List<?>> rows = new ArrayList<>();
        for (Dim x : all) {
            rows.add(List.of(x.d(), x.w(), spread(x.lambda0()), fmt(geomean(x.predicted())), fmt(geomean(x.best())),
                    fmt(geomean(x.threshold())) + " (" + fmt(Stats.min(x.threshold())) + "–" + fmt(Stats.max(x.threshold()))
                            + ")", fmt(geomean(x.ratio()))));
        }
        Tables.write(outDir, "dimension", "sin(2 u·x) in d dimensions, d-w-w-1 ReLU networks, full-batch gradient"
                        + " descent for " + p.at("/config/steps").asText() + " steps (" + p.at("/config/seeds").asInt()
                        + " seeds; rates as geometric means, the threshold's range over the seeds in brackets)",
                List.of("d", "w", "λ₀ (mean ± std)", "2/λ₀", "best rate", "threshold", "threshold ÷ (2/λ₀)"), rows,
                List.of(p));
    }

    private static void dimFigure(Pinned p, Path outDir, String name, String title, String axis, List<Dim> dims,
                                  boolean byD) throws IOException {
        double[] x = new double[dims.size()];
        double[][] thr = new double[dims.get(0).threshold().length][dims.size()];
        double[][] best = new double[thr.length][dims.size()];
        double[] pred = new double[dims.size()];
        for (int i = 0; i < dims.size(); i++) {
            Dim d = dims.get(i);
            x[i] = byD ? d.d() : d.w();
            pred[i] = geomean(d.predicted());
            for (int s = 0; s < thr.length; s++) {
                thr[s][i] = d.threshold()[s];
                best[s][i] = d.best()[s];
            }
        }
        Figures.line(name, title).axes(axis, "learning rate").logX().logY().colours(LearningRatePost.COLOURS)
                .seeds("measured threshold", x, thr)
                .seeds("best rate", x, best)
                .dashed("2/λ₀ (prediction)", x, pred)
                .dashed("output-bias limit (2/2 = 1)", new double[] {x[0], x[x.length - 1]}, new double[] {1, 1})
                .from(p).save(outDir);
    }

    // ------------------------------------------------------------------ the edge of stability

    /** The step of the first look at which the sharpness reaches 95% of 2/lr, or −1. */
    static int reach(JsonNode point, double lr) {
        double[] s = SweepPoints.numbers(point.get("sharpness"));
        JsonNode steps = point.get("sharp_steps");
        for (int i = 0; i < s.length; i++) {
            if (s[i] >= 0.95 * 2 / lr) {
                return steps.get(i).asInt();
            }
        }
        return -1;
    }

    static void edgeOfStability(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        List<Double> rates = list(p.at("/config/eos_rates"));
        int every = p.at("/config/eos_curve_every").asInt();
        facts.put("eos-steps", p.at("/config/eos_steps").asText());
        facts.put("eos-rates", String.join(", ", rates.stream().map(Stats::rate).toList()));
        facts.put("eos-look-every", p.at("/config/eos_look_every").asText());
        Figures.LineFigure fs = Figures.line("edge-of-stability", "The edge of stability: the sharpness along training")
                .axes("step of full-batch gradient descent", "λ_max").logY();
        Figures.LineFigure fl = Figures.line("eos-loss", "The edge of stability: the loss of the same runs")
                .axes("step", "loss / Var(sin x)").logY();
        List<String> labels = new ArrayList<>();
        List<List<?>> rows = new ArrayList<>();
        for (double lr : rates) {
            String c = "eos-lr" + rate(lr);
            List<JsonNode> seeds = pts.seeds(c);
            labels.add("lr " + rate(lr));
            double[] steps = SweepPoints.numbers(seeds.get(0).get("sharp_steps"));
            double[][] sharp = new double[seeds.size()][];
            double[][] loss = new double[seeds.size()][];
            double[] reach = new double[seeds.size()];
            double[] finalRatio = new double[seeds.size()];
            double[] ups = new double[seeds.size()];
            int reached = 0;
            int len = Integer.MAX_VALUE;
            for (JsonNode s : seeds) {
                len = Math.min(len, s.get("curve").size());
            }
            for (int k = 0; k < seeds.size(); k++) {
                JsonNode s = seeds.get(k);
                sharp[k] = SweepPoints.numbers(s.get("sharpness"));
                loss[k] = java.util.Arrays.copyOf(SweepPoints.numbers(s.get("curve")), len);
                int r = reach(s, lr);
                reach[k] = r;
                reached += r >= 0 ? 1 : 0;
                finalRatio[k] = sharp[k][sharp[k].length - 1] * lr / 2;
                // loss spikes: the share of 10-step intervals, after the sharpness reached 2/lr, in which the loss rose
                int from = r < 0 ? Integer.MAX_VALUE : r / every;
                int rises = 0;
                int intervals = 0;
                for (int i = Math.max(1, from + 1); i < loss[k].length; i++) {
                    intervals++;
                    rises += loss[k][i] > loss[k][i - 1] ? 1 : 0;
                }
                ups[k] = intervals == 0 ? Double.NaN : (double) rises / intervals;
            }
            String key = rate(lr).replace(".", "");
            double[] reachedSteps = java.util.Arrays.stream(reach).filter(v -> v >= 0).toArray();
            facts.put("eos-reached-" + key, reached + " of " + seeds.size());
            facts.put("eos-reach-" + key, reachedSteps.length == 0 ? "never" : fmt(mean(reachedSteps)));
            facts.put("eos-ratio-" + key, spread(finalRatio));
            double[] upsFinite = LearningRatePost.finite(ups);
            facts.put("eos-rises-" + key, upsFinite.length == 0 ? "n/a" : Stats.pct(mean(upsFinite)));
            facts.put("eos-lambda0-" + key, spread(valuesOf(pts, c, "lambda0")));
            fs.seeds("lr " + rate(lr), steps, sharp);
            fs.dashed("lr " + rate(lr) + " (2/lr)", new double[] {steps[0], steps[steps.length - 1]},
                    new double[] {2 / lr, 2 / lr});
            double[] lx = new double[len];
            for (int i = 0; i < len; i++) {
                lx[i] = (double) i * every;
            }
            fl.seeds("lr " + rate(lr), lx, loss);
            rows.add(List.of(rate(lr), fmt(2 / lr), spread(valuesOf(pts, c, "lambda0")),
                    reachedSteps.length == 0 ? "never" : fmt(mean(reachedSteps)) + " (" + reached + " of " + seeds.size()
                            + ")", spread(finalRatio), upsFinite.length == 0 ? "–" : Stats.pct(mean(upsFinite)),
                    spread(valuesOf(pts, c, "final_rel_loss"))));
        }
        if (outDir == null) {
            return;
        }
        fs.colours(labels).from(p).save(outDir);
        fl.colours(labels).from(p).save(outDir);
        Tables.write(outDir, "edge-of-stability", "The edge of stability: when the sharpness reaches 2/lr, where it"
                        + " ends, and how often the loss rises afterwards (" + p.at("/config/seeds").asInt() + " seeds)",
                List.of("lr", "2/lr", "λ₀", "step it reaches 95% of 2/lr", "λ_max · lr / 2 at the end",
                        "10-step intervals in which the loss rose, after", "final loss / Var"), rows, List.of(p));
    }

    // ------------------------------------------------------------------ the catapult

    static void catapult(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        List<Double> multiples = list(p.at("/config/catapult_multiples"));
        int look = p.at("/config/catapult_look_every").asInt();
        facts.put("catapult-steps", p.at("/config/catapult_steps").asText());
        facts.put("catapult-multiples", String.join(", ", multiples.stream().map(Stats::rate).toList()));
        List<List<?>> rows = new ArrayList<>();
        int blew = 0;
        double lastAll = Double.NaN;
        double firstFail = Double.NaN;
        Figures.LineFigure fl = Figures.line("catapult-loss", "The catapult: the loss in the first 60 steps")
                .axes("step (the rate is c × 2/λ₀)", "loss / Var(sin x)").logY();
        Figures.LineFigure fs = Figures.line("catapult-sharpness", "The catapult: the sharpness, as a multiple of 2/lr")
                .axes("step", "λ_max · lr / 2").logY();
        List<String> labels = new ArrayList<>();
        for (double c : multiples) {
            String config = "catapult-c" + rate(c);
            List<JsonNode> seeds = pts.seeds(config);
            List<String> st = statusesOf(pts, config);
            double[] peak = new double[seeds.size()];
            double[] peakStep = new double[seeds.size()];
            double[] lrs = valuesOf(pts, config, "lr_used");
            List<Double> endRatio = new ArrayList<>();
            for (int k = 0; k < seeds.size(); k++) {
                double[] curve = SweepPoints.numbers(seeds.get(k).get("curve"));
                int at = 0;
                for (int i = 0; i < Math.min(curve.length, 60); i++) {
                    at = curve[i] > curve[at] ? i : at;
                }
                peak[k] = curve[at] / curve[0];
                peakStep[k] = at;
                if (st.get(k).equals("trained")) {
                    double[] s = SweepPoints.numbers(seeds.get(k).get("sharpness"));
                    endRatio.add(s[s.length - 1] * lrs[k] / 2);
                }
            }
            int trained = count(st, "trained");
            blew += count(st, "blew-up");
            if (trained == st.size() && Double.isNaN(firstFail)) {
                lastAll = c;
            }
            if (trained < st.size() && Double.isNaN(firstFail)) {
                firstFail = c;
            }
            String key = rate(c).replace(".", "");
            facts.put("catapult-peak-" + key, fmt(Stats.geomean(peak)));
            facts.put("catapult-outcome-" + key, outcome(st));
            facts.put("catapult-end-" + key, endRatio.isEmpty() ? "n/a" : spread(doubles(endRatio)));
            rows.add(List.of(rate(c), fmt(Stats.min(lrs)) + "–" + fmt(Stats.max(lrs)), fmt(Stats.geomean(peak)),
                    fmt(Describe.median(peakStep)), outcome(st), endRatio.isEmpty() ? "–" : spread(doubles(endRatio))));
            if (List.of(0.5, 1.2, 2.0, 3.0).contains(c)) {
                labels.add("c = " + rate(c));
                double[][] loss = new double[seeds.size()][];
                double[][] sharp = new double[seeds.size()][];
                for (int k = 0; k < seeds.size(); k++) {
                    loss[k] = java.util.Arrays.copyOf(SweepPoints.numbers(seeds.get(k).get("curve")), 61);
                    double[] s = SweepPoints.numbers(seeds.get(k).get("sharpness"));
                    sharp[k] = new double[Math.min(s.length, 60 / look + 1)];
                    for (int i = 0; i < sharp[k].length; i++) {
                        sharp[k][i] = Math.max(1e-3, s[i] * lrs[k] / 2);
                    }
                }
                double[] x = new double[61];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i;
                }
                double[] sx = new double[sharp[0].length];
                for (int i = 0; i < sx.length; i++) {
                    sx[i] = i * look;
                }
                fl.seeds("c = " + rate(c), x, loss);
                fs.seeds("c = " + rate(c), sx, sharp);
            }
        }
        facts.put("catapult-all-trained-up-to", Double.isNaN(lastAll) ? "none" : rate(lastAll));
        facts.put("catapult-first-failure", Double.isNaN(firstFail) ? "none" : rate(firstFail));
        facts.put("catapult-blew", String.valueOf(blew));
        facts.put("catapult-runs", String.valueOf(multiples.size() * p.at("/config/seeds").asInt()));
        if (outDir == null) {
            return;
        }
        fl.colours(labels).from(p).save(outDir);
        fs.dashed("stable: λ_max = 2/lr", new double[] {0, 60}, new double[] {1, 1}).colours(labels).from(p).save(outDir);
        Tables.write(outDir, "catapult", "Rates set as c × 2/λ₀ from each seed's own initial sharpness ("
                        + p.at("/config/seeds").asInt() + " seeds; the peak of the loss within 60 steps, relative to its"
                        + " first value, as a geometric mean)",
                List.of("c", "lr", "peak loss ÷ first loss", "step of the peak (median)", "outcome",
                        "λ_max · lr / 2 at the end (trained runs)"), rows, List.of(p));
    }

    // ------------------------------------------------------------------ warm-up: the intervention

    static void warmup(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        List<Double> lrs = list(p.at("/config/lrs"));
        List<String> modes = strings(p.at("/config/modes"));
        facts.put("warm-steps", p.at("/config/steps").asText());
        facts.put("warm-ramp", p.at("/config/ramp").asText());
        facts.put("warm-start", rate(p.at("/config/ramp_start_factor").asDouble()));
        facts.put("warm-rates", String.join(", ", lrs.stream().map(Stats::rate).toList()));
        List<List<?>> rows = new ArrayList<>();
        double rescue = Double.NaN;
        int gain = 0;
        for (double lr : lrs) {
            List<Object> row = new ArrayList<>();
            row.add(rate(lr));
            int[] trained = new int[modes.size()];
            for (int m = 0; m < modes.size(); m++) {
                String c = modes.get(m) + "-lr" + rate(lr);
                List<String> st = statusesOf(pts, c);
                trained[m] = count(st, "trained");
                double[] rel = LearningRatePost.finite(valuesOf(pts, c, "final_rel_loss"));
                row.add(outcome(st) + (rel.length == 0 ? "" : "; loss " + fmt(Describe.median(rel))));
                facts.put("warm-" + modes.get(m) + "-" + rate(lr).replace(".", ""), outcome(st));
            }
            int g = trained[modes.indexOf("warmup")] - trained[modes.indexOf("constant")];
            if (g > gain) {
                gain = g;
                rescue = lr;
            }
            rows.add(row);
        }
        if (Double.isNaN(rescue)) {
            facts.put("warm-rescue-lr", "none");
            facts.put("warm-rescue-warmup", "n/a");
            facts.put("warm-rescue-constant", "n/a");
            facts.put("warm-rescue-cooldown", "n/a");
        } else {
            facts.put("warm-rescue-lr", rate(rescue));
            for (String m : modes) {
                List<String> st = statusesOf(pts, m + "-lr" + rate(rescue));
                facts.put("warm-rescue-" + m, count(st, "trained") + " of " + st.size());
            }
        }
        // the largest rate at which even the warm-up fails in every run
        String allFail = "none";
        for (double lr : lrs) {
            if (count(statusesOf(pts, "warmup-lr" + rate(lr)), "trained") == 0 && allFail.equals("none")) {
                allFail = rate(lr);
            }
        }
        facts.put("warm-all-fail", allFail);
        if (outDir == null || Double.isNaN(rescue)) {
            return;
        }
        List<String> header = new ArrayList<>(List.of("lr"));
        modes.forEach(m -> header.add(m.equals("warmup") ? "warm-up" : m.equals("cooldown") ? "cool-down" : m));
        Tables.write(outDir, "warmup", "Constant rates against the same rates reached by a linear warm-up over the first "
                        + p.at("/config/ramp").asText() + " steps, or left by the same ramp over the last "
                        + p.at("/config/ramp").asText() + " (a cool-down); " + p.at("/config/steps").asText()
                        + " steps of full-batch gradient descent, " + p.at("/config/seeds").asInt() + " seeds each"
                        + " (the median final loss / Var of the runs that did not blow up)", header, rows, List.of(p));
        // the warm-up run at the rescued rate: its sharpness follows 2/η(t) down as the rate rises
        String c = "warmup-lr" + rate(rescue);
        List<JsonNode> seeds = pts.seeds(c);
        double[] steps = SweepPoints.numbers(seeds.get(0).get("sharp_steps"));
        double[][] sharp = new double[seeds.size()][];
        for (int k = 0; k < seeds.size(); k++) {
            sharp[k] = SweepPoints.numbers(seeds.get(k).get("sharpness"));
        }
        double[] lrAt = SweepPoints.numbers(seeds.get(0).get("lr_at_looks"));
        double[] limit = new double[lrAt.length];
        for (int i = 0; i < lrAt.length; i++) {
            limit[i] = 2 / lrAt[i];
        }
        Figures.line("warmup-sharpness", "A warm-up to lr " + rate(rescue) + ": the sharpness and 2/η(t)")
                .axes("step", "λ_max").logY()
                .seeds("λ_max, warm-up", steps, sharp)
                .dashed("2/η(t)", steps, limit)
                .from(p).save(outDir);
    }

    // ------------------------------------------------------------------ schedules

    static void schedules(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        List<String> names = strings(p.at("/config/schedules"));
        List<Double> peaks = list(p.at("/config/peaks"));
        int every = p.at("/config/log_every").asInt();
        facts.put("sched-peaks", String.join(", ", peaks.stream().map(Stats::rate).toList()));
        List<List<?>> rows = new ArrayList<>();
        for (double peak : peaks) {
            String bestName = null;
            double bestAcc = -1;
            for (String s : names) {
                String c = s + "-lr" + rate(peak);
                double[] acc = valuesOf(pts, c, "test_accuracy");
                double[] loss = valuesOf(pts, c, "final_loss");
                if (mean(acc) > bestAcc) {
                    bestAcc = mean(acc);
                    bestName = s;
                }
                String key = s + "-" + rate(peak).replace(".", "");
                facts.put("sched-acc-" + key, RateSweep.pctText(acc));
                facts.put("sched-outcome-" + key, outcome(statusesOf(pts, c)));
                rows.add(List.of(s, rate(peak), Stats.allFinite(loss) ? spread(loss) : "–", RateSweep.pctText(acc),
                        outcome(statusesOf(pts, c))));
            }
            facts.put("sched-best-" + rate(peak).replace(".", ""), bestName);
            facts.put("sched-best-acc-" + rate(peak).replace(".", ""),
                    RateSweep.pctText(valuesOf(pts, bestName + "-lr" + rate(peak), "test_accuracy")));
        }
        if (outDir == null) {
            return;
        }
        Tables.write(outDir, "schedules", "The CNN under four schedules at each peak rate (SGD, batch "
                        + p.at("/config/batch").asText() + ", " + p.at("/config/epochs").asText() + " epochs, "
                        + p.at("/config/seeds").asInt() + " seeds)",
                List.of("schedule", "peak lr", "final training loss", "test accuracy", "outcome"), rows, List.of(p));
        double peak = peaks.get(peaks.size() - 1);
        Figures.LineFigure fr = Figures.line("schedules-lr", "The four schedules at peak lr " + rate(peak))
                .axes("step", "learning rate").colours(names);
        Figures.LineFigure fl = Figures.line("schedules-loss", "The training loss under each schedule, peak lr " + rate(peak))
                .axes("step", "cross-entropy (mean of every " + every + " steps)").logY().colours(names);
        for (String s : names) {
            String c = s + "-lr" + rate(peak);
            List<JsonNode> seeds = pts.seeds(c);
            int steps = seeds.get(0).get("steps").asInt();
            double[] lr;
            if (seeds.get(0).has("lr_curve")) {
                lr = SweepPoints.numbers(seeds.get(0).get("lr_curve"));
            } else {
                lr = new double[(steps + every - 1) / every];
                java.util.Arrays.fill(lr, peak);
            }
            double[] x = new double[lr.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (double) i * every;
            }
            fr.line(s, x, lr);
            int len = Integer.MAX_VALUE;
            for (JsonNode sd : seeds) {
                len = Math.min(len, sd.get("curve").size());
            }
            if (len < 2) {
                continue;
            }
            double[][] loss = new double[seeds.size()][];
            for (int k = 0; k < seeds.size(); k++) {
                loss[k] = java.util.Arrays.copyOf(SweepPoints.numbers(seeds.get(k).get("curve")), len);
            }
            double[] lx = new double[len];
            for (int i = 0; i < len; i++) {
                lx[i] = (double) (i + 1) * every;
            }
            fl.seeds(s, lx, loss);
        }
        fr.from(p).save(outDir);
        fl.from(p).save(outDir);
        facts.put("sched-figure-peak", rate(peak));
    }
}
