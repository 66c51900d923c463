package unboxed.convolutions;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import unboxed.kit.BenchTables;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.Tables;

/** Post 02's figures and tables, drawn from its pinned results only. */
public final class ConvolutionsPost implements Post {
    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Convolutions: from seven nested loops to the engine's conv2d";
    }

    @Override
    public String summary() {
        return "How a convolution works, numbered versions from seven nested loops to an implicit GEMM and a"
                + " register-blocked direct convolution, the engine's conv2d and pooling checked against PyTorch, and a"
                + " CNN trained with them on MNIST.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned cnn = Pinned.load(resultsDir, "cnn-mnist");
        Pinned rf = Pinned.load(resultsDir, "receptive-field");
        Map<String, String> facts = new LinkedHashMap<>();
        receptiveField(rf, outDir, facts);
        List<Pinned> bench = BenchTables.write(resultsDir, outDir, facts, Experiment.POST);
        // the numbered versions, the roofline and the CNN epoch's facts: from each kind's newest run
        for (String kind : BenchTables.KINDS) {
            List<Pinned> runs = BenchTables.runs(resultsDir, kind);
            if (!runs.isEmpty()) {
                versions(runs.get(0), kind, outDir, facts);
                cnnEpoch(runs.get(0), kind, facts);
            }
        }
        unboxed.kit.GpuTables.write(resultsDir, outDir, facts, List.of("conv2d_", "win_"));
        curves(cnn, outDir);
        accuracy(cnn, outDir, facts);
        List<Pinned> sources = new ArrayList<>(List.of(cnn, rf));
        if (java.nio.file.Files.exists(resultsDir.resolve("winograd-accuracy.json"))) {
            Pinned win = Pinned.load(resultsDir, "winograd-accuracy");
            winogradAccuracy(win, outDir, facts);
            sources.add(win);
        }
        sources.addAll(bench);
        sources.addAll(equalTime(resultsDir, cnn, outDir, facts));
        unboxed.kit.Facts.write(outDir, sources, facts);
    }

    /**
     * The gradient of one output value with respect to every input value, channels side by side
     * (one column apart), one output position per row of panels (one row apart): 1 on the receptive
     * field, 0 elsewhere.
     */
    private static void receptiveField(Pinned rf, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode outputs = rf.at("/outputs");
        int channels = outputs.get(0).get("gradient").size();
        int size = outputs.get(0).get("gradient").get(0).size();
        int cols = channels * (size + 1) - 1;
        int rows = outputs.size() * (size + 1) - 1;
        int[] x = new int[cols];
        int[] y = new int[rows];
        for (int i = 0; i < cols; i++) {
            x[i] = i;
        }
        for (int i = 0; i < rows; i++) {
            y[i] = i;
        }
        int[][] heat = new int[cols][rows];
        List<String> where = new ArrayList<>();
        for (int o = 0; o < outputs.size(); o++) {
            JsonNode g = outputs.get(o).get("gradient");
            where.add("(" + outputs.get(o).get("output_position").get(0).asInt() + ", "
                    + outputs.get(o).get("output_position").get(1).asInt() + ")");
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < size; i++) {
                    for (int j = 0; j < size; j++) {
                        // rows from the top: the y axis of a heat map grows upwards
                        heat[c * (size + 1) + j][rows - 1 - (o * (size + 1) + i)] = (int) g.get(c).get(i).get(j).asDouble();
                    }
                }
            }
        }
        org.knowm.xchart.HeatMapChart chart = new org.knowm.xchart.HeatMapChartBuilder().width(760).height(480)
                .xAxisTitle("input column, one panel per input channel").yAxisTitle("input row").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setMin(0).setMax(1);
        chart.getStyler().setRangeColors(new java.awt.Color[] {java.awt.Color.WHITE, new java.awt.Color(31, 119, 180)});
        chart.getStyler().setXAxisTicksVisible(false);
        chart.getStyler().setYAxisTicksVisible(false);
        chart.addSeries("d output / d input", x, y, heat);
        JsonNode layer = rf.at("/layer");
        String title = "Receptive field: the gradient of one output value with respect to the input (1: read, 0: not),"
                + " for a " + layer.get("weight_shape").get(2).asInt() + "x" + layer.get("weight_shape").get(3).asInt()
                + " kernel with padding " + layer.get("padding").asInt() + " over " + channels + " input channels of "
                + size + "x" + size + "; top: output " + where.get(0) + ", bottom: output " + where.get(1)
                + " in the corner, whose window reaches into the padding";
        Figures.save(chart, outDir, "receptive-field", title, List.of(rf));
        facts.put("rf-kernel", layer.get("weight_shape").get(2).asText());
        facts.put("rf-channels", String.valueOf(channels));
    }

    /** The numbered versions' forward passes beside the engine's, per shape, from one bench run. */
    private static void versions(Pinned bench, String kind, Path outDir, Map<String, String> facts) throws IOException {
        String[] methods = {"v3Forward", "v4Forward", "v5Forward", "v6Forward", "v7Forward", "engineForward"};
        Map<String, Map<String, Double>> ms = new LinkedHashMap<>();   // shape -> method@threads -> mean ms
        for (JsonNode j : bench.at("/jmh")) {
            String name = j.get("benchmark").asText();
            String method = name.substring(name.indexOf('.') + 1);
            if (!List.of(methods).contains(method)) {
                continue;
            }
            String shape = j.get("params").get("shape").asText();
            ms.computeIfAbsent(shape, k -> new LinkedHashMap<>())
                    .put(method + "@" + j.get("params").get("threads").asText(), j.get("stats").get("mean").asDouble());
        }
        if (ms.isEmpty()) {
            return;
        }
        // the kernel the run's engine picked for each shape, as its start-up choices record it
        // (tools/bench/plan.sh; runs before it was recorded have none)
        Map<String, String> kernels = new LinkedHashMap<>();
        String prefix = "conv2d forward kernel, ";
        for (JsonNode line : bench.provenanceJson().path("startup_choice")) {
            String text = line.asText();
            int colon = text.indexOf(": ");
            if (text.startsWith(prefix) && colon > prefix.length()) {
                kernels.put(text.substring(prefix.length(), colon), text.substring(colon + 2));
            }
        }
        Roofline.Ceilings peak = Roofline.ceilings(bench);
        Roofline.figure(bench, kind, new ArrayList<>(ms.keySet()), outDir, facts);
        List<List<?>> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, Double>> e : ms.entrySet()) {
            int[] d = Roofline.dims(e.getKey());
            double flops = Roofline.flops(d);
            List<String> row = new ArrayList<>();
            row.add(e.getKey().replace("x", " × "));
            for (String m : List.of("v3Forward@1", "v4Forward@1", "v5Forward@1", "v6Forward@1", "v7Forward@1",
                    "engineForward@1", "v6Forward@2", "engineForward@2")) {
                Double t = e.getValue().get(m);
                // v7 does fewer multiplications: its GFLOP/s count the definition's, as everyone's do
                // one thread: GFLOP/s and the share of one core's measured peak; two threads: GFLOP/s
                row.add(t == null ? "—" : String.format(Locale.ROOT, "%.2f ms (%s)", t,
                        m.endsWith("@1") ? Roofline.share(peak, flops, t) : Roofline.share(null, flops, t)));
            }
            row.add(kernels.getOrDefault(e.getKey(), "not recorded"));
            rows.add(row);
        }
        v7Facts(bench, kind, ms, facts);
        Tables.write(outDir, "versions-" + kind, "Forward pass of every numbered version and of the engine's conv2d"
                        + " (bias included), mean time per call and GFLOP/s in brackets (on one thread, with the share of"
                        + " one core's peak measured in the same run, when the run measured it), on the reference shapes"
                        + " (N × C × H=W × K × kernel, 'same' padding), one thread and two; versions 3 to 6 give the"
                        + " same bits, and so does the engine but where its kernel is Winograd's; v7 (Winograd, 3 × 3"
                        + " kernels only) does 2.25 times fewer multiplications, and its GFLOP/s count the"
                        + " definition's operations like the others'"
                        + " (\"—\": not measured); last column: the kernel the engine ran for the shape, as the run recorded it",
                List.of("shape", "v3 im2col", "v4 implicit GEMM", "v5 direct", "v6, 1 thread", "v7 Winograd",
                        "engine, 1 thread", "v6, 2 threads", "engine, 2 threads", "engine's kernel"), rows,
                List.of(bench));
    }

    /**
     * Facts {@code v7-vs-engine-<kind>} and {@code v7-vs-torch-<kind>}: per shape where the run timed
     * version 7, the engine's (or PyTorch's) one-thread forward time over version 7's (above 1: v7
     * is faster), from the means.
     */
    private static void v7Facts(Pinned bench, String kind, Map<String, Map<String, Double>> ms,
                                Map<String, String> facts) {
        List<String> vsEngine = new ArrayList<>();
        List<String> vsTorch = new ArrayList<>();
        for (Map.Entry<String, Map<String, Double>> e : ms.entrySet()) {
            Double v7 = e.getValue().get("v7Forward@1");
            if (v7 == null) {
                continue;
            }
            String shape = e.getKey().replace("x", " × ");
            Double engine = e.getValue().get("engineForward@1");
            if (engine != null) {
                vsEngine.add(String.format(Locale.ROOT, "%s %.2f×", shape, engine / v7));
            }
            for (JsonNode cmp : bench.at("/comparisons")) {
                if (cmp.get("id").asText().equals("conv_" + e.getKey() + "_fwd_1t") && cmp.path("peer").has("mean")) {
                    vsTorch.add(String.format(Locale.ROOT, "%s %.2f×", shape,
                            cmp.get("peer").get("mean").asDouble() / v7));
                }
            }
        }
        if (!vsEngine.isEmpty()) {
            facts.put("v7-vs-engine-" + kind, String.join(", ", vsEngine));
        }
        if (!vsTorch.isEmpty()) {
            facts.put("v7-vs-torch-" + kind, String.join(", ", vsTorch));
        }
    }

    /**
     * The table {@code winograd-accuracy}: version 7's and version 3's errors against the exact sums
     * per shape. Facts: {@code winograd-rms-ratios} (v7's root-mean-square error over v3's, per
     * shape) and {@code winograd-images}.
     */
    private static void winogradAccuracy(Pinned win, Path outDir, Map<String, String> facts) throws IOException {
        List<List<?>> rows = new ArrayList<>();
        List<String> ratios = new ArrayList<>();
        for (JsonNode s : win.at("/shapes")) {
            String shape = s.get("shape").asText().replace("x", " × ");
            double v3 = s.at("/v3/rms_error").asDouble();
            double v7 = s.at("/v7/rms_error").asDouble();
            rows.add(List.of(shape, sci(s.get("exact_rms").asDouble()), sci(s.at("/v3/max_abs_error").asDouble()),
                    sci(v3), sci(s.at("/v7/max_abs_error").asDouble()), sci(v7),
                    String.format(Locale.ROOT, "%.1f", v7 / v3)));
            ratios.add(String.format(Locale.ROOT, "%s %.1f", shape, v7 / v3));
            facts.put("winograd-images", s.get("images").asText());
        }
        Tables.write(outDir, "winograd-accuracy", "Distance from the exact sums (a double-precision convolution of"
                        + " the same floats) of version 3 (the engine's bits) and version 7 (Winograd F(2×2, 3×3)), on"
                        + " the reference shapes with a 3 × 3 kernel and the benchmarks' data, first images of the"
                        + " batch: the largest |error| and the root mean square of the errors (RMS), with the RMS of"
                        + " the exact outputs for scale",
                List.of("shape", "RMS of the outputs", "v3 largest error", "v3 RMS error", "v7 largest error",
                        "v7 RMS error", "v7 RMS / v3 RMS"), rows, List.of(win));
        facts.put("winograd-rms-ratios", String.join(", ", ratios));
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }

    /**
     * The CNN against post 01's MLP at equal training time: both learning curves (test accuracy,
     * mean over seeds, after each epoch) on one axis of training seconds, each epoch counted at the
     * time the pinned AVX-512 benchmarks of one CPU measured for it (post 01's MLP epoch and this
     * post's CNN epoch, from this post's newest run and post 01's run on the same CPU). Nothing when
     * the baseline or either benchmark is not pinned. Returns the results it read besides this
     * post's own benchmark.
     */
    private static List<Pinned> equalTime(Path resultsDir, Pinned cnn, Path outDir, Map<String, String> facts)
            throws IOException {
        // this post's newest AVX-512 run, and post 01's run on the same CPU
        List<Pinned> cnnRuns = BenchTables.runs(resultsDir, "avx512");
        if (!java.nio.file.Files.exists(resultsDir.resolve("mlp-baseline.json")) || cnnRuns.isEmpty()) {
            return List.of();
        }
        Pinned b2 = cnnRuns.get(0);
        Pinned b1 = BenchTables.runs(resultsDir.resolveSibling("01-basics"), "avx512").stream()
                .filter(r -> BenchTables.cpuLabel(r).equals(BenchTables.cpuLabel(b2))).findFirst().orElse(null);
        if (b1 == null) {
            return List.of();
        }
        Pinned mlp = Pinned.load(resultsDir, "mlp-baseline");
        Double tMlp = oursSeconds(b1, "mlp_epoch_1t");
        Double tCnn = oursSeconds(b2, "cnn_epoch_1t");
        if (tMlp == null || tCnn == null) {
            return List.of();
        }
        double[] cnnAcc = meanAccuracy(cnn);
        double[] mlpAcc = meanAccuracy(mlp);
        Figures.LineFigure fig = Figures.line("equal-time", "Test accuracy against training time: the CNN and post 01's"
                        + " MLP (mean over seeds, after each epoch), each epoch counted at the time the pinned AVX-512"
                        + " benchmarks measured for it on one thread of one CPU (" + BenchTables.cpuLabel(b2) + ")")
                .axes("training time (s, one thread)", "test accuracy").size(760, 460).from(cnn, mlp, b1, b2);
        fig.line("CNN", times(cnnAcc.length, tCnn), cnnAcc);
        fig.line("MLP", times(mlpAcc.length, tMlp), mlpAcc);
        fig.save(outDir);
        int fit = (int) Math.min(mlpAcc.length, Math.floor(tCnn / tMlp));
        facts.put("equal-time-cnn-epoch", String.format(Locale.ROOT, "%.1f s", tCnn));
        facts.put("equal-time-mlp-epoch", String.format(Locale.ROOT, "%.2f s", tMlp));
        facts.put("equal-time-mlp-epochs", String.valueOf(fit));
        facts.put("equal-time-cnn-accuracy", pct(cnnAcc[0]));
        facts.put("equal-time-mlp-accuracy", fit > 0 ? pct(mlpAcc[fit - 1]) : "–");
        double mlpBest = java.util.Arrays.stream(mlpAcc).max().orElse(0);
        facts.put("equal-time-mlp-best", pct(mlpBest));
        facts.put("equal-time-leader", fit == 0 ? "–" : mlpAcc[fit - 1] > cnnAcc[0] ? "the MLP is ahead"
                : mlpAcc[fit - 1] < cnnAcc[0] ? "the CNN is ahead" : "they are level");
        int overtakes = 0;
        while (overtakes < cnnAcc.length && cnnAcc[overtakes] <= mlpBest) {
            overtakes++;
        }
        facts.put("equal-time-cnn-overtakes", overtakes < cnnAcc.length
                ? "the CNN passes the MLP's best after epoch " + (overtakes + 1) + ", at "
                        + String.format(Locale.ROOT, "%.0f s", (overtakes + 1) * tCnn)
                : "the CNN does not pass the MLP's best within its " + cnnAcc.length + " epochs");
        facts.put("mlp-baseline-epochs", String.valueOf(mlpAcc.length));
        facts.put("mlp-baseline-seeds", String.valueOf(mlp.at("/runs").size()));
        return List.of(mlp, b1);              // b2 is this post's own bench file, cited already
    }

    private static Double oursSeconds(Pinned bench, String id) {
        for (JsonNode c : bench.at("/comparisons")) {
            if (c.path("id").asText().equals(id) && !c.path("missing").asBoolean()) {
                return c.at("/ours/mean").asDouble() / 1e3;
            }
        }
        return null;
    }

    private static double[] meanAccuracy(Pinned runs) {
        double[] sum = null;
        int n = 0;
        for (JsonNode r : runs.at("/runs")) {
            double[] a = doubles(r.get("testAccuracy"));
            if (sum == null) {
                sum = new double[a.length];
            }
            for (int i = 0; i < a.length; i++) {
                sum[i] += a[i];
            }
            n++;
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= n;
        }
        return sum;
    }

    private static double[] times(int epochs, double perEpoch) {
        double[] t = new double[epochs];
        for (int i = 0; i < epochs; i++) {
            t[i] = (i + 1) * perEpoch;
        }
        return t;
    }

    /** Facts {@code cnn-epoch-*-<kind>}: the CNN's training epoch against PyTorch's, when the run timed it. */
    private static void cnnEpoch(Pinned bench, String kind, Map<String, String> facts) {
        for (JsonNode c : bench.at("/comparisons")) {
            if (!c.path("id").asText().equals("cnn_epoch_1t") || c.path("missing").asBoolean()) {
                continue;
            }
            facts.put("cnn-epoch-ours-" + kind, String.format(Locale.ROOT, "%.1f s", c.at("/ours/mean").asDouble() / 1e3));
            facts.put("cnn-epoch-torch-" + kind, String.format(Locale.ROOT, "%.1f s", c.at("/peer/mean").asDouble() / 1e3));
            facts.put("cnn-epoch-ratio-" + kind, String.format(Locale.ROOT, "%.2f", c.path("speed_ratio").asDouble()));
            facts.put("cnn-epoch-verdict-" + kind, c.path("verdict").asText());
        }
    }

    private static void curves(Pinned cnn, Path outDir) throws IOException {
        Figures.LineFigure fig = Figures.line("cnn-loss", "Training loss of the CNN (mean over "
                        + cnn.at("/config/log_every_steps").asInt() + " steps), one line per seed")
                .axes("SGD step", "training loss").logY().size(760, 480).from(cnn);
        List<double[]> ys = new ArrayList<>();
        double[] x = null;
        for (JsonNode r : cnn.at("/runs")) {
            x = doubles(r.get("steps"));
            ys.add(doubles(r.get("trainLoss")));
        }
        fig.seeds("cross-entropy", x, ys.toArray(new double[0][]));
        fig.save(outDir);
    }

    private static void accuracy(Pinned cnn, Path outDir, Map<String, String> facts) throws IOException {
        double target = cnn.number("/config/target_test_accuracy");
        SummaryStatistics s = new SummaryStatistics();
        List<List<?>> rows = new ArrayList<>();
        for (JsonNode r : cnn.at("/runs")) {
            List<String> perEpoch = new ArrayList<>();
            for (JsonNode a : r.get("testAccuracy")) {
                perEpoch.add(pct(a.asDouble()));
            }
            double fin = r.get("finalTestAccuracy").asDouble();
            s.addValue(fin);
            rows.add(List.of(r.get("seed").asText(), String.join(", ", perEpoch), pct(fin),
                    fin >= target ? "met" : "missed"));
        }
        Tables.write(outDir, "cnn-accuracy", "Test accuracy of the CNN on MNIST's 10,000 test images after each epoch,"
                        + " per seed; the target is " + pct(target),
                List.of("seed", "after each epoch", "final", "≥ " + pct(target)), rows, List.of(cnn));
        facts.put("cnn-mean-accuracy", pct(s.getMean()));
        facts.put("cnn-min-accuracy", pct(s.getMin()));
        facts.put("cnn-seeds", String.valueOf(s.getN()));
        facts.put("cnn-epochs", cnn.at("/config/epochs").asText());
        facts.put("cnn-lr", cnn.at("/config/lr").asText());
        facts.put("cnn-momentum", cnn.at("/config/momentum").asText());
        facts.put("cnn-batch", cnn.at("/config/batch_size").asText());
        facts.put("cnn-target", pct(target));
        facts.put("cnn-verdict", s.getMin() >= target ? "every seed reaches it" : "not every seed reaches it");
    }

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pinned cnn = Pinned.load(resultsDir, "cnn-mnist");
        SummaryStatistics s = new SummaryStatistics();
        for (JsonNode r : cnn.at("/runs")) {
            s.addValue(r.get("finalTestAccuracy").asDouble());
        }
        return "Pinned result (`data/results/02-convolutions/cnn-mnist.json`: " + s.getN() + " seeds, "
                + cnn.at("/config/epochs").asText() + " epochs): the CNN built on the engine's conv2d reaches "
                + pct(s.getMean()) + " mean test accuracy on MNIST (lowest seed " + pct(s.getMin()) + "; target "
                + pct(cnn.number("/config/target_test_accuracy")) + ").";
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }
}
