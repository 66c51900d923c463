package unboxed.fluctuations;

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

    static final Experiment.Scale TINY = new Experiment.Scale(24, 16, 6, 2, new int[] {1, 6}, 8, 4,
            3, 16, 200, 100, 1, 50, 0.01, 0.9, 2);

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
        assertEquals(60, Experiment.ids(Experiment.Part.stacks, quick).size());
        assertEquals(30, Experiment.ids(Experiment.Part.trainability, quick).size());
    }

    @Test
    void poolSingleThreadAndShardsMergeToTheSameTree() throws IOException {
        Experiment e = experiment("--seed", "2");
        for (Experiment.Part part : List.of(Experiment.Part.stacks, Experiment.Part.fan, Experiment.Part.interventions)) {
            List<String> ids = Experiment.ids(part, TINY).subList(0, 4);
            List<JsonNode> one = Sweep.run(ids, id -> e.compute(part, TINY, id, null), 1, "test");
            List<JsonNode> two = Sweep.run(ids, id -> e.compute(part, TINY, id, null), 2, "test");
            for (String id : ids) {
                Sweep.writeShard(dir, Experiment.POST, part.name(), id, Provenance.capture(2, "cpu", "quick", 1, "test"),
                        e.compute(part, TINY, id, null));
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
        List<String> ids = Experiment.ids(Experiment.Part.fan, TINY).subList(0, 1);
        List<JsonNode> pts = Sweep.run(ids, id -> e.compute(Experiment.Part.fan, TINY, id, null), 1, "test");
        Experiment.Scale other = new Experiment.Scale(24, 16, 6, 2, new int[] {1, 6}, 16, 4,
                3, 16, 200, 100, 1, 50, 0.01, 0.9, 2);
        assertThrows(IllegalArgumentException.class, () -> e.mergeTrees(Experiment.Part.fan, other, ids, pts));
    }
}
