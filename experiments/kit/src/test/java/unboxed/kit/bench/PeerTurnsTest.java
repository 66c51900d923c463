package unboxed.kit.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerTurnsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A turns file whose peer is a shell loop: it answers each request with {@code reply}, and logs the requests. */
    private static PeerTurns turns(Path dir, String reply) throws Exception {
        Path log = dir.resolve("requests.txt");
        String loop = "while IFS= read -r line; do printf '%s\\n' \"$line\" >> '" + log + "'; printf '%s\\n' '" + reply
                + "'; done";
        Map<String, Object> file = Map.of(
                "command", List.of("sh", "-c", loop),
                "workloads", List.of(Map.of("benchmark", "SgemmBench.sgemm_1024", "params", Map.of("threads", "1"),
                        "peer", "matmul_1024")));
        Path path = dir.resolve("turns.json");
        Files.writeString(path, JSON.writeValueAsString(file));
        return new PeerTurns(path.toString());
    }

    @Test
    void matchesBenchmarkByNameAndEveryGivenParameter() throws Exception {
        JsonNode w = JSON.readTree("[{\"benchmark\": \"SgemmBench.sgemm_1024\", \"params\": {\"threads\": \"1\"},"
                + " \"peer\": \"matmul_1024\"}, {\"benchmark\": \"EpochBench.trainOneEpoch\", \"peer\": \"mlp_epoch\"}]");
        Map<String, String> one = Map.of("threads", "1");
        Map<String, String> two = Map.of("threads", "2");
        assertEquals("matmul_1024", PeerTurns.workloadFor(w, "unboxed.basics.bench.SgemmBench.sgemm_1024", one::get));
        assertNull(PeerTurns.workloadFor(w, "unboxed.basics.bench.SgemmBench.sgemm_1024", two::get));
        assertNull(PeerTurns.workloadFor(w, "unboxed.basics.bench.XSgemmBench.sgemm_1024", one::get));
        assertNull(PeerTurns.workloadFor(w, "unboxed.basics.bench.DjlPeerBench.djlMatmul_1024", one::get));
        assertEquals("mlp_epoch", PeerTurns.workloadFor(w, "unboxed.basics.bench.EpochBench.trainOneEpoch", k -> null));
    }

    @Test
    void asksForOneIterationAndReadsItsTime(@TempDir Path dir) throws Exception {
        PeerTurns t = turns(dir, "{\"ms\": 2.5, \"cpu_over_wall\": 0.99}");
        assertArrayEquals(new double[] {2.5, 0.99}, t.turn("matmul_1024", false, false, 1.0));
        assertArrayEquals(new double[] {2.5, 0.99}, t.turn("matmul_1024", true, false, 1.0));
        t.stop();
        List<String> requests = Files.readAllLines(dir.resolve("requests.txt"));
        assertEquals(2, requests.size());
        JsonNode first = JSON.readTree(requests.get(0));
        assertEquals("matmul_1024", first.path("name").asText());
        assertEquals(false, first.path("measured").asBoolean());
        assertEquals(1.0, first.path("seconds").asDouble());
        assertEquals(true, JSON.readTree(requests.get(1)).path("measured").asBoolean());
    }

    @Test
    void aPeerErrorStopsTheBenchmarkWithItsMessage(@TempDir Path dir) throws Exception {
        PeerTurns t = turns(dir, "{\"error\": \"ValueError: no workload named x\"}");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.turn("x", true, false, 1.0));
        assertTrue(e.getMessage().contains("no workload named x"), e.getMessage());
        t.stop();
    }

    @Test
    void anAnswerWithoutATimeIsAnError(@TempDir Path dir) throws Exception {
        PeerTurns t = turns(dir, "{\"cpu_over_wall\": 1.0}");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.turn("matmul_1024", true, false, 1.0));
        assertTrue(e.getMessage().contains("no time"), e.getMessage());
        t.stop();
    }

    @Test
    void aMissingTurnsFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");
        Exception e = assertThrows(RuntimeException.class, () -> new PeerTurns(missing.toString()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
