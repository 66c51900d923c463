package unboxed.transposeconv;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import unboxed.fixtures.CaseResult;
import unboxed.fixtures.Verifier;
import unboxed.io.RepoRoot;
import unboxed.kit.Figures;
import unboxed.kit.ImageGrid;
import unboxed.kit.ImageGrid.Scale;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.Tables;

/**
 * Post 03's figures and tables, drawn from its pinned results only; every number the prose quotes
 * is a fact computed here ({@code facts.adoc}). No benchmark is pinned for this post yet, so there
 * are no speed tables (the report lists the benchmarks as open).
 */
public final class TransposeConvPost implements Post {
    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Transpose convolution, custom stride and padding";
    }

    @Override
    public String summary() {
        return "conv2d's full argument set (stride, padding including 'same', dilation, groups) and conv_transpose2d,"
                + " checked against PyTorch; the transposed convolution derived as the gradient of the convolution;"
                + " receptive fields, 2x upsampling, the checkerboard artefact and a convolutional autoencoder on"
                + " Fashion-MNIST.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned rf = Pinned.load(resultsDir, "receptive-field");
        Pinned tg = Pinned.load(resultsDir, "transpose-is-gradient");
        Pinned up = Pinned.load(resultsDir, "upsampling");
        Pinned cb = Pinned.load(resultsDir, "checkerboard");
        Pinned ae = Pinned.load(resultsDir, "autoencoder");
        Map<String, String> facts = new LinkedHashMap<>();
        receptiveFields(rf, outDir, facts);
        samePadding(rf, outDir, facts);
        transposeIsGradient(tg, outDir, facts);
        upsampling(up, outDir, facts);
        checkerboard(cb, outDir, facts);
        autoencoder(ae, outDir, facts);
        fixtureCases(outDir, facts);
        unboxed.kit.BenchTables.write(resultsDir, outDir, facts, Experiment.POST);
        unboxed.kit.Facts.write(outDir, List.of(rf, tg, up, cb, ae), facts);
    }

    // ------------------------------------------------------------------ part 1: receptive fields

    /** What one stack's gradient shows, measured, beside what the closed forms say. */
    record FieldSummary(String id, String label, String layers, int measuredSize, int theorySize, int read, int area,
                        int maxPaths, int measuredShift, int theoryShift) {
    }

    static FieldSummary summarise(JsonNode stack) {
        List<ReceptiveFields.Layer> layers = new ArrayList<>();
        List<String> text = new ArrayList<>();
        for (JsonNode l : stack.get("layers")) {
            ReceptiveFields.Layer layer = new ReceptiveFields.Layer(l.get("kernel").asInt(), l.get("stride").asInt(),
                    l.get("padding").asInt(), l.get("dilation").asInt());
            layers.add(layer);
            text.add(layer.kernel() + "x" + layer.kernel() + " s" + layer.stride() + " p" + layer.padding() + " d"
                    + layer.dilation());
        }
        double[][] g = grid(stack.get("gradient"));
        int[] box = box(g);
        int[] next = box(grid(stack.get("neighbour_gradient")));
        int read = 0;
        int maxPaths = 0;
        for (double[] row : g) {
            for (double v : row) {
                read += v != 0 ? 1 : 0;
                maxPaths = Math.max(maxPaths, (int) v);
            }
        }
        int size = box[3] - box[2] + 1;
        return new FieldSummary(stack.get("id").asText(), stack.get("label").asText(), String.join(", then ", text),
                size, ReceptiveFields.theoreticalSize(layers), read, (box[1] - box[0] + 1) * size, maxPaths,
                next[2] - box[2], ReceptiveFields.theoreticalJump(layers));
    }

    private static void receptiveFields(Pinned rf, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode stacks = rf.at("/stacks");
        // one crop for every panel: the union of the fields, one pixel of margin
        int lo = Integer.MAX_VALUE;
        int hi = Integer.MIN_VALUE;
        double max = 0;
        for (JsonNode s : stacks) {
            double[][] g = grid(s.get("gradient"));
            int[] b = box(g);
            lo = Math.min(lo, Math.min(b[0], b[2]));
            hi = Math.max(hi, Math.max(b[1], b[3]));
            for (double[] row : g) {
                for (double v : row) {
                    max = Math.max(max, v);
                }
            }
        }
        int size = rf.at("/input_size").asInt();
        lo = Math.max(0, lo - 1);
        hi = Math.min(size - 1, hi + 1);
        List<ImageGrid.Panel> panels = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        for (JsonNode s : stacks) {
            titles.add(s.get("label").asText());
            panels.add(ImageGrid.panel(crop(grid(s.get("gradient")), lo, hi), Scale.blues(0, max)).numbers("%.0f", true));
        }
        ImageGrid.of("receptive-fields", "Paths from each input pixel to the centre output of four two-layer stacks"
                        + " (every weight 1: the gradient of that output with respect to the input counts the paths;"
                        + " blank: not read); rows and columns " + lo + " to " + hi + " of the " + size + "x" + size
                        + " input")
                .columns(titles.toArray(new String[0]))
                .row("", 20, panels.toArray(new ImageGrid.Panel[0]))
                .from(rf).save(outDir);

        List<List<?>> rows = new ArrayList<>();
        Map<String, FieldSummary> byId = new LinkedHashMap<>();
        for (JsonNode s : stacks) {
            FieldSummary f = summarise(s);
            byId.put(f.id(), f);
            rows.add(List.of(f.label(), f.layers(), f.measuredSize() + "x" + f.measuredSize(),
                    f.theorySize() + "x" + f.theorySize(), f.read() + " of " + f.area(), f.maxPaths(),
                    f.measuredShift(), f.theoryShift()));
        }
        Tables.write(outDir, "receptive-fields", "The receptive fields of the four stacks, measured by autograd beside"
                        + " the closed forms: size 1 + Σ (k − 1)·d·(product of the earlier strides), and a shift of the"
                        + " product of all strides per output step",
                List.of("stack", "layers", "field (autograd)", "field (formula)", "pixels read", "most paths",
                        "shift per output step (autograd)", "shift (formula)"), rows, List.of(rf));
        FieldSummary plain = byId.get("plain");
        FieldSummary s2 = byId.get("stride2");
        FieldSummary d22 = byId.get("dilation22");
        FieldSummary d12 = byId.get("dilation12");
        facts.put("rf-input", String.valueOf(size));
        facts.put("rf-plain", plain.measuredSize() + "×" + plain.measuredSize());
        facts.put("rf-plain-paths", String.valueOf(plain.maxPaths()));
        facts.put("rf-stride2", s2.measuredSize() + "×" + s2.measuredSize());
        facts.put("rf-stride2-paths", String.valueOf(s2.maxPaths()));
        facts.put("rf-stride2-shift", String.valueOf(s2.measuredShift()));
        facts.put("rf-d22", d22.measuredSize() + "×" + d22.measuredSize());
        facts.put("rf-d22-read", String.valueOf(d22.read()));
        facts.put("rf-d22-area", String.valueOf(d22.area()));
        facts.put("rf-d12", d12.measuredSize() + "×" + d12.measuredSize());
        facts.put("rf-d12-shift", String.valueOf(d12.measuredShift()));
        boolean same = stacks.get(1).get("gradient").equals(stacks.get(3).get("gradient"));
        facts.put("rf-stride2-vs-d12", same ? "the same numbers, pixel for pixel" : "different numbers");
        boolean agree = byId.values().stream().allMatch(f -> f.measuredSize() == f.theorySize()
                && f.measuredShift() == f.theoryShift());
        facts.put("rf-formula-verdict", agree ? "agree for every stack" : "disagree for at least one stack");
    }

    // ------------------------------------------------------------------ part 1: "same" padding

    private static void samePadding(Pinned rf, Path outDir, Map<String, String> facts) throws IOException {
        List<List<?>> rows = new ArrayList<>();
        List<ImageGrid.Panel> panels = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        boolean allRule = true;
        double worstMatch = 0;
        double leastMiss = Double.POSITIVE_INFINITY;
        for (JsonNode c : rf.at("/same_padding")) {
            int k = c.get("kernel").asInt();
            int d = c.get("dilation").asInt();
            int total = c.get("total_padding").asInt();
            JsonNode best = null;
            double second = Double.POSITIVE_INFINITY;
            for (JsonNode sp : c.get("explicit_splits")) {
                double diff = number(sp.get("max_abs_difference"));
                if (best == null || diff < number(best.get("max_abs_difference"))) {
                    if (best != null) {
                        second = Math.min(second, number(best.get("max_abs_difference")));
                    }
                    best = sp;
                } else {
                    second = Math.min(second, diff);
                }
            }
            int start = best.get("start").asInt();
            int end = best.get("end").asInt();
            int[] rule = ReceptiveFields.samePadding(k, d);
            allRule &= rule[0] == start && rule[1] == end;
            worstMatch = Math.max(worstMatch, number(best.get("max_abs_difference")));
            leastMiss = Math.min(leastMiss, second);
            double[][] cov = grid(c.get("coverage"));
            int mid = cov.length / 2;
            rows.add(List.of(k + "x" + k, d, total, start, end, sci(number(best.get("max_abs_difference"))), sci(second),
                    rule[0] + " / " + rule[1]));
            if (d == 1 && k <= 4) {
                titles.add("kernel " + k + "x" + k + ": top " + start + ", bottom " + end);
                panels.add(ImageGrid.panel(cov, Scale.blues(0, cov[mid][mid])).numbers("%.0f", false));
            }
        }
        Tables.write(outDir, "same-padding", "padding=\"same\": the split of the total padding d·(k − 1) that"
                        + " reproduces the engine's \"same\" convolution when the input is padded explicitly (the split"
                        + " whose difference is smallest), beside PyTorch's rule: total // 2 before, the rest after",
                List.of("kernel", "dilation", "total", "before (top, left)", "after (bottom, right)",
                        "largest |Δ|, that split", "largest |Δ|, best other split", "PyTorch's rule"), rows, List.of(rf));
        ImageGrid.of("same-padding", "How many output windows of a padding=\"same\" convolution cover each input pixel"
                        + " (the gradient of the sum of its outputs; every weight 1, a " + rf.at("/same_padding/0/coverage")
                        .size() + "x" + rf.at("/same_padding/0/coverage").size() + " input): with an even kernel the"
                        + " bottom rows and right columns are covered more, because the extra padding is there")
                .columns(titles.toArray(new String[0]))
                .row("", 20, panels.toArray(new ImageGrid.Panel[0]))
                .from(rf).save(outDir);
        facts.put("same-verdict", allRule ? "matches PyTorch's rule in every case" : "departs from PyTorch's rule");
        facts.put("same-match", sci(worstMatch));
        facts.put("same-miss", sci(leastMiss));
        facts.put("same-cases", String.valueOf(rows.size()));
    }

    // ------------------------------------------------------------------ part 2: the transposed convolution is a gradient

    private static void transposeIsGradient(Pinned tg, Path outDir, Map<String, String> facts) throws IOException {
        List<List<?>> rows = new ArrayList<>();
        double autograd = 0;
        double scatter = 0;
        double zeros = 0;
        double converse = 0;
        double scale = 0;
        int withOutputPadding = 0;
        List<String> neverRead = new ArrayList<>();
        for (JsonNode c : tg.at("/configs")) {
            double a = number(c.get("autograd_vs_conv_transpose2d"));
            double s = number(c.get("scatter_vs_conv_transpose2d"));
            double z = number(c.get("zero_insertion_vs_conv_transpose2d"));
            double v = number(c.get("converse_autograd_vs_conv2d"));
            autograd = Math.max(autograd, a);
            scatter = Math.max(scatter, s);
            zeros = Math.max(zeros, z);
            converse = Math.max(converse, v);
            scale = Math.max(scale, Math.max(number(c.get("max_abs_grad")), number(c.get("max_abs_conv2d"))));
            JsonNode op = c.get("output_padding");
            String opText = op.get(0).asInt() == op.get(1).asInt() ? op.get(0).asText()
                    : "(" + op.get(0).asText() + ", " + op.get(1).asText() + ")";
            withOutputPadding += op.get(0).asInt() != 0 || op.get(1).asInt() != 0 ? 1 : 0;
            int never = c.get("inputs_never_read").asInt();
            if (never > 0) {
                neverRead.add(c.get("label").asText() + " (" + never + " of " + numel(c.get("input_shape")) + ")");
            }
            rows.add(List.of(c.get("label").asText(), shape(c.get("input_shape")), shape(c.get("weight_shape")),
                    shape(c.get("output_shape")), opText, sci(number(c.get("max_abs_grad"))), sci(a), sci(s), sci(z),
                    sci(v), never));
        }
        Tables.write(outDir, "transpose-gradient", "The transposed convolution as the gradient of the convolution:"
                        + " for y = conv2d(x, w) and an upstream gradient g, the largest |difference| between"
                        + " conv_transpose2d(g, w) with the same arguments and (a) autograd's dx, (b) the scatter loops"
                        + " of the definition (double precision), (c) zero insertion and a flipped-kernel conv2d; (d)"
                        + " the converse, autograd's gradient of conv_transpose2d against conv2d",
                List.of("configuration", "x", "w", "y", "output_padding", "largest |dx|", "(a) autograd",
                        "(b) scatter loops", "(c) zero insertion", "(d) converse", "inputs never read"),
                rows, List.of(tg));
        facts.put("tg-configs", String.valueOf(rows.size()));
        facts.put("tg-autograd", sci(autograd));
        facts.put("tg-scatter", sci(scatter));
        facts.put("tg-zeros", sci(zeros));
        facts.put("tg-converse", sci(converse));
        facts.put("tg-autograd-text", autograd == 0 ? "agree to the bit" : "differ by at most " + sci(autograd));
        facts.put("tg-converse-text", converse == 0 ? "to the bit" : "to within " + sci(converse));
        facts.put("tg-scale", String.format(Locale.ROOT, "%.0f", scale));
        facts.put("tg-output-padding", String.valueOf(withOutputPadding));
        facts.put("tg-never-read", neverRead.isEmpty() ? "none" : String.join(" and ", neverRead));
        facts.put("pred-tg", autograd == 0 && scatter <= 1e-5 * scale && zeros <= 1e-5 * scale
                ? "held: autograd and conv_transpose2d agree to the bit, the two textbook forms to float rounding"
                : "did not hold as stated (see the table)");
    }

    // ------------------------------------------------------------------ part 3: upsampling

    private static void upsampling(Pinned up, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode images = up.at("/images");
        List<String> classes = new ArrayList<>();
        List<String> methods = List.of("original", "downsampled", "nearest", "bilinear", "learned");
        Map<String, List<ImageGrid.Panel>> byMethod = new LinkedHashMap<>();
        for (String m : methods) {
            byMethod.put(m, new ArrayList<>());
        }
        for (JsonNode im : images) {
            classes.add(im.get("label").asText());
            for (String m : methods) {
                byMethod.get(m).add(ImageGrid.panel(grid(im.get(m)), Scale.gray(0, 1)));
            }
        }
        ImageGrid g = ImageGrid.of("upsampling", "The first Fashion-MNIST test image of each class (top), its 2x2"
                + " average pool (14x14, drawn at the same size), and that pool brought back to 28x28 by three"
                + " transposed convolutions; pixel values 0 (black) to 1 (white), values outside clipped")
                .columns(classes.toArray(new String[0]));
        for (String m : methods) {
            g.row(m, m.equals("downsampled") ? 6 : 3, byMethod.get(m).toArray(new ImageGrid.Panel[0]));
        }
        g.from(up).save(outDir);

        double[][] bil = grid(up.at("/bilinear_kernel"));
        double[][] init = grid(up.at("/learned_kernel_init"));
        double[][] learned = grid(up.at("/learned_kernel"));
        double absMax = Math.max(maxAbs(bil), Math.max(maxAbs(init), maxAbs(learned)));
        ImageGrid.of("upsampling-kernels", "The 4x4 kernels of the bilinear and the learned upsampler (stride 2,"
                        + " padding 1), and the learned one before training (PyTorch's default initialisation)")
                .columns("bilinear", "learned, before training", "learned, after " + up.at("/config/steps").asText()
                        + " steps")
                .row("", 44, ImageGrid.panel(bil, Scale.diverging(absMax)).numbers("%.3f", false),
                        ImageGrid.panel(init, Scale.diverging(absMax)).numbers("%.3f", false),
                        ImageGrid.panel(learned, Scale.diverging(absMax)).numbers("%.3f", false))
                .from(up).save(outDir);

        Figures.line("upsampling-loss", "Training loss of the learned upsampler (mean over "
                        + up.at("/config/log_every_steps").asInt() + " steps)")
                .axes("SGD step", "MSE per pixel").logY().size(720, 400)
                .line("learned 4x4 transposed convolution", up.doubles("/steps"), up.doubles("/train_loss"))
                .from(up).save(outDir);

        double nearest = up.number("/test_mse/nearest");
        double bilinear = up.number("/test_mse/bilinear");
        double learnedMse = up.number("/test_mse/learned");
        double[][] nearestCov = grid(up.at("/coverage/nearest"));
        double[][] bilinearCov = grid(up.at("/coverage/bilinear"));
        List<List<?>> rows = new ArrayList<>();
        rows.add(List.of("nearest", "2x2 ones, stride 2", fixed(nearest, 5), "1", phases(kernelOf(2, 1.0)),
                range(nearestCov)));
        rows.add(List.of("bilinear", "4x4 bilinear, stride 2, padding 1", fixed(bilinear, 5),
                fixed(bilinear / nearest, 3), phases(bil), range(bilinearCov)));
        rows.add(List.of("learned", "4x4, stride 2, padding 1, bias " + fixed(up.number("/learned_bias"), 4),
                fixed(learnedMse, 5), fixed(learnedMse / nearest, 3), phases(learned), "n/a"));
        Tables.write(outDir, "upsampling-mse", "2x upsampling of the 2x2-average-pooled Fashion-MNIST test set ("
                        + up.at("/config/test_samples").asInt() + " images): mean squared error per pixel against the"
                        + " originals, the kernel's taps summed by phase (equal sums: no checkerboard on flat regions)"
                        + " and the total kernel weight that reaches an output pixel (1 in the interior)",
                List.of("method", "kernel", "test MSE", "relative to nearest", "phase sums", "weight reaching a pixel"),
                rows, List.of(up));
        facts.put("up-mse-nearest", fixed(nearest, 5));
        facts.put("up-mse-bilinear", fixed(bilinear, 5));
        facts.put("up-mse-learned", fixed(learnedMse, 5));
        facts.put("up-learned-gain", pctOf(1 - learnedMse / bilinear));
        facts.put("up-steps", up.at("/config/steps").asText());
        facts.put("up-lr", up.at("/config/lr").asText());
        facts.put("up-momentum", up.at("/config/momentum").asText());
        facts.put("up-batch", up.at("/config/batch_size").asText());
        facts.put("up-edge", fixed(bilinearCov[0][bilinearCov[0].length / 2], 4));
        facts.put("up-corner", fixed(bilinearCov[0][0], 4));
        double[][] lp = Checkerboard.kernelPhaseSums(floats(learned), 2);
        facts.put("up-learned-phases", phases(learned));
        facts.put("up-learned-spread", pctOf(Checkerboard.relativeSpread(lp)));
        facts.put("up-learned-centre", fixed(learned[1][1], 3));
        facts.put("up-bilinear-centre", fixed(bil[1][1], 4));
        facts.put("up-order", order(Map.of("nearest", nearest, "bilinear", bilinear, "learned", learnedMse)));
        facts.put("pred-up", learnedMse < bilinear && bilinear < nearest ? "held" : "did not hold");
    }

    // ------------------------------------------------------------------ part 4: checkerboard

    private static void checkerboard(Pinned cb, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode methods = cb.at("/methods");
        int border = cb.at("/border_left_out").asInt();
        List<ImageGrid.Panel> overlap = new ArrayList<>();
        List<ImageGrid.Panel> outputs = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        List<List<?>> rows = new ArrayList<>();
        double maxCount = 0;
        for (String m : Checkerboard.METHODS) {
            for (double[] row : grid(methods.get(m).get("overlap_count"))) {
                for (double v : row) {
                    maxCount = Math.max(maxCount, v);
                }
            }
        }
        Map<String, Double> meanSpread = new LinkedHashMap<>();
        Map<String, Double> minSpread = new LinkedHashMap<>();
        for (String m : Checkerboard.METHODS) {
            JsonNode r = methods.get(m);
            titles.add(label(m));
            double[][] count = grid(r.get("overlap_count"));
            overlap.add(ImageGrid.panel(count, Scale.blues(0, maxCount)).numbers("%.0f", false));
            double[][] out = grid(r.get("random_output"));
            outputs.add(ImageGrid.panel(out, Scale.diverging(maxAbs(out))));
            double[][] phases = Checkerboard.phaseMeans(floats(out), border);
            SummaryStatistics draws = new SummaryStatistics();
            for (JsonNode v : r.get("draws_relative_spread")) {
                draws.addValue(v.asDouble());
            }
            meanSpread.put(m, draws.getMean());
            minSpread.put(m, draws.getMin());
            rows.add(List.of(label(m), distinct(count, border / 2), fourPhases(phases),
                    fixed(Checkerboard.relativeSpread(phases), 3), fixed(draws.getMean(), 3),
                    fixed(draws.getMin(), 3) + " – " + fixed(draws.getMax(), 3)));
        }
        double[][] bil = grid(cb.at("/k4s2_bilinear/output"));
        double[][] bilPhases = Checkerboard.phaseMeans(floats(bil), border);
        rows.add(List.of(label("k4s2") + ", bilinear kernel", distinct(grid(methods.get("k4s2").get("overlap_count")),
                border / 2), fourPhases(bilPhases), fixed(Checkerboard.relativeSpread(bilPhases), 3), "n/a", "n/a"));
        titles.add(label("k4s2") + ", bilinear kernel");
        outputs.add(ImageGrid.panel(bil, Scale.diverging(maxAbs(bil))));
        int n = cb.at("/overlap_input_size").asInt();
        int size = cb.at("/input_size").asInt();
        ImageGrid.of("checkerboard-overlap", "Overlap counts: how many (input pixel, kernel tap) pairs feed each"
                        + " output pixel when a " + n + "x" + n + " input is doubled (every weight 1, every input 1)")
                .columns(titles.subList(0, 3).toArray(new String[0]))
                .row("", 20, overlap.toArray(new ImageGrid.Panel[0]))
                .from(cb).save(outDir);
        ImageGrid.of("checkerboard-constant", "Each method's output for a constant " + size + "x" + size + " input"
                        + " (all ones), with a kernel drawn as a freshly initialised layer draws it (seeded), and, last,"
                        + " kernel 4 stride 2 with the bilinear kernel; blue negative, white 0, red positive, each panel"
                        + " on its own scale")
                .columns(titles.toArray(new String[0]))
                .row("", 12, outputs.toArray(new ImageGrid.Panel[0]))
                .from(cb).save(outDir);
        Tables.write(outDir, "checkerboard", "The checkerboard, measured: the overlap counts away from the border,"
                        + " the four phase means of the interior (rows and columns " + border + " to " + (2 * size
                        - border - 1) + ") of the constant-input output shown above, and their relative spread"
                        + " (largest − smallest) / mean |phase|, for that kernel and over " + cb.at("/draws").asInt()
                        + " seeded kernels",
                List.of("method", "interior overlap counts", "phase means (even/even, even/odd, odd/even, odd/odd)",
                        "spread, kernel shown", "spread, mean of draws", "spread, range of draws"), rows, List.of(cb));
        SummaryStatistics resizeDraws = new SummaryStatistics();
        for (JsonNode v : methods.get("resize").get("draws_relative_spread")) {
            resizeDraws.addValue(v.asDouble());
        }
        boolean held = minSpread.get("k3s2") > 0 && minSpread.get("k4s2") > 0 && resizeDraws.getMax() == 0;
        facts.put("pred-cb", held ? "held: every random kernel gave both transposed convolutions a checkerboard, and"
                + " none gave the resize-then-convolve method one" : "did not hold for every kernel");
        facts.put("cb-draws", cb.at("/draws").asText());
        facts.put("cb-k3-spread", fixed(meanSpread.get("k3s2"), 2));
        facts.put("cb-k4-spread", fixed(meanSpread.get("k4s2"), 2));
        facts.put("cb-k4-min-spread", fixed(minSpread.get("k4s2"), 2));
        facts.put("cb-resize-spread", fixed(meanSpread.get("resize"), 2));
        facts.put("cb-bilinear-spread", fixed(Checkerboard.relativeSpread(bilPhases), 2));
        facts.put("cb-k3-counts", distinct(grid(methods.get("k3s2").get("overlap_count")), border / 2));
        facts.put("cb-k4-counts", distinct(grid(methods.get("k4s2").get("overlap_count")), border / 2));
        facts.put("cb-resize-counts", distinct(grid(methods.get("resize").get("overlap_count")), border / 2));
    }

    static String label(String method) {
        switch (method) {
            case "k3s2": return "kernel 3, stride 2";
            case "k4s2": return "kernel 4, stride 2";
            default: return "nearest 2x, then 3x3 conv";
        }
    }

    // ------------------------------------------------------------------ part 5: autoencoder

    /** Runs of one (output, learning rate): their validation and test MSE across seeds. */
    record Cell(String output, double lr, SummaryStatistics validation, SummaryStatistics test,
                SummaryStatistics outside, SummaryStatistics clamped, int diverged, int collapsed, int runs) {
    }

    /**
     * A run counts as collapsed when its validation MSE is within 10% of the constant baseline's: it
     * learned no more than one grey level (its decoder's ReLUs died).
     */
    static final double COLLAPSED = 0.9;

    private static void autoencoder(Pinned ae, Path outDir, Map<String, String> facts) throws IOException {
        double baseline = ae.number("/constant_baseline/test_mse");
        Map<String, Cell> cells = new LinkedHashMap<>();
        int[] deadCollapsed = new int[3];
        int[] deadTrained = new int[3];
        int collapsedRuns = 0;
        int trainedRuns = 0;
        for (JsonNode r : ae.at("/runs")) {
            String key = r.get("output").asText() + "@" + r.get("lr").asDouble();
            Cell c = cells.computeIfAbsent(key, k -> new Cell(r.get("output").asText(), r.get("lr").asDouble(),
                    new SummaryStatistics(), new SummaryStatistics(), new SummaryStatistics(), new SummaryStatistics(),
                    0, 0, 0));
            boolean diverged = !r.get("divergedAtStep").isNull();
            boolean collapsed = !diverged && number(r.get("validationMse")) >= COLLAPSED * baseline;
            if (!diverged) {
                int[] into = collapsed ? deadCollapsed : deadTrained;
                for (int l = 0; l < 3; l++) {
                    into[l] += r.get("deadChannels").get(l).asInt();
                }
                collapsedRuns += collapsed ? 1 : 0;
                trainedRuns += collapsed ? 0 : 1;
            }
            if (!diverged) {
                c.validation().addValue(number(r.get("validationMse")));
                c.test().addValue(number(r.get("finalTestMse")));
                c.outside().addValue(number(r.get("outOfRangeFraction")));
                c.clamped().addValue(number(r.get("clampedTestMse")));
            }
            cells.put(key, new Cell(c.output(), c.lr(), c.validation(), c.test(), c.outside(), c.clamped(),
                    c.diverged() + (diverged ? 1 : 0), c.collapsed() + (collapsed ? 1 : 0), c.runs() + 1));
        }
        Map<String, Double> chosenLr = new LinkedHashMap<>();
        for (String o : List.of("linear", "sigmoid")) {
            chosenLr.put(o, ae.number("/chosen/" + o + "/lr"));
        }
        List<List<?>> rows = new ArrayList<>();
        Figures.LineFigure lrFig = Figures.line("autoencoder-lr", "Autoencoder: validation MSE by learning rate"
                        + " (rates where a seed diverged left out)")
                .axes("learning rate (SGD, momentum " + ae.at("/config/momentum").asText() + ")", "validation MSE per pixel")
                .logX().logY().size(720, 440).colours(List.of("linear output", "sigmoid output")).from(ae);
        for (String o : List.of("linear", "sigmoid")) {
            List<Double> xs = new ArrayList<>();
            List<double[]> bySeed = new ArrayList<>();
            for (Cell c : cells.values()) {
                if (!c.output().equals(o)) {
                    continue;
                }
                rows.add(List.of(o, num(c.lr()) + (c.lr() == chosenLr.get(o) ? " (chosen)" : ""),
                        c.diverged() == c.runs() ? "n/a" : meanStd(c.validation(), 5),
                        c.diverged() == c.runs() ? "n/a" : meanStd(c.test(), 5),
                        c.diverged() == c.runs() ? "n/a" : pctOf(c.outside().getMean()),
                        c.diverged() == c.runs() ? "n/a" : fixed(c.clamped().getMean(), 5),
                        c.diverged() + " / " + c.collapsed() + " of " + c.runs()));
                if (c.diverged() == 0) {
                    xs.add(c.lr());
                }
            }
            double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
            int seeds = ae.at("/config/seeds").asInt();
            double[][] y = new double[seeds][x.length];
            for (int i = 0; i < x.length; i++) {
                int s = 0;
                for (JsonNode r : ae.at("/runs")) {
                    if (r.get("output").asText().equals(o) && r.get("lr").asDouble() == x[i]) {
                        y[s++][i] = number(r.get("validationMse"));
                    }
                }
            }
            bySeed.addAll(Arrays.asList(y));
            lrFig.seeds(o + " output", x, bySeed.toArray(new double[0][]));
        }
        lrFig.save(outDir);
        Tables.write(outDir, "autoencoder-sweep", "The autoencoder after " + ae.at("/config/epochs").asText()
                        + " epoch(s) on " + ae.at("/config/train_samples").asInt() + " training images, by output and"
                        + " learning rate (mean ± standard deviation over " + ae.at("/config/seeds").asInt() + " seeds):"
                        + " MSE per pixel on the held-out validation images and on the test set, the share of output"
                        + " pixels outside [0, 1], the test MSE once they are clamped into it, and how many runs"
                        + " diverged (a loss that is not finite) or collapsed (a validation MSE within 10% of "
                        + fixed(baseline, 4) + ", the test MSE of one grey level for every pixel)",
                List.of("output", "learning rate", "validation MSE", "test MSE", "outside [0, 1]", "test MSE, clamped",
                        "diverged / collapsed"), rows, List.of(ae));

        Figures.LineFigure loss = Figures.line("autoencoder-loss", "Autoencoder: training loss at the chosen learning"
                        + " rates (mean over " + ae.at("/config/log_every_steps").asInt() + " steps)")
                .axes("SGD step", "MSE per pixel").logY().size(720, 440)
                .colours(List.of("linear output", "sigmoid output")).from(ae);
        for (String o : List.of("linear", "sigmoid")) {
            List<double[]> ys = new ArrayList<>();
            double[] x = null;
            for (JsonNode r : ae.at("/runs")) {
                if (r.get("output").asText().equals(o) && r.get("lr").asDouble() == chosenLr.get(o)) {
                    x = doubles(r.get("steps"));
                    ys.add(doubles(r.get("trainLoss")));
                }
            }
            loss.seeds(o + " output, lr " + num(chosenLr.get(o)), x, ys.toArray(new double[0][]));
        }
        loss.save(outDir);

        // the figures of the chosen runs
        Map<String, JsonNode> details = new LinkedHashMap<>();
        for (JsonNode d : ae.at("/details")) {
            details.put(d.get("output").asText(), d);
        }
        JsonNode idx = ae.at("/config/figure_test_indices");
        List<ImageGrid.Panel> recLinear = new ArrayList<>();
        List<ImageGrid.Panel> recSigmoid = new ArrayList<>();
        for (int i = 0; i < idx.size(); i++) {
            recLinear.add(ImageGrid.panel(grid(details.get("linear").get("reconstructions").get(i)), Scale.gray(0, 1)));
            recSigmoid.add(ImageGrid.panel(grid(details.get("sigmoid").get("reconstructions").get(i)), Scale.gray(0, 1)));
        }
        ImageGrid.of("autoencoder-reconstructions", "Reconstructions of the test images of the upsampling figure by"
                        + " the autoencoder (the first seed at each output's chosen learning rate; values outside [0, 1]"
                        + " clipped for display)")
                .row("linear output", 3, recLinear.toArray(new ImageGrid.Panel[0]))
                .row("sigmoid output", 3, recSigmoid.toArray(new ImageGrid.Panel[0]))
                .from(ae).save(outDir);

        JsonNode lin = details.get("linear");
        ImageGrid kernels = ImageGrid.of("autoencoder-kernels", "The linear-output autoencoder's learned kernels:"
                + " the 16 of its first layer (conv, 3x3, input to 16 channels) and the 16 of its last layer"
                + " (conv_transpose, 4x4, 16 channels to the image); blue negative, white 0, red positive, one scale"
                + " per row");
        kernels.row("encoder, first layer", 12, kernelPanels(lin.get("encoderKernels")));
        kernels.row("decoder, last layer", 12, kernelPanels(lin.get("decoderKernels")));
        kernels.from(ae).save(outDir);

        int aeBorder = 4;
        List<ImageGrid.Panel> constant = new ArrayList<>();
        List<String> constantTitles = new ArrayList<>();
        Map<String, String> spreads = new LinkedHashMap<>();
        for (String o : List.of("linear", "sigmoid")) {
            for (String when : List.of("constantResponseInit", "constantResponse")) {
                double[][] v = grid(details.get(o).get(when));
                double[] r = interiorRange(v, aeBorder);
                constant.add(ImageGrid.panel(v, Scale.gray(r[0], r[1] > r[0] ? r[1] : r[0] + 1e-6)));
                constantTitles.add(o + (when.equals("constantResponse") ? ", trained" : ", at init"));
                spreads.put(o + (when.equals("constantResponse") ? "-trained" : "-init"),
                        fixed(amplitude(Checkerboard.phaseMeans(floats(v), aeBorder, 4)), 3));
            }
        }
        ImageGrid.of("autoencoder-constant", "The decoder's answer to a spatially constant code (the mean code of "
                        + "the first test images, the same at all 7x7 positions), before and after training; each panel"
                        + " on its own grey scale, from the smallest to the largest value at least " + aeBorder
                        + " pixels from the border")
                .columns(constantTitles.toArray(new String[0]))
                .row("", 4, constant.toArray(new ImageGrid.Panel[0]))
                .from(ae).save(outDir);

        Cell bestLinear = cells.get("linear@" + chosenLr.get("linear"));
        Cell bestSigmoid = cells.get("sigmoid@" + chosenLr.get("sigmoid"));
        facts.put("ae-train", String.valueOf(ae.at("/config/train_samples").asInt()));
        facts.put("ae-validation", String.valueOf(ae.at("/config/validation_samples").asInt()));
        facts.put("ae-epochs", ae.at("/config/epochs").asText());
        facts.put("ae-batch", ae.at("/config/batch_size").asText());
        facts.put("ae-momentum", ae.at("/config/momentum").asText());
        facts.put("ae-seeds", ae.at("/config/seeds").asText());
        List<String> lrs = new ArrayList<>();
        for (JsonNode v : ae.at("/config/learning_rates")) {
            lrs.add(num(v.asDouble()));
        }
        facts.put("ae-lrs", String.join(", ", lrs));
        facts.put("ae-linear-lr", num(chosenLr.get("linear")));
        facts.put("ae-sigmoid-lr", num(chosenLr.get("sigmoid")));
        facts.put("ae-linear-test", meanStd(bestLinear.test(), 5));
        facts.put("ae-sigmoid-test", meanStd(bestSigmoid.test(), 5));
        facts.put("ae-linear-outside", pctOf(bestLinear.outside().getMean()));
        facts.put("ae-linear-clamped", fixed(bestLinear.clamped().getMean(), 5));
        facts.put("ae-better", bestLinear.test().getMean() < bestSigmoid.test().getMean() ? "linear" : "sigmoid");
        int diverged = 0;
        List<String> collapsed = new ArrayList<>();
        for (Cell c : cells.values()) {
            diverged += c.diverged();
            if (c.collapsed() > 0) {
                collapsed.add(c.collapsed() + " of " + c.runs() + " " + c.output() + "-output runs at learning rate "
                        + num(c.lr()));
            }
        }
        facts.put("ae-diverged", String.valueOf(diverged));
        facts.put("ae-collapsed", collapsed.isEmpty() ? "no run" : String.join(", ", collapsed));
        facts.put("ae-baseline", fixed(baseline, 4));
        facts.put("ae-dead-collapsed", collapsedRuns == 0 ? "no run collapsed"
                : deadText(deadCollapsed, collapsedRuns));
        facts.put("ae-dead-trained", trainedRuns == 0 ? "no run trained" : deadText(deadTrained, trainedRuns));
        facts.put("ae-baseline-value", fixed(ae.number("/constant_baseline/value"), 3));
        boolean lessChecker = true;
        for (String o : List.of("linear", "sigmoid")) {
            lessChecker &= Double.parseDouble(spreads.get(o + "-trained")) < Double.parseDouble(spreads.get(o + "-init"));
        }
        facts.put("pred-ae-checker", lessChecker ? "held for both outputs"
                : "held only in part: the pattern is there after training, but not fainter than at initialisation for"
                + " every output");
        facts.put("pred-ae-output", bestLinear.test().getMean() < bestSigmoid.test().getMean()
                ? "held: at its best learning rate the linear output reaches the lower test MSE"
                : "did not hold: at its best learning rate the sigmoid output reaches the lower test MSE");
        double largest = largestLr(ae);
        facts.put("ae-sigmoid-at-edge", chosenLr.get("sigmoid") == largest
                ? "the largest rate swept, so its best may lie beyond the sweep"
                : "inside the sweep: the next rate up does worse");

        facts.put("ae-runs", String.valueOf(ae.at("/runs").size()));
        spreads.forEach((k, v) -> facts.put("ae-amplitude-" + k, v));
        facts.put("ae-border", String.valueOf(aeBorder));
    }

    /**
     * The checkerboard's amplitude in the output's own units (grey levels): the largest minus the
     * smallest phase mean.
     */
    static double amplitude(double[][] phases) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : phases) {
            for (double v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return hi - lo;
    }

    /** Dead channels per layer, averaged over runs: "15.3 of 16 in conv1, ...". */
    static String deadText(int[] dead, int runs) {
        int[] of = {16, 32, 16};
        String[] name = {"the first encoder layer", "the code", "the decoder's hidden layer"};
        List<String> parts = new ArrayList<>();
        for (int l = 0; l < 3; l++) {
            parts.add(fixed((double) dead[l] / runs, 1) + " of " + of[l] + " in " + name[l]);
        }
        return String.join(", ", parts);
    }

    /** The largest learning rate of the sweep. */
    private static double largestLr(Pinned ae) {
        double m = 0;
        for (JsonNode v : ae.at("/config/learning_rates")) {
            m = Math.max(m, v.asDouble());
        }
        return m;
    }

    private static ImageGrid.Panel[] kernelPanels(JsonNode kernels) {
        double absMax = 0;
        List<double[][]> ks = new ArrayList<>();
        for (JsonNode k : kernels) {
            double[][] g = grid(k);
            ks.add(g);
            absMax = Math.max(absMax, maxAbs(g));
        }
        ImageGrid.Panel[] out = new ImageGrid.Panel[ks.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ImageGrid.panel(ks.get(i), Scale.diverging(absMax));
        }
        return out;
    }

    // ------------------------------------------------------------------ validation, by argument

    /** The argument features a fixture case can exercise, in the order the coverage table lists them. */
    static final List<String> FEATURES = List.of("stride > 1", "dilation > 1", "groups > 1", "padding 'same'",
            "padding 'valid'", "output_padding > 0", "height and width differ in an argument",
            "stride 1, dilation 1, groups 1, numeric padding");

    /** The features of one case, from its args as the fixture file writes them (PyTorch's keyword arguments). */
    static List<String> features(JsonNode args) {
        List<String> f = new ArrayList<>();
        boolean plain = true;
        if (any(args.get("stride"), v -> v > 1)) {
            f.add(FEATURES.get(0));
            plain = false;
        }
        if (any(args.get("dilation"), v -> v > 1)) {
            f.add(FEATURES.get(1));
            plain = false;
        }
        if (args.path("groups").asInt(1) > 1) {
            f.add(FEATURES.get(2));
            plain = false;
        }
        JsonNode pad = args.get("padding");
        if (pad != null && pad.isTextual()) {
            f.add(pad.asText().equals("same") ? FEATURES.get(3) : FEATURES.get(4));
            plain = false;
        }
        if (any(args.get("output_padding"), v -> v > 0)) {
            f.add(FEATURES.get(5));
        }
        for (String k : List.of("stride", "padding", "dilation", "output_padding")) {
            JsonNode v = args.get(k);
            if (v != null && v.isArray() && v.size() == 2 && !v.get(0).equals(v.get(1))) {
                f.add(FEATURES.get(6));
                break;
            }
        }
        if (plain) {
            f.add(FEATURES.get(7));
        }
        return f;
    }

    private static boolean any(JsonNode v, java.util.function.IntPredicate p) {
        if (v == null || v.isNull() || v.isTextual()) {
            return false;
        }
        if (v.isArray()) {
            for (JsonNode e : v) {
                if (p.test(e.asInt())) {
                    return true;
                }
            }
            return false;
        }
        return p.test(v.asInt());
    }

    /**
     * Every fixture case of this post run through the engine during the build (as
     * {@code make verify-fixtures} does), summarised by the arguments it exercises, so that the
     * reader sees which of them were checked against PyTorch; the per-op summary is the site's
     * validation table. A case counts in every row whose feature it has.
     */
    private static void fixtureCases(Path outDir, Map<String, String> facts) throws IOException {
        Path dir = RepoRoot.get().resolve("data").resolve("fixtures").resolve(Experiment.POST);
        if (!Files.isDirectory(dir)) {
            throw new IOException("no fixtures in " + dir + ": export them with `make fixtures`");
        }
        List<CaseResult> cases = Verifier.verifyDirectory(dir);
        if (cases.isEmpty()) {
            throw new IOException("no fixture cases in " + dir + ": export them with `make fixtures`");
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Map<String, int[]> counts = new TreeMap<>();          // "op|feature" -> {cases, failed}
        Map<String, Double> worst = new TreeMap<>();
        Map<String, Integer> byOp = new TreeMap<>();
        int failed = 0;
        for (CaseResult c : cases) {
            failed += c.passed() ? 0 : 1;
            byOp.merge(c.op(), 1, Integer::sum);
            JsonNode args = c.args() == null || c.args().isBlank() ? json.createObjectNode() : json.readTree(c.args());
            for (String f : features(args)) {
                String key = c.op() + "|" + FEATURES.indexOf(f);
                int[] n = counts.computeIfAbsent(key, k -> new int[2]);
                n[0]++;
                n[1] += c.passed() ? 0 : 1;
                if (!Double.isNaN(c.maxAbsError())) {
                    worst.merge(key, c.maxAbsError(), Math::max);
                }
            }
        }
        if (failed > 0) {
            throw new IllegalStateException(failed + " of " + cases.size() + " fixture cases of " + dir + " fail; run"
                    + " `make verify-fixtures DIR=data/fixtures/" + Experiment.POST + "` for details");
        }
        List<List<?>> rows = new ArrayList<>();
        counts.forEach((key, n) -> {
            String[] parts = key.split("\\|");
            rows.add(List.of(parts[0], FEATURES.get(Integer.parseInt(parts[1])), n[0],
                    worst.containsKey(key) ? sci(worst.get(key)) : "n/a", n[1] == 0 ? "PASS" : "FAIL " + n[1]));
        });
        Tables.write(outDir, "fixture-coverage", "Which arguments the PyTorch fixtures of this post exercise, run"
                        + " through the engine during the build: cases per op and argument (a case counts in every row"
                        + " that applies to it) and the largest absolute error over their outputs and gradients",
                List.of("op", "argument", "cases", "largest abs. error", "verdict"), rows,
                "Fixtures: data/fixtures/" + Experiment.POST + "/, check with `make verify-fixtures DIR=data/fixtures/"
                        + Experiment.POST + "`; regenerate with `make fixtures`");
        List<String> ops = new ArrayList<>();
        byOp.forEach((op, n) -> ops.add(n + " of " + op));
        facts.put("fixture-cases", String.valueOf(cases.size()));
        facts.put("fixture-ops", String.join(" and ", ops));
    }

    // ------------------------------------------------------------------ finding

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pinned tg = Pinned.load(resultsDir, "transpose-is-gradient");
        Pinned cb = Pinned.load(resultsDir, "checkerboard");
        double scatter = 0;
        for (JsonNode c : tg.at("/configs")) {
            scatter = Math.max(scatter, number(c.get("scatter_vs_conv_transpose2d")));
        }
        SummaryStatistics k3 = new SummaryStatistics();
        SummaryStatistics resize = new SummaryStatistics();
        for (JsonNode v : cb.at("/methods/k3s2/draws_relative_spread")) {
            k3.addValue(v.asDouble());
        }
        for (JsonNode v : cb.at("/methods/resize/draws_relative_spread")) {
            resize.addValue(v.asDouble());
        }
        return "Pinned results (`data/results/03-transpose-conv/`): the engine's conv_transpose2d matches its"
                + " definition to " + sci(scatter) + " on " + tg.at("/configs").size() + " configurations of stride,"
                + " padding, dilation and groups; on a constant input, a kernel-3 stride-2 transposed convolution"
                + " with random weights gives a checkerboard whose phases differ by " + fixed(k3.getMean(), 2)
                + " times their mean size on average (" + k3.getN() + " kernels), while resize-then-convolve "
                + (resize.getMax() == 0 ? "gives a flat output for every one of them."
                : "gives phases that differ by at most " + fixed(resize.getMax(), 3) + ".");
    }

    // ------------------------------------------------------------------ helpers

    static double[][] grid(JsonNode rows) {
        double[][] g = new double[rows.size()][];
        for (int i = 0; i < g.length; i++) {
            g[i] = doubles(rows.get(i));
        }
        return g;
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(a.get(i));
        }
        return out;
    }

    /** A number, with the results files' "NaN" and "Infinity" strings. */
    static double number(JsonNode n) {
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

    static float[][] floats(double[][] g) {
        float[][] f = new float[g.length][];
        for (int i = 0; i < g.length; i++) {
            f[i] = new float[g[i].length];
            for (int j = 0; j < g[i].length; j++) {
                f[i][j] = (float) g[i][j];
            }
        }
        return f;
    }

    /** {first row, last row, first column, last column} of the non-zero entries. */
    static int[] box(double[][] g) {
        int[] b = {Integer.MAX_VALUE, -1, Integer.MAX_VALUE, -1};
        for (int i = 0; i < g.length; i++) {
            for (int j = 0; j < g[i].length; j++) {
                if (g[i][j] != 0) {
                    b[0] = Math.min(b[0], i);
                    b[1] = Math.max(b[1], i);
                    b[2] = Math.min(b[2], j);
                    b[3] = Math.max(b[3], j);
                }
            }
        }
        if (b[1] < 0) {
            throw new IllegalArgumentException("a receptive field with no pixel read: the gradient is all zeros");
        }
        return b;
    }

    static double[][] crop(double[][] g, int lo, int hi) {
        double[][] out = new double[hi - lo + 1][];
        for (int i = lo; i <= hi; i++) {
            out[i - lo] = Arrays.copyOfRange(g[i], lo, hi + 1);
        }
        return out;
    }

    static double maxAbs(double[][] g) {
        double m = 0;
        for (double[] row : g) {
            for (double v : row) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m == 0 ? 1 : m;
    }

    /** The smallest and largest value at least {@code border} pixels from the edge. */
    static double[] interiorRange(double[][] g, int border) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = border; i < g.length - border; i++) {
            for (int j = border; j < g[i].length - border; j++) {
                lo = Math.min(lo, g[i][j]);
                hi = Math.max(hi, g[i][j]);
            }
        }
        return new double[] {lo, hi};
    }

    /** The distinct values of a plane away from its outermost {@code border} rows and columns, ascending. */
    static String distinct(double[][] g, int border) {
        TreeSet<Double> values = new TreeSet<>();
        for (int i = border; i < g.length - border; i++) {
            for (int j = border; j < g[i].length - border; j++) {
                values.add(g[i][j]);
            }
        }
        List<String> out = new ArrayList<>();
        for (double v : values) {
            out.add(num(v));
        }
        return String.join(", ", out);
    }

    static String phases(double[][] kernel) {
        double[][] p = Checkerboard.kernelPhaseSums(floats(kernel), 2);
        return fourPhases(p);
    }

    static String fourPhases(double[][] p) {
        return fixed(p[0][0], 3) + ", " + fixed(p[0][1], 3) + ", " + fixed(p[1][0], 3) + ", " + fixed(p[1][1], 3);
    }

    static double[][] kernelOf(int k, double v) {
        double[][] out = new double[k][k];
        for (double[] row : out) {
            Arrays.fill(row, v);
        }
        return out;
    }

    static String range(double[][] g) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : g) {
            for (double v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return lo == hi ? num(lo) : num(lo) + " (corners) to " + num(hi);
    }

    static String order(Map<String, Double> mse) {
        List<Map.Entry<String, Double>> e = new ArrayList<>(mse.entrySet());
        e.sort(Map.Entry.comparingByValue());
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Double> x : e) {
            names.add(x.getKey());
        }
        return String.join(" < ", names);
    }

    static String shape(JsonNode a) {
        List<String> d = new ArrayList<>();
        for (JsonNode v : a) {
            d.add(v.asText());
        }
        return String.join("×", d);
    }

    static int numel(JsonNode a) {
        int n = 1;
        for (JsonNode v : a) {
            n *= v.asInt();
        }
        return n;
    }

    static String meanStd(SummaryStatistics s, int digits) {
        if (s.getN() == 0) {
            return "n/a";
        }
        return fixed(s.getMean(), digits) + " ± " + fixed(s.getN() > 1 ? s.getStandardDeviation() : 0, digits);
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

    /** A short number: an integer without decimals, else as few digits as it needs. */
    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return String.valueOf((long) v);
        }
        String t = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}
