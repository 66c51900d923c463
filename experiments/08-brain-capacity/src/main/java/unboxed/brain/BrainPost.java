package unboxed.brain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import unboxed.io.RepoRoot;
import unboxed.kit.Facts;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.SweepPoints;
import unboxed.kit.Tables;

/**
 * Post 08's figures and tables, drawn from its pinned results only, and every number its prose
 * quotes ({@code facts.adoc}). The cited tables themselves are shown from the committed CSV files,
 * after checking that they are the very files the pinned results were computed from (their
 * sha256); the predictions' thresholds are the constants below, fixed before the first run, and
 * whether each held is computed here.
 */
public final class BrainPost implements Post {
    static final String SOURCES_LINE = "checked row by row by `CitationTest` (`mvn -pl experiments/08-brain-capacity test`)";

    // ------------------------------------------------------------------ the predictions, written before the runs

    /** P2: the best accelerator's peak operations per joule lie this many times below the brain's events per joule. */
    static final double[] P2_GAP = {10, 100};
    /** P3: orders of magnitude above k T ln 2 per bit: the brain per synaptic event, the newest GPU per FP32 FLOP. */
    static final double[] P3_BRAIN = {6, 8};
    static final double[] P3_GPU = {9, 10};
    /** P3: this CPU's measured energy per FLOP within this factor of the newest GPU's FP32. */
    static final double P3_CPU_FACTOR = 10;
    /** P4: the examples to 90% fall up to this width and change by less than this factor beyond it. */
    static final int P4_FLAT_FROM = 64;
    static final double P4_FLAT_FACTOR = 2;
    /** P4: the FLOP to reach 90% are smallest at a width in this range; and this width never reaches 90%. */
    static final int[] P4_OPTIMUM = {16, 128};
    static final int P4_NEVER = 2;
    /** P5: the MLP needs at least this many times the examples a person needs (5 per class) to reach 90%. */
    static final double P5_GAP = 1000;
    /** P6: doubling times: FP16 FLOP/s per dollar (years), the largest training runs (months). */
    static final double[] P6_DOLLAR_YEARS = {2, 3};
    static final double[] P6_RUNS_MONTHS = {4, 8};
    /** P7: the extremes lie less than this many years apart on the largest-runs projection, more on the buyable one. */
    static final double P7_RUNS_SPAN = 20;
    static final double P7_BUYABLE_SPAN = 50;
    /** P8: the training duration moves the buyable year by less than this; body temperature the bound by less than this share. */
    static final double P8_DURATION_YEARS = 5;
    static final double P8_TEMPERATURE_SHARE = 0.01;

    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Brain capacity: brains against the machines we train";
    }

    @Override
    public String summary() {
        return "Brains from C. elegans to the human set against GPUs, this repository's CPU and well-known models in"
                + " connections, operations per second and per joule, Landauer's limit and examples needed to learn"
                + " MNIST; and when, under stated assumptions, a whole human brain could be trained.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    // ------------------------------------------------------------------ reading the pins

    /** Everything the page is drawn from, loaded and checked against the committed tables. */
    record Pins(Pinned width, Pinned baselines, Pinned scale, Pinned thermal, Pinned trends, Pinned projection,
                Inputs inputs) {
        static Pins load(Path resultsDir) throws IOException {
            Inputs in = Inputs.read(RepoRoot.get());
            Pins p = new Pins(Pinned.load(resultsDir, "width"), Pinned.load(resultsDir, "baselines"),
                    Pinned.load(resultsDir, "scale"), Pinned.load(resultsDir, "thermal"), Pinned.load(resultsDir, "trends"),
                    Pinned.load(resultsDir, "projection"), in);
            for (Pinned x : List.of(p.baselines, p.scale, p.thermal, p.trends, p.projection)) {
                JsonNode tables = x.at("/config/tables");
                for (Map.Entry<String, String> e : in.sha256().entrySet()) {
                    String pinned = tables.path(e.getKey()).asText();
                    if (!pinned.equals(e.getValue())) {
                        throw new IOException(e.getKey() + " (sha256 " + e.getValue().substring(0, 8) + "…) is not the"
                                + " table " + x.relativePath() + " was computed from (sha256 "
                                + (pinned.isEmpty() ? "none" : pinned.substring(0, 8) + "…") + "): rerun `make experiments"
                                + " POST=" + Experiment.POST + "` after changing the tables");
                    }
                }
            }
            return p;
        }

        List<Pinned> all() {
            return List.of(width, baselines, scale, thermal, trends, projection);
        }
    }

    static JsonNode one(Pinned p) {
        return p.at("/points/0");
    }

    /** A number that may be written as "Infinity" or be null (NaN). */
    static double num(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return Double.NaN;
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        return switch (n.asText()) {
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.NaN;
        };
    }

    static double mid(JsonNode range) {
        return Math.sqrt(range.path("low").asDouble() * range.path("high").asDouble());
    }

    /** A scenario of projection.json by id. */
    static JsonNode scenario(Pinned projection, String id) {
        for (JsonNode p : projection.at("/points")) {
            if (p.path("id").asText().equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException(projection.relativePath() + " has no scenario " + id + ": regenerate with `"
                + projection.regenerateCommand() + "`");
    }

    static JsonNode trend(Pinned trends, String id) {
        for (JsonNode t : trends.at("/points/0/trends")) {
            if (t.path("id").asText().equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException(trends.relativePath() + " has no trend " + id);
    }

    // ------------------------------------------------------------------ the page

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pins p = Pins.load(resultsDir);
        Map<String, String> f = new LinkedHashMap<>();
        scale(p, null, f);
        thermal(p, null, f);
        training(p, null, f);
        trends(p, null, f);
        projection(p, null, f);
        return String.format(Locale.ROOT, "Pinned results (`data/results/%s/`): the largest model with a published size,"
                        + " %s, has %s parameters, about as many as %s has synapses; the human brain spends %s J per"
                        + " synaptic event, %s orders of magnitude above Landauer's k T ln 2, an H100 at its FP16 peak"
                        + " %s J per FLOP; on MNIST our MLP needs %s examples to reach 90%% test accuracy where a"
                        + " person needs %s; a whole human brain becomes trainable %s with the most favourable"
                        + " assumptions and %s (5–95%% band %s) with the least favourable ones, if the largest"
                        + " training runs keep growing %s× a year.",
                Experiment.POST, f.get("largest-params-model"), f.get("largest-params"), f.get("largest-params-brain"),
                f.get("brain-joules"), f.get("brain-orders"), f.get("h100-fp16-joules"), f.get("mlp-best-examples-90"),
                f.get("human-examples"), f.get("fav-year-runs-phrase"), f.get("unfav-year-runs-phrase"),
                f.get("unfav-year-runs-band"),
                f.get("runs-factor"));
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pins p = Pins.load(resultsDir);
        Map<String, String> facts = new LinkedHashMap<>();
        citedTables(p, outDir, facts);
        scale(p, outDir, facts);
        thermal(p, outDir, facts);
        training(p, outDir, facts);
        trends(p, outDir, facts);
        projection(p, outDir, facts);
        predictions(p, facts);
        fixtures(facts);
        facts.replaceAll((k, v) -> inline(v));
        Facts.write(outDir, p.all(), facts);
    }

    /**
     * A fact with inline markup (10^14^, `code`) as {@code pass:q[...]}: an attribute's value is
     * substituted after the quotes, so its superscripts would otherwise show as carets.
     */
    static String inline(String v) {
        return v.matches("(?s).*[\\^`~].*") ? "pass:q[" + v.replace("]", "\\]") + "]" : v;
    }

    // ------------------------------------------------------------------ the cited tables

    /** One table per CSV: every number with its range, unit and citation, as committed. */
    static void citedTables(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        Map<String, List<Estimate>> tables = new LinkedHashMap<>();
        tables.put("brains", p.inputs().brains());
        tables.put("computers", p.inputs().computers());
        tables.put("models", p.inputs().models());
        tables.put("constants", p.inputs().constants());
        int rows = 0;
        for (Map.Entry<String, List<Estimate>> t : tables.entrySet()) {
            List<List<?>> out = new ArrayList<>();
            for (Estimate e : t.getValue()) {
                String subject = e.subject() + (e.extra().containsKey("date") ? " (" + e.get("date") + ")" : "");
                out.add(List.of(subject, e.quantity().replace('_', ' '), Format.range(e.low(), e.high()), e.unit(),
                        e.source(), e.note().isEmpty() ? "–" : e.note()));
            }
            rows += out.size();
            String file = "data/brain-capacity/" + t.getKey() + ".csv";
            Tables.write(outDir, "cited-" + t.getKey(), "The cited table " + file + ": each number with its source",
                    List.of(t.getKey().equals("brains") ? "species" : t.getKey().equals("computers") ? "device"
                            : t.getKey().equals("models") ? "model" : "about", "quantity", "value", "unit", "source",
                            "note"), out, "Source: " + file + " (sha256 " + p.inputs().sha256().get(file).substring(0, 8)
                            + "…), " + SOURCES_LINE + ".");
        }
        facts.put("cited-rows", String.valueOf(rows));
        facts.put("brains-rows", String.valueOf(p.inputs().brains().size()));
        facts.put("brains-derived", String.valueOf(p.inputs().brains().stream()
                .filter(e -> e.note().startsWith("derived")).count()));
    }

    // ------------------------------------------------------------------ scale

    static void scale(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode s = one(p.scale());
        List<JsonNode> brains = list(s.path("brains"));
        List<JsonNode> models = list(s.path("models"));
        for (JsonNode b : brains) {
            String id = CitedTable.id(b.path("name").asText());
            facts.put(id + "-neurons", Format.range(b.at("/neurons/low").asDouble(), b.at("/neurons/high").asDouble()));
            facts.put(id + "-synapses", Format.range(b.at("/synapses/low").asDouble(), b.at("/synapses/high").asDouble()));
        }
        // the largest model whose size is published, and the brains its parameter count falls between
        JsonNode largest = null;
        for (JsonNode m : models) {
            if (!m.path("parameters").isNull() && (largest == null
                    || mid(m.path("parameters")) > mid(largest.path("parameters")))) {
                largest = m;
            }
        }
        double params = mid(largest.path("parameters"));
        JsonNode nearest = null;
        for (JsonNode b : brains) {
            if (nearest == null || Math.abs(Math.log10(mid(b.path("synapses")) / params))
                    < Math.abs(Math.log10(mid(nearest.path("synapses")) / params))) {
                nearest = b;
            }
        }
        JsonNode human = brains.stream().filter(b -> b.path("name").asText().equals("human")).findFirst().orElseThrow();
        facts.put("largest-params-model", largest.path("name").asText());
        facts.put("largest-params", Format.sci(params));
        facts.put("largest-params-brain", "the " + nearest.path("name").asText().replace("-", " "));
        facts.put("largest-params-brain-synapses", Format.sci(mid(nearest.path("synapses"))));
        facts.put("human-over-largest-low", Format.sci(human.at("/synapses/low").asDouble() / params));
        facts.put("human-over-largest-high", Format.sci(human.at("/synapses/high").asDouble() / params));
        facts.put("models-count", String.valueOf(models.size()));
        List<String> gpus = new ArrayList<>();
        List<String> cpus = new ArrayList<>();
        for (JsonNode c : s.path("computers")) {
            (c.path("kind").asText().equals("gpu") ? gpus : cpus).add(c.path("name").asText().replace("Tesla ", "")
                    + (c.path("kind").asText().equals("cpu") ? " (" + c.path("architecture").asText() + ")" : ""));
        }
        facts.put("gpu-count", String.valueOf(gpus.size()));
        facts.put("gpu-first", gpus.get(0));
        facts.put("gpu-last", gpus.get(gpus.size() - 1));
        facts.put("cpu-count", String.valueOf(cpus.size()));
        facts.put("cpu-list", String.join(", ", cpus));
        facts.put("assumption-count", String.valueOf(Projection.IDS.size()));
        facts.put("tokens-per-parameter", Format.plain(p.inputs().constant("tokens_per_parameter", false)));
        facts.put("flop-per-parameter-token", Format.plain(p.inputs().constant("flop_per_parameter_token", false)));
        facts.put("brains-count", String.valueOf(brains.size()));
        if (outDir == null) {
            return;
        }
        // figure: neurons against synapses, the models' parameter counts as levels across it
        Figures.LineFigure f = Figures.line("connections", "Synapses of brains against parameters of models")
                .axes("neurons", "synapses (brains), parameters (models)").logX().logY().size(760, 560);
        double[] x = new double[brains.size()];
        double[] y = new double[brains.size()];
        double[][] r = new double[4][brains.size()];
        for (int i = 0; i < x.length; i++) {
            JsonNode b = brains.get(i);
            x[i] = mid(b.path("neurons"));
            y[i] = mid(b.path("synapses"));
            r[0][i] = b.at("/neurons/low").asDouble();
            r[1][i] = b.at("/neurons/high").asDouble();
            r[2][i] = b.at("/synapses/low").asDouble();
            r[3][i] = b.at("/synapses/high").asDouble();
            f.label(b.path("name").asText(), x[i], y[i] * 4);
        }
        f.points("brains (range where the sources disagree)", x, y, r[0], r[1], r[2], r[3]);
        double left = 100;
        double right = 3e11;
        double best = 0;
        List<JsonNode> sorted = new ArrayList<>(models);
        sorted.sort(Comparator.comparingDouble(m -> m.path("year").asDouble()));
        for (JsonNode m : sorted) {
            if (m.path("parameters").isNull() || mid(m.path("parameters")) <= best) {
                continue;  // only the models that were the largest of their time
            }
            best = mid(m.path("parameters"));
            String label = m.path("name").asText() + " (" + m.path("date").asText().substring(0, 4) + ")";
            f.dashed(label + ", parameters", new double[] {left, right}, new double[] {best, best});
        }
        f.from(p.scale()).save(outDir);

        // table: everything with connections, sorted by them
        List<Object[]> rows = new ArrayList<>();
        for (JsonNode b : brains) {
            rows.add(new Object[] {b.path("name").asText(), "brain, synapses", b.at("/synapses/low").asDouble(),
                    b.at("/synapses/high").asDouble()});
        }
        for (JsonNode m : models) {
            if (!m.path("parameters").isNull()) {
                rows.add(new Object[] {m.path("name").asText() + " (" + m.path("date").asText() + ")",
                        "model, parameters", m.at("/parameters/low").asDouble(), m.at("/parameters/high").asDouble()});
            }
        }
        rows.sort(Comparator.comparingDouble(o -> Math.sqrt((double) o[2] * (double) o[3])));
        double humanMid = mid(human.path("synapses"));
        List<List<?>> table = new ArrayList<>();
        for (Object[] o : rows) {
            double m = Math.sqrt((double) o[2] * (double) o[3]);
            table.add(List.of(o[0], o[1], Format.range((double) o[2], (double) o[3]), Format.sci(m / humanMid)));
        }
        Tables.write(outDir, "connections", "Connections: brains' synapses and models' parameters, smallest first",
                List.of("what", "counted", "connections", "share of the human brain's (middle)"), table,
                List.of(p.scale()));
    }

    static List<JsonNode> list(JsonNode arr) {
        List<JsonNode> l = new ArrayList<>();
        arr.forEach(l::add);
        return l;
    }

    // ------------------------------------------------------------------ operations per second against watts; thermal

    static void thermal(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode s = one(p.scale());
        JsonNode t = one(p.thermal());
        double bit = t.path("bit_energy").asDouble();
        facts.put("kelvin", Format.plain(t.path("kelvin").asDouble()));
        facts.put("landauer", Format.sci(bit));
        double bodyLow = t.path("bit_energy_body_low").asDouble();
        double bodyHigh = t.path("bit_energy_body_high").asDouble();
        facts.put("landauer-body", Format.sci(bodyLow, 4) + " to " + Format.sci(bodyHigh, 4));
        facts.put("landauer-exact", Format.sci(bit, 4));
        facts.put("landauer-body-share", Format.pct((bodyHigh - bodyLow) / bit));
        facts.put("bits-per-flop", Format.plain(p.thermal().at("/config/bits_per_flop").asDouble()));
        facts.put("bits-per-event", Format.plain(p.thermal().at("/config/bits_per_synaptic_event").asDouble()));
        Map<String, JsonNode> rows = new LinkedHashMap<>();
        for (JsonNode r : t.path("rows")) {
            rows.put(r.path("what").asText(), r);
        }
        JsonNode brain = rows.get("human brain");
        JsonNode h100 = rows.get("H100 FP16");
        JsonNode newestFp32 = rows.get("H200 FP32");
        JsonNode cpuRow = null;
        for (JsonNode r : t.path("rows")) {
            cpuRow = r.path("kind").asText().equals("measured") && cpuRow == null ? r : cpuRow;
        }
        facts.put("brain-joules", Format.range(brain.path("joules_low").asDouble(), brain.path("joules_high").asDouble()));
        facts.put("brain-orders", Format.fixed(brain.path("orders_per_bit_low").asDouble(), 1) + " to "
                + Format.fixed(brain.path("orders_per_bit_high").asDouble(), 1));
        facts.put("h100-fp16-joules", Format.range(h100.path("joules_low").asDouble(), h100.path("joules_high").asDouble()));
        facts.put("h100-fp16-orders", orders(h100, "per_bit"));
        facts.put("h100-fp16-orders-op", orders(h100, "per_operation"));
        facts.put("h200-fp32-joules", Format.range(newestFp32.path("joules_low").asDouble(),
                newestFp32.path("joules_high").asDouble()));
        facts.put("h200-fp32-orders", orders(newestFp32, "per_bit"));
        facts.put("cpu-joules", Format.range(cpuRow.path("joules_low").asDouble(), cpuRow.path("joules_high").asDouble()));
        facts.put("cpu-orders", orders(cpuRow, "per_bit"));
        facts.put("cpu-orders-op", orders(cpuRow, "per_operation"));
        double chipLo = Double.POSITIVE_INFINITY;
        double chipHi = Double.NEGATIVE_INFINITY;
        for (JsonNode r : t.path("rows")) {
            if (r.path("kind").asText().equals("gpu") || r.path("kind").asText().equals("cpu")) {
                chipLo = Math.min(chipLo, r.path("orders_per_bit_low").asDouble());
                chipHi = Math.max(chipHi, r.path("orders_per_bit_high").asDouble());
            }
        }
        facts.put("chip-orders", Format.fixed(chipLo, 1) + " to " + Format.fixed(chipHi, 1));
        JsonNode h100fp32 = rows.get("H100 FP32");
        facts.put("h100-fp32-over-fp16", Format.plain(Math.sqrt(h100fp32.path("joules_low").asDouble()
                * h100fp32.path("joules_high").asDouble()) / Math.sqrt(h100.path("joules_low").asDouble()
                * h100.path("joules_high").asDouble())));
        JsonNode mult = rows.get("FP32 multiply, 45 nm");
        JsonNode dram = rows.get("32-bit DRAM read, 45 nm");
        facts.put("mult-joules", Format.sci(mult.path("joules_low").asDouble()));
        facts.put("dram-joules", Format.sci(dram.path("joules_low").asDouble()));
        facts.put("dram-over-mult", Format.plain(dram.path("joules_low").asDouble() / mult.path("joules_low").asDouble()));
        facts.put("mult-orders-op", orders(mult, "per_operation"));

        JsonNode cpu = s.at("/measured/cpu");
        facts.put("cpu-gflops", Format.plain(cpu.path("flops").asDouble() / 1e9));
        facts.put("cpu-machine", cpu.path("machine").asText());
        facts.put("cpu-architecture", cpu.path("architecture").asText());
        facts.put("cpu-row", cpu.path("table_row").asText());
        facts.put("cpu-cores", String.valueOf(cpu.path("cores_used").asInt()));
        facts.put("cpu-watts", Format.range(cpu.path("watts_low").asDouble(), cpu.path("watts_high").asDouble()));
        facts.put("cpu-source", cpu.path("source").asText());
        facts.put("cpu-flops-per-joule", Format.range(cpu.path("flops").asDouble() / cpu.path("watts_high").asDouble(),
                cpu.path("flops").asDouble() / cpu.path("watts_low").asDouble()));
        JsonNode gpus = s.at("/measured/gpus");
        if (gpus.isEmpty()) {
            facts.put("gpu-status", "No run of the GPU kit is pinned yet (no `data/results/*/gpu-sgemm.json`), so no"
                    + " GPU of ours is measured here: the GPUs in the figure are their data sheets'");
        } else {
            facts.put("gpu-measured", "yes");
            JsonNode g = gpus.get(0);
            facts.put("gpu-status", "Measured: " + g.path("what").asText() + " on " + g.path("note").asText() + ", "
                    + Format.sci(g.path("flops").asDouble()) + " FLOP/s (`" + g.path("source").asText() + "`)");
        }
        // events (or FLOP) per joule: the brain's middle against the best accelerator's middle
        JsonNode human = list(s.path("brains")).stream().filter(b -> b.path("name").asText().equals("human"))
                .findFirst().orElseThrow();
        double brainPerJoule = mid(human.path("synaptic_events")) / mid(human.path("power"));
        double bestChip = 0;
        String bestName = null;
        for (JsonNode c : s.path("computers")) {
            JsonNode peak = c.path("fp16_peak").isNull() ? c.path("fp32_peak") : c.path("fp16_peak");
            double perJoule = mid(peak) / mid(c.path("power"));
            if (perJoule > bestChip) {
                bestChip = perJoule;
                bestName = c.path("name").asText();
            }
        }
        facts.put("brain-per-joule", Format.sci(brainPerJoule));
        facts.put("best-chip", bestName);
        facts.put("best-chip-per-joule", Format.sci(bestChip));
        facts.put("brain-over-chip", Format.fixed(brainPerJoule / bestChip, 1));
        facts.put("p2-gap-measured", String.valueOf(brainPerJoule / bestChip));
        if (outDir == null) {
            return;
        }
        efficiencyFigure(p, s, bit, outDir);
        List<List<?>> table = new ArrayList<>();
        for (JsonNode r : t.path("rows")) {
            table.add(List.of(r.path("what").asText(), r.path("per").asText(),
                    Format.range(r.path("joules_low").asDouble(), r.path("joules_high").asDouble()),
                    orders(r, "per_bit"), Format.plain(r.path("bits").asDouble()), orders(r, "per_operation")));
        }
        Tables.write(outDir, "thermal", "Energy per operation against Landauer's bound k T ln 2 = " + Format.sci(bit)
                        + " J per erased bit at " + Format.plain(t.path("kelvin").asDouble()) + " K: orders of magnitude"
                        + " above it for one bit per operation, and for the bits an operation at least erases",
                List.of("what", "per", "joules", "orders above (1 bit)", "bits erased", "orders above (those bits)"),
                table, List.of(p.thermal()));
    }

    static String orders(JsonNode row, String per) {
        String lo = Format.fixed(row.path("orders_" + per + "_low").asDouble(), 1);
        String hi = Format.fixed(row.path("orders_" + per + "_high").asDouble(), 1);
        return lo.equals(hi) ? lo : lo + " to " + hi;
    }

    static void efficiencyFigure(Pins p, JsonNode s, double bitEnergy, Path outDir) throws IOException {
        Figures.LineFigure f = Figures.line("efficiency", "Operations per second against watts")
                .axes("watts", "synaptic events or FLOP per second").logX().logY().size(760, 600);
        List<JsonNode> brains = list(s.path("brains"));
        double[][] b = new double[6][brains.size()];
        for (int i = 0; i < brains.size(); i++) {
            JsonNode x = brains.get(i);
            b[0][i] = mid(x.path("power"));
            b[1][i] = mid(x.path("synaptic_events"));
            b[2][i] = x.at("/power/low").asDouble();
            b[3][i] = x.at("/power/high").asDouble();
            b[4][i] = x.at("/synaptic_events/low").asDouble();
            b[5][i] = x.at("/synaptic_events/high").asDouble();
            f.label(x.path("name").asText(), b[0][i], b[1][i] * 6);
        }
        f.points("brains, synaptic events per second", b[0], b[1], b[2], b[3], b[4], b[5]);
        for (String[] series : new String[][] {{"gpu", "fp32_peak", "GPUs, FP32 peak"},
                {"gpu", "fp16_peak", "GPUs, 16-bit tensor peak"}, {"cpu", "fp32_peak", "EPYC CPUs, FP32 peak"}}) {
            List<double[]> pts = new ArrayList<>();
            for (JsonNode c : s.path("computers")) {
                if (c.path("kind").asText().equals(series[0]) && !c.path(series[1]).isNull()) {
                    JsonNode w = c.path("power");
                    JsonNode fl = c.path(series[1]);
                    pts.add(new double[] {mid(w), mid(fl), w.path("low").asDouble(), w.path("high").asDouble(),
                            fl.path("low").asDouble(), fl.path("high").asDouble()});
                }
            }
            double[][] a = new double[6][pts.size()];
            for (int i = 0; i < pts.size(); i++) {
                for (int k = 0; k < 6; k++) {
                    a[k][i] = pts.get(i)[k];
                }
            }
            f.points(series[2], a[0], a[1], a[2], a[3], a[4], a[5]);
        }
        List<Pinned> from = new ArrayList<>(List.of(p.scale(), p.thermal()));
        JsonNode cpu = s.at("/measured/cpu");
        double[] w = {cpu.path("watts_low").asDouble(), cpu.path("watts_high").asDouble()};
        f.points("this repository's SGEMM on " + cpu.path("cores_used").asInt() + " cores (measured)",
                new double[] {Math.sqrt(w[0] * w[1])}, new double[] {cpu.path("flops").asDouble()},
                new double[] {w[0]}, new double[] {w[1]}, null, null);
        for (JsonNode g : s.at("/measured/gpus")) {
            double[] gw = {g.path("watts_low").asDouble(), g.path("watts_high").asDouble()};
            f.points(g.path("what").asText() + " (measured)", new double[] {Math.sqrt(gw[0] * gw[1])},
                    new double[] {g.path("flops").asDouble()}, new double[] {gw[0]}, new double[] {gw[1]}, null, null);
        }
        double[] span = {1e-8, 1e4};
        for (double perJoule : new double[] {1e9, 1e12, 1e15}) {
            f.dashed(Format.e(perJoule) + " operations per joule", span,
                    new double[] {span[0] * perJoule, span[1] * perJoule});
        }
        f.dashed("Landauer's bound at " + Format.plain(p.thermal().at("/config/kelvin").asDouble())
                + " K, one bit per operation", span, new double[] {span[0] / bitEnergy, span[1] / bitEnergy});
        f.from(from.toArray(new Pinned[0])).save(outDir);
    }

    // ------------------------------------------------------------------ training effectiveness

    static void training(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        Pinned wp = p.width();
        SweepPoints pts = new SweepPoints(wp);
        int[] widths = Arrays.stream(SweepPoints.numbers(wp.at("/config/widths"))).mapToInt(v -> (int) v).toArray();
        double[] targets = wp.doubles("/config/targets");
        int seeds = wp.at("/config/seeds").asInt();
        facts.put("width-seeds", String.valueOf(seeds));
        facts.put("width-epochs", wp.at("/config/epochs").asText());
        facts.put("width-lr", wp.at("/config/lr").asText());
        facts.put("width-batch", wp.at("/config/batch").asText());
        facts.put("width-per-octave", wp.at("/config/evaluations_per_octave").asText());
        facts.put("width-from", String.valueOf(widths[0]));
        facts.put("width-to", String.valueOf(widths[widths.length - 1]));
        facts.put("widths", String.join(", ", Arrays.stream(widths).mapToObj(String::valueOf).toList()));
        facts.put("width-points", String.valueOf(wp.at("/points").size()));
        int examplesBudget = (int) SweepPoints.numbers(pts.seeds("w" + widths[0]).get(0).path("examples"))[
                pts.seeds("w" + widths[0]).get(0).path("examples").size() - 1];
        facts.put("width-budget", Format.plain(examplesBudget));
        // per width and target: examples and FLOP to reach it, over the seeds that did
        double[][] exMean = new double[targets.length][widths.length];
        double[][] exSd = new double[targets.length][widths.length];
        int[][] reached = new int[targets.length][widths.length];
        double[][][] exBySeed = new double[targets.length][widths.length][];
        for (int ti = 0; ti < targets.length; ti++) {
            for (int wi = 0; wi < widths.length; wi++) {
                List<JsonNode> runs = pts.seeds("w" + widths[wi]);
                SummaryStatistics st = new SummaryStatistics();
                exBySeed[ti][wi] = new double[runs.size()];
                for (int k = 0; k < runs.size(); k++) {
                    double e = num(runs.get(k).path("examples_to_target").get(ti));
                    exBySeed[ti][wi][k] = e;
                    if (!Double.isNaN(e)) {
                        st.addValue(e);
                    }
                }
                reached[ti][wi] = (int) st.getN();
                exMean[ti][wi] = st.getN() > 0 ? st.getMean() : Double.NaN;
                exSd[ti][wi] = st.getN() > 1 ? st.getStandardDeviation() : Double.NaN;
            }
        }
        // the best width for 90%: fewest examples, among the widths every seed brought there
        int best = -1;
        int cheapest = -1;
        for (int wi = 0; wi < widths.length; wi++) {
            if (reached[0][wi] == seeds) {
                best = best < 0 || exMean[0][wi] < exMean[0][best] ? wi : best;
                double flop = exMean[0][wi] * WidthRun.flopPerExample(widths[wi]);
                cheapest = cheapest < 0 || flop < exMean[0][cheapest] * WidthRun.flopPerExample(widths[cheapest])
                        ? wi : cheapest;
            }
        }
        int firstReaching = -1;
        for (int wi = widths.length - 1; wi >= 0; wi--) {
            firstReaching = reached[0][wi] > 0 ? wi : firstReaching;
        }
        JsonNode human = one(p.baselines()).path("human");
        double humanLow = human.path("examples_low").asDouble();
        double humanHigh = human.path("examples_high").asDouble();
        facts.put("human-examples", Format.plain(humanLow) + " to " + Format.plain(humanHigh));
        facts.put("human-per-class", Format.plain(human.path("examples_per_class_low").asDouble()) + " to "
                + Format.plain(human.path("examples_per_class_high").asDouble()));
        facts.put("mlp-best-width", String.valueOf(widths[best]));
        facts.put("mlp-best-examples-90", Format.plain(exMean[0][best]));
        facts.put("mlp-best-examples-90-sd", Format.plain(exSd[0][best]));
        facts.put("mlp-widest-examples-90", Format.plain(exMean[0][widths.length - 1]));
        facts.put("mlp-widest-examples-95", Format.plain(exMean[1][widths.length - 1]));
        facts.put("mlp-gap-low", Format.plain(exMean[0][best] / humanHigh));
        facts.put("mlp-gap-high", Format.plain(exMean[0][best] / humanLow));
        facts.put("p5-gap-measured", String.valueOf(exMean[0][best] / humanHigh));
        facts.put("mlp-first-reaching-90", String.valueOf(widths[firstReaching]));
        facts.put("mlp-cheapest-width", String.valueOf(widths[cheapest]));
        facts.put("mlp-cheapest-flop", Format.sci(exMean[0][cheapest] * WidthRun.flopPerExample(widths[cheapest])));
        facts.put("mlp-widest-flop", Format.sci(exMean[0][widths.length - 1]
                * WidthRun.flopPerExample(widths[widths.length - 1])));
        int narrowest95 = -1;
        for (int wi = widths.length - 1; wi >= 0; wi--) {
            narrowest95 = reached[1][wi] == seeds ? wi : narrowest95;
        }
        facts.put("mlp-first-reaching-95", narrowest95 < 0 ? "none" : String.valueOf(widths[narrowest95]));
        // for P4: the change beyond the flat-from width, and whether the narrowest never reached 90%
        int flatFrom = indexOf(widths, P4_FLAT_FROM);
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int wi = Math.max(flatFrom, 0); wi < widths.length; wi++) {
            lo = Math.min(lo, exMean[0][wi]);
            hi = Math.max(hi, exMean[0][wi]);
        }
        facts.put("flat-factor", Format.fixed(hi / lo, 2));
        facts.put("p4-flat-measured", String.valueOf(hi / lo));
        facts.put("p4-falls", String.valueOf(exMean[0][firstReaching] > exMean[0][Math.max(flatFrom, 0)]));
        facts.put("p4-never-measured", String.valueOf(reached[0][indexOf(widths, P4_NEVER)]));
        int narrow = indexOf(widths, P4_NEVER);
        SummaryStatistics fin = new SummaryStatistics();
        for (double v : pts.values("w" + widths[narrow], "final_test_accuracy")) {
            fin.addValue(v);
        }
        facts.put("narrowest-final", Format.pct(fin.getMean()));

        JsonNode bl = one(p.baselines());
        JsonNode mlp = bl.path("mlp");
        JsonNode cnn = bl.path("cnn");
        facts.put("cnn-flop-per-example", Format.sci(cnn.path("flop_per_example").asDouble()));
        facts.put("mlp-flop-per-example", Format.sci(mlp.path("flop_per_example").asDouble()));
        facts.put("cnn-over-mlp-flop", Format.plain(cnn.path("flop_per_example").asDouble()
                / mlp.path("flop_per_example").asDouble()));
        double[] bt = p.baselines().doubles("/config/targets");
        int top = bt.length - 1;
        facts.put("baseline-top-target", Format.pct(bt[top]).replace(".0%", "%"));
        facts.put("cnn-top", within(cnn.path("examples_within").get(top)));
        facts.put("mlp-top", within(mlp.path("examples_within").get(top)));
        facts.put("human-per-class-high", Format.plain(human.path("examples_per_class_high").asDouble()));
        if (outDir == null) {
            return;
        }
        // learning curves of every other width
        Figures.LineFigure curves = Figures.line("width-curves", "Test accuracy against examples seen, by hidden width")
                .axes("training examples seen", "test accuracy").logX().size(760, 480);
        for (int wi = 0; wi < widths.length; wi += 2) {
            List<JsonNode> runs = pts.seeds("w" + widths[wi]);
            double[] ex = SweepPoints.numbers(runs.get(0).path("examples"));
            double[] x = Arrays.copyOfRange(ex, 1, ex.length);  // 0 examples has no place on a log axis
            double[][] y = new double[runs.size()][];
            for (int k = 0; k < runs.size(); k++) {
                double[] a = SweepPoints.numbers(runs.get(k).path("test_accuracy"));
                y[k] = Arrays.copyOfRange(a, 1, a.length);
            }
            curves.seeds("H = " + widths[wi], x, y);
        }
        curves.from(wp).save(outDir);

        // examples and FLOP to reach each target against width, over the widths every seed brought there
        Figures.LineFigure ex = Figures.line("width-examples", "Examples needed to reach a test accuracy, by hidden width")
                .axes("hidden width H", "training examples").logX().logY().size(760, 480);
        Figures.LineFigure fl = Figures.line("width-flop", "Training FLOP needed to reach a test accuracy, by hidden width")
                .axes("hidden width H", "training FLOP (6 per weight per example)").logX().logY().size(760, 480);
        for (int ti = 0; ti < targets.length; ti++) {
            List<Integer> keep = new ArrayList<>();
            for (int wi = 0; wi < widths.length; wi++) {
                if (reached[ti][wi] == seeds) {
                    keep.add(wi);
                }
            }
            if (keep.size() < 2) {
                continue;
            }
            double[] x = keep.stream().mapToDouble(wi -> widths[wi]).toArray();
            double[][] e = new double[seeds][keep.size()];
            double[][] c = new double[seeds][keep.size()];
            for (int i = 0; i < keep.size(); i++) {
                int wi = keep.get(i);
                for (int k = 0; k < seeds; k++) {
                    e[k][i] = exBySeed[ti][wi][k];
                    c[k][i] = exBySeed[ti][wi][k] * WidthRun.flopPerExample(widths[wi]);
                }
            }
            String label = Format.pct(targets[ti]).replace(".0%", "%") + " test accuracy";
            ex.seeds(label, x, e);
            fl.seeds(label, x, c);
        }
        ex.dashed("a person, " + Format.plain(humanHigh) + " examples (" + Format.plain(human.path(
                "examples_per_class_high").asDouble()) + " per class)", new double[] {widths[0], widths[widths.length - 1]},
                new double[] {humanHigh, humanHigh});
        ex.dashed("a person, " + Format.plain(humanLow) + " examples (" + Format.plain(human.path(
                "examples_per_class_low").asDouble()) + " per class)", new double[] {widths[0], widths[widths.length - 1]},
                new double[] {humanLow, humanLow});
        ex.from(wp, p.baselines()).save(outDir);
        fl.from(wp).save(outDir);

        List<List<?>> rows = new ArrayList<>();
        for (int wi = 0; wi < widths.length; wi++) {
            List<Object> row = new ArrayList<>();
            row.add(widths[wi]);
            row.add(Format.plain(WidthRun.weights(widths[wi])));
            for (int ti = 0; ti < targets.length; ti++) {
                row.add(reached[ti][wi] + " of " + seeds);
                row.add(reached[ti][wi] == 0 ? "–" : Format.plain(exMean[ti][wi])
                        + (Double.isNaN(exSd[ti][wi]) ? "" : " ± " + Format.plain(exSd[ti][wi])));
                row.add(reached[ti][wi] == 0 ? "–" : Format.sci(exMean[ti][wi] * WidthRun.flopPerExample(widths[wi])));
            }
            SummaryStatistics f = new SummaryStatistics();
            for (double v : pts.values("w" + widths[wi], "final_test_accuracy")) {
                f.addValue(v);
            }
            row.add(Format.pct(f.getMean()) + " ± " + Format.pct(f.getStandardDeviation()));
            rows.add(row);
        }
        List<String> header = new ArrayList<>(List.of("H", "weights"));
        for (double t : targets) {
            String pc = Format.pct(t).replace(".0%", "%");
            header.addAll(List.of("seeds reaching " + pc, "examples to " + pc + " (mean ± std)", "FLOP to " + pc));
        }
        header.add("final test accuracy");
        Tables.write(outDir, "width", "Examples and training FLOP needed to reach 90% and 95% test accuracy on MNIST,"
                + " by hidden width (mean ± standard deviation over the seeds that reached it; " + seeds + " seeds;"
                + " budget " + Format.plain(examplesBudget) + " examples)", header, rows, List.of(wp));

        // the pinned runs of posts 01 and 02, and a person
        List<List<?>> brows = new ArrayList<>();
        for (String[] m : new String[][] {{"mlp", "MLP 784-256-10 (post 01)"}, {"cnn", "CNN (post 02)"}}) {
            JsonNode n = bl.path(m[0]);
            List<Object> row = new ArrayList<>(List.of(m[1], Format.sci(n.path("flop_per_example").asDouble())));
            JsonNode acc = n.path("test_accuracy_by_epoch");
            int epochs = acc.get(0).size();
            List<String> means = new ArrayList<>();
            for (int e = 0; e < epochs; e++) {
                double s = 0;
                for (JsonNode seed : acc) {
                    s += seed.get(e).asDouble();
                }
                means.add(Format.pct(s / acc.size()));
            }
            row.add(String.join(", ", means));
            for (int ti = 0; ti < bt.length; ti++) {
                JsonNode within = n.path("examples_within").get(ti);
                row.add(within(within));
            }
            brows.add(row);
        }
        List<Object> hrow = new ArrayList<>(List.of("a person (cited)", "–", "–"));
        for (double ignored : bt) {
            hrow.add(Format.plain(humanLow) + " to " + Format.plain(humanHigh));
        }
        brows.add(hrow);
        List<String> bh = new ArrayList<>(List.of("learner", "training FLOP per example",
                "test accuracy after each epoch (mean)"));
        for (double t : bt) {
            bh.add("examples to " + Format.pct(t).replace(".0%", "%") + " (seeds)");
        }
        Tables.write(outDir, "baselines", "The pinned runs of posts 01 and 02, evaluated once per epoch of 60,000"
                + " examples (so each count is an upper bound), and a person learning ten new characters", bh, brows,
                List.of(p.baselines()));
    }

    /** "within 120,000 examples (3 of 3 seeds)" or "not within the run (0 of 3 seeds)", from per-seed counts. */
    static String within(JsonNode perSeed) {
        int got = 0;
        double worst = 0;
        for (JsonNode v : perSeed) {
            got += v.isNull() ? 0 : 1;
            worst = v.isNull() ? worst : Math.max(worst, v.asDouble());
        }
        return got == 0 ? "not within the run (0 of " + perSeed.size() + " seeds)"
                : "within " + Format.plain(worst) + " examples (" + got + " of " + perSeed.size() + " seeds)";
    }

    static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ trends

    static final Map<String, String> TREND_NAMES = Map.of(
            "largest-runs", "largest training runs (FLOP)",
            "per-dollar-fp16", "16-bit FLOP/s per dollar",
            "per-dollar-fp32", "FP32 FLOP/s per dollar",
            "per-watt-fp16", "16-bit FLOP/s per watt",
            "per-watt-fp32", "FP32 FLOP/s per watt");

    static void trends(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        Pinned tp = p.trends();
        facts.put("replicates", tp.at("/config/replicates").asText());
        facts.put("bootstrap-seed", tp.at("/config/bootstrap_seed").asText());
        List<List<?>> rows = new ArrayList<>();
        for (String id : Scenarios.TRENDS) {
            JsonNode t = trend(tp, id);
            JsonNode fit = t.path("fit");
            double[] dq = SweepPoints.numbers(t.path("doubling_years_quantiles"));
            boolean months = id.equals("largest-runs");
            double scale = months ? 12 : 1;
            String unit = months ? " months" : " years";
            String doubling = Format.fixed(num(fit.path("doubling_years")) * scale, 1) + unit;
            String band = fmtDoubling(dq[0] * scale) + " to " + fmtDoubling(dq[2] * scale)
                    + (Double.isInfinite(dq[2]) ? "" : unit);
            rows.add(List.of(TREND_NAMES.get(id), t.path("points").size() + " (" + names(t) + ")",
                    Format.fixed(fit.path("factor_per_year").asDouble(), 2) + "×", doubling, band,
                    Format.fixed(fit.path("r2").asDouble(), 2)));
            String key = id;
            facts.put(key + "-factor", Format.fixed(fit.path("factor_per_year").asDouble(), 2));
            facts.put(key + "-doubling", doubling);
            facts.put(key + "-doubling-band", band);
            facts.put(key + "-points", String.valueOf(t.path("points").size()));
        }
        JsonNode runs = trend(tp, "largest-runs");
        facts.put("runs-factor", Format.fixed(runs.at("/fit/factor_per_year").asDouble(), 1));
        facts.put("p6-runs-months", String.valueOf(num(runs.at("/fit/doubling_years")) * 12));
        facts.put("p6-dollar-years", String.valueOf(num(trend(tp, "per-dollar-fp16").at("/fit/doubling_years"))));
        JsonNode pub = tp.at("/points/0/published");
        facts.put("sevilla-months", Format.plain(pub.path("training_compute_doubling_months_low").asDouble()) + " to "
                + Format.plain(pub.path("training_compute_doubling_months_high").asDouble()));
        facts.put("runs-first", runs.at("/points/0/name").asText());
        facts.put("runs-last", runs.at("/points/" + (runs.path("points").size() - 1) + "/name").asText());
        if (outDir == null) {
            return;
        }
        Tables.write(outDir, "trends", "Exponential trends fitted to the cited tables (least squares on log10 of the"
                        + " value against the year; 5–95% of the doubling time over " + tp.at("/config/replicates").asText()
                        + " bootstrap replicates, seed " + tp.at("/config/bootstrap_seed").asText() + ")",
                List.of("trend", "points", "growth per year", "doubling time", "5–95%", "R²"), rows, List.of(tp));
        for (String[] fig : new String[][] {{"dollar", "FLOP/s per dollar of launch price", "peak FLOP/s per USD"},
                {"watt", "FLOP/s per watt of board power", "peak FLOP/s per W"}}) {
            Figures.LineFigure f = Figures.line("trend-" + fig[0], "Accelerators: " + fig[1])
                    .axes("year", fig[2]).logY().size(760, 500).colours(List.of("16-bit", "FP32"));
            for (String prec : List.of("fp16", "fp32")) {
                JsonNode t = trend(tp, "per-" + fig[0] + "-" + prec);
                band(f, t, prec.equals("fp16") ? "16-bit" : "FP32", "data sheets", 2013, 2035);
                if (prec.equals("fp32")) {
                    for (JsonNode pt : t.path("points")) {
                        f.label(pt.path("name").asText().replace("Tesla ", ""), pt.path("year").asDouble(),
                                Math.sqrt(pt.path("low").asDouble() * pt.path("high").asDouble()) / 1.7);
                    }
                }
            }
            f.from(tp).save(outDir);
        }
    }

    static String fmtDoubling(double v) {
        return Double.isInfinite(v) ? "never" : Format.fixed(v, 1);
    }

    static String names(JsonNode t) {
        List<String> n = new ArrayList<>();
        t.path("points").forEach(pt -> n.add(pt.path("name").asText()));
        return n.get(0) + " to " + n.get(n.size() - 1);
    }

    /**
     * A trend's points (with their ranges), its fitted line and its 5–95% bootstrap band between two
     * years; both series' labels start with {@code label (} so that {@code colours} gives them one colour.
     */
    static void band(Figures.LineFigure f, JsonNode t, String label, String pointsWhat, int from, int to) {
        List<JsonNode> pts = list(t.path("points"));
        double[][] a = new double[4][pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            a[0][i] = pts.get(i).path("year").asDouble();
            a[2][i] = pts.get(i).path("low").asDouble();
            a[3][i] = pts.get(i).path("high").asDouble();
            a[1][i] = Math.sqrt(a[2][i] * a[3][i]);
        }
        f.points(label + " (" + pointsWhat + ")", a[0], a[1], null, null, a[2], a[3]);
        double[] years = SweepPoints.numbers(t.at("/band/years"));
        JsonNode q = t.at("/band/log10_quantiles");
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < years.length; i++) {
            if (years[i] >= from && years[i] <= to) {
                keep.add(i);
            }
        }
        double[] x = new double[keep.size()];
        double[][] y = new double[3][keep.size()];
        for (int i = 0; i < keep.size(); i++) {
            x[i] = years[keep.get(i)];
            for (int k = 0; k < 3; k++) {
                y[k][i] = Math.pow(10, q.get(k).get(keep.get(i)).asDouble());
            }
        }
        double[] fit = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            fit[i] = Math.pow(10, t.at("/fit/intercept_log10_at_2000").asDouble()
                    + t.at("/fit/slope_log10_per_year").asDouble() * (x[i] - Trend.ORIGIN));
        }
        f.band(label + " (trend, " + Format.fixed(t.at("/fit/factor_per_year").asDouble(), 2) + "× a year, 5–95% band)",
                x, fit, y[0], y[2]);
    }

    // ------------------------------------------------------------------ projection

    static void projection(Pins p, Path outDir, Map<String, String> facts) throws IOException {
        Pinned pp = p.projection();
        JsonNode ends = pp.at("/config/assumptions");
        JsonNode runs = trend(p.trends(), "largest-runs");
        double runsFrom = runs.at("/points/0/year").asDouble();
        double chipsFrom = trend(p.trends(), "per-dollar-fp16").at("/points/0/year").asDouble();
        JsonNode fav = scenario(pp, "favourable");
        JsonNode cen = scenario(pp, "central");
        JsonNode unf = scenario(pp, "unfavourable");
        for (JsonNode[] s : new JsonNode[][] {{fav}, {cen}, {unf}}) {
            String k = s[0].path("id").asText().substring(0, 3).replace("cen", "central").replace("unf", "unfav");
            facts.put(k + "-flop", Format.sci(s[0].path("required_flop").asDouble()));
            facts.put(k + "-year-runs", Format.year(num(s[0].at("/years/largest_runs/fit")), runsFrom));
            facts.put(k + "-year-runs-phrase", Format.yearPhrase(num(s[0].at("/years/largest_runs/fit")), runsFrom));
            facts.put(k + "-year-runs-band", yearBand(s[0].at("/years/largest_runs/quantiles"), runsFrom));
            facts.put(k + "-year-buyable-phrase", Format.yearPhrase(num(s[0].at("/years/buyable/fit")), chipsFrom));
            facts.put(k + "-year-buyable", Format.year(num(s[0].at("/years/buyable/fit")), chipsFrom));
            facts.put(k + "-year-buyable-band", yearBand(s[0].at("/years/buyable/quantiles"), chipsFrom));
            facts.put(k + "-cost-then", Format.sci(s[0].path("chips_cost_usd_then").asDouble()));
            facts.put(k + "-power-then", Format.sci(s[0].path("power_watts_then").asDouble()));
        }
        facts.put("unfav-never-share", Format.pct(unf.at("/years/buyable/never_share").asDouble()));
        for (String id : Projection.IDS) {
            JsonNode e = ends.path(id);
            facts.put("assume-" + id + "-fav", value(e.path("favourable"), e.path("unit").asText()));
            facts.put("assume-" + id + "-unfav", value(e.path("unfavourable"), e.path("unit").asText()));
            facts.put("assume-" + id + "-central", value(e.path("central"), e.path("unit").asText()));
        }
        // P7: which assumption moves the largest-runs year most; P8: the duration and the buyable year
        String mover = null;
        double move = -1;
        Map<String, double[]> shifts = new LinkedHashMap<>();
        for (String id : Projection.IDS) {
            JsonNode f = scenario(pp, id + "-favourable");
            JsonNode u = scenario(pp, id + "-unfavourable");
            double[] s = {num(u.at("/years/largest_runs/fit")) - num(f.at("/years/largest_runs/fit")),
                    num(u.at("/years/buyable/fit")) - num(f.at("/years/buyable/fit"))};
            shifts.put(id, s);
            if (s[0] > move) {
                move = s[0];
                mover = id;
            }
        }
        facts.put("top-mover", mover);
        facts.put("top-mover-years", Format.fixed(move, 1));
        facts.put("synapses-runs-shift", Format.fixed(shifts.get("synapses")[0], 1));
        facts.put("flop-runs-shift", Format.fixed(shifts.get("flop-per-synapse-second")[0], 1));
        facts.put("duration-runs-shift", Format.fixed(shifts.get("duration-days")[0], 1));
        facts.put("duration-buyable-shift", Format.fixed(shifts.get("duration-days")[1], 1));
        facts.put("precision-buyable-shift", shiftText(shifts.get("precision")[1]));
        facts.put("p8-duration-measured", String.valueOf(shifts.get("duration-days")[1]));
        facts.put("p7-runs-span", String.valueOf(num(unf.at("/years/largest_runs/fit")) - num(fav.at("/years/largest_runs/fit"))));
        facts.put("p7-buyable-span", String.valueOf(num(unf.at("/years/buyable/fit")) - num(fav.at("/years/buyable/fit"))));
        if (outDir == null) {
            return;
        }
        // the assumptions, their two ends side by side
        List<List<?>> rows = new ArrayList<>();
        for (String id : Projection.IDS) {
            JsonNode e = ends.path(id);
            rows.add(List.of(id.replace('-', ' '), value(e.path("favourable"), e.path("unit").asText()),
                    value(e.path("central"), e.path("unit").asText()), value(e.path("unfavourable"),
                            e.path("unit").asText()), e.path("basis").asText()));
        }
        Tables.write(outDir, "assumptions", "The assumptions of the projection: the most favourable end, the central"
                        + " case (the geometric middle of numeric ends) and the least favourable end",
                List.of("assumption", "most favourable", "central", "least favourable", "basis"), rows, List.of(pp));
        // the extremes side by side
        List<List<?>> ext = new ArrayList<>();
        ext.add(List.of("training compute required (FLOP)", Format.sci(fav.path("required_flop").asDouble()),
                Format.sci(cen.path("required_flop").asDouble()), Format.sci(unf.path("required_flop").asDouble())));
        for (String[] y : new String[][] {{"largest_runs", "if the largest training runs keep growing", "runs"},
                {"budget", "when the budget buys the chips", "chips"}, {"power", "when the power supply runs them", "chips"},
                {"buyable", "when both do", "chips"}}) {
            double from = y[2].equals("runs") ? runsFrom : chipsFrom;
            List<Object> row = new ArrayList<>(List.of("year " + y[1] + " (5–95%)"));
            for (JsonNode s : List.of(fav, cen, unf)) {
                row.add(Format.year(num(s.at("/years/" + y[0] + "/fit")), from) + " ("
                        + yearBand(s.at("/years/" + y[0] + "/quantiles"), from) + ")");
            }
            ext.add(row);
        }
        ext.add(List.of("chips' cost in the largest-runs year (USD)", Format.sci(fav.path("chips_cost_usd_then").asDouble()),
                Format.sci(cen.path("chips_cost_usd_then").asDouble()), Format.sci(unf.path("chips_cost_usd_then").asDouble())));
        ext.add(List.of("their power in that year (W)", Format.sci(fav.path("power_watts_then").asDouble()),
                Format.sci(cen.path("power_watts_then").asDouble()), Format.sci(unf.path("power_watts_then").asDouble())));
        Tables.write(outDir, "extremes", "When could a whole human brain be trained? The most and least favourable"
                + " assumptions side by side, with the central case between them", List.of("", "most favourable",
                "central", "least favourable"), ext, List.of(pp, p.trends()));
        // each assumption moved alone
        List<List<?>> sens = new ArrayList<>();
        for (String id : Projection.IDS) {
            JsonNode e = ends.path(id);
            JsonNode f = scenario(pp, id + "-favourable");
            JsonNode u = scenario(pp, id + "-unfavourable");
            String unit = e.path("unit").asText();
            sens.add(List.of(id.replace('-', ' '), value(e.path("favourable"), unit) + " / " + value(e.path("unfavourable"), unit),
                    Format.year(num(f.at("/years/largest_runs/fit")), runsFrom) + " / "
                            + Format.year(num(u.at("/years/largest_runs/fit")), runsFrom),
                    shiftText(shifts.get(id)[0]),
                    Format.year(num(f.at("/years/buyable/fit")), chipsFrom) + " / "
                            + Format.year(num(u.at("/years/buyable/fit")), chipsFrom),
                    shiftText(shifts.get(id)[1])));
        }
        Tables.write(outDir, "sensitivity", "Sensitivity: each assumption moved alone from the central case to its most"
                        + " and its least favourable end (the other assumptions central)",
                List.of("assumption", "favourable / unfavourable", "largest-runs year", "moves by (years)",
                        "buyable year", "moves by (years)"), sens, List.of(pp));
        // the figure: the largest runs, their trend and band, and the three requirements
        Figures.LineFigure f = Figures.line("projection", "Training compute: the largest runs against a human brain")
                .axes("year", "training FLOP").logY().size(760, 560).colours(List.of("record-setting runs"));
        java.util.Set<String> records = new java.util.HashSet<>();
        runs.path("points").forEach(pt -> records.add(pt.path("name").asText()));
        List<JsonNode> others = list(one(p.scale()).path("models")).stream()
                .filter(x -> !records.contains(x.path("name").asText())).toList();
        double[][] m = new double[4][others.size()];
        for (int i = 0; i < others.size(); i++) {
            JsonNode x = others.get(i);
            m[0][i] = x.path("year").asDouble();
            m[2][i] = x.at("/training_compute/low").asDouble();
            m[3][i] = x.at("/training_compute/high").asDouble();
            m[1][i] = Math.sqrt(m[2][i] * m[3][i]);
        }
        double labelled = 0;
        for (JsonNode pt : runs.path("points")) {
            double year = pt.path("year").asDouble();
            if (year - labelled >= 1.2) {  // a label per cluster, so that they do not overlap
                f.label(pt.path("name").asText(), year - 1.2, Math.sqrt(pt.path("low").asDouble()
                        * pt.path("high").asDouble()) * 4);
                labelled = year;
            }
        }
        band(f, runs, "record-setting runs", "cited", 2010, 2036);
        if (others.size() > 0) {
            f.points("other notable models (cited)", m[0], m[1], null, null, m[2], m[3]);
        }
        double[] span = {2010, 2036};
        for (JsonNode s : List.of(fav, cen, unf)) {
            double c = s.path("required_flop").asDouble();
            f.dashed("a human brain, " + s.path("id").asText() + " assumptions: " + Format.e(c) + " FLOP", span, new double[] {c, c});
        }
        f.from(pp, p.trends(), p.scale()).save(outDir);
    }

    static String shiftText(double s) {
        if (Double.isNaN(s)) {
            return "–";
        }
        if (Double.isInfinite(s)) {
            return s > 0 ? "to never" : "from never";
        }
        return Format.fixed(s, 1);
    }

    static String yearBand(JsonNode q, double from) {
        String lo = Format.year(num(q.get(0)), from);
        String hi = Format.year(num(q.get(2)), from);
        return lo.equals(hi) ? lo : lo + " to " + hi;
    }

    static String value(JsonNode v, String unit) {
        if (v.isTextual()) {
            return v.asText();
        }
        String u = unit.isEmpty() || unit.equals("count") ? "" : unit.equals("×") ? "×" : " " + unit;
        return Format.sci(v.asDouble()) + u;
    }

    // ------------------------------------------------------------------ predictions

    /** Each prediction's thresholds as facts, what was seen, and whether it held. */
    static void predictions(Pins p, Map<String, String> f) {
        JsonNode s = one(p.scale());
        Map<String, JsonNode> brains = new LinkedHashMap<>();
        s.path("brains").forEach(b -> brains.put(b.path("name").asText(), b));
        double params = 0;
        for (JsonNode m : s.path("models")) {
            params = m.path("parameters").isNull() ? params : Math.max(params, mid(m.path("parameters")));
        }
        boolean p1 = params >= mid(brains.get("rat").path("synapses")) && params <= brains.get("macaque").at("/synapses/high").asDouble();
        f.put("p1-held", held(p1));

        f.put("p2-from", Format.plain(P2_GAP[0]));
        f.put("p2-to", Format.plain(P2_GAP[1]));
        double gap = Double.parseDouble(f.get("p2-gap-measured"));
        f.put("p2-held", held(gap >= P2_GAP[0] && gap <= P2_GAP[1]));

        JsonNode t = one(p.thermal());
        Map<String, JsonNode> rows = new LinkedHashMap<>();
        t.path("rows").forEach(r -> rows.put(r.path("what").asText(), r));
        JsonNode brain = rows.get("human brain");
        double brainMid = 0.5 * (brain.path("orders_per_bit_low").asDouble() + brain.path("orders_per_bit_high").asDouble());
        JsonNode gpu = rows.get("H200 FP32");
        double gpuMid = 0.5 * (gpu.path("orders_per_bit_low").asDouble() + gpu.path("orders_per_bit_high").asDouble());
        JsonNode cpu = null;
        for (JsonNode r : t.path("rows")) {
            cpu = cpu == null && r.path("kind").asText().equals("measured") ? r : cpu;
        }
        double cpuMid = 0.5 * (cpu.path("orders_per_bit_low").asDouble() + cpu.path("orders_per_bit_high").asDouble());
        f.put("p3-brain-from", Format.plain(P3_BRAIN[0]));
        f.put("p3-brain-to", Format.plain(P3_BRAIN[1]));
        f.put("p3-gpu-from", Format.plain(P3_GPU[0]));
        f.put("p3-gpu-to", Format.plain(P3_GPU[1]));
        f.put("p3-cpu-factor", Format.plain(P3_CPU_FACTOR));
        f.put("p3-brain-mid", Format.fixed(brainMid, 1));
        f.put("p3-gpu-mid", Format.fixed(gpuMid, 1));
        f.put("p3-cpu-over-gpu", Format.fixed(Math.pow(10, cpuMid - gpuMid), 2));
        boolean p3a = brainMid >= P3_BRAIN[0] && brainMid <= P3_BRAIN[1];
        boolean p3b = gpuMid >= P3_GPU[0] && gpuMid <= P3_GPU[1];
        boolean p3c = Math.abs(cpuMid - gpuMid) <= Math.log10(P3_CPU_FACTOR);
        f.put("p3-held", held(p3a && p3b && p3c));

        f.put("p4-flat-from", String.valueOf(P4_FLAT_FROM));
        f.put("p4-optimum-from", String.valueOf(P4_OPTIMUM[0]));
        f.put("p4-optimum-to", String.valueOf(P4_OPTIMUM[1]));
        f.put("p4-never", String.valueOf(P4_NEVER));
        f.put("p4-flat-factor", Format.plain(P4_FLAT_FACTOR));
        boolean flat = Boolean.parseBoolean(f.get("p4-falls"))
                && Double.parseDouble(f.get("p4-flat-measured")) < P4_FLAT_FACTOR;
        int cheapest = Integer.parseInt(f.get("mlp-cheapest-width"));
        boolean optimum = cheapest >= P4_OPTIMUM[0] && cheapest <= P4_OPTIMUM[1];
        boolean never = Integer.parseInt(f.get("p4-never-measured")) == 0;
        f.put("p4-a-held", held(flat).toLowerCase(Locale.ROOT));
        f.put("p4-b-held", held(optimum).toLowerCase(Locale.ROOT));
        f.put("p4-c-held", held(never).toLowerCase(Locale.ROOT));
        f.put("p4-held", flat && optimum && never ? "Held" : flat || optimum || never ? "Held in part" : "Did not hold");

        f.put("p5-gap", Format.plain(P5_GAP));
        f.put("p5-held", held(Double.parseDouble(f.get("p5-gap-measured")) >= P5_GAP));

        f.put("p6-dollar-from", Format.plain(P6_DOLLAR_YEARS[0]));
        f.put("p6-dollar-to", Format.plain(P6_DOLLAR_YEARS[1]));
        f.put("p6-runs-from", Format.plain(P6_RUNS_MONTHS[0]));
        f.put("p6-runs-to", Format.plain(P6_RUNS_MONTHS[1]));
        double dollar = Double.parseDouble(f.get("p6-dollar-years"));
        double runs = Double.parseDouble(f.get("p6-runs-months"));
        f.put("p6-held", held(dollar >= P6_DOLLAR_YEARS[0] && dollar <= P6_DOLLAR_YEARS[1]
                && runs >= P6_RUNS_MONTHS[0] && runs <= P6_RUNS_MONTHS[1]));

        f.put("p7-runs-span-max", Format.plain(P7_RUNS_SPAN));
        f.put("p7-buyable-span-min", Format.plain(P7_BUYABLE_SPAN));
        double runsSpan = Double.parseDouble(f.get("p7-runs-span"));
        double buySpan = Double.parseDouble(f.get("p7-buyable-span"));
        f.put("p7-runs-span-seen", Format.fixed(runsSpan, 1));
        f.put("p7-buyable-span-seen", Double.isInfinite(buySpan) ? "unbounded" : Format.fixed(buySpan, 0));
        f.put("p7-held", held(f.get("top-mover").equals("definition") && runsSpan < P7_RUNS_SPAN
                && buySpan > P7_BUYABLE_SPAN));

        f.put("p8-duration-years", Format.plain(P8_DURATION_YEARS));
        f.put("p8-temperature-share", Format.pct(P8_TEMPERATURE_SHARE));
        double tShare = (t.path("bit_energy_body_high").asDouble() - t.path("bit_energy_body_low").asDouble())
                / t.path("bit_energy").asDouble();
        boolean p8 = Double.parseDouble(f.get("duration-runs-shift")) == 0
                && Math.abs(Double.parseDouble(f.get("p8-duration-measured"))) < P8_DURATION_YEARS
                && tShare < P8_TEMPERATURE_SHARE;
        f.put("p8-held", held(p8));
        // the raw values used above are not for the page
        for (String k : List.of("p2-gap-measured", "p4-flat-measured", "p4-falls", "p4-never-measured",
                "p5-gap-measured", "p6-dollar-years", "p6-runs-months", "p7-runs-span", "p7-buyable-span",
                "p8-duration-measured")) {
            f.remove(k);
        }
    }

    static String held(boolean b) {
        return b ? "Held" : "Did not hold";
    }

    /** How many PyTorch fixture cases this post has, by op (the validation table runs them). */
    private static void fixtures(Map<String, String> facts) throws IOException {
        Path dir = RepoRoot.get().resolve("data").resolve("fixtures").resolve(Experiment.POST);
        Map<String, Integer> ops = new java.util.TreeMap<>();
        int n = 0;
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".safetensors")) {
                    ops.merge(name.substring(0, name.indexOf("__")), 1, Integer::sum);
                    n++;
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("no fixtures in " + dir + ": export them with `make fixtures`");
        }
        facts.put("fixture-cases", String.valueOf(n));
        List<String> parts = new ArrayList<>();
        ops.forEach((op, c) -> parts.add("`" + op + "` " + c));
        facts.put("fixture-ops", String.join(", ", parts));
    }
}
