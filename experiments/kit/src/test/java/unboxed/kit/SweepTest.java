package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

class SweepTest {
    @TempDir
    Path dir;

    static List<String> ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("p" + i);
        }
        return ids;
    }

    /** A point whose run time varies, so that with several workers they finish out of order. */
    static Object point(String id) {
        int i = Integer.parseInt(id.substring(1));
        Tensor x = Tensor.randn(new Rng(i), 64, 64);
        for (int k = 0; k < (i % 3) * 20; k++) {
            x = x.matmul(x).mul(1f / 8);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("sum", x.sum().item());
        m.put("third", 1.0 / 3 * i);
        m.put("nan", Double.NaN);
        return m;
    }

    @Test
    void resultsComeInPointOrderWhateverTheWorkerCount() {
        List<JsonNode> one = Sweep.run(ids(12), SweepTest::point, 1, "test");
        List<JsonNode> four = Sweep.run(ids(12), SweepTest::point, 4, "test");
        assertEquals(one, four);
        for (int i = 0; i < 12; i++) {
            assertEquals("p" + i, four.get(i).get("id").asText());
        }
    }

    @Test
    void shardsMergeToTheSameTrees() throws IOException {
        List<String> ids = ids(5);
        for (String id : ids) {
            Sweep.writeShard(dir, "99-test", "grid", id, ResultsTest.fixed(), point(id));
        }
        assertEquals(Sweep.run(ids, SweepTest::point, 2, "test"), Sweep.readShards(dir, "99-test", "grid", ids));
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        Sweep.writeShard(dir, "99-test", "grid", "p0", ResultsTest.fixed(), point("p0"));
        IOException e = assertThrows(IOException.class, () -> Sweep.readShards(dir, "99-test", "grid", ids(3)));
        assertTrue(e.getMessage().contains("2 of 3 shards missing") && e.getMessage().contains("p1, p2"),
                e.getMessage());
        assertThrows(IOException.class, () -> Sweep.readShards(dir, "98-other", "grid", List.of("p0")));
    }

    @Test
    void aFailingPointIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Sweep.run(ids(4), id -> {
            if (id.equals("p2")) {
                throw new IllegalArgumentException("boom");
            }
            return Map.of("ok", true);
        }, 2, "test"));
        assertTrue(e.getMessage().contains("point p2") && e.getMessage().contains("boom"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sweep.run(List.of("a", "a"), id -> 1, 1, "test"));
    }
}
