package unboxed.learningrate;

import static unboxed.learningrate.LearningRatePost.statusesOf;
import static unboxed.learningrate.LearningRatePost.valuesOf;
import static unboxed.learningrate.LearningRatePost.vertical;
import static unboxed.learningrate.Stats.count;
import static unboxed.learningrate.Stats.doubles;
import static unboxed.learningrate.Stats.fmt;
import static unboxed.learningrate.Stats.geomean;
import static unboxed.learningrate.Stats.list;
import static unboxed.learningrate.Stats.mean;
import static unboxed.learningrate.Stats.outcome;
import static unboxed.learningrate.Stats.rate;
import static unboxed.learningrate.Stats.spread;
import static unboxed.learningrate.Stats.std;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.SweepPoints;
import unboxed.kit.Tables;

/**
 * The two rate sweeps (post 06's MLP, the CNN) and the batch-size sweep: per rate, the seeds'
 * final losses, accuracies and outcomes; the best rate and the divergence threshold, marked.
 *
 * <p>Definitions the report states: the <em>best rate</em> is, among the rates at which every seed
 * trained, the one with the lowest geometric-mean final loss (MLP) or the highest mean test
 * accuracy (CNN); the <em>divergence threshold</em> is the smallest rate above it at which most
 * seeds fail (blow up, die, or end no better than a constant), so the true threshold lies between
 * it and the rate below it.
 */
final class RateSweep {
    private RateSweep() {
    }

    /** One configuration per rate: the seeds' values of one field, and their outcomes. */
    record Row(double lr, double[] values, List<String> statuses) {
        boolean allTrained() {
            return count(statuses, "trained") == statuses.size();
        }

        boolean mostFailed() {
            return 2 * (statuses.size() - count(statuses, "trained")) > statuses.size();
        }
    }

    static List<Row> rows(SweepPoints pts, List<Double> lrs, String prefix, String field) {
        List<Row> out = new ArrayList<>();
        for (double lr : lrs) {
            String c = prefix + "lr" + rate(lr);
            out.add(new Row(lr, valuesOf(pts, c, field), statusesOf(pts, c)));
        }
        return out;
    }

    /** The index of the best row: lowest geometric mean (or highest mean when {@code higher}) among rows whose seeds all trained. */
    static int best(List<Row> rows, boolean higher) {
        int best = -1;
        double score = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (!r.allTrained()) {
                continue;
            }
            double s = higher ? mean(r.values()) : -Math.log(geomean(r.values()));
            if (best < 0 || s > score) {
                best = i;
                score = s;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("no rate of the sweep trained with every seed: rerun `make experiments"
                    + " POST=12-learning-rate` with a wider grid");
        }
        return best;
    }

    /** The index of the first row above {@code best} at which most seeds fail. */
    static int threshold(List<Row> rows, int best) {
        for (int i = best + 1; i < rows.size(); i++) {
            if (rows.get(i).mostFailed()) {
                return i;
            }
        }
        throw new IllegalStateException("no rate above the best one fails with most seeds: extend the grid");
    }

    // ------------------------------------------------------------------ post 06's MLP

    static void mlp(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        List<Double> lrs = list(p.at("/config/lrs"));
        List<Row> rel = rows(pts, lrs, "", "final_rel_loss");
        List<Row> sharp = rows(pts, lrs, "", "lambda_end");
        int b = best(rel, false);
        int t = threshold(rel, b);
        double[] lambda0 = valuesOf(pts, "lr" + rate(lrs.get(0)), "lambda0");
        double[] predicted = new double[lambda0.length];
        for (int i = 0; i < lambda0.length; i++) {
            predicted[i] = 2 / lambda0[i];
        }
        double pred = geomean(predicted);
        // the edge of stability across the sweep: from which rate every trained run ends with λ within 15% of 2/lr
        int eosFrom = t;
        List<Double> ratios = new ArrayList<>();
        for (int i = t - 1; i >= 0; i--) {
            boolean at = true;
            List<Double> here = new ArrayList<>();
            for (int k = 0; k < sharp.get(i).values().length; k++) {
                if (sharp.get(i).statuses().get(k).equals("trained")) {
                    double ratio = sharp.get(i).values()[k] * sharp.get(i).lr() / 2;
                    here.add(ratio);
                    at &= Math.abs(ratio - 1) <= 0.15;
                }
            }
            if (!at || here.isEmpty()) {
                break;
            }
            eosFrom = i;
            ratios.addAll(here);
        }
        int seeds = p.at("/config/seeds").asInt();
        facts.put("mlp-steps", p.at("/config/steps").asText());
        facts.put("mlp-points", p.at("/config/points").asText());
        facts.put("mlp-seeds", String.valueOf(seeds));
        facts.put("mlp-rates", String.valueOf(lrs.size()));
        facts.put("mlp-per-decade", String.valueOf(Math.round((lrs.size() - 1) / Math.log10(lrs.get(lrs.size() - 1) / lrs.get(0)))));
        facts.put("mlp-best-lr", rate(rel.get(b).lr()));
        facts.put("mlp-best-loss", spread(rel.get(b).values()));
        facts.put("mlp-threshold", rate(rel.get(t).lr()));
        facts.put("mlp-last-trained", rate(rel.get(t - 1).lr()));
        facts.put("mlp-last-trained-outcome", outcome(rel.get(t - 1).statuses()));
        facts.put("mlp-threshold-outcome", outcome(rel.get(t).statuses()));
        facts.put("mlp-lambda0", spread(lambda0));
        facts.put("mlp-predicted", fmt(pred));
        facts.put("mlp-predicted-range", fmt(Stats.min(predicted)) + " to " + fmt(Stats.max(predicted)));
        facts.put("mlp-ratio-lo", fmt(rel.get(t - 1).lr() / pred));
        facts.put("mlp-ratio-hi", fmt(rel.get(t).lr() / pred));
        facts.put("mlp-eos-from", rate(rel.get(eosFrom).lr()));
        facts.put("mlp-eos-ratio", ratios.isEmpty() ? "n/a" : spread(doubles(ratios)));
        facts.put("mlp-eos-runs", String.valueOf(ratios.size()));
        facts.put("mlp-blow-up", String.valueOf(Math.round(p.at("/config/blow_up").asDouble())));
        facts.put("mlp-constant-share", p.at("/config/constant_share").asText());
        facts.put("mlp-best-below-lo", fmt(rel.get(t - 1).lr() / rel.get(b).lr()));
        facts.put("mlp-best-below-hi", fmt(rel.get(t).lr() / rel.get(b).lr()));
        facts.put("mlp-lowest-lr", rate(lrs.get(0)));
        facts.put("mlp-highest-lr", rate(lrs.get(lrs.size() - 1)));
        facts.put("mlp-lowest-loss", spread(rel.get(0).values()));
        int blew = 0;
        int died = 0;
        for (int i = t; i < rel.size(); i++) {
            blew += count(rel.get(i).statuses(), "blew-up");
            died += count(rel.get(i).statuses(), "died");
        }
        facts.put("mlp-blew", String.valueOf(blew));
        facts.put("mlp-died", String.valueOf(died));
        facts.put("mlp-above", String.valueOf((rel.size() - t) * seeds));
        facts.put("mlp-dead-at-threshold", spread(valuesOf(pts, "lr" + rate(rel.get(t).lr()), "dead_share")));
        double[] lambdaEndAtThreshold = valuesOf(pts, "lr" + rate(rel.get(t).lr()), "lambda_end");
        facts.put("mlp-lambda-dead", fmt(Stats.min(LearningRatePost.finite(lambdaEndAtThreshold))));
        if (outDir == null) {
            return;
        }
        // figure: final loss against the rate
        Figures.LineFigure f = Figures.line("mlp-sweep-loss", "Post 06's MLP on sin x: final loss against the rate")
                .axes("learning rate (full-batch gradient descent, " + p.at("/config/steps").asText() + " steps)",
                        "final loss / Var(sin x)").logX().logY().xPattern(LearningRatePost.RATE_PATTERN)
                .colours(LearningRatePost.COLOURS);
        List<Double> x = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        List<Double> blownX = new ArrayList<>();
        for (Row r : rel) {
            if (Stats.allFinite(r.values())) {
                x.add(r.lr());
                ys.add(r.values());
            } else {
                blownX.add(r.lr());
            }
        }
        double lo = 1e-4;
        double hi = 3;
        for (double[] v : ys) {
            lo = Math.min(lo, Stats.min(v) / 2);
        }
        f.seeds("measured (final loss)", doubles(x), transpose(ys));
        if (!blownX.isEmpty()) {
            double[] top = new double[blownX.size()];
            java.util.Arrays.fill(top, 2);
            f.points("blew up (drawn at 2)", doubles(blownX), top, Figures.LineFigure.Mark.TRIANGLE);
        }
        vertical(f, "best rate", rel.get(b).lr(), lo, hi);
        vertical(f, "measured threshold", rel.get(t).lr(), lo, hi);
        vertical(f, "2/λ₀ (prediction)", pred, lo, hi);
        f.from(p).save(outDir);
        // figure: the sharpness at the end against the rate, with 2/lr
        Figures.LineFigure s = Figures.line("mlp-sweep-sharpness", "Post 06's MLP: the sharpness after training")
                .axes("learning rate", "λ_max after training").logX().logY().xPattern(LearningRatePost.RATE_PATTERN);
        List<Double> sx = new ArrayList<>();
        List<double[]> sy = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            sx.add(sharp.get(i).lr());
            sy.add(sharp.get(i).values());
        }
        s.seeds("λ_max at the end", doubles(sx), transpose(sy));
        double[] twoOver = new double[sx.size()];
        for (int i = 0; i < twoOver.length; i++) {
            twoOver[i] = 2 / sx.get(i);
        }
        s.dashed("2 / lr", doubles(sx), twoOver);
        double l0 = geomean(lambda0);
        s.dashed("λ₀ at initialisation (mean of seeds)", new double[] {sx.get(0), sx.get(sx.size() - 1)}, new double[] {l0, l0});
        s.from(p).save(outDir);
        // table: every rate
        List<List<?>> tableRows = new ArrayList<>();
        for (int i = 0; i < rel.size(); i++) {
            Row r = rel.get(i);
            double[] le = LearningRatePost.finite(sharp.get(i).values());
            tableRows.add(List.of(rate(r.lr()), Stats.allFinite(r.values()) ? spread(r.values()) : "–",
                    le.length == 0 ? "–" : fmt(mean(le)), fmt(2 / r.lr()), outcome(r.statuses())
                            + (i == b ? " (best)" : i == t ? " (threshold)" : "")));
        }
        Tables.write(outDir, "mlp-sweep", "Post 06's MLP on sin x, full-batch gradient descent: every rate ("
                        + p.at("/config/seeds").asInt() + " seeds; final loss relative to Var(sin x), mean ± std)",
                List.of("lr", "final loss", "λ_max at the end (mean)", "2 / lr", "outcome"), tableRows, List.of(p));
    }

    /** Rows of seeds become one array per seed, as {@link Figures.LineFigure#seeds} takes them. */
    static double[][] transpose(List<double[]> byX) {
        int seeds = byX.get(0).length;
        double[][] out = new double[seeds][byX.size()];
        for (int i = 0; i < byX.size(); i++) {
            for (int s = 0; s < seeds; s++) {
                out[s][i] = byX.get(i)[s];
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ the CNN

    static void cnn(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        List<Double> lrs = list(p.at("/config/lrs"));
        List<Row> acc = rows(pts, lrs, "", "test_accuracy");
        List<Row> loss = rows(pts, lrs, "", "final_loss");
        int b = best(acc, true);
        int t = threshold(acc, b);
        double[] lambda0 = valuesOf(pts, "lr" + rate(lrs.get(0)), "lambda0");
        double[] predicted = new double[lambda0.length];
        for (int i = 0; i < lambda0.length; i++) {
            predicted[i] = 2 / lambda0[i];
        }
        double pred = geomean(predicted);
        String dataset = p.at("/config/dataset").asText();
        facts.put("cnn-dataset", dataset.equals("cifar10") ? "CIFAR-10" : "Fashion-MNIST");
        facts.put("cnn-train", p.at("/config/train_images").asText());
        facts.put("cnn-eval", p.at("/config/final_loss_images").asText());
        facts.put("cnn-test", p.at("/config/test_images").asText());
        facts.put("cnn-epochs", p.at("/config/epochs").asText());
        facts.put("cnn-batch", p.at("/config/batch").asText());
        facts.put("cnn-seeds", p.at("/config/seeds").asText());
        facts.put("cnn-rates", String.valueOf(lrs.size()));
        facts.put("cnn-per-decade", String.valueOf(Math.round((lrs.size() - 1) / Math.log10(lrs.get(lrs.size() - 1)
                / lrs.get(0)))));
        facts.put("cnn-steps", pts.seeds("lr" + rate(lrs.get(0))).get(0).get("steps").asText());
        facts.put("cnn-best-lr", rate(acc.get(b).lr()));
        facts.put("cnn-best-acc", pctText(acc.get(b).values()));
        facts.put("cnn-best-loss", spread(loss.get(b).values()));
        facts.put("cnn-threshold", rate(acc.get(t).lr()));
        facts.put("cnn-last-trained", rate(acc.get(t - 1).lr()));
        facts.put("cnn-last-trained-outcome", outcome(acc.get(t - 1).statuses()));
        facts.put("cnn-threshold-outcome", outcome(acc.get(t).statuses()));
        facts.put("cnn-threshold-acc", pctText(acc.get(t).values()));
        facts.put("cnn-lambda0", spread(lambda0));
        facts.put("cnn-predicted", fmt(pred));
        facts.put("cnn-predicted-range", fmt(Stats.min(predicted)) + " to " + fmt(Stats.max(predicted)));
        facts.put("cnn-ratio-lo", fmt(acc.get(t - 1).lr() / pred));
        facts.put("cnn-ratio-hi", fmt(acc.get(t).lr() / pred));
        facts.put("cnn-sharp-batch", p.at("/config/sharpness_batch").asText());
        facts.put("cnn-lowest-acc", pctText(acc.get(0).values()));
        if (outDir == null) {
            return;
        }
        Figures.LineFigure fa = Figures.line("cnn-sweep-accuracy", "The CNN on " + facts.get("cnn-dataset")
                        + ": test accuracy against the rate")
                .axes("learning rate (SGD, batch " + p.at("/config/batch").asText() + ", " + p.at("/config/epochs")
                        .asText() + " epochs)", "test accuracy").logX().xPattern(LearningRatePost.RATE_PATTERN)
                .colours(LearningRatePost.COLOURS);
        List<double[]> ys = new ArrayList<>();
        for (Row r : acc) {
            ys.add(r.values());
        }
        fa.seeds("measured (test accuracy)", doubles(lrs), transpose(ys));
        fa.dashed("chance (1 in 10)", new double[] {lrs.get(0), lrs.get(lrs.size() - 1)}, new double[] {0.1, 0.1});
        vertical(fa, "best rate", acc.get(b).lr(), 0, 1);
        vertical(fa, "measured threshold", acc.get(t).lr(), 0, 1);
        vertical(fa, "2/λ₀ (prediction)", pred, 0, 1);
        fa.from(p).save(outDir);
        Figures.LineFigure fl = Figures.line("cnn-sweep-loss", "The CNN: training loss after training")
                .axes("learning rate", "cross-entropy on " + p.at("/config/final_loss_images").asText()
                        + " training images").logX().logY().xPattern(LearningRatePost.RATE_PATTERN)
                .colours(LearningRatePost.COLOURS);
        List<Double> x = new ArrayList<>();
        List<double[]> ly = new ArrayList<>();
        List<Double> blown = new ArrayList<>();
        for (Row r : loss) {
            if (Stats.allFinite(r.values())) {
                x.add(r.lr());
                ly.add(r.values());
            } else {
                blown.add(r.lr());
            }
        }
        fl.seeds("measured (final loss)", doubles(x), transpose(ly));
        fl.dashed("chance (ln 10, a uniform guess)", new double[] {lrs.get(0), lrs.get(lrs.size() - 1)},
                new double[] {Math.log(10), Math.log(10)});
        if (!blown.isEmpty()) {
            double[] top = new double[blown.size()];
            java.util.Arrays.fill(top, 4);
            fl.points("blew up (a seed, drawn at 4)", doubles(blown), top, Figures.LineFigure.Mark.TRIANGLE);
        }
        vertical(fl, "best rate", acc.get(b).lr(), 0.2, 5);
        vertical(fl, "measured threshold", acc.get(t).lr(), 0.2, 5);
        fl.from(p).save(outDir);
        List<List<?>> tableRows = new ArrayList<>();
        for (int i = 0; i < acc.size(); i++) {
            tableRows.add(List.of(rate(acc.get(i).lr()), Stats.allFinite(loss.get(i).values())
                            ? spread(loss.get(i).values()) : "–", pctText(acc.get(i).values()),
                    outcome(acc.get(i).statuses()) + (i == b ? " (best)" : i == t ? " (threshold)" : "")));
        }
        Tables.write(outDir, "cnn-sweep", "The CNN on " + facts.get("cnn-dataset") + ", SGD without momentum: every"
                        + " rate (" + p.at("/config/seeds").asInt() + " seeds, mean ± std)",
                List.of("lr", "final training loss", "test accuracy", "outcome"), tableRows, List.of(p));
    }

    static String pctText(double[] shares) {
        return String.format(Locale.ROOT, "%.1f ± %.1f%%", 100 * mean(shares), 100 * std(shares));
    }

    // ------------------------------------------------------------------ batch size

    static void batch(Pinned p, Pinned cnn, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        SweepPoints cnnPts = new SweepPoints(cnn);
        List<Double> lrs = list(p.at("/config/lrs"));
        List<Integer> batches = new ArrayList<>();
        p.at("/config/batches").forEach(n -> batches.add(n.asInt()));
        int own = p.at("/config/batch_of_the_cnn_sweep").asInt();
        batches.add(own);
        batches.sort(Integer::compare);
        Figures.LineFigure fa = Figures.line("batch-accuracy", "The CNN's test accuracy against the rate, by batch size")
                .axes("learning rate (the same " + cnn.at("/config/epochs").asText() + " epochs for every batch size)",
                        "test accuracy").logX();
        List<double[]> best = new ArrayList<>();
        List<List<?>> tableRows = new ArrayList<>();
        for (int bs : batches) {
            List<Row> rows = bs == own ? rows(cnnPts, lrs, "", "test_accuracy") : rows(pts, lrs, "b" + bs + "-", "test_accuracy");
            int b = best(rows, true);
            int t = threshold(rows, b);
            best.add(new double[] {bs, rows.get(b).lr(), rows.get(t).lr()});
            List<double[]> ys = new ArrayList<>();
            for (Row r : rows) {
                ys.add(r.values());
            }
            fa.seeds("batch " + bs, doubles(lrs), transpose(ys));
            facts.put("batch-best-" + bs, rate(rows.get(b).lr()));
            facts.put("batch-acc-" + bs, pctText(rows.get(b).values()));
            facts.put("batch-threshold-" + bs, rate(rows.get(t).lr()));
            SweepPoints of = bs == own ? cnnPts : pts;
            String first = (bs == own ? "" : "b" + bs + "-") + "lr" + rate(lrs.get(0));
            tableRows.add(List.of(bs, of.seeds(first).get(0).get("steps").asInt(), rate(rows.get(b).lr()),
                    pctText(rows.get(b).values()), rate(rows.get(t - 1).lr()) + " – " + rate(rows.get(t).lr())));
        }
        facts.put("batch-sizes", String.join(", ", batches.stream().map(String::valueOf).toList()));
        double r1 = best.get(1)[1] / best.get(0)[1];
        double r2 = best.get(2)[1] / best.get(1)[1];
        facts.put("batch-ratio-1", fmt(r1));
        facts.put("batch-ratio-2", fmt(r2));
        facts.put("batch-factor-1", String.valueOf((int) (best.get(1)[0] / best.get(0)[0])));
        facts.put("batch-factor-2", String.valueOf((int) (best.get(2)[0] / best.get(1)[0])));
        if (outDir == null) {
            return;
        }
        fa.from(p, cnn).save(outDir);
        double[] bx = LearningRatePost.column(best, 0);
        double[] linear = new double[bx.length];
        for (int i = 0; i < bx.length; i++) {
            linear[i] = best.get(0)[1] * bx[i] / bx[0];
        }
        Figures.line("batch-scaling", "The best rate against the batch size")
                .axes("batch size", "learning rate").logX().logY().colours(LearningRatePost.COLOURS)
                .line("best rate", bx, LearningRatePost.column(best, 1))
                .line("measured threshold", bx, LearningRatePost.column(best, 2))
                .dashed("linear scaling (from batch " + (int) bx[0] + ")", bx, linear)
                .from(p, cnn).save(outDir);
        Tables.write(outDir, "batch", "The CNN's best rate by batch size (same epochs, so fewer steps for larger"
                        + " batches; " + cnn.at("/config/seeds").asInt() + " seeds; the threshold lies between the two"
                        + " rates given)",
                List.of("batch", "steps", "best rate", "test accuracy there", "threshold between"), tableRows,
                List.of(p, cnn));
    }
}
