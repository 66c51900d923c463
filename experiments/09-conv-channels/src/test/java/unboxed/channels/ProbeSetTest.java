package unboxed.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.data.Dataset;
import unboxed.kit.Stimuli;
import unboxed.tensor.Tensor;

/** The probe set holds the images its names say, in the order the measures read them. */
class ProbeSetTest {
    static final Dataset TEST = ExperimentTest.synthetic("test", ProbeSet.PER_CLASS + 3, 1, 28, 5);
    static final Dataset OTHER = ExperimentTest.synthetic("other", ProbeSet.PER_CLASS, 1, 28, 6);

    @Test
    void gratingsAreOrientationMajorThenFrequencyThenPhase() {
        ProbeSet p = ProbeSet.of(TEST, OTHER, 0);
        int nf = ProbeSet.FREQUENCIES.length;
        int np = ProbeSet.PHASES.length;
        assertEquals(ProbeSet.ORIENTATIONS.length * nf * np, p.group("gratings").count());
        int i = (3 * nf + 1) * np + 2;
        assertArrayEquals(Stimuli.grating(28, 45, 3.5, 180), p.image("gratings", i), 1e-6);
        assertEquals("grating 45°, 3.5 cycles, phase 180°", p.group("gratings").captions().get(i));
        assertEquals(ProbeSet.EDGE_DIRECTIONS, p.group("edges").count());
        assertArrayEquals(Stimuli.edge(28, 90), p.image("edges", 6), 1e-6);
    }

    @Test
    void datasetGroupsAreClassByClassAndTheNegativesMatch() {
        ProbeSet p = ProbeSet.of(TEST, OTHER, 0);
        ProbeSet.Group d = p.group("dataset");
        assertEquals(10 * ProbeSet.PER_CLASS, d.count());
        for (int i = 0; i < d.count(); i++) {
            assertEquals(i / ProbeSet.PER_CLASS, d.labels()[i]);
        }
        assertArrayEquals(Measures.labels(d.count(), 10), d.labels());
        double[] img = p.image("dataset", 250);
        double[] neg = p.image("inverted", 250);
        for (int k = 0; k < img.length; k++) {
            assertEquals(1 - img[k], neg[k], 1e-6);
        }
        // the synthetic set's labels cycle 0..9, so image 250 (class 2, the 51st of it) is test image 10 · 50 + 2
        assertArrayEquals(java.util.Arrays.copyOfRange(TEST.images(), 502 * 784, 503 * 784),
                toFloats(img), "class 2's 51st image");
    }

    @Test
    void heldOutImagesSkipTheProbeSetsAndPickedOnesAreCopies() {
        Dataset held = Training.stratified(TEST, ProbeSet.PER_CLASS, 3);
        assertEquals(30, held.size());
        assertEquals(0, held.label(0));
        // class 0's 101st image is test image 10 · 100
        assertArrayEquals(java.util.Arrays.copyOfRange(TEST.images(), 1000 * 784, 1001 * 784),
                java.util.Arrays.copyOfRange(held.images(), 0, 784));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Training.stratified(TEST, ProbeSet.PER_CLASS, 4));
        assertTrue(e.getMessage().contains("needs 104 of each"), e.getMessage());
        ProbeSet p = ProbeSet.of(TEST, OTHER, 0);
        p.addPicked("shown", List.of("edges", "dataset"), List.of(6, 900));
        assertArrayEquals(p.image("edges", 6), p.image("shown", 0));
        assertArrayEquals(p.image("dataset", 900), p.image("shown", 1));
        Tensor t = p.tensor("shown", 0, 2, new float[] {0.5f}, new float[] {0.25f});
        assertArrayEquals(new int[] {2, 1, 28, 28}, t.shape());
        assertEquals((p.image("edges", 6)[0] - 0.5) / 0.25, t.toArray()[0], 1e-6, "normalised as the network sees it");
    }

    static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
