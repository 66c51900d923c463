package unboxed.exhaustion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import unboxed.io.Provenance;
import unboxed.kit.Sweep;

/** The sweeps' points: named once each, merged in order, the same from a pool, one thread or shards. */
class ExperimentTest {
    @TempDir
    Path dir;

    static final Experiment.Scale TINY = new Experiment.Scale(List.of("0.1", "pi"), List.of("pi"), new int[] {8},
            new int[] {1}, 2, 1, 3, 40);

    static Experiment experiment(String... args) {
        Experiment e = new Experiment();
        new CommandLine(e).parseArgs(args);
        return e;
    }

    @Test
    void pointIdsAreDistinctAndConfigurationMajor() {
        Experiment.Scale quick = Experiment.Scale.of(false);
        for (Experiment.Part part : Experiment.Part.values()) {
            List<String> ids = Experiment.ids(part, quick);
            assertEquals(ids.size(), new HashSet<>(ids).size(), part + ": ids are distinct");
            assertTrue(ids.get(0).endsWith("-s0") && ids.get(1).endsWith("-s1"), part + ": seeds of a configuration together");
            for (String id : ids) {
                assertEquals(id, Experiment.describe(part, id).get("id"));
            }
        }
        // 9 loads × 5 seeds, then (2 widths + 2 depths + tanh) × 5 loads × 3 seeds
        assertEquals(45 + 75, Experiment.ids(Experiment.Part.fatigue, quick).size());
        assertEquals(2 * 5 * 5, Experiment.ids(Experiment.Part.interventions, quick).size());
        assertEquals(2 * 8 * 5, Experiment.ids(Experiment.Part.attacks, quick).size());
        assertEquals(Math.PI, Experiment.describe(Experiment.Part.fatigue, "relu-w128-d2-deltapi-s2").get("delta"));
        assertEquals(128, Experiment.describe(Experiment.Part.fatigue, "relu-w128-d2-deltapi-s2").get("width"));
        assertEquals("reinit-dead", Experiment.describe(Experiment.Part.interventions, "reinit-dead-delta1-s0")
                .get("intervention"));
        assertEquals("lr-spikes", Experiment.describe(Experiment.Part.attacks, "tanh-lr-spikes-s4").get("attack"));
        assertThrows(IllegalArgumentException.class, () -> Experiment.describe(Experiment.Part.attacks, "relu-nope-s0"));
    }

    @Test
    void poolSingleThreadAndShardsMergeToTheSameTree() throws IOException {
        Experiment e = experiment("--seed", "2");
        for (Experiment.Part part : Experiment.Part.values()) {
            List<String> all = Experiment.ids(part, TINY);
            List<String> ids = List.of(all.get(0), all.get(1), all.get(all.size() - 1));
            List<JsonNode> one = Sweep.run(ids, id -> e.compute(part, TINY, id), 1, "test");
            List<JsonNode> two = Sweep.run(ids, id -> e.compute(part, TINY, id), 2, "test");
            for (String id : ids) {
                Sweep.writeShard(dir, Experiment.POST, part.name(), id, Provenance.capture(2, "cpu", "quick", 1, "test"),
                        e.compute(part, TINY, id));
            }
            List<JsonNode> shards = Sweep.readShards(dir, Experiment.POST, part.name(), ids);
            JsonNode merged = e.mergeTrees(part, TINY, ids, one);
            assertEquals(merged, e.mergeTrees(part, TINY, ids, two), part + ": pool");
            assertEquals(merged, e.mergeTrees(part, TINY, ids, shards), part + ": shards");
            assertEquals(2000L, merged.at("/points/0/seed").asLong(), "seed = --seed · 1000 + k");
        }
    }

    @Test
    void aShardOfAnotherScaleIsRefused() {
        Experiment e = experiment();
        List<String> ids = Experiment.ids(Experiment.Part.attacks, TINY).subList(0, 1);
        List<JsonNode> pts = Sweep.run(ids, id -> e.compute(Experiment.Part.attacks, TINY, id), 1, "test");
        Experiment.Scale other = new Experiment.Scale(List.of("0.1", "pi"), List.of("pi"), new int[] {8},
                new int[] {1}, 2, 1, 3, 50);
        assertThrows(IllegalArgumentException.class, () -> e.mergeTrees(Experiment.Part.attacks, other, ids, pts));
    }
}
