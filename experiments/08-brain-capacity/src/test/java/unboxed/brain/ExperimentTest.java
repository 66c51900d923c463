package unboxed.brain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

    static final Experiment.Scale TINY = new Experiment.Scale(new int[] {2, 4}, 2, 1, 2, 50);

    static Experiment experiment(String... args) {
        Experiment e = new Experiment();
        new CommandLine(e).parseArgs(args);
        return e;
    }

    @Test
    void pointIdsAreDistinct() {
        Experiment.Scale quick = Experiment.Scale.of(false);
        for (Experiment.Part part : Experiment.Part.values()) {
            List<String> ids = Experiment.ids(part, quick);
            assertEquals(ids.size(), new HashSet<>(ids).size(), part + ": ids are distinct");
        }
        assertEquals(30, Experiment.ids(Experiment.Part.width, quick).size());
        assertEquals(3 + 2 * Projection.IDS.size(), Experiment.ids(Experiment.Part.projection, quick).size());
        assertTrue(quick.seeds() >= 3, "at least 3 seeds per point");
        assertEquals(1024, Experiment.widthOf("w1024-s2"));
    }

    @Test
    void poolSingleThreadAndShardsMergeToTheSameTree() throws IOException {
        Experiment e = experiment("--seed", "2");
        for (Experiment.Part part : Experiment.Part.values()) {
            List<String> all = Experiment.ids(part, TINY);
            List<String> ids = all.size() > 2 ? List.of(all.get(0), all.get(1), all.get(all.size() - 1)) : all;
            var body = e.points(part, TINY);
            List<JsonNode> one = Sweep.run(ids, body, 1, "test");
            List<JsonNode> two = Sweep.run(ids, body, 2, "test");
            for (String id : ids) {
                Sweep.writeShard(dir, Experiment.POST, part.name(), id, Provenance.capture(2, "cpu", "quick", 1, "test"),
                        body.apply(id));
            }
            List<JsonNode> shards = Sweep.readShards(dir, Experiment.POST, part.name(), ids);
            JsonNode merged = e.mergeTrees(part, TINY, ids, one);
            assertEquals(merged, e.mergeTrees(part, TINY, ids, two), part + ": pool");
            assertEquals(merged, e.mergeTrees(part, TINY, ids, shards), part + ": shards");
        }
    }

    @Test
    void theSeedMovesTheBootstrapAndIsRecorded() throws IOException {
        JsonNode a = Sweep.canonical(experiment("--seed", "1").points(Experiment.Part.trends, TINY).apply("all"));
        JsonNode b = Sweep.canonical(experiment("--seed", "2").points(Experiment.Part.trends, TINY).apply("all"));
        assertEquals(1, a.at("/config/bootstrap_seed").asInt());
        assertNotEquals(a.at("/point/trends/0/slope_quantiles"), b.at("/point/trends/0/slope_quantiles"));
        assertEquals(a.at("/point/trends/0/fit"), b.at("/point/trends/0/fit"), "the fit itself has no randomness");
    }

    @Test
    void aShardOfAnotherScaleIsRefused() throws IOException {
        Experiment e = experiment();
        List<String> ids = List.of("all");
        List<JsonNode> pts = Sweep.run(ids, e.points(Experiment.Part.trends, TINY), 1, "test");
        Experiment.Scale other = new Experiment.Scale(new int[] {2, 4}, 2, 1, 2, 60);
        assertThrows(IllegalArgumentException.class, () -> e.mergeTrees(Experiment.Part.trends, other, ids, pts));
    }
}
