package unboxed.convintuition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import unboxed.io.Provenance;
import unboxed.kit.Sweep;

/** The sweeps' points: named once each, merged in order, the same from a pool, one thread or shards. */
class ExperimentTest {
    @TempDir
    Path dir;

    /** A scale small enough for a test: a few steps on a few images. */
    static final Experiment.Scale TINY = new Experiment.Scale(64, new int[] {32, 64}, 40, 20, 3, 2, new int[] {5},
            new int[] {4}, new int[] {9}, List.of("mnist"), List.of("mnist"), 2);

    static Experiment experiment(String... args) {
        Experiment e = new Experiment();
        new CommandLine(e).parseArgs(args);
        return e;
    }

    @Test
    void pointIdsAreDistinctConfigurationMajorAndReadBack() {
        Experiment.Scale quick = Experiment.Scale.of(false);
        for (Experiment.Part part : Experiment.Part.values()) {
            List<String> ids = Experiment.ids(part, quick);
            assertEquals(ids.size(), new HashSet<>(ids).size(), part + ": ids are distinct");
            if (part != Experiment.Part.cost) {
                assertTrue(ids.get(0).endsWith("-s0") && ids.get(1).endsWith("-s1"), part + ": seeds together");
                for (String id : ids) {
                    Experiment.Point p = Experiment.Point.parse(id);
                    String back = Experiment.config(p.dataset(), p.arch(), p.images())
                            + (p.intervention() == null ? "" : "-" + p.intervention());
                    assertEquals(Sweep.configOf(id), back, id);
                }
            }
        }
        List<String> acc = Experiment.ids(Experiment.Part.accuracy, quick);
        assertTrue(acc.contains("mnist-conv3-w16-n500-s0") && acc.contains("fashion-fc-w157-n8000-s2"));
        assertTrue(acc.contains("mnist-conv3-w16-pool1-n4000-s1") && acc.contains("mnist-lc15-w16-n4000-s0"));
        assertTrue(Experiment.ids(Experiment.Part.interventions, quick).contains("mnist-lc3-w16-n4000-tied-s0"));
        assertEquals(List.of("fc-w157", "lc3-w16", "conv3-w16"), Experiment.reference().stream().map(Arch::id).toList());
        assertThrows(IllegalArgumentException.class, () -> Experiment.Point.parse("cifar-fc-w16-n500-s0"));
        assertThrows(IllegalArgumentException.class, () -> Experiment.Point.parse("mnist-fc-w16-s0"));
    }

    @Test
    void poolSingleThreadAndShardsMergeToTheSameTree() throws IOException {
        Experiment e = experiment("--seed", "2");
        for (Experiment.Part part : Experiment.Part.values()) {
            List<String> all = Experiment.ids(part, TINY);
            List<String> ids = part == Experiment.Part.accuracy
                    ? List.of("mnist-conv3-w16-n64-s0", "mnist-conv3-w16-n64-s1", "mnist-lc9-w16-n64-s0")
                    : all.subList(0, Math.min(2, all.size()));
            Map<String, Training.Data> data = Experiment.load(part, TINY, ids);
            List<JsonNode> one = Sweep.run(ids, id -> e.compute(part, TINY, id, data), 1, "test");
            List<JsonNode> two = Sweep.run(ids, id -> e.compute(part, TINY, id, data), 2, "test");
            for (String id : ids) {
                Sweep.writeShard(dir, Experiment.POST, part.name(), id, Provenance.capture(2, "cpu", "quick", 1, "test"),
                        e.compute(part, TINY, id, data));
            }
            List<JsonNode> shards = Sweep.readShards(dir, Experiment.POST, part.name(), ids);
            JsonNode merged = e.mergeTrees(part, TINY, ids, one);
            assertEquals(merged, e.mergeTrees(part, TINY, ids, two), part + ": pool");
            assertEquals(merged, e.mergeTrees(part, TINY, ids, shards), part + ": shards");
            assertEquals(2000L, merged.at("/points/0/seed").asLong(), "seed = --seed · 1000 + k");
        }
    }

    @Test
    void theReferencePointsMeasureTranslationAndTheConvolutionIsExactlyEquivariant() {
        Experiment e = experiment();
        String id = "mnist-conv3-w16-n64-s0";
        JsonNode p = Sweep.canonical(e.compute(Experiment.Part.accuracy, TINY, id,
                uncheckedLoad(List.of(id)))).get("point");
        assertEquals(Experiment.MAX_SHIFT + 1, p.get("shift_accuracy").size());
        for (JsonNode v : p.get("equivariance")) {
            assertEquals(0.0, v.asDouble(), "a convolution's maps shift with the image, exactly");
        }
        assertEquals(0.0, p.get("invariance").get(0).asDouble(), "no shift, no change");
        assertTrue(p.get("invariance").get(3).asDouble() > 0);
        // the tied locally connected network starts exactly equivariant, and training unties it
        String tied = "mnist-lc3-w16-n64-tied-s0";
        JsonNode t = Sweep.canonical(e.compute(Experiment.Part.interventions, TINY, tied,
                uncheckedLoad(List.of(tied)))).get("point");
        for (JsonNode v : t.get("equivariance_at_init")) {
            assertEquals(0.0, v.asDouble());
        }
        assertTrue(t.get("equivariance").get(1).asDouble() > 0, "training moved the positions apart");
    }

    @Test
    void aShardOfAnotherScaleIsRefused() {
        Experiment e = experiment();
        List<String> ids = Experiment.ids(Experiment.Part.cost, TINY).subList(0, 1);
        List<JsonNode> pts = Sweep.run(ids, id -> e.compute(Experiment.Part.cost, TINY, id, Map.of()), 1, "test");
        Experiment.Scale other = new Experiment.Scale(64, new int[] {32, 64}, 40, 20, 3, 2, new int[] {5},
                new int[] {4}, new int[] {5}, List.of("mnist"), List.of("mnist"), 2);
        assertThrows(IllegalArgumentException.class, () -> e.mergeTrees(Experiment.Part.cost, other, ids, pts));
    }

    private static Map<String, Training.Data> uncheckedLoad(List<String> ids) {
        try {
            return Experiment.load(Experiment.Part.accuracy, TINY, ids);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
