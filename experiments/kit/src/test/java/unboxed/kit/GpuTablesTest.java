package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Provenance;
import unboxed.io.Results;

/** The GPU section claims nothing without a pinned run, and shows a pinned run's numbers when there is one. */
class GpuTablesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Provenance provenance() {
        return new Provenance("0123456789abcdef0123456789abcdef01234567", false, "tools/gpu/run.sh", 0, "cuda", "full",
                16, "17", "cpu", 16, "NVIDIA H200", "Linux", Instant.parse("2026-01-01T00:00:00Z"), 1.0);
    }

    static ObjectNode ratio(double point, String verdict) {
        ObjectNode r = JSON.createObjectNode();
        r.put("point", point);
        r.put("ci99_low", point - 0.01);
        r.put("ci99_high", point + 0.01);
        if (verdict != null) {
            r.put("verdict", verdict);
        }
        return r;
    }

    @Test
    void withoutAPinnedRunOnlyTheCompiledKernelsAreShown(@TempDir Path results, @TempDir Path out) throws Exception {
        Map<String, String> facts = new LinkedHashMap<>();
        GpuTables.write(results, out, facts, List.of("sgemm_"));
        assertFalse(facts.containsKey("gpu-measured"));
        assertTrue(facts.get("gpu-status").contains("unmeasured"), facts.get("gpu-status"));
        String kernels = Files.readString(out.resolve("tables/gpu-kernels.adoc"));
        assertTrue(kernels.contains("sgemm_v5_vectorised"), kernels);
        assertFalse(kernels.contains("conv2d_"), "only the post's kernels: " + kernels);
        assertFalse(Files.exists(out.resolve("tables/gpu-sgemm.adoc")));
    }

    @Test
    void aPinnedRunFillsTheTablesAndFacts(@TempDir Path results, @TempDir Path out) throws Exception {
        ObjectNode env = JSON.createObjectNode();
        env.put("gpu", "NVIDIA H200");
        env.put("driver", "580.00");
        env.put("clock_sm", "1980 MHz");
        env.put("clock_max_sm", "1980 MHz");
        ObjectNode sgemm = JSON.createObjectNode();
        sgemm.set("environment", env);
        sgemm.put("n", 4096);
        sgemm.put("cublas_fp32_median_ms", 2.5);
        ArrayNode versions = sgemm.putArray("versions");
        ObjectNode v = versions.addObject();
        v.put("kernel", "sgemm_v5_vectorised");
        v.put("description", "float4 and double buffering");
        v.put("median_ms", 3.1);
        v.put("gflops", 44000.0);
        v.put("passed", true);
        v.set("speed_vs_cublas_fp32", ratio(0.81, null));
        ObjectNode target = sgemm.putObject("target");
        target.put("best_version", "V5_VECTORISED");
        target.set("speed_vs_cublas_fp32", ratio(0.81, "met"));
        Results.write(results.resolve("gpu-sgemm.json"), "01-basics", "gpu-sgemm", provenance(), sgemm);
        ObjectNode fixtures = JSON.createObjectNode();
        fixtures.set("environment", env);
        fixtures.put("cases", 353);
        fixtures.put("passed", 350);
        Results.write(results.resolve("gpu-fixtures.json"), "01-basics", "gpu-fixtures", provenance(), fixtures);
        ObjectNode epoch = JSON.createObjectNode();
        epoch.set("environment", env);
        ObjectNode mlp = epoch.putObject("mlp_epoch");
        mlp.put("median_s", 0.31);
        mlp.put("torch_median_s", 0.42);
        mlp.set("speed_ratio_vs_torch", ratio(1.35, "met"));
        mlp.putObject("cpu_agreement").put("max_abs_loss_difference", 2e-6);
        Results.write(results.resolve("gpu-epoch-mlp.json"), "01-basics", "gpu-epoch-mlp", provenance(), epoch);

        Map<String, String> facts = new LinkedHashMap<>();
        GpuTables.write(results, out, facts, List.of("sgemm_"));
        assertEquals("yes", facts.get("gpu-measured"));
        assertTrue(facts.get("gpu-status").contains("NVIDIA H200"), facts.get("gpu-status"));
        assertEquals("350", facts.get("gpu-fixtures-passed"));
        assertEquals("met", facts.get("gpu-sgemm-verdict"));
        assertEquals("0.81× [0.80, 0.82]", facts.get("gpu-sgemm-ratio"));
        assertEquals("0.310 s", facts.get("gpu-mlp-epoch"));
        assertEquals("1.35× [1.34, 1.36]", facts.get("gpu-mlp-epoch-ratio"));
        String table = Files.readString(out.resolve("tables/gpu-sgemm.adoc"));
        assertTrue(table.contains("sgemm_v5_vectorised") && table.contains("0.81×") && table.contains("data/results")
                || table.contains("gpu-sgemm.json"), table);
    }
}
