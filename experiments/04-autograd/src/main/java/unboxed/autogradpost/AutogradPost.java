package unboxed.autogradpost;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import unboxed.fixtures.CaseResult;
import unboxed.fixtures.Verifier;
import unboxed.io.RepoRoot;
import unboxed.kit.BenchTables;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.Tables;

/**
 * Post 04's figures and tables, drawn from its pinned results only; every number the prose quotes
 * is a fact computed here ({@code facts.adoc}). The probe fixtures are also run through the
 * verifier at build time, so the behaviour table can never describe an engine that no longer
 * behaves that way.
 */
public final class AutogradPost implements Post {
    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Autograd: observe PyTorch's, reverse-engineer it, reproduce it";
    }

    @Override
    public String summary() {
        return "Sixteen behaviours of torch.autograd probed in PyTorch and reproduced by the engine; what they reveal"
                + " (a tape of nodes, topological order, saved tensors and version checks); a double-precision"
                + " gradient checker over every op; and what the recorded graph costs.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pinned probes = Pinned.load(resultsDir, "probes");
        Pinned gc = Pinned.load(resultsDir, "gradient-check");
        return String.format(Locale.ROOT, "The engine reproduces %d of the %d probed behaviours of torch.autograd, and"
                        + " its double-precision gradient checker passes %d of %d random cases over %d ops.",
                probes.at("/agree").asInt(), probes.at("/total").asInt(),
                gc.at("/total_cases").asInt() - gc.at("/failed_cases").asInt(), gc.at("/total_cases").asInt(),
                gc.at("/ops").size());
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned probes = Pinned.load(resultsDir, "probes");
        Pinned gc = Pinned.load(resultsDir, "gradient-check");
        Pinned cost = Pinned.load(resultsDir, "graph-cost");
        Pinned depth = Pinned.load(resultsDir, "graph-depth");
        Pinned picture = Pinned.load(resultsDir, "graph-picture");
        Map<String, String> facts = new LinkedHashMap<>();
        probes(probes, outDir, facts);
        gradientCheck(gc, outDir, facts);
        graphPicture(picture, outDir, facts);
        graphCost(cost, outDir, facts);
        graphDepth(depth, outDir, facts);
        List<Pinned> bench = BenchTables.write(resultsDir, outDir, facts, Experiment.POST);
        benchDepth(bench.get(0), outDir, facts);
        profile(BenchTables.profiles(resultsDir, "avx512").get(0), facts);
        unboxed.kit.Facts.write(outDir, List.of(probes, gc, cost, depth, picture), facts);
    }

    // ------------------------------------------------------------------ probes

    private static void probes(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        List<List<?>> rows = new ArrayList<>();
        for (JsonNode probe : p.at("/probes")) {
            boolean agree = probe.get("facts_agree").asBoolean() && probe.get("tensors_agree").asBoolean();
            int factCount = probe.get("torch").get("facts").size();
            String ours = probe.get("facts_agree").asBoolean()
                    ? (factCount == 0 ? "no facts beyond the values" : "the same " + factCount + " fact" + (factCount == 1 ? "" : "s"))
                    : "*differs*: " + outcome(probe.get("ours"));
            rows.add(List.of(probe.get("number").asInt(), probe.get("behaviour").asText(),
                    outcome(probe.get("torch")) + tensors(probe.get("tensors"), null, factCount > 0),
                    ours + tensors(probe.get("tensors"), probe.get("tensors_agree").asBoolean(), true),
                    agree ? "same" : "*differs*", "`" + probe.get("test").asText() + "`"));
        }
        Tables.write(outDir, "probes", "Each probe of torch.autograd's behaviour: what PyTorch did (exported by"
                        + " tools/fixtures/export_04_autograd.py) and what the engine does with the same inputs",
                List.of("#", "behaviour", "PyTorch", "ours", "verdict", "test"), rows, List.of(p));
        facts.put("probes-total", p.at("/total").asText());
        facts.put("probes-agree", p.at("/agree").asText());
        facts.put("probes-torch-version", p.at("/probes/0/torch/torch_version").asText());
        // the same fixtures, run through the verifier now: the table cannot outlive the behaviour it shows
        Path dir = RepoRoot.get().resolve("data").resolve("fixtures").resolve(Experiment.POST);
        if (!Files.isDirectory(dir)) {
            throw new IOException("no probe fixtures in " + dir + ": export them with `make fixtures`");
        }
        List<CaseResult> cases = Verifier.verifyDirectory(dir);
        long passed = cases.stream().filter(CaseResult::passed).count();
        facts.put("probes-verified-now", passed + " of " + cases.size());
    }

    /** Facts as "name: value" lines, with PyTorch's message for a fact that raised. */
    private static String outcome(JsonNode side) {
        List<String> lines = new ArrayList<>();
        JsonNode messages = side.get("messages");
        for (Iterator<Map.Entry<String, JsonNode>> it = side.get("facts").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String line = "`" + e.getKey() + "`: " + e.getValue().asText();
            if (messages != null && messages.has(e.getKey())) {
                line += " (\"" + shorten(messages.get(e.getKey()).asText(), 70) + "\")";
            }
            lines.add(line);
        }
        return String.join("; ", lines);
    }

    /** PyTorch's side: how many values it exported; ours (agree non-null): how they compared. */
    private static String tensors(JsonNode tensors, Boolean agree, boolean afterText) {
        if (tensors == null || tensors.size() == 0) {
            return "";
        }
        String prefix = afterText ? "; " : "";
        int n = tensors.size();
        String values = n + " value" + (n == 1 ? "" : "s") + " or gradient" + (n == 1 ? "" : "s");
        if (agree == null) {
            return prefix + values;
        }
        double worst = 0;
        for (JsonNode t : tensors) {
            worst = Math.max(worst, t.get("max_abs_error").asDouble());
        }
        return prefix + (agree ? "" : "*") + values + (worst == 0 ? ", equal to the bit"
                : String.format(Locale.ROOT, ", largest error %.1e", worst)) + (agree ? "" : "*");
    }

    private static String shorten(String s, int max) {
        String one = s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }

    // ------------------------------------------------------------------ gradient checker

    private static void gradientCheck(Pinned gc, Path outDir, Map<String, String> facts) throws IOException {
        List<List<?>> rows = new ArrayList<>();
        double worstRatio = 0;
        String worstOp = "";
        for (JsonNode op : gc.at("/ops")) {
            double ratio = op.get("max_error_over_tolerance").asDouble();
            if (ratio >= worstRatio) {
                worstRatio = ratio;
                worstOp = op.get("torch_name").asText() + " (" + op.get("grad_fn").asText() + ")";
            }
            rows.add(List.of(op.get("torch_name").asText(), op.get("grad_fn").asText(), op.get("cases").asInt(),
                    String.format(Locale.ROOT, "%.1e", op.get("max_abs_error").asDouble()),
                    String.format(Locale.ROOT, "%.4f", ratio), op.get("worst_case").asText()));
        }
        Tables.write(outDir, "gradient-check", "The finite-difference gradient checker, per op: random cases drawn"
                        + " by jqwik's generators, the largest |autograd − central difference| over every gradient"
                        + " element, and that error as a fraction of the tolerance (1 would fail)",
                List.of("op", "node", "cases", "max abs error", "max error / tolerance", "worst case"), rows,
                List.of(gc));
        facts.put("gc-total", gc.at("/total_cases").asText());
        facts.put("gc-failed", gc.at("/failed_cases").asText());
        facts.put("gc-ops", String.valueOf(gc.at("/ops").size()));
        facts.put("gc-step", gc.at("/step").asText());
        facts.put("gc-atol", gc.at("/tolerance/atol").asText());
        facts.put("gc-rtol", gc.at("/tolerance/rtol").asText());
        facts.put("gc-worst-ratio", String.format(Locale.ROOT, "%.3f", worstRatio));
        facts.put("gc-worst-op", worstOp);
        List<String> layouts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = gc.at("/layouts").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            layouts.add(e.getValue().asText() + " " + e.getKey());
        }
        facts.put("gc-layouts", String.join(", ", layouts));
    }

    // ------------------------------------------------------------------ the recorded graph

    private static void graphPicture(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        String svg = GraphFigure.svg(p.results());
        Figures.saveSvg(svg.getBytes(StandardCharsets.UTF_8), GraphFigure.width(svg), outDir, "recorded-graph",
                "The graph the engine records for " + p.at("/model").asText() + ": each box a node (the PyTorch"
                        + " name of its backward, the shape of its output, what it saves), each arrow an edge in the"
                        + " direction backward walks it, blue boxes the parameters whose .grad it fills", List.of(p));
        facts.put("picture-model", p.at("/model").asText());
        facts.put("picture-nodes", p.at("/summary/nodes").asText());
        facts.put("picture-edges", p.at("/summary/edges").asText());
    }

    private static void graphCost(Pinned c, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode a = c.at("/autograd");
        JsonNode h = c.at("/by_hand");
        List<List<?>> rows = new ArrayList<>();
        Map<String, String> label = Map.of("parameter", "parameters", "batch", "the batch (images, labels, constants)",
                "intermediate", "intermediates", "total", "*total*");
        for (String kind : List.of("parameter", "batch", "intermediate", "total")) {
            rows.add(List.of(label.get(kind),
                    kib(a.get("saved_bytes").get(kind).asLong()), kib(h.get("kept_bytes").get(kind).asLong())));
        }
        Tables.write(outDir, "graph-cost", "What stays alive between forward and backward for one step of post 01's"
                        + " MLP (batch " + c.at("/config/batch").asText() + "): the tensors the recorded graph's"
                        + " nodes keep, beside what the hand-derived layers keep; distinct storages, in KiB",
                List.of("storage", "autograd's graph", "hand-derived layers"), rows, List.of(c));
        List<List<?>> grads = new ArrayList<>();
        double worst = 0;
        for (JsonNode g : c.at("/gradients")) {
            worst = Math.max(worst, g.get("max_abs_difference").asDouble());
            grads.add(List.of(g.get("parameter").asText(), g.get("elements").asInt(),
                    g.get("elements_differing_in_any_bit").asInt(),
                    String.format(Locale.ROOT, "%.1e", g.get("max_abs_difference").asDouble())));
        }
        Tables.write(outDir, "graph-cost-gradients", "The same step's gradients, autograd against the hand-derived"
                        + " layers", List.of("parameter", "elements", "elements differing in any bit",
                        "max |difference|"), grads, List.of(c));
        facts.put("cost-nodes", a.get("nodes").asText());
        facts.put("cost-edges", a.get("edges").asText());
        facts.put("cost-refs", a.get("saved_tensor_references").asText());
        facts.put("cost-auto-intermediate-kib", kib(a.get("saved_bytes").get("intermediate").asLong()));
        facts.put("cost-hand-intermediate-kib", kib(h.get("kept_bytes").get("intermediate").asLong()));
        facts.put("cost-auto-intermediate-storages", a.get("saved_storages").get("intermediate").asText());
        facts.put("cost-hand-intermediate-storages", h.get("kept_storages").get("intermediate").asText());
        facts.put("cost-relu-kib", kib(h.get("intermediate_bytes_by_layer").get("ReLUByHand").asLong()));
        boolean moreThanByHand = a.get("saved_bytes").get("intermediate").asLong()
                > h.get("kept_bytes").get("intermediate").asLong();
        facts.put("cost-prediction-1", moreThanByHand ? "Prediction 1 held" : "Prediction 1 was wrong");
        facts.put("cost-grad-max-diff", String.format(Locale.ROOT, "%.1e", worst));
        facts.put("cost-grad-identical", c.at("/gradients_bit_identical").asBoolean() ? "bit for bit" : "not bit for bit");
        facts.put("cost-loss", c.at("/loss/autograd").asText());
        facts.put("cost-loss-same", c.at("/loss/autograd").asText().equals(c.at("/loss/by_hand").asText())
                ? "the same float" : "different floats");
    }

    private static void graphDepth(Pinned d, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode rows = d.at("/rows");
        int n = rows.size();
        double[] layers = new double[n];
        double[] nodes = new double[n];
        double[] edges = new double[n];
        double[] interKib = new double[n];
        double[] paramKib = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode r = rows.get(i);
            layers[i] = r.get("layers").asDouble();
            nodes[i] = r.get("nodes").asDouble();
            edges[i] = r.get("edges").asDouble();
            interKib[i] = r.get("saved_bytes").get("intermediate").asDouble() / 1024;
            paramKib[i] = r.get("saved_bytes").get("parameter").asDouble() / 1024;
        }
        Figures.line("graph-size", "Nodes and edges of the recorded graph against the number of Linear layers")
                .axes("Linear layers", "count").size(640, 380)
                .line("nodes", layers, nodes).line("edges", layers, edges).from(d).save(outDir);
        Figures.line("graph-memory", "What the graph keeps alive against depth (KiB of distinct storages)")
                .axes("Linear layers", "KiB").size(640, 380)
                .line("intermediates", layers, interKib).line("parameters (views of)", layers, paramKib)
                .from(d).save(outDir);
        // the laws, from the two ends of the sweep, and whether every depth in between obeys them
        double nodeSlope = (nodes[n - 1] - nodes[1]) / (layers[n - 1] - layers[1]);
        double edgeSlope = (edges[n - 1] - edges[1]) / (layers[n - 1] - layers[1]);
        double interSlope = (interKib[n - 1] - interKib[1]) / (layers[n - 1] - layers[1]);
        boolean linear = true;
        for (int i = 1; i < n; i++) {
            linear &= Math.abs(nodes[1] + nodeSlope * (layers[i] - layers[1]) - nodes[i]) < 1e-9
                    && Math.abs(edges[1] + edgeSlope * (layers[i] - layers[1]) - edges[i]) < 1e-9;
        }
        facts.put("depth-node-slope", fmt(nodeSlope));
        facts.put("depth-node-intercept", fmt(nodes[1] - nodeSlope * layers[1]));
        facts.put("depth-edge-slope", fmt(edgeSlope));
        facts.put("depth-edge-intercept", fmt(edges[1] - edgeSlope * layers[1]));
        facts.put("depth-linear", linear ? "exactly, at every depth from 2 to " + (int) layers[n - 1]
                : "only approximately");
        facts.put("depth-inter-slope-kib", fmt(interSlope));
        facts.put("depth-max-layers", fmt(layers[n - 1]));
        facts.put("depth-max-nodes", fmt(nodes[n - 1]));
        facts.put("depth-width", d.at("/config/width").asText());
        facts.put("depth-batch", d.at("/config/batch").asText());
        facts.put("depth-one-nodes", fmt(nodes[0]));
    }

    /** Time against depth: forward without and with recording, forward + backward, ours and PyTorch's. */
    private static void benchDepth(Pinned bench, Path outDir, Map<String, String> facts) throws IOException {
        List<Double> x = new ArrayList<>();
        Map<String, List<Double>> lines = new LinkedHashMap<>();
        for (String k : List.of("ours, no_grad", "ours, recording", "ours, forward + backward",
                "PyTorch, no_grad", "PyTorch, recording", "PyTorch, forward + backward")) {
            lines.put(k, new ArrayList<>());
        }
        for (JsonNode c : bench.at("/comparisons")) {
            String id = c.get("id").asText();
            if (!id.matches("deep\\d+_recording") || c.has("missing")) {
                continue;
            }
            int layers = Integer.parseInt(id.substring(4, id.indexOf('_')));
            x.add((double) layers);
            lines.get("ours, recording").add(c.at("/ours/mean").asDouble());
            lines.get("ours, no_grad").add(c.at("/peer/mean").asDouble());
            lines.get("ours, forward + backward").add(comparisonMean(bench, "deep" + layers + "_fwdbwd_vs_torch", "ours"));
            lines.get("PyTorch, forward + backward").add(comparisonMean(bench, "deep" + layers + "_fwdbwd_vs_torch", "peer"));
            lines.get("PyTorch, recording").add(comparisonMean(bench, "deep" + layers + "_fwd_recorded_vs_torch", "peer"));
            lines.get("PyTorch, no_grad").add(peerMean(bench, "autograd_deep" + layers + "_fwd_nograd"));
        }
        if (x.isEmpty()) {
            throw new IOException(bench.relativePath() + " has no deepL_recording comparisons: rerun"
                    + " `make bench POST=" + Experiment.POST + "`");
        }
        Figures.LineFigure f = Figures.line("time-against-depth", "Time per call against depth, one thread, batch 64")
                .axes("Linear layers", "ms per call").logX().logY().size(720, 420);
        double[] xs = x.stream().mapToDouble(Double::doubleValue).toArray();
        lines.forEach((label, ys) -> f.line(label, xs, ys.stream().mapToDouble(Double::doubleValue).toArray()));
        f.from(bench).save(outDir);
        int last = xs.length - 1;
        double ourRec = lines.get("ours, recording").get(last) / lines.get("ours, no_grad").get(last);
        double torchRec = lines.get("PyTorch, recording").get(last) / lines.get("PyTorch, no_grad").get(last);
        double ourBwd = (lines.get("ours, forward + backward").get(last) - lines.get("ours, recording").get(last))
                / lines.get("ours, recording").get(last);
        // recording's cost per depth: the comparison's ratio (no_grad time / recorded time) and its 99% interval;
        // prediction 3 ("a few percent", read: at most 10%) holds at a depth whose interval lies above 0.9,
        // fails where it lies below, and is not settled where it straddles 0.9
        List<String> perDepth = new ArrayList<>();
        Map<String, List<String>> verdicts = new LinkedHashMap<>();
        for (String v : List.of("holds", "does not hold", "is not settled")) {
            verdicts.put(v, new ArrayList<>());
        }
        for (JsonNode c : bench.at("/comparisons")) {
            String id = c.get("id").asText();
            if (!id.matches("deep\\d+_recording") || c.has("missing")) {
                continue;
            }
            JsonNode ci = c.get("speed_ratio_ci99");
            double lo = ci.get(0).isNull() ? Double.NEGATIVE_INFINITY : ci.get(0).asDouble();
            double hi = ci.get(1).isNull() ? Double.POSITIVE_INFINITY : ci.get(1).asDouble();
            String depth = id.substring(4, id.indexOf('_'));
            perDepth.add(String.format(Locale.ROOT, "%s layers %.2f [%.2f, %.2f]", depth,
                    c.get("speed_ratio").asDouble(), lo, hi));
            verdicts.get(lo >= 0.9 ? "holds" : hi < 0.9 ? "does not hold" : "is not settled").add(depth);
        }
        List<String> verdict = new ArrayList<>();
        verdicts.forEach((v, depths) -> {
            if (!depths.isEmpty()) {
                verdict.add(v + " at " + String.join(", ", depths.subList(0, depths.size() - 1))
                        + (depths.size() > 1 ? " and " : "") + depths.get(depths.size() - 1)
                        + (depths.size() == 1 && depths.get(0).equals("1") ? " layer" : " layers"));
            }
        });
        facts.put("bench-prediction-3", String.join(", ", verdict));
        facts.put("bench-recording-ratios", String.join("; ", perDepth));
        for (JsonNode c : bench.at("/comparisons")) {
            if (c.get("id").asText().equals("mlp_step_by_hand") && !c.has("missing")) {
                JsonNode ci = c.get("speed_ratio_ci99");
                facts.put("bench-step-autograd-ms", String.format(Locale.ROOT, "%.2f", c.at("/ours/mean").asDouble()));
                facts.put("bench-step-by-hand-ms", String.format(Locale.ROOT, "%.2f", c.at("/peer/mean").asDouble()));
                facts.put("bench-step-by-hand-ratio", String.format(Locale.ROOT, "%.2f [%.2f, %.2f]",
                        c.get("speed_ratio").asDouble(), ci.get(0).asDouble(), ci.get(1).asDouble()));
                facts.put("bench-step-faster", ci.get(0).asDouble() > 1 ? "faster than" : ci.get(1).asDouble() < 1
                        ? "slower than" : "not measurably different from");
            }
            if (c.get("id").asText().equals("mlp_step_vs_torch") && !c.has("missing")) {
                JsonNode ci = c.get("speed_ratio_ci99");
                facts.put("bench-step-torch-ratio", String.format(Locale.ROOT, "%.2f [%.2f, %.2f]",
                        c.get("speed_ratio").asDouble(), ci.get(0).asDouble(), ci.get(1).asDouble()));
            }
        }
        facts.put("bench-deepest", fmt(xs[last]));
        facts.put("bench-our-recording-overhead", String.format(Locale.ROOT, "%+.0f%%", (ourRec - 1) * 100));
        facts.put("bench-torch-recording-overhead", String.format(Locale.ROOT, "%+.0f%%", (torchRec - 1) * 100));
        facts.put("bench-our-backward-over-forward", String.format(Locale.ROOT, "%.1f", ourBwd));
        double torchBwd = (lines.get("PyTorch, forward + backward").get(last) - lines.get("PyTorch, recording").get(last))
                / lines.get("PyTorch, recording").get(last);
        facts.put("bench-torch-backward-over-forward", String.format(Locale.ROOT, "%.1f", torchBwd));
        // prediction 4: backward about twice the forward (read: between 1.5 and 2.5 times)
        facts.put("bench-prediction-4", ourBwd >= 1.5 && ourBwd <= 2.5 ? "holds" : "does not hold");
    }

    /** Shares of the sampled time, forward alone and forward + backward, grouped by what the frame does. */
    private static void profile(Pinned p, Map<String, String> facts) throws IOException {
        for (Map.Entry<String, String> e : List.of(Map.entry("GraphBench.deepForwardRecorded", "f"),
                Map.entry("GraphBench.deepForwardBackward", "fb"))) {
            JsonNode prof = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = p.at("/profiles").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> pe = it.next();
                if (pe.getKey().startsWith(e.getKey())) {
                    prof = pe.getValue();
                    facts.put("profile-layers", pe.getKey().replaceAll(".*layers = (\\d+).*", "$1"));
                }
            }
            if (prof == null) {
                throw new IOException(p.relativePath() + " has no profile of " + e.getKey()
                        + ": rerun tools/bench/profile.sh " + Experiment.POST);
            }
            double products = 0;
            double blocked = 0;
            double reduce = 0;
            double where = 0;
            for (JsonNode f : prof.get("frames")) {
                String frame = f.get("frame").asText();
                double share = f.get("share_of_benchmark_thread").asDouble();
                products += frame.startsWith("unboxed.backend.cpu.Sgemm") ? share : 0;
                blocked += frame.equals("unboxed.backend.cpu.Sgemm$Call.blocked") ? share : 0;
                reduce += frame.endsWith(".reduce") || frame.endsWith("reduceKernel") ? share : 0;
                where += frame.endsWith(".where") ? share : 0;
            }
            String k = e.getValue();
            facts.put("profile-" + k + "-products", pct(products));
            facts.put("profile-" + k + "-blocked", pct(blocked));
            facts.put("profile-" + k + "-reduce", pct(reduce));
            facts.put("profile-" + k + "-where", pct(where));
        }
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static double comparisonMean(Pinned bench, String id, String side) throws IOException {
        for (JsonNode c : bench.at("/comparisons")) {
            if (c.get("id").asText().equals(id) && !c.has("missing")) {
                return c.get(side).get("mean").asDouble();
            }
        }
        throw new IOException(bench.relativePath() + ": comparison " + id + " was not measured");
    }

    /** The mean over every run's iterations of one of the PyTorch peer's measurements. */
    private static double peerMean(Pinned bench, String result) throws IOException {
        double sum = 0;
        int count = 0;
        for (Iterator<Map.Entry<String, JsonNode>> groups = bench.at("/peer").fields(); groups.hasNext(); ) {
            for (JsonNode run : groups.next().getValue()) {
                for (JsonNode v : run.at("/results/" + result + "/iterations")) {
                    sum += v.asDouble();
                    count++;
                }
            }
        }
        if (count == 0) {
            throw new IOException(bench.relativePath() + ": the PyTorch peer has no " + result);
        }
        return sum / count;
    }

    private static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1024.0);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
