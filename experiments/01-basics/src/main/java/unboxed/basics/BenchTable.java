package unboxed.basics;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import unboxed.kit.BenchTables;
import unboxed.kit.Pinned;
import unboxed.kit.Tables;

/**
 * The performance section's tables: the speed tables every post shares ({@link BenchTables}: one
 * per CPU of each kind, the profiles, the work parity), and post 01's own, the numbered matmul
 * versions from the newest run of the first kind measured.
 */
final class BenchTable {
    private BenchTable() {
    }

    static void write(Path resultsDir, Path outDir, Map<String, String> facts) throws IOException {
        List<Pinned> measured = BenchTables.write(resultsDir, outDir, facts, Experiment.POST);
        facts.put("bench-tables", String.join(",", measured.stream().map(p -> p.name()).toList()));
        versions(measured.get(0), outDir);
    }

    /** Every timed matrix product of ours (MatmulBench, versions 1 to 4 and the engine's Sgemm) in GFLOP/s. */
    private static void versions(Pinned bench, Path outDir) throws IOException {
        List<JsonNode> timed = new ArrayList<>();
        bench.at("/jmh").forEach(b -> {
            if (b.get("benchmark").asText().startsWith("MatmulBench.")) {
                timed.add(b);
            }
        });
        // reading order: v1, v2, ..., then the engine's sgemm; small size first
        timed.sort(java.util.Comparator.comparing((JsonNode b) -> version(b).equals("sgemm") ? "~" : version(b))
                .thenComparingInt(BenchTable::size));
        List<List<?>> rows = new ArrayList<>();
        for (JsonNode b : timed) {
            int n = size(b);
            double msPerOp = b.path("stats").path("median").asDouble();
            rows.add(List.of(version(b), n + "³", gf(2.0 * n * n * (double) n / (msPerOp * 1e6)),
                    String.format(Locale.ROOT, "%.3f ms ± %.3f", b.get("score").asDouble(), b.get("error").asDouble())));
        }
        Tables.write(outDir, "matmul-versions", "The numbered matrix-product versions, one thread of the "
                        + BenchTables.cpuLabel(bench) + " (the newest run; GFLOP/s of the"
                        + " median iteration; ± is JMH's 99.9% error of the mean)",
                List.of("version", "size", "GFLOP/s", "time per product"), rows, List.of(bench));
    }

    /** "v1Naive", "v2LoopOrder", ..., "sgemm": the version parameter, or the method name without its size. */
    private static String version(JsonNode b) {
        return b.path("params").path("version").asText(b.get("benchmark").asText().replaceAll(".*\\.", "").replaceAll("_\\d+$", ""));
    }

    private static int size(JsonNode b) {
        JsonNode n = b.path("params").path("n");
        return n.isMissingNode() ? Integer.parseInt(b.get("benchmark").asText().replaceAll(".*_", "")) : n.asInt();
    }

    private static String gf(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

}
