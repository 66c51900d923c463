package unboxed.brain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Provenance;
import unboxed.io.RepoRoot;
import unboxed.io.Results;

/** This repository's measured throughput: the CPU's generation from its CPUID, a pinned GPU run picked up when there is one. */
class MachinesTest {
    @TempDir
    Path results;

    @Test
    void theZenGenerationFromCpuidFamilyAndModel() {
        assertEquals("Zen 3", Machines.architecture(0x19, 0x01));  // Milan
        assertEquals("Zen 4", Machines.architecture(0x19, 0x11));  // Genoa
        assertEquals("Zen 4", Machines.architecture(0x19, 0xA0));  // Bergamo
        assertEquals("Zen 5", Machines.architecture(0x1A, 0x02));  // Turin
        assertNull(Machines.architecture(6, 0x8F));                // an Intel part
    }

    @Test
    void thePinnedCpuBenchmarkIsFoundAndItsPowerShared() throws IOException {
        Inputs in = Inputs.read(RepoRoot.get());
        Machines.Measured cpu = Machines.cpu(RepoRoot.get().resolve("data/results"));
        assertTrue(cpu.flops() > 1e9, "at least a GFLOP/s");
        double[] w = Machines.watts(cpu, in.computers());
        Estimate row = CitedTable.find(in.computers(), Machines.deviceOf(cpu.architecture(), in.computers()), "power");
        double cores = CitedTable.find(in.computers(), row.subject(), "cores").low();
        assertEquals(row.low() * cpu.coresUsed() / cores, w[0], 1e-12);
        assertEquals(row.high() * cpu.coresUsed() / cores, w[1], 1e-12);
    }

    static void gpuRun(Path file, String gpu) throws IOException {
        Provenance prov = new Provenance("unknown", false, "run.sh", 0, "cuda", "bench", 1, "jdk", "cpu", 1, gpu, "os",
                Instant.EPOCH, 1.0);
        Results.write(file, "02-convolutions", "gpu-sgemm", prov, Map.of("n", 4096, "cublas_fp32_median_ms", 2.0,
                "environment", Map.of("gpu", gpu),
                "versions", List.of(Map.of("kernel", "sgemm_v1", "gflops", 5000.0, "passed", true),
                        Map.of("kernel", "sgemm_v2", "gflops", 40000.0, "passed", false),
                        Map.of("kernel", "sgemm_v3", "gflops", 30000.0, "passed", true))));
    }

    @Test
    void aPinnedGpuRunIsPickedUpAndMatchedToItsRow() throws IOException {
        Inputs in = Inputs.read(RepoRoot.get());
        Files.createDirectories(results.resolve("01-basics"));
        assertTrue(Machines.gpus(results, in.computers()).isEmpty(), "none pinned, none measured");
        gpuRun(results.resolve("02-convolutions/gpu-sgemm.json"), "NVIDIA H100 80GB HBM3");
        List<Machines.Measured> g = Machines.gpus(results, in.computers());
        assertEquals(2, g.size());
        assertEquals("H100", g.get(0).device());
        assertEquals(30000e9, g.get(0).flops(), "the fastest version that passed its check");
        assertEquals(2.0 * 4096 * 4096 * 4096 / 2e-3, g.get(1).flops(), 1, "cuBLAS");
        double[] w = Machines.watts(g.get(0), in.computers());
        assertEquals(CitedTable.find(in.computers(), "H100", "power").high(), w[1]);
    }

    @Test
    void aGpuNoRowNamesIsAnErrorThatSaysWhatToAdd() throws IOException {
        Inputs in = Inputs.read(RepoRoot.get());
        gpuRun(results.resolve("02-convolutions/gpu-sgemm.json"), "NVIDIA GeForce RTX 4090");
        String m = assertThrows(IllegalArgumentException.class, () -> Machines.gpus(results, in.computers())).getMessage();
        assertTrue(m.contains("RTX 4090") && m.contains("computers.csv"), m);
    }
}
