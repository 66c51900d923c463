package unboxed.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import unboxed.data.Dataset;
import unboxed.io.Provenance;
import unboxed.kit.Sweep;
import unboxed.kit.stats.Channels;
import unboxed.tensor.Rng;

/**
 * The sweeps' points: named once each, computed from their id alone, merged to the same tree from a
 * pool, one thread or shards; and every part of a point there, on small synthetic data (CIFAR-10's
 * shape included, which cannot be fetched here).
 */
class ExperimentTest {
    @TempDir
    Path dir;

    static final Experiment.Scale TINY = new Experiment.Scale(1, new int[] {2, 4}, 120, 1, 120, 1, 2, 2, 2, 1);

    static Experiment experiment(String... args) {
        Experiment e = new Experiment();
        new CommandLine(e).parseArgs(args);
        return e;
    }

    /**
     * {@code perClass} images of each of 10 classes, class k a bright square at a place of its own on
     * noise, so that a network can learn something from a few hundred of them.
     */
    static Dataset synthetic(String name, int perClass, int channels, int size, long seed) {
        Rng rng = new Rng(seed);
        int n = 10 * perClass;
        float[] px = new float[n * channels * size * size];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int k = i % 10;
            labels[i] = k;
            int r0 = (k / 5) * size / 2;
            int c0 = (k % 5) * size / 5;
            for (int c = 0; c < channels; c++) {
                for (int r = 0; r < size; r++) {
                    for (int col = 0; col < size; col++) {
                        boolean in = r >= r0 && r < r0 + size / 2 && col >= c0 && col < c0 + size / 5;
                        px[((i * channels + c) * size + r) * size + col] = (float) ((in ? 0.7 : 0) + 0.3 * rng.nextDouble());
                    }
                }
            }
        }
        return new Dataset(name, px, labels, channels, size, size, 10, null);
    }

    static Study.Data data(Experiment.Part part, int channels, int size) {
        return Experiment.data(part, TINY, synthetic("train", 12, channels, size, 1),
                synthetic("test", ProbeSet.PER_CLASS + TINY.ablationPerClass(part), channels, size, 2),
                synthetic("other", ProbeSet.PER_CLASS, 1, 28, 3));
    }

    @Test
    void pointIdsAreDistinctAndConfigurationMajor() {
        Experiment.Scale quick = Experiment.Scale.of(false);
        for (Experiment.Part part : Experiment.Part.values()) {
            List<String> ids = Experiment.ids(part, quick);
            assertEquals(ids.size(), new HashSet<>(ids).size(), part + ": ids are distinct");
            assertTrue(ids.get(0).endsWith("-s0") && ids.get(1).endsWith("-s1"), part + ": seeds of a configuration together");
            assertEquals(quick.seeds(), ids.stream().filter(i -> i.startsWith(Sweep.configOf(ids.get(0)))).count());
        }
        assertEquals(6 * 3, Experiment.ids(Experiment.Part.widths, quick).size());
        assertEquals("w64-s0", Experiment.ids(Experiment.Part.widths, quick).get(0), "the widest (longest) points first");
        assertTrue(quick.seeds() >= 3, "at least 3 seeds per point");
    }

    @Test
    void poolSingleThreadAndShardsMergeToTheSameTree() throws IOException {
        Experiment e = experiment("--seed", "2");
        for (Experiment.Part part : List.of(Experiment.Part.widths, Experiment.Part.mnist)) {
            Study.Data d = data(part, 1, 28);
            List<String> ids = Experiment.ids(part, TINY).subList(0, 2);
            List<JsonNode> one = Sweep.run(ids, id -> e.compute(part, TINY, id, d), 1, "test");
            List<JsonNode> two = Sweep.run(ids, id -> e.compute(part, TINY, id, d), 2, "test");
            for (String id : ids) {
                Sweep.writeShard(dir, Experiment.POST, part.name(), id, Provenance.capture(2, "cpu", "quick", 1, "test"),
                        e.compute(part, TINY, id, d));
            }
            List<JsonNode> shards = Sweep.readShards(dir, Experiment.POST, part.name(), ids);
            JsonNode merged = e.mergeTrees(part, TINY, ids, one);
            assertEquals(merged, e.mergeTrees(part, TINY, ids, two), part + ": pool");
            assertEquals(merged, e.mergeTrees(part, TINY, ids, shards), part + ": shards");
            assertEquals(2000L, merged.at("/points/0/seed").asLong(), "seed = --seed · 1000 + k");
        }
    }

    @Test
    void aFashionPointHoldsEveryPartTheReportDraws() {
        Experiment e = experiment();
        Study.Data d = data(Experiment.Part.fashion, 1, 28);
        JsonNode p = Sweep.canonical(e.compute(Experiment.Part.fashion, TINY, "w16-s0", d)).get("point");
        for (String state : List.of("init", "trained")) {
            JsonNode layers = p.at("/" + state + "/layers");
            assertEquals(3, layers.size());
            for (JsonNode l : layers) {
                assertEquals(16, l.get("tuning").size(), "a tuning grid per channel");
                assertEquals(ProbeSet.ORIENTATIONS.length, l.at("/tuning/0").size());
                assertEquals(ProbeSet.FREQUENCIES.length, l.at("/tuning/0/0").size());
                assertEquals(10, l.at("/class_means/0").size());
            }
            assertEquals(3, p.at("/" + state + "/maps").size(), "maps of every layer");
            assertEquals(Experiment.shown(Experiment.Part.fashion).groups().size(), p.at("/" + state + "/maps/0").size());
            assertEquals(25, p.at("/" + state + "/kernels/0").size(), "5x5 kernels");
        }
        assertEquals(3, p.at("/ablation/correct").size());
        assertEquals(16, p.at("/ablation/correct/0").size(), "every channel zeroed in the main net");
        assertEquals(2, p.at("/ablation/downstream").size(), "layer 1 → 2 and 2 → 3");
        assertEquals(16, p.at("/ablation/downstream/0/change").size());
        assertEquals(TINY.ablationPerClass(Experiment.Part.fashion), p.at("/ablation/class_counts/0").asInt());
        assertEquals(TINY.epochs(), p.at("/curve/testAccuracy").size());
    }

    @Test
    void theWidthSweepZeroesAtMostItsShareOfChannels() {
        Experiment e = experiment();
        Study.Data d = data(Experiment.Part.widths, 1, 28);
        JsonNode p = Sweep.canonical(e.compute(Experiment.Part.widths, TINY, "w4-s0", d)).get("point");
        assertEquals(TINY.ablatePerLayer(), p.at("/ablation/channels/0").size());
        assertTrue(p.at("/trained/layers/0/correlation").isArray(), "the widest net keeps its correlations");
        assertTrue(p.at("/trained/layers/0/tuning").isMissingNode(), "only the narrowest keeps its curves");
        assertTrue(p.at("/ablation/downstream").isMissingNode());
    }

    @Test
    void cifarShapedDataRunsThroughTheSameNetwork() {
        Experiment e = experiment();
        Study.Data d = data(Experiment.Part.cifar10, 3, 32);
        assertEquals(3, d.probe().channels());
        assertEquals(32, d.probe().size());
        JsonNode p = Sweep.canonical(e.compute(Experiment.Part.cifar10, TINY, "w16-s1", d)).get("point");
        assertEquals(3, p.at("/trained/layers").size());
        ChannelNet net = new ChannelNet(3, 32, 4, new Rng(0));
        try (Channels.Capture cap = Channels.capture(net.outputs().get(2), 1)) {
            net.call(d.probe().tensor("dataset", 0, 2, d.mean(), d.std()));
            assertArrayEquals(new int[] {8, 8}, cap.mapShape(), "32x32 images: 8x8 maps in the last layer");
        }
        assertTrue(p.at("/test_accuracy").isNumber());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new ChannelNet(3, 30, 4, new Rng(0)));
        assertTrue(bad.getMessage().contains("divisible by 4"), bad.getMessage());
    }
}
