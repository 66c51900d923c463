package unboxed.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import unboxed.tensor.Rng;

/** Seeded shuffling, batch shapes and coverage of the data loader. */
class DataLoaderTest {
    static final int N = 103;
    static final int CLASSES = 7;

    /** Sample i is the 1x1x3 image (i, i + 0.25, i + 0.5) with label i % 7: every batch row identifies its sample. */
    static Dataset indexed(int n) {
        float[] px = new float[n * 3];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            px[3 * i] = i;
            px[3 * i + 1] = i + 0.25f;
            px[3 * i + 2] = i + 0.5f;
            labels[i] = i % CLASSES;
        }
        return new Dataset("indexed", px, labels, 1, 1, 3, CLASSES, null);
    }

    /** The sample ids of every batch of one epoch, checking each row's pixels and label against its id. */
    static List<int[]> epochIds(DataLoader loader) {
        List<int[]> batches = new ArrayList<>();
        for (DataLoader.Batch b : loader.epoch()) {
            float[] img = b.images().toArray();
            float[] lab = b.labels().toArray();
            assertEquals(b.size(), b.images().shape()[0]);
            assertArrayEquals(new int[] {b.size()}, b.labels().shape());
            int[] ids = new int[b.size()];
            for (int j = 0; j < b.size(); j++) {
                int id = (int) img[3 * j];
                ids[j] = id;
                assertEquals(id + 0.25f, img[3 * j + 1], 0f);
                assertEquals(id + 0.5f, img[3 * j + 2], 0f);
                assertEquals(id % CLASSES, lab[j], 0f, "label travels with its image");
            }
            batches.add(ids);
        }
        return batches;
    }

    static int[] concat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void sameSeedGivesTheSameBatchesEveryRun() {
        DataLoader a = new DataLoader(indexed(N), 10, true, false, new Rng(42).fork("shuffle"));
        DataLoader b = new DataLoader(indexed(N), 10, true, false, new Rng(42).fork("shuffle"));
        for (int epoch = 0; epoch < 3; epoch++) {
            List<int[]> ea = epochIds(a);
            List<int[]> eb = epochIds(b);
            assertEquals(ea.size(), eb.size());
            for (int i = 0; i < ea.size(); i++) {
                assertArrayEquals(ea.get(i), eb.get(i), "epoch " + epoch + " batch " + i);
            }
        }
    }

    @Test
    void differentSeedsGiveDifferentOrders() {
        int[] a = new DataLoader(indexed(N), 10, true, false, new Rng(1)).epoch().order();
        int[] b = new DataLoader(indexed(N), 10, true, false, new Rng(2)).epoch().order();
        assertFalse(Arrays.equals(a, b));
    }

    @Test
    void eachEpochReshufflesFromTheStream() {
        DataLoader loader = new DataLoader(indexed(N), 10, true, false, new Rng(7));
        int[] first = concat(epochIds(loader));
        int[] second = concat(epochIds(loader));
        assertFalse(Arrays.equals(first, second), "epochs differ");
        // the same as drawing two permutations from the same generator in turn
        Rng ref = new Rng(7);
        assertArrayEquals(ref.permutation(N), first);
        assertArrayEquals(ref.permutation(N), second);
    }

    @Test
    void everySampleExactlyOncePerEpochWithAPartialLastBatch() {
        DataLoader loader = new DataLoader(indexed(N), 10, true, false, new Rng(3));
        assertEquals(11, loader.numBatches());
        assertEquals(N, loader.samplesPerEpoch());
        for (int epoch = 0; epoch < 2; epoch++) {
            List<int[]> batches = epochIds(loader);
            assertEquals(11, batches.size());
            for (int i = 0; i < 10; i++) {
                assertEquals(10, batches.get(i).length);
            }
            assertEquals(3, batches.get(10).length, "the last partial batch is kept");
            int[] all = concat(batches);
            Arrays.sort(all);
            for (int i = 0; i < N; i++) {
                assertEquals(i, all[i], "sample " + i + " appears exactly once");
            }
        }
    }

    @Test
    void dropLastDropsOnlyThePartialBatch() {
        DataLoader loader = new DataLoader(indexed(N), 10, true, true, new Rng(3));
        assertEquals(10, loader.numBatches());
        assertEquals(100, loader.samplesPerEpoch());
        List<int[]> batches = epochIds(loader);
        assertEquals(10, batches.size());
        batches.forEach(b -> assertEquals(10, b.length));
        int[] all = concat(batches);
        assertEquals(100, Arrays.stream(all).distinct().count(), "no sample twice");
        // what was dropped is the tail of this epoch's order: a different 3 samples next epoch (probably)
        DataLoader.Epoch e = loader.epoch();
        assertEquals(N, e.order().length);
        assertArrayEquals(Arrays.copyOf(e.order(), 100), concat(idsOf(e)));
        // an exact multiple loses nothing
        DataLoader exact = new DataLoader(indexed(100), 10, true, true, new Rng(3));
        assertEquals(10, exact.numBatches());
        assertEquals(10, new DataLoader(indexed(100), 10, true, false, new Rng(3)).numBatches(), "no empty batch");
    }

    private static List<int[]> idsOf(DataLoader.Epoch e) {
        List<int[]> out = new ArrayList<>();
        for (DataLoader.Batch b : e) {
            float[] img = b.images().toArray();
            int[] ids = new int[b.size()];
            for (int j = 0; j < b.size(); j++) {
                ids[j] = (int) img[3 * j];
            }
            out.add(ids);
        }
        return out;
    }

    @Test
    void withoutShuffleTheOrderIsTheDatasetOrder() {
        DataLoader loader = new DataLoader(indexed(N), 25, false, false, null);
        int[] all = concat(epochIds(loader));
        for (int i = 0; i < N; i++) {
            assertEquals(i, all[i]);
        }
        assertArrayEquals(all, concat(epochIds(loader)), "and every epoch the same");
    }

    @Test
    void shapesFlattenedOrNot() {
        Dataset ds = indexed(N);
        DataLoader.Batch b = new DataLoader(ds, 8, false, false, null).epoch().iterator().next();
        assertArrayEquals(new int[] {8, 1, 1, 3}, b.images().shape());
        DataLoader.Batch f = new DataLoader(ds, 8, false, false, true, null).epoch().iterator().next();
        assertArrayEquals(new int[] {8, 3}, f.images().shape());
        assertArrayEquals(b.images().toArray(), f.images().toArray(), 0f);
    }

    @Test
    void batchesDoNotShareStorage() {
        Iterator<DataLoader.Batch> it = new DataLoader(indexed(N), 10, false, false, null).epoch().iterator();
        DataLoader.Batch first = it.next();
        float[] before = first.images().toArray();
        it.next();
        assertArrayEquals(before, first.images().toArray(), 0f, "a later batch does not overwrite an earlier one");
    }

    @Test
    void iteratingAnEpochAgainReplaysItsOrder() {
        DataLoader.Epoch e = new DataLoader(indexed(N), 10, true, false, new Rng(5)).epoch();
        assertArrayEquals(concat(idsOf(e)), concat(idsOf(e)));
        Iterator<DataLoader.Batch> it = e.iterator();
        while (it.hasNext()) {
            it.next();
        }
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void argumentsAreChecked() {
        Dataset ds = indexed(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataLoader(ds, 2, true, false, null));
        assertTrue(e.getMessage().contains("Rng"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(ds, 0, false, false, null));
    }
}
