package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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

/** Runs on different CPUs of one kind sit side by side, newest first, each in its own table. */
class BenchTablesTest {
    static void run(Path dir, String name, String started, double ratio, boolean emulated) throws IOException {
        Provenance prov = new Provenance("0123456789abcdef0123456789abcdef01234567", false, "tools/bench/run.sh", 0,
                "cpu", "bench", 1, "17", "AMD EPYC", 2, null, "Linux", Instant.parse(started), 1.0);
        Map<String, Object> comparison = new LinkedHashMap<>();
        comparison.put("id", "epoch_1t");
        comparison.put("workload", "one epoch");
        comparison.put("ours", Map.of("mean", 100.0));
        comparison.put("peer", Map.of("mean", 100.0 * ratio, "label", "PyTorch"));
        comparison.put("speed_ratio", ratio);
        comparison.put("speed_ratio_ci99", List.of(ratio - 0.01, ratio + 0.01));
        comparison.put("target", 1.0);
        comparison.put("verdict", ratio > 1.01 ? "met" : "missed");
        Results.write(dir.resolve(name + ".json"), "00-test", name, prov, Map.of(
                "kind", Map.of("measured", name.split("-")[1], "emulated", emulated, "how", "approximated"),
                "comparisons", List.of(comparison),
                "work_parity", List.of(List.of("data", "in place", "in place", "in place"))));
    }

    @Test
    void eachCpuOfAKindHasItsTableNewestFirst(@TempDir Path results, @TempDir Path out) throws Exception {
        run(results, "bench-avx512-zen5", "2026-01-01T00:00:00Z", 0.9, false);
        run(results, "bench-avx512-zen4", "2026-02-01T00:00:00Z", 1.2, false);
        run(results, "bench-avx2-zen5", "2026-01-02T00:00:00Z", 0.8, true);
        Map<String, String> facts = new LinkedHashMap<>();
        List<Pinned> runs = BenchTables.write(results, out, facts, "00-test");

        assertEquals(List.of("bench-avx512-zen4", "bench-avx512-zen5", "bench-avx2-zen5"),
                runs.stream().map(Pinned::name).toList());
        assertEquals("Zen 4", facts.get("bench-cpu-avx512"), "the prose cites the newest run of the kind");
        assertEquals("Zen 5", facts.get("bench-cpu-avx2"));
        assertEquals("AVX-512 on Zen 4: epoch_1t met; AVX-512 on Zen 5: epoch_1t missed;"
                + " AVX2 on Zen 5 (approximated): epoch_1t missed", facts.get("bench-kinds"));
        assertEquals(null, facts.get("bench-missed-avx512"), "the newest AVX-512 run met its target");
        assertEquals("one epoch (0.80×)", facts.get("bench-missed-avx2"), "the newest run's missed targets, cited");
        String avx512 = Files.readString(out.resolve("tables/bench-avx512.adoc"));
        int zen4 = avx512.indexOf("tab-bench-avx512-zen4");
        int zen5 = avx512.indexOf("tab-bench-avx512-zen5");
        assertTrue(zen4 >= 0 && zen5 > zen4, "both CPUs' tables, the newest first: " + avx512);
        assertTrue(avx512.contains("1.20×") && avx512.contains("0.90×"), avx512);
        assertTrue(Files.exists(out.resolve("tables/bench-avx512-zen5.adoc")), "each run's table alone too");
        assertTrue(Files.readString(out.resolve("tables/bench-avx2.adoc")).contains("0.80×"));
    }

    /** A workload timed against two peers names the peer in the cited verdicts; one timed against one does not. */
    @Test
    void aWorkloadWithTwoPeersNamesThePeer(@TempDir Path results) throws Exception {
        Provenance prov = new Provenance("0123456789abcdef0123456789abcdef01234567", false, "tools/bench/run.sh", 0,
                "cpu", "bench", 1, "17", "AMD EPYC", 2, null, "Linux", Instant.parse("2026-01-01T00:00:00Z"), 1.0);
        List<Object> comparisons = List.of(
                comparison("conv_1t", "conv, 1 thread", "PyTorch", 0.7, "missed"),
                comparison("conv_djl", "conv, 1 thread", "DJL", 1.2, "not settled"),
                comparison("epoch_1t", "one epoch", "PyTorch", 0.9, "missed"));
        Results.write(results.resolve("bench-avx2-zen5.json"), "00-test", "bench-avx2-zen5", prov, Map.of(
                "kind", Map.of("measured", "avx2", "emulated", true, "how", "approximated"),
                "comparisons", comparisons));
        Pinned run = Pinned.load(results, "bench-avx2-zen5");
        assertEquals("conv, 1 thread against PyTorch (0.70×); one epoch (0.90×)",
                BenchTables.withVerdict(run, "missed"));
        assertEquals("conv, 1 thread against DJL (1.20×)", BenchTables.withVerdict(run, "not settled"));
    }

    private static Map<String, Object> comparison(String id, String workload, String peer, double ratio,
                                                  String verdict) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("workload", workload);
        c.put("ours", Map.of("mean", 100.0));
        c.put("peer", Map.of("mean", 100.0 * ratio, "label", peer));
        c.put("speed_ratio", ratio);
        c.put("speed_ratio_ci99", List.of(ratio - 0.2, ratio + 0.2));
        c.put("target", 1.0);
        c.put("verdict", verdict);
        return c;
    }

    /**
     * A peer whose processes run at different speeds: the table sets its fastest process against
     * ours beside the ratio of the means, so a verdict won on the peer's slow processes shows.
     */
    @Test
    void thePeersFastestProcessStandsBesideTheMeans(@TempDir Path results, @TempDir Path out) throws Exception {
        Provenance prov = new Provenance("0123456789abcdef0123456789abcdef01234567", false, "tools/bench/run.sh", 0,
                "cpu", "bench", 1, "17", "AMD EPYC", 2, null, "Linux", Instant.parse("2026-01-01T00:00:00Z"), 1.0);
        Map<String, Object> comparison = new LinkedHashMap<>();
        comparison.put("id", "dw_fwd_1t");
        comparison.put("workload", "depthwise forward");
        comparison.put("units", "ms/op");
        comparison.put("ours", Map.of("mean", 15.0));
        // three processes: 10, 40 and 20 ms on average
        comparison.put("peer", Map.of("mean", 70.0 / 3, "label", "PyTorch", "runs", 3,
                "iterations", List.of(9.0, 11.0, 40.0, 40.0, 19.0, 21.0)));
        comparison.put("speed_ratio", 70.0 / 3 / 15.0);
        comparison.put("speed_ratio_ci99", List.of(0.5, 2.6));
        comparison.put("target", 1.0);
        comparison.put("verdict", "not settled");
        // the same peer processes against a faster run of ours: met, yet its fastest process wins
        Map<String, Object> met = new LinkedHashMap<>(comparison);
        met.put("id", "dw_fwd_2t");
        met.put("workload", "depthwise forward, 2 threads");
        met.put("ours", Map.of("mean", 12.0));
        met.put("speed_ratio", 70.0 / 3 / 12.0);
        met.put("speed_ratio_ci99", List.of(1.1, 2.9));
        met.put("verdict", "met");
        Results.write(results.resolve("bench-avx512-zen5.json"), "00-test", "bench-avx512-zen5", prov, Map.of(
                "kind", Map.of("measured", "avx512", "emulated", false, "how", "native"),
                "comparisons", List.of(comparison, met),
                "work_parity", List.of(List.of("data", "in place", "in place", "in place"))));
        Map<String, String> facts = new LinkedHashMap<>();
        BenchTables.write(results, out, facts, "00-test");
        String table = Files.readString(out.resolve("tables/bench-avx512-zen5.adoc"));
        assertTrue(table.contains("1.56×"), "the ratio of the means: " + table);
        assertTrue(table.contains("0.67×"), "the fastest process (10 ms) against ours (15 ms): " + table);
        assertEquals("depthwise forward, 2 threads (0.83×)", facts.get("bench-met-on-slow-peers-avx512"),
                "a met verdict the peer's fastest process beat is named; a not-settled one is not");
        assertEquals("depthwise forward (1.56×)", facts.get("bench-not-settled-avx512"));
    }

    @Test
    void pairedRunsShowTheRatioOfEachFork() throws Exception {
        // three forks of two pairs each: the second fork of ours ran at half speed
        com.fasterxml.jackson.databind.JsonNode c = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"paired\": true, \"ours\": {\"iterations\": [10, 10, 20, 20, 10, 10]},"
                + " \"peer\": {\"runs\": 3, \"iterations\": [12, 12, 12, 12, 9, 9]}}");
        assertEquals("per fork 1.20 · 0.60 · 0.90", BenchTables.versusFastest(c, 3));
        // pairs that do not split into the forks evenly say nothing
        com.fasterxml.jackson.databind.JsonNode uneven = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"paired\": true, \"ours\": {\"iterations\": [10, 10, 20]},"
                + " \"peer\": {\"runs\": 2, \"iterations\": [12, 12, 12]}}");
        assertEquals("–", BenchTables.versusFastest(uneven, 2));
    }

    @Test
    void aRunWithoutItsCpuInTheNameIsNotTakenForOne(@TempDir Path results, @TempDir Path out) throws Exception {
        run(results, "bench-avx512", "2026-01-01T00:00:00Z", 0.9, false);
        IOException e = assertThrows(IOException.class,
                () -> BenchTables.write(results, out, new LinkedHashMap<>(), "00-test"));
        assertTrue(e.getMessage().contains("bench-avx512-<cpu>.json") && e.getMessage().contains("make bench POST=00-test"),
                e.getMessage());
    }
}
