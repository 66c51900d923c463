package unboxed.minimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import unboxed.kit.Sweep;

/** The sweeps' points: named once each; the same merged tree from a pool and from one thread. */
class ExperimentTest {
    static final Experiment.Scale TINY = new Experiment.Scale(1, 300, 4, 2, 2);

    static Experiment experiment(String... args) {
        Experiment e = new Experiment();
        new CommandLine(e).parseArgs(args);
        return e;
    }

    @Test
    void pointIdsAreDistinctAndDescribeThemselves() {
        Experiment.Scale quick = Experiment.Scale.of(false);
        for (Experiment.Part part : Experiment.Part.values()) {
            List<String> ids = Experiment.ids(part, quick);
            assertEquals(ids.size(), new HashSet<>(ids).size(), part + ": ids are distinct");
            if (part != Experiment.Part.model) {
                for (String id : ids) {
                    assertEquals(id, Experiment.describe(id).get("id"));
                }
            }
        }
        assertEquals(2 * 2 * 12 * 3, Experiment.ids(Experiment.Part.starts, quick).size());
        assertEquals(112, Experiment.describe("l2-relu-min-none-sgd-112-grey-s1").get("size"));
        assertEquals(true, Experiment.describe("l1-relu-max-none-sgd-28-digit7-s0").get("maximise"));
        assertThrows(IllegalArgumentException.class, () -> Experiment.describe("l1-relu-min-none-sgd-28-cat-s0"));
        assertThrows(IllegalArgumentException.class, () -> Experiment.describe("l1-relu-min-s0"));
    }

    @Test
    void poolAndSingleThreadMergeToTheSameTree() {
        if (!java.nio.file.Files.isDirectory(unboxed.data.Datasets.root().resolve("mnist"))) {
            // stated reason: the CNN is trained on MNIST, which `make data` fetches (make test runs it first)
            org.junit.jupiter.api.Assumptions.abort("MNIST is not fetched: run `make data`");
        }
        for (Experiment.Part part : List.of(Experiment.Part.model, Experiment.Part.starts,
                Experiment.Part.resolution)) {
            List<String> all = Experiment.ids(part, TINY);
            List<String> ids = all.size() > 2 ? List.of(all.get(0), all.get(1), all.get(all.size() - 1)) : all;
            Experiment one = experiment("--seed", "1");
            Experiment two = experiment("--seed", "1");
            List<JsonNode> a = Sweep.run(ids, id -> one.compute(part, TINY, id), 1, "test");
            List<JsonNode> b = Sweep.run(ids, id -> two.compute(part, TINY, id), 2, "test");
            JsonNode merged = one.mergeTrees(part, TINY, ids, a);
            assertEquals(merged, two.mergeTrees(part, TINY, ids, b), part + ": pool");
            assertTrue(merged.at("/points/0").size() > 2);
        }
    }
}
