package unboxed.brain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import unboxed.kit.BenchTables;
import unboxed.kit.Pinned;

/**
 * This repository's own measured throughput, from other posts' pinned results: the engine's SGEMM
 * on the CPU (post 01's benchmark, {@code data/results/01-basics/bench-*.json}, the kind the
 * machine really is, not an emulated one) and, where a run of the GPU kit is pinned
 * ({@code data/results/<post>/gpu-sgemm.json}), on the GPU. Each measurement is matched to its
 * row of {@code computers.csv} for the power it draws.
 */
final class Machines {
    /** The CPU benchmark this post reads: matmul 1024³ on every core the benchmark machine has. */
    static final String CPU_COMPARISON = "sgemm_1024_2t";

    private Machines() {
    }

    /** A measurement: what ran, where it is pinned, how fast, and the table row that gives its power. */
    record Measured(String what, Pinned source, double flops, String device, String architecture, int coresUsed,
                    String note) {
    }

    /**
     * The engine's SGEMM on the CPU: post 01's newest run of the first kind (AVX-512, then AVX2)
     * measured on a machine of that kind (not approximated), its GFLOP/s, its recorded CPU and the Zen generation its CPUID family and
     * model name.
     */
    static Measured cpu(Path resultsRoot) throws IOException {
        Path dir = resultsRoot.resolve("01-basics");
        List<Pinned> runs = new ArrayList<>();
        for (String kind : BenchTables.KINDS) {
            runs.addAll(BenchTables.runs(dir, kind));
        }
        for (Pinned p : runs) {
            if (p.at("/kind/emulated").asBoolean(true)) {
                continue;  // an AVX2 machine approximated on this one: not a measurement of a real chip
            }
            for (JsonNode c : p.at("/comparisons")) {
                if (c.path("id").asText().equals(CPU_COMPARISON)) {
                    JsonNode cpu = p.provenanceJson().path("cpu_details");
                    int family = cpu.path("family").asInt(-1);
                    int model = cpu.path("model").asInt(-1);
                    String arch = architecture(family, model);
                    if (arch == null) {
                        throw new IllegalArgumentException(p.relativePath() + " was measured on CPU family " + family
                                + " model " + model + ", which is not a Zen 3, 4 or 5: add its row to"
                                + " data/brain-capacity/computers.csv and its mapping in Machines.architecture");
                    }
                    int threads = c.path("ours").path("params").path("threads").asInt(2);
                    return new Measured("this repository's SGEMM, " + threads + " threads", p,
                            c.path("gflops_ours").asDouble() * 1e9, p.provenanceJson().path("cpu").asText(), arch,
                            threads, c.path("workload").asText());
                }
            }
        }
        throw new IllegalStateException("no benchmark of the engine's SGEMM on a real (not emulated) CPU is pinned in "
                + dir + ": run `make bench POST=01-basics`");
    }

    /**
     * The Zen generation of an AMD CPU from its CPUID family and model (AMD's numbering: family 19h
     * holds Zen 3, models 00h–0Fh and 20h–5Fh, and Zen 4, the others; family 1Ah is Zen 5), or null.
     */
    static String architecture(int family, int model) {
        if (family == 0x19) {
            return model < 0x10 || (model >= 0x20 && model < 0x60) ? "Zen 3" : "Zen 4";
        }
        return family == 0x1A ? "Zen 5" : null;
    }

    /**
     * The GPU kit's SGEMM, wherever a run is pinned ({@code data/results/<post>/gpu-sgemm.json}):
     * the fastest version that passed its check, and cuBLAS, each matched by name to a row of
     * {@code computers.csv}; empty when none is pinned.
     */
    static List<Measured> gpus(Path resultsRoot, List<Estimate> computers) throws IOException {
        List<Measured> out = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(resultsRoot)) {
            s.map(d -> d.resolve("gpu-sgemm.json")).filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        for (Path f : files) {
            Pinned p = Pinned.load(f);
            String name = p.at("/environment/gpu").asText();
            String device = null;
            for (String d : CitedTable.subjects(computers)) {
                String bare = d.replace("Tesla ", "");
                if (name.contains(bare) && (device == null || bare.length() > device.replace("Tesla ", "").length())) {
                    device = d;
                }
            }
            if (device == null) {
                throw new IllegalArgumentException(p.relativePath() + " was measured on '" + name + "', which no row of"
                        + " data/brain-capacity/computers.csv names: add the GPU's row (its power draw)");
            }
            String arch = CitedTable.find(computers, device, "power").get("architecture");
            double best = 0;
            String bestKernel = null;
            for (JsonNode v : p.at("/versions")) {
                if (v.path("passed").asBoolean() && v.path("gflops").asDouble() > best) {
                    best = v.path("gflops").asDouble();
                    bestKernel = v.path("kernel").asText();
                }
            }
            if (bestKernel != null) {
                out.add(new Measured("this repository's SGEMM (" + bestKernel + ")", p, best * 1e9, device, arch, 0,
                        name));
            }
            if (p.results().has("cublas_fp32_median_ms")) {
                double n = p.number("/n");
                out.add(new Measured("cuBLAS SGEMM", p, 2 * n * n * n / (p.number("/cublas_fp32_median_ms") * 1e-3),
                        device, arch, 0, name));
            }
        }
        return out;
    }

    /**
     * The power a measurement draws, low and high: for a GPU its board's power range; for CPU cores
     * their share of the package power (power × cores used / cores), the share a cloud machine of
     * that many cores rents.
     */
    static double[] watts(Measured m, List<Estimate> computers) {
        String device = m.coresUsed() > 0 ? deviceOf(m.architecture(), computers) : m.device();
        Estimate power = CitedTable.find(computers, device, "power");
        double share = 1;
        if (m.coresUsed() > 0) {
            share = m.coresUsed() / CitedTable.find(computers, device, "cores").low();
        }
        return new double[] {power.low() * share, power.high() * share};
    }

    /** The CPU row of an architecture (the table holds one EPYC per Zen generation). */
    static String deviceOf(String architecture, List<Estimate> computers) {
        for (Estimate e : computers) {
            if (e.get("kind").equals("cpu") && e.get("architecture").equals(architecture)) {
                return e.subject();
            }
        }
        throw new IllegalArgumentException("data/brain-capacity/computers.csv has no CPU of architecture "
                + architecture + ": add one (its cores and power)");
    }

    /** A measurement as the results file records it. */
    static Map<String, Object> describe(Measured m, List<Estimate> computers) {
        double[] w = watts(m, computers);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("what", m.what());
        r.put("source", m.source().relativePath());
        r.put("source_sha256", m.source().sha256());
        r.put("machine", m.device());
        r.put("architecture", m.architecture());
        r.put("table_row", m.coresUsed() > 0 ? deviceOf(m.architecture(), computers) : m.device());
        r.put("cores_used", m.coresUsed());
        r.put("flops", m.flops());
        r.put("watts_low", w[0]);
        r.put("watts_high", w[1]);
        r.put("joules_per_flop_low", w[0] / m.flops());
        r.put("joules_per_flop_high", w[1] / m.flops());
        r.put("note", m.note());
        return r;
    }
}
