package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import unboxed.io.Results;

/** Merging a sweep's points, reading them back by configuration, and the point ids' seed suffix. */
class SweepMergeTest {
    @TempDir
    Path root;

    static Map<String, Object> point(Object config, String id, double v) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("v", v);
        p.put("curve", List.of(v, v * 2));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", config);
        m.put("point", p);
        return m;
    }

    @Test
    void mergesInOrderAndReadsBackByConfiguration() throws IOException {
        Map<String, Object> config = Map.of("width", 8);
        List<String> ids = List.of("relu-s0", "relu-s1", "tanh-s0");
        List<JsonNode> pts = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            pts.add(Sweep.canonical(point(config, ids.get(i), i + 1)));
        }
        JsonNode merged = Sweep.merge(config, "stacks", ids, pts);
        assertEquals(8, merged.at("/config/width").asInt());
        assertEquals("tanh-s0", merged.at("/points/2/id").asText());

        Path f = root.resolve("data/results/13-x/stacks.json");
        Results.write(f, "13-x", "stacks", ResultsTest.fixed(), merged);
        SweepPoints sp = new SweepPoints(Pinned.load(f, root));
        assertArrayEquals(new double[] {1, 2}, sp.values("relu", "v"));
        assertArrayEquals(new double[] {3, 6}, sp.rows("tanh", "curve")[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sp.seeds("sigmoid"));
        assertTrue(e.getMessage().contains("no configuration sigmoid") && e.getMessage().contains("regenerate"),
                e.getMessage());
    }

    @Test
    void refusesAPointComputedWithAnotherConfiguration() {
        List<String> ids = List.of("a-s0", "a-s1");
        List<JsonNode> pts = List.of(Sweep.canonical(point(Map.of("width", 8), "a-s0", 1)),
                Sweep.canonical(point(Map.of("width", 16), "a-s1", 2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sweep.merge(Map.of("width", 8), "stacks", ids, pts));
        assertTrue(e.getMessage().contains("stacks/a-s1") && e.getMessage().contains("--scale"), e.getMessage());
    }

    @Test
    void seedSuffix() {
        assertEquals(12, Sweep.seedIndex("relu-he-s12"));
        assertEquals("relu-he", Sweep.configOf("relu-he-s12"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sweep.seedIndex("relu-he"));
        assertTrue(e.getMessage().contains("-s<seed index>"), e.getMessage());
    }

    @Test
    void nonFiniteNumbersReadBack() {
        double[] v = SweepPoints.numbers(Sweep.canonical(List.of(1.0, "Infinity", "-Infinity", "NaN")));
        assertEquals(1.0, v[0]);
        assertEquals(Double.POSITIVE_INFINITY, v[1]);
        assertEquals(Double.NEGATIVE_INFINITY, v[2]);
        assertTrue(Double.isNaN(v[3]));
    }
}
