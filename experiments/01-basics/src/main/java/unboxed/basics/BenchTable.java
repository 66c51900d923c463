package unboxed.basics;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import unboxed.kit.Pinned;
import unboxed.kit.Tables;

/**
 * The performance table: the post's two speed targets, each measured by JMH against its PyTorch
 * peer in the same run (tools/bench/run.sh), quoted as a ratio with the machine it ran on. When
 * the run also timed the in-JVM peer, libtorch through DJL (DjlPeerBench), each workload gets a
 * second row for it: its ratio, with no target (the targets are set against the Python peer).
 */
final class BenchTable {
    /** At least this fraction of OpenBLAS's single-thread GFLOP/s on a 1024^3 float32 product. */
    static final double MATMUL_TARGET = 0.7;
    /** An MNIST epoch at least as fast as PyTorch's (ratio torch time / our time). */
    static final double EPOCH_TARGET = 1.0;

    private BenchTable() {
    }

    static void write(Path resultsDir, Path outDir, Map<String, String> facts) throws IOException {
        Pinned bench = Pinned.load(resultsDir, "bench");
        List<List<?>> rows = new ArrayList<>();
        JsonNode prov = bench.provenanceJson();
        String djl = djlPeer(prov);
        String matmul = "matmul 1024×1024×1024, float32, 1 thread";
        double mm = bench.number("/ratios/sgemm_1024_ours_over_openblas");
        rows.add(List.of(matmul,
                gf(bench.number("/ratios/sgemm_1024_gflops_ours")) + " GFLOP/s",
                gf(bench.number("/ratios/sgemm_1024_gflops_openblas")) + " GFLOP/s (torch.matmul, OpenBLAS)",
                ratio(mm), "≥ " + MATMUL_TARGET, mm >= MATMUL_TARGET ? "met" : "NOT MET"));
        if (djl != null && has(bench, "/ratios/sgemm_1024_ours_over_libtorch_djl")) {
            double r = bench.number("/ratios/sgemm_1024_ours_over_libtorch_djl");
            rows.add(List.of(matmul,
                    gf(bench.number("/ratios/sgemm_1024_gflops_ours")) + " GFLOP/s",
                    gf(bench.number("/ratios/sgemm_1024_gflops_libtorch_djl")) + " GFLOP/s (" + djl + ")",
                    ratio(r), "—", "—"));
            facts.put("bench-matmul-djl-ratio", ratio(r));
        }
        String epoch = "one MNIST epoch, MLP 784-256-10, batch 64, SGD, 1 thread";
        double ep = bench.number("/ratios/mlp_epoch_ours_over_torch_speed");
        rows.add(List.of(epoch,
                sec(bench.number("/ratios/mlp_epoch_ms_ours")),
                sec(bench.number("/ratios/mlp_epoch_ms_torch")) + " (PyTorch " + bench.at("/peer/torch_version").asText() + ")",
                ratio(ep), "≥ " + EPOCH_TARGET, ep >= EPOCH_TARGET ? "met" : "NOT MET"));
        if (djl != null && has(bench, "/ratios/mlp_epoch_ours_over_djl_speed")) {
            double r = bench.number("/ratios/mlp_epoch_ours_over_djl_speed");
            rows.add(List.of(epoch,
                    sec(bench.number("/ratios/mlp_epoch_ms_ours")),
                    sec(bench.number("/ratios/mlp_epoch_ms_djl")) + " (" + djl + ")",
                    ratio(r), "—", "—"));
            facts.put("bench-epoch-djl-ratio", ratio(r));
        }
        String machine = prov.path("cpu").asText("?") + ", " + prov.path("cores").asText("?") + " cores, "
                + "JDK " + prov.path("jdk").asText("?").replaceAll("^[^\"]*\"([^\"]+)\".*", "$1");
        facts.put("bench-matmul-ratio", ratio(mm));
        facts.put("bench-epoch-ratio", ratio(ep));
        facts.put("bench-machine", machine);
        facts.put("bench-matmul-target", MATMUL_TARGET + "×");
        facts.put("bench-epoch-target", EPOCH_TARGET + "×");
        versions(bench, outDir);
        Tables.write(outDir, "bench", "Speed against PyTorch on the same machine, same run (" + machine
                        + "); ratio > 1 means ours is faster (definitions: results/ratios/definitions in the file)",
                List.of("workload", "ours (median)", "peer (median)", "ratio", "target", "verdict"), rows, List.of(bench));
    }

    /** "libtorch 2.7.1 via DJL 0.36.0", from the provenance run.sh wrote; null when the run had no DJL peer. */
    private static String djlPeer(JsonNode prov) {
        JsonNode djl = prov.path("djl");
        if (!djl.isObject()) {
            return null;
        }
        return "libtorch " + djl.path("libtorch_version").asText("?") + " via DJL " + djl.path("djl_version").asText("?");
    }

    private static boolean has(Pinned bench, String pointer) {
        return !bench.results().at(pointer).isMissingNode();
    }

    /** Every timed matrix product of ours (MatmulBench: v1Naive_256 ... sgemm_1024) in GFLOP/s. */
    private static void versions(Pinned bench, Path outDir) throws IOException {
        List<JsonNode> timed = new ArrayList<>();
        bench.at("/jmh").forEach(b -> {
            // the peers' products (DjlPeerBench) are not versions of ours
            if (b.has("gflops_median") && b.get("benchmark").asText().contains(".MatmulBench.")) {
                timed.add(b);
            }
        });
        // reading order: v1, v2, ..., then the engine's sgemm; small size first
        timed.sort(java.util.Comparator.comparing((JsonNode b) -> method(b).startsWith("sgemm") ? "z" : method(b).replaceAll("_\\d+$", ""))
                .thenComparingInt(b -> b.get("n").asInt()));
        List<List<?>> rows = new ArrayList<>();
        for (JsonNode b : timed) {
            String version = method(b).replaceAll("_\\d+$", "");
            int n = b.get("n").asInt();
            rows.add(List.of(version, n + "³", gf(b.get("gflops_median").asDouble()),
                    String.format(Locale.ROOT, "%.3f ms ± %.3f", b.get("score").asDouble(), b.get("error").asDouble())));
        }
        Tables.write(outDir, "matmul-versions", "The numbered matrix-product versions, one thread (JMH median of the"
                        + " measured iterations; ± is JMH's 99.9% error of the mean)",
                List.of("version", "size", "GFLOP/s", "time per product"), rows, List.of(bench));
    }

    private static String method(JsonNode benchmark) {
        return benchmark.get("benchmark").asText().replaceAll(".*\\.", "");
    }

    private static String gf(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String sec(double ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }

    private static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2f×", v);
    }
}
