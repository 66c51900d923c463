package unboxed.kit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import unboxed.io.AtomicFiles;

/**
 * The speed tables every post with benchmarks shows, from what tools/bench/run.sh and
 * tools/bench/profile.sh pinned. Each run is one file named after the CPU kind it measured and the
 * CPU it ran on ({@code bench-avx512-zen5.json}, {@code bench-avx512-zen4.json},
 * {@code bench-avx2-zen5.json}, ...; tools/bench/cpu-tag.sh), because one kind's CPUs differ: a
 * Zen 4 executes a 512-bit FMA as two 256-bit halves, a Zen 5 in one go. Per kind, one table per
 * CPU, newest run first, with each comparison of the post's bench spec, its speed ratio, 99%
 * confidence interval, target and verdict; a profile table per profiled run; and the work-parity
 * table of the spec.
 */
public final class BenchTables {
    /** The kinds in the order reports show them. */
    public static final List<String> KINDS = List.of("avx512", "avx2");

    private static final Pattern RUN = Pattern.compile("bench-(avx512|avx2)-([a-z0-9-]+)\\.json");
    private static final Pattern PROFILE = Pattern.compile("bench-profile-(avx512|avx2)-([a-z0-9-]+)\\.json");

    private BenchTables() {
    }

    /** The benchmark runs of one kind pinned in {@code resultsDir}, newest first (empty when none). */
    public static List<Pinned> runs(Path resultsDir, String kind) throws IOException {
        return pinned(resultsDir, RUN, kind);
    }

    /** The profiles of one kind pinned in {@code resultsDir}, newest first (empty when none). */
    public static List<Pinned> profiles(Path resultsDir, String kind) throws IOException {
        return pinned(resultsDir, PROFILE, kind);
    }

    private static List<Pinned> pinned(Path resultsDir, Pattern pattern, String kind) throws IOException {
        List<Pinned> found = new ArrayList<>();
        if (!Files.isDirectory(resultsDir)) {
            return found;
        }
        try (Stream<Path> files = Files.list(resultsDir)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = pattern.matcher(f.getFileName().toString());
                if (m.matches() && m.group(1).equals(kind)) {
                    found.add(Pinned.load(f));
                }
            }
        }
        // newest first: ISO-8601 start times sort as text; the file name breaks ties
        found.sort(Comparator.comparing((Pinned p) -> p.provenanceJson().path("started").asText("")).reversed()
                .thenComparing(Pinned::name));
        return found;
    }

    /** "Zen 4" for a file tagged zen4, the tag itself for other CPUs. */
    public static String cpuLabel(Pinned run) {
        String tag = run.name().replaceFirst("^bench-(profile-)?(avx512|avx2)-", "");
        return tag.matches("zen[0-9]+") ? "Zen " + tag.substring(3) : tag;
    }

    /**
     * Writes, per kind measured, {@code tables/bench-<kind>.adoc} (every CPU's table of that kind,
     * newest first; each also alone as {@code tables/<file name>.adoc}), the same for profiles in
     * {@code tables/bench-profile-<kind>.adoc}, {@code tables/bench-parity.adoc}, and the facts
     * {@code bench-kinds} (one line of verdicts per run) and {@code bench-cpu-<kind>} (the CPU of
     * the kind's newest run, the one a report's prose cites). Returns the runs, the kinds in
     * {@link #KINDS} order, each kind's newest run first.
     *
     * @throws IOException when no kind was measured, naming the command that measures one
     */
    public static List<Pinned> write(Path resultsDir, Path outDir, Map<String, String> facts, String post)
            throws IOException {
        List<Pinned> measured = new ArrayList<>();
        List<String> summary = new ArrayList<>();
        for (String kind : KINDS) {
            List<Pinned> runs = runs(resultsDir, kind);
            if (runs.isEmpty()) {
                continue;
            }
            for (Pinned bench : runs) {
                summary.add(kindTable(bench, outDir));
            }
            combine(outDir, "bench-" + kind, runs);
            facts.put("bench-cpu-" + kind, cpuLabel(runs.get(0)));
            String slow = metOnSlowProcesses(runs.get(0));
            if (!slow.isEmpty()) {
                facts.put("bench-met-on-slow-peers-" + kind, slow);
            }
            for (String verdict : List.of("missed", "not settled")) {
                String which = withVerdict(runs.get(0), verdict);
                if (!which.isEmpty()) {
                    facts.put("bench-" + verdict.replace(' ', '-') + "-" + kind, which);
                }
            }
            measured.addAll(runs);
        }
        if (measured.isEmpty()) {
            throw new IOException("no benchmark results in " + resultsDir + " (bench-avx512-<cpu>.json or"
                    + " bench-avx2-<cpu>.json): run `make bench POST=" + post + "` (and `KIND=avx2`)");
        }
        facts.put("bench-kinds", String.join("; ", summary));
        for (String kind : KINDS) {
            List<Pinned> profs = profiles(resultsDir, kind);
            if (profs.isEmpty()) {
                continue;
            }
            for (Pinned prof : profs) {
                profile(prof, outDir);
            }
            combine(outDir, "bench-profile-" + kind, profs);
        }
        parity(measured.get(0), outDir);
        return measured;
    }

    /** {@code tables/<name>.adoc}: the tables already written for {@code parts}, one after the other. */
    private static void combine(Path outDir, String name, List<Pinned> parts) throws IOException {
        StringBuilder all = new StringBuilder();
        for (Pinned p : parts) {
            all.append(Files.readString(outDir.resolve("tables").resolve(p.name() + ".adoc"))).append('\n');
        }
        AtomicFiles.write(outDir.resolve("tables").resolve(name + ".adoc"), all.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** One run's table; returns a one-line summary of its verdicts for the prose. */
    static String kindTable(Pinned bench, Path outDir) throws IOException {
        JsonNode kind = bench.at("/kind");
        JsonNode prov = bench.provenanceJson();
        String label = kind.path("measured").asText().equals("avx512") ? "AVX-512" : "AVX2";
        String machine = prov.path("cpu").asText("?") + " (" + cpuLabel(bench) + ", family "
                + prov.path("cpu_details").path("family").asText("?")
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
        int forks = bench.results().path("jmh").path(0).path("forks").asInt(0);
        for (JsonNode c : bench.at("/comparisons")) {
            if (c.path("missing").asBoolean()) {
                rows.add(List.of(c.path("workload").asText(), "–", "–", "–", "–", "–", "not measured"));
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
            rows.add(List.of(c.path("workload").asText(), ours, peer, ratio, versusFastest(c, forks), target, verdict));
            if (!c.path("target").isNull()) {
                verdicts.add(c.path("id").asText() + " " + verdict);
            }
        }
        // runs before run.sh set glibc's malloc record nothing: their peers kept glibc's defaults
        String memory = prov.hasNonNull("malloc") ? "Memory: " + prov.path("malloc").asText()
                : "Memory: glibc's defaults (no setting recorded: a peer's large tensors could fault fresh pages in"
                + " on every call)";
        // runs before run.sh's rounds record none: JMH's forks, then the peer's runs, each side in its own block of time
        boolean paired = "iterations".equals(prov.path("turns").asText());
        String turns = paired ? "The two sides took turns iteration by iteration: " + prov.path("rounds").asInt()
                + " rounds of one JMH fork per slice of the spec, the PyTorch peer running one iteration of the same"
                + " work just before or just after each of ours. Speed ratio against PyTorch = the geometric mean of"
                + " the pairs' ratios (its time over ours); against DJL (its own forks) = its mean time over ours"
                : (prov.hasNonNull("rounds") ? "The two sides took turns: " + prov.path("rounds").asInt()
                + " rounds of one JMH fork and one peer run per slice of the spec"
                : "Each side timed in its own block of time (JMH's forks, then the peer's runs), before the sides took turns")
                + ". Speed ratio = the peer's mean time over ours";
        Tables.write(outDir, bench.name(), label + " kind, " + how + ". " + machine + ". Start-up chose: " + plan
                        + ". " + memory + ". " + turns + " (> 1: ours is faster), with its 99%"
                        + " confidence interval; the verdict comes from that interval, not from the point ratio."
                        + " Per fork (runs taking turns iteration by iteration): the paired ratio of each of"
                        + " our JMH forks. Against the peer's fastest process (other runs): that process's mean"
                        + " time over ours, for peers whose speed changes from one process to the next (below 1:"
                        + " it beat ours)",
                List.of("workload", "ours (mean)", "peer (mean)", "speed ratio [99% CI]",
                        "per fork, or against the peer's fastest process", "target", "verdict"),
                rows, List.of(bench));
        return label + " on " + cpuLabel(bench) + (kind.path("emulated").asBoolean() ? " (approximated)" : "") + ": "
                + String.join(", ", verdicts);
    }

    /**
     * The peer's fastest process against ours: its mean time over our mean time. A peer's
     * processes (PyTorch's runs, or the JMH forks of the in-JVM peer) can run at very different
     * speeds with the same build (PyTorch's depthwise convolution ran some forty times slower in
     * one process than in the next on a Zen 5), and the mean and its interval fold them into one
     * number that depends on how many slow processes a run happened to get. Its iterations come
     * in process order, {@code runs} (or the run's JMH forks) equal blocks. "–" where they are
     * not pinned or do not split evenly.
     */
    static String versusFastest(JsonNode c, int forks) {
        if (c.path("paired").asBoolean()) {
            return perFork(c);
        }
        Double r = fastestRatio(c, forks);
        return r == null ? "–" : ratio(r);
    }

    /**
     * Where the peer took turns with our iterations: the paired speed ratio of each of our forks
     * (the geometric mean of its pairs), in fork order, so that a fork of ours that ran slowly
     * throughout shows as one low ratio among higher ones. "–" where the pairs do not split
     * evenly into the forks.
     */
    static String perFork(JsonNode c) {
        JsonNode ours = c.path("ours").path("iterations");
        JsonNode peer = c.path("peer").path("iterations");
        int forks = c.path("peer").path("runs").asInt(0);
        if (!ours.isArray() || ours.size() == 0 || ours.size() != peer.size() || forks <= 0 || ours.size() % forks != 0) {
            return "–";
        }
        int per = ours.size() / forks;
        List<String> out = new ArrayList<>();
        for (int f = 0; f < forks; f++) {
            double logs = 0;
            for (int i = f * per; i < (f + 1) * per; i++) {
                logs += Math.log(peer.get(i).asDouble() / ours.get(i).asDouble());
            }
            out.add(num(Math.exp(logs / per)));
        }
        return "per fork " + String.join(" · ", out);
    }

    /**
     * The workloads of a run whose target is met by the confidence-interval rule although the
     * peer's fastest process beat ours ({@link #versusFastest} below 1): verdicts won on the
     * peer's slow processes, which the prose names. Empty when there are none.
     */
    /**
     * The workloads of one run whose target got {@code verdict} ("missed", "not settled"), each
     * with its speed ratio, "; "-separated (empty where none did): the facts
     * {@code bench-missed-<kind>} and {@code bench-not-settled-<kind>} of the kind's newest run,
     * which a report's open items cite instead of typing them. A workload timed against two
     * peers (PyTorch and libtorch through DJL) names the peer.
     */
    static String withVerdict(Pinned bench, String verdict) {
        Map<String, Integer> peers = new HashMap<>();
        for (JsonNode c : bench.at("/comparisons")) {
            peers.merge(c.path("workload").asText(), 1, Integer::sum);
        }
        List<String> which = new ArrayList<>();
        for (JsonNode c : bench.at("/comparisons")) {
            if (!c.path("missing").asBoolean() && verdict.equals(c.path("verdict").asText())
                    && c.path("speed_ratio").isNumber()) {
                String workload = c.path("workload").asText();
                String label = c.path("peer").path("label").asText("");
                String against = peers.get(workload) > 1 && !label.isEmpty() ? " against " + label : "";
                which.add(workload + against + " (" + ratio(c.path("speed_ratio").asDouble()) + ")");
            }
        }
        return String.join("; ", which);
    }

    static String metOnSlowProcesses(Pinned bench) {
        int forks = bench.results().path("jmh").path(0).path("forks").asInt(0);
        List<String> won = new ArrayList<>();
        for (JsonNode c : bench.at("/comparisons")) {
            Double r = fastestRatio(c, forks);
            if (!c.path("missing").asBoolean() && "met".equals(c.path("verdict").asText()) && r != null && r < 1) {
                won.add(c.path("workload").asText() + " (" + ratio(r) + ")");
            }
        }
        return String.join("; ", won);
    }

    /** {@link #versusFastest} as a number; null where it cannot be told. */
    private static Double fastestRatio(JsonNode c, int forks) {
        if (c.path("paired").asBoolean()) {
            return null;            // each pair has its own peer iteration: no slow process to set apart
        }
        JsonNode it = c.path("peer").path("iterations");
        int runs = c.path("peer").path("runs").asInt(forks);
        double ours = c.path("ours").path("mean").asDouble(0);
        if (!it.isArray() || it.size() == 0 || runs <= 0 || it.size() % runs != 0 || ours <= 0
                || !"ms/op".equals(c.path("units").asText("ms/op"))) {
            return null;
        }
        int per = it.size() / runs;
        double fastest = Double.POSITIVE_INFINITY;
        for (int r = 0; r < runs; r++) {
            double sum = 0;
            for (int i = 0; i < per; i++) {
                sum += it.get(r * per + i).asDouble();
            }
            fastest = Math.min(fastest, sum / per);
        }
        return fastest / ours;
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
        Tables.write(outDir, prof.name(), kind + " kind on " + cpuLabel(prof) + ": the eight most sampled top frames"
                        + " of each benchmark, as shares of the benchmark thread's running samples",
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
