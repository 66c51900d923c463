package unboxed.learningrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import unboxed.io.Provenance;
import unboxed.kit.Sweep;

/** The sweeps' points: named once each, described back from their ids, the same from a pool, one thread or shards. */
class ExperimentTest {
    @TempDir
    Path dir;

    /** A scale small enough for a test: few points, few steps. */
    static final Experiment.Scale TINY = new Experiment.Scale(new Experiment.Mlp(32, 20, 1, 2),
            new Experiment.Cnn(64, 32, 32, 16, 1, 1, 2, 16), new int[] {1, 4}, new int[] {8}, 20, 1, 1,
            List.of(0.05), List.of(1.5), 20, 10, new int[] {32}, List.of(0.5), 20, 5, List.of(0.1), 10);

    static Experiment experiment(String... args) {
        Experiment e = new Experiment();
        new CommandLine(e).parseArgs(args);
        return e;
    }

    @Test
    void pointIdsAreDistinctAndDescribeTheirConfiguration() {
        Experiment.Scale quick = Experiment.Scale.of(false);
        for (Experiment.Part part : Experiment.Part.values()) {
            List<String> ids = Experiment.ids(part, quick);
            assertEquals(ids.size(), new HashSet<>(ids).size(), part + ": ids are distinct");
            for (String id : ids) {
                assertEquals(id, Experiment.describe(part, id).get("id"));
                assertTrue(id.matches("[a-z0-9][a-z0-9.-]*"), id);
            }
        }
        // 19 rates from 1e-5 to 10 (3 a decade), 3 seeds each
        assertEquals(19 * 3, Experiment.ids(Experiment.Part.mlp, quick).size());
        assertEquals(2.15e-5, Experiment.describe(Experiment.Part.mlp, "lr0.0000215-s0").get("lr"));
        assertEquals(10.0, Experiment.describe(Experiment.Part.cnn, "lr10-s2").get("lr"));
        assertEquals(256, Experiment.describe(Experiment.Part.dimension, "d256-w32-s1").get("d"));
        assertEquals(32, Experiment.describe(Experiment.Part.dimension, "d256-w32-s1").get("width"));
        assertEquals(1.6, Experiment.describe(Experiment.Part.dynamics, "catapult-c1.6-s0").get("multiple"));
        assertEquals("warmup", Experiment.describe(Experiment.Part.warmup, "warmup-lr0.7-s2").get("mode"));
        assertEquals("onecycle", Experiment.describe(Experiment.Part.schedules, "onecycle-lr1-s0").get("schedule"));
        assertEquals(List.of("demo-s0"), Experiment.ids(Experiment.Part.threeways, quick));
        assertThrows(IllegalArgumentException.class, () -> Experiment.describe(Experiment.Part.warmup, "sideways-lr0.1-s0"));
        assertThrows(IllegalArgumentException.class, () -> Experiment.describe(Experiment.Part.mlp, "lr-1-s0"));
        assertThrows(IllegalArgumentException.class, () -> Experiment.describe(Experiment.Part.dynamics, "what-lr1-s0"));
    }

    @Test
    void theGridNamesItsRatesExactly() {
        List<Double> g = Grid.logSpaced(-5, 1, 3);
        assertEquals(19, g.size());
        assertEquals(1e-5, g.get(0));
        assertEquals(2.15e-5, g.get(1));
        assertEquals(10.0, g.get(18));
        for (double lr : g) {
            assertEquals(lr, Grid.parse(Grid.text(lr)), "the id's text is the rate");
        }
        assertEquals("0.0000215", Grid.text(2.15e-5));
        assertThrows(IllegalArgumentException.class, () -> Grid.parse("0"));
    }

    /** Every regression sweep (the image sweeps need the dataset, which the reproduce run covers) merges to one tree. */
    @Test
    void poolSingleThreadAndShardsMergeToTheSameTree() throws IOException {
        Experiment e = experiment("--seed", "2");
        for (Experiment.Part part : List.of(Experiment.Part.mlp, Experiment.Part.dimension, Experiment.Part.dynamics,
                Experiment.Part.warmup, Experiment.Part.demo)) {
            List<String> ids = Experiment.ids(part, TINY);
            Function<String, Object> body = e.points(part, TINY);
            List<JsonNode> one = Sweep.run(ids, body, 1, "test");
            List<JsonNode> two = Sweep.run(ids, body, 2, "test");
            for (String id : ids) {
                Sweep.writeShard(dir, Experiment.POST, part.name(), id, Provenance.capture(2, "cpu", "quick", 1, "test"),
                        body.apply(id));
            }
            List<JsonNode> shards = Sweep.readShards(dir, Experiment.POST, part.name(), ids);
            Object config = e.config(part, TINY);
            JsonNode merged = Sweep.merge(config, part.name(), ids, one);
            assertEquals(merged, Sweep.merge(config, part.name(), ids, two), part + ": pool");
            assertEquals(merged, Sweep.merge(config, part.name(), ids, shards), part + ": shards");
            assertEquals(2000L, merged.at("/points/0/seed").asLong(), "seed = --seed · 1000 + k");
        }
    }

    /** The same seed gives the same network at every rate (common random numbers): λ₀ is the seed's, not the rate's. */
    @Test
    void everyRateOfASeedStartsFromTheSameNetwork() throws IOException {
        Experiment e = experiment();
        Function<String, Object> body = e.points(Experiment.Part.mlp, TINY);
        JsonNode a = Sweep.canonical(body.apply("lr0.00001-s1"));
        JsonNode b = Sweep.canonical(body.apply("lr10-s1"));
        assertEquals(a.at("/point/lambda0"), b.at("/point/lambda0"));
        assertEquals("blew-up", b.at("/point/status").asText());
        assertEquals("Infinity", b.at("/point/final_rel_loss").asText());
    }

    @Test
    void theBatchSweepLeavesOutTheCnnSweepsOwnBatch() {
        Experiment.Scale bad = new Experiment.Scale(TINY.mlp(), TINY.cnn(), TINY.dims(), TINY.widths(), 20, 1, 1,
                TINY.eosRates(), TINY.catapult(), 20, 10, new int[] {TINY.cnn().batch()}, TINY.warmupRates(), 20, 5,
                TINY.schedulePeaks(), 10);
        IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> Experiment.ids(Experiment.Part.batch, bad));
        assertTrue(ex.getMessage().contains("CNN sweep"), ex.getMessage());
    }
}
