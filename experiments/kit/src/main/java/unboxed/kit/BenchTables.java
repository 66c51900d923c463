package unboxed.kit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The speed tables every post with benchmarks shows, from what tools/bench/run.sh and
 * tools/bench/profile.sh pinned: one table per CPU kind ({@code bench-avx512.json},
 * {@code bench-avx2.json}) with each comparison of the post's bench spec, its speed ratio, 99%
 * confidence interval, target and verdict; a profile table per kind when one was pinned; and
 * the work-parity table of the spec.
 */
public final class BenchTables {
    /** The kinds in the order reports show them. */
    public static final List<String> KINDS = List.of("avx512", "avx2");

    private BenchTables() {
    }

    /**
     * Writes {@code tables/bench-<kind>.adoc} per kind measured, {@code tables/bench-profile-<kind>.adoc}
     * per profile, {@code tables/bench-parity.adoc}, and the facts {@code bench-kinds} (one line of
     * verdicts per kind). Returns the kinds' results, first kind first.
     *
     * @throws IOException when no kind was measured, naming the command that measures one
     */
    public static List<Pinned> write(Path resultsDir, Path outDir, Map<String, String> facts, String post)
            throws IOException {
        List<Pinned> measured = new ArrayList<>();
        for (String kind : KINDS) {
            if (Files.exists(resultsDir.resolve("bench-" + kind + ".json"))) {
                measured.add(Pinned.load(resultsDir, "bench-" + kind));
            }
        }
        if (measured.isEmpty()) {
            throw new IOException("no benchmark results in " + resultsDir + " (bench-avx512.json or bench-avx2.json):"
                    + " run `make bench POST=" + post + "` (and `KIND=avx2`)");
        }
        List<String> summary = new ArrayList<>();
        for (Pinned bench : measured) {
            summary.add(kindTable(bench, outDir));
        }
        facts.put("bench-kinds", String.join("; ", summary));
        for (String kind : KINDS) {
            if (Files.exists(resultsDir.resolve("bench-profile-" + kind + ".json"))) {
                profile(Pinned.load(resultsDir, "bench-profile-" + kind), outDir);
            }
        }
        parity(measured.get(0), outDir);
        return measured;
    }

    /** One CPU kind's table; returns a one-line summary of its verdicts for the prose. */
    static String kindTable(Pinned bench, Path outDir) throws IOException {
        JsonNode kind = bench.at("/kind");
        JsonNode prov = bench.provenanceJson();
        String label = kind.path("measured").asText().equals("avx512") ? "AVX-512" : "AVX2";
        String machine = prov.path("cpu").asText("?") + " (family " + prov.path("cpu_details").path("family").asText("?")
                + ", model " + prov.path("cpu_details").path("model").asText("?") + "), " + prov.path("cores").asText("?")
                + " cores, JDK " + prov.path("jdk").asText("?").replaceAll("^[^\"]*\"([^\"]+)\".*", "$1");
        String how = kind.path("emulated").asBoolean() ? kind.path("how").asText() : "measured on a machine of this kind";
        String plan = "";
        for (JsonNode line : prov.path("startup_choice")) {
            if (line.asText().startsWith("sgemm: ")) {
                plan = line.asText().substring("sgemm: ".length());
            }
        }
        List<List<?>> rows = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        for (JsonNode c : bench.at("/comparisons")) {
            if (c.path("missing").asBoolean()) {
                rows.add(List.of(c.path("workload").asText(), "–", "–", "–", "–", "not measured"));
                continue;
            }
            boolean matmul = c.has("gflops_ours");
            String ours = matmul ? gf(c.path("gflops_ours").asDouble()) + " GFLOP/s" : ms(c.path("ours").path("mean").asDouble());
            String peer = (matmul ? gf(c.path("gflops_peer").asDouble()) + " GFLOP/s" : ms(c.path("peer").path("mean").asDouble()))
                    + " (" + c.path("peer").path("label").asText() + ")";
            JsonNode ci = c.path("speed_ratio_ci99");
            // an interval end is null where too few iterations bound it (a --quick run)
            String ratio = ratio(c.path("speed_ratio").asDouble()) + " [" + (ci.get(0).isNull() ? "−∞" : num(ci.get(0).asDouble()))
                    + ", " + (ci.get(1).isNull() ? "∞" : num(ci.get(1).asDouble())) + "]";
            String target = c.path("target").isNull() ? "–" : "≥ " + num(c.path("target").asDouble()) + "×";
            String verdict = c.path("verdict").asText();
            rows.add(List.of(c.path("workload").asText(), ours, peer, ratio, target, verdict));
            if (!c.path("target").isNull()) {
                verdicts.add(c.path("id").asText() + " " + verdict);
            }
        }
        Tables.write(outDir, bench.name(), label + " kind, " + how + ". " + machine + ". Start-up chose: " + plan
                        + ". Speed ratio = the peer's mean time over ours (> 1: ours is faster), with its 99%"
                        + " confidence interval; the verdict comes from that interval, not from the point ratio",
                List.of("workload", "ours (mean)", "peer (mean)", "speed ratio [99% CI]", "target", "verdict"),
                rows, List.of(bench));
        return label + (kind.path("emulated").asBoolean() ? " (approximated)" : "") + ": " + String.join(", ", verdicts);
    }

    /** The top frames of each profiled benchmark, as JMH's stack profiler sampled them. */
    private static void profile(Pinned prof, Path outDir) throws IOException {
        List<List<?>> rows = new ArrayList<>();
        var it = prof.at("/profiles").properties().iterator();
        while (it.hasNext()) {
            var e = it.next();
            int shown = 0;
            for (JsonNode f : e.getValue().path("frames")) {
                if (shown++ == 8) {
                    break;
                }
                rows.add(List.of(e.getKey(), f.path("frame").asText(),
                        String.format(Locale.ROOT, "%.1f%%", 100 * f.path("share_of_benchmark_thread").asDouble())));
            }
        }
        String kind = prof.at("/kind/measured").asText().equals("avx512") ? "AVX-512" : "AVX2";
        Tables.write(outDir, prof.name(), kind + " kind: the eight most sampled top frames of each benchmark,"
                        + " as shares of the benchmark thread's running samples",
                List.of("benchmark", "top frame", "share"), rows, List.of(prof));
    }

    /** What each side does per step, from the bench spec the run used. */
    private static void parity(Pinned bench, Path outDir) throws IOException {
        List<List<?>> rows = new ArrayList<>();
        for (JsonNode row : bench.at("/work_parity")) {
            rows.add(List.of(row.get(0).asText(), row.get(1).asText(), row.get(2).asText(), row.get(3).asText()));
        }
        Tables.write(outDir, "bench-parity", "Work parity: what each side does, so that the ratios compare equal work",
                List.of("", "ours", "PyTorch (Python)", "libtorch through DJL"), rows, List.of(bench));
    }

    private static String gf(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ms(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.3f s", v / 1000) : String.format(Locale.ROOT, "%.2f ms", v);
    }

    private static String num(double v) {
        return Double.isInfinite(v) ? "∞" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2f×", v);
    }
}
