package unboxed.kit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import unboxed.io.RepoRoot;

/**
 * The GPU half of a post: the CUDA kernels' ptxas figures (from {@code engine-cuda/ptxas-report.json},
 * which {@code make ptx} writes), and, once a run of the GPU kit is pinned
 * ({@code data/results/<post>/gpu-*.json}, by {@code make pin-gpu}), its checks and its speed
 * against cuBLAS, cuDNN and PyTorch. A report shows the measured part inside
 * {@code ifdef::gpu-measured[]}: the fact is set only when a run is pinned, so that nothing is
 * claimed for a GPU that never ran the code.
 */
public final class GpuTables {
    private GpuTables() {
    }

    /**
     * Writes {@code tables/gpu-kernels.adoc} for the kernels whose names start with one of
     * {@code prefixes}, and for each pinned GPU result its table; sets the facts {@code gpu-status}
     * and, when a run is pinned, {@code gpu-measured} and the run's headline numbers.
     */
    public static void write(Path resultsDir, Path outDir, Map<String, String> facts, List<String> prefixes)
            throws IOException {
        kernels(outDir, prefixes);
        List<Pinned> pinned = new ArrayList<>();
        for (String name : List.of("gpu-fixtures", "gpu-sgemm", "gpu-conv", "gpu-epoch-mlp", "gpu-epoch-cnn")) {
            if (Files.exists(resultsDir.resolve(name + ".json"))) {
                pinned.add(Pinned.load(resultsDir, name));
            }
        }
        if (pinned.isEmpty()) {
            facts.put("gpu-status", "No run of the GPU kit is pinned for this post yet: the CUDA kernels compile"
                    + " (ptxas for sm_80 and sm_90, above) but their correctness and speed on a GPU are unmeasured;"
                    + " make gpu-kit, then run.sh on a machine with an NVIDIA GPU, then make pin-gpu fill this in");
            return;
        }
        facts.put("gpu-measured", "yes");
        JsonNode env = pinned.get(0).results().path("environment");
        facts.put("gpu-name", env.path("gpu").asText("?"));
        facts.put("gpu-driver", env.path("driver").asText(env.path("driver_cuda_version").asText("?")));
        facts.put("gpu-status", "Measured on " + env.path("gpu").asText("?") + " (driver "
                + env.path("driver").asText("?") + ", SM clock " + env.path("clock_sm").asText("?") + " of "
                + env.path("clock_max_sm").asText("?") + ")");
        for (Pinned p : pinned) {
            switch (p.name()) {
                case "gpu-fixtures" -> fixtures(p, facts);
                case "gpu-sgemm" -> sgemm(p, outDir, facts);
                case "gpu-conv" -> conv(p, outDir, facts);
                default -> epoch(p, facts);
            }
        }
    }

    /** Registers, shared memory and spills of each kernel, as ptxas reports them for sm_80 and sm_90. */
    static void kernels(Path outDir, List<String> prefixes) throws IOException {
        Path report = RepoRoot.get().resolve("engine-cuda").resolve("ptxas-report.json");
        JsonNode r = new ObjectMapper().readTree(report.toFile());
        List<List<?>> rows = new ArrayList<>();
        var files = r.path("files").properties().iterator();
        while (files.hasNext()) {
            var f = files.next();
            var ks = f.getValue().path("kernels").properties().iterator();
            while (ks.hasNext()) {
                var k = ks.next();
                if (prefixes.stream().noneMatch(k.getKey()::startsWith)) {
                    continue;
                }
                JsonNode a80 = k.getValue().path("sm_80");
                JsonNode a90 = k.getValue().path("sm_90");
                int spills = a80.path("spill_stores").asInt() + a80.path("spill_loads").asInt()
                        + a90.path("spill_stores").asInt() + a90.path("spill_loads").asInt();
                rows.add(List.of("`" + k.getKey() + "`", a80.path("registers").asInt(), a90.path("registers").asInt(),
                        a90.path("shared_bytes").asInt(), spills == 0 ? "none" : spills + " bytes"));
            }
        }
        Tables.write(outDir, "gpu-kernels", "Our CUDA kernels as ptxas compiles them (" + r.path("nvcc").asText()
                        + ", " + r.path("nvcc_flags").asText() + "): registers per thread, static shared memory,"
                        + " spills",
                List.of("kernel", "registers sm_80", "registers sm_90", "shared bytes", "spills"), rows,
                "Source: `engine-cuda/ptxas-report.json`, written by `make ptx` (tools/cuda/ptx.sh).");
    }

    private static void fixtures(Pinned p, Map<String, String> facts) {
        JsonNode r = p.results();
        facts.put("gpu-fixtures-passed", r.path("passed").asText());
        facts.put("gpu-fixtures-cases", r.path("cases").asText());
    }

    private static void sgemm(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode r = p.results();
        List<List<?>> rows = new ArrayList<>();
        for (JsonNode v : r.path("versions")) {
            String checks = v.path("passed").asBoolean() ? "pass" : v.has("error") ? "error" : "FAIL";
            rows.add(List.of("`" + v.path("kernel").asText() + "`", v.path("description").asText(),
                    v.has("median_ms") ? num(v.path("median_ms").asDouble(), 3) + " ms" : "–",
                    v.has("gflops") ? num(v.path("gflops").asDouble(), 0) : "–", ratio(v.path("speed_vs_cublas_fp32")),
                    checks));
        }
        String cublas = r.has("cublas_fp32_median_ms") ? num(r.path("cublas_fp32_median_ms").asDouble(), 3) + " ms" : "?";
        Tables.write(outDir, "gpu-sgemm", "SGEMM " + r.path("n").asText() + "³ on " + r.path("environment").path("gpu").asText()
                        + ": every version, checked against a float64 product, then timed with CUDA events (median);"
                        + " cuBLAS fp32 (torch.mm, TF32 off) takes " + cublas + ". Speed ratio = cuBLAS's time over ours"
                        + " with its 99% bootstrap interval",
                List.of("kernel", "what it adds", "time", "GFLOP/s", "vs cuBLAS fp32 [99% CI]", "checks"), rows,
                List.of(p));
        JsonNode t = r.path("target").path("speed_vs_cublas_fp32");
        if (!t.isMissingNode()) {
            facts.put("gpu-sgemm-best", r.path("target").path("best_version").asText());
            facts.put("gpu-sgemm-ratio", ratio(t));
            facts.put("gpu-sgemm-verdict", t.path("verdict").asText());
        }
    }

    private static void conv(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        JsonNode r = p.results();
        List<List<?>> rows = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        for (JsonNode s : r.path("shapes")) {
            for (JsonNode k : s.path("kernels")) {
                String checks = k.path("passed").asBoolean() ? "pass" : k.has("error") ? "error" : "FAIL";
                rows.add(List.of(s.path("shape").asText(), k.path("kernel").asText(),
                        k.has("median_ms") ? num(k.path("median_ms").asDouble(), 3) + " ms" : "–",
                        ratio(k.path("speed_vs_torch")), checks));
            }
            JsonNode t = s.path("forward_target").path("speed_vs_cudnn");
            if (!t.isMissingNode()) {
                verdicts.add(s.path("shape").asText() + " " + t.path("verdict").asText() + " (" + ratio(t) + ")");
            }
        }
        Tables.write(outDir, "gpu-conv", "conv2d on post 02's shapes (NxCxHWxKxR) on "
                        + r.path("environment").path("gpu").asText() + ": every kernel version, checked against the CPU"
                        + " backend, then timed with CUDA events (median); the ratio compares forward kernels with"
                        + " cuDNN's forward, and the engine's forward + backward with cuDNN's (TF32 off)",
                List.of("shape", "kernel", "time", "vs cuDNN [99% CI]", "checks"), rows, List.of(p));
        facts.put("gpu-conv-verdicts", String.join("; ", verdicts));
    }

    private static void epoch(Pinned p, Map<String, String> facts) {
        var it = p.results().properties().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getKey().endsWith("_epoch")) {
                continue;
            }
            String key = e.getKey().replace("_epoch", "");
            JsonNode m = e.getValue();
            facts.put("gpu-" + key + "-epoch", num(m.path("median_s").asDouble(), 3) + " s");
            if (m.has("torch_median_s")) {
                facts.put("gpu-" + key + "-epoch-torch", num(m.path("torch_median_s").asDouble(), 3) + " s");
                facts.put("gpu-" + key + "-epoch-ratio", ratio(m.path("speed_ratio_vs_torch")));
            }
            facts.put("gpu-" + key + "-agreement", m.path("cpu_agreement").path("max_abs_loss_difference").asText("?"));
        }
    }

    private static String ratio(JsonNode r) {
        if (r == null || r.isMissingNode() || !r.has("point")) {
            return "–";
        }
        return num(r.path("point").asDouble(), 2) + "× [" + num(r.path("ci99_low").asDouble(), 2) + ", "
                + num(r.path("ci99_high").asDouble(), 2) + "]";
    }

    private static String num(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }
}
