package unboxed.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datasets built from synthetic IDX files: layout, scaling, checks, subsets, normalisation. */
import unboxed.io.RepoRoot;

class DatasetTest {
    @TempDir
    Path dir;

    /** Writes a tiny MNIST-shaped pair (n images of 2x3) under dir/mnist, gzipped or not. */
    private void writeMnist(String prefix, int n, boolean gz) throws IOException {
        Path m = Files.createDirectories(dir.resolve("mnist"));
        byte[] px = new byte[n * 6];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 37);
        }
        byte[] lab = new byte[n];
        for (int i = 0; i < n; i++) {
            lab[i] = (byte) ((i * 3) % 10);
        }
        String sfx = gz ? ".gz" : "";
        Idx.write(m.resolve(prefix + "-images-idx3-ubyte" + sfx), Idx.Type.UBYTE, new int[] {n, 2, 3}, px, gz);
        Idx.write(m.resolve(prefix + "-labels-idx1-ubyte" + sfx), Idx.Type.UBYTE, new int[] {n}, lab, gz);
    }

    @Test
    void mnistFromRawAndGzippedFiles() throws IOException {
        writeMnist("train", 5, false);
        writeMnist("t10k", 4, true);
        Dataset train = Dataset.mnist(dir, true);
        assertArrayEquals(new int[] {5, 1, 2, 3}, train.shape());
        assertEquals(6, train.sampleSize());
        assertArrayEquals(new int[] {0, 3, 6, 9, 2}, train.labels());
        for (int i = 0; i < 30; i++) {
            assertEquals(((i * 37) & 0xFF) / 255f, train.images()[i], 0f, "pixel " + i + " scaled by /255");
        }
        Dataset test = Dataset.mnist(dir, false);
        assertEquals(4, test.size());
        assertEquals("mnist-test", test.name());
        assertEquals(10, test.numClasses());
    }

    @Test
    void missingDatasetSaysToRunMakeData() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Dataset.fashionMnist(dir, true));
        assertTrue(e.getMessage().contains("fashion-mnist") && e.getMessage().contains("train-images-idx3-ubyte")
                && e.getMessage().contains("make data"), e.getMessage());
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        writeMnist("train", 5, false);
        Path m = dir.resolve("mnist");
        Idx.write(m.resolve("train-labels-idx1-ubyte"), Idx.Type.UBYTE, new int[] {4}, new byte[4], false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.mnist(dir, true));
        assertTrue(e.getMessage().contains("5 images") && e.getMessage().contains("4 labels"), e.getMessage());
    }

    @Test
    void swappedFilesAreCaughtByRank() throws IOException {
        writeMnist("train", 5, false);
        Path m = dir.resolve("mnist");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromIdx("swapped", m.resolve("train-labels-idx1-ubyte"),
                        m.resolve("train-images-idx3-ubyte"), 10, null));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte"), e.getMessage());
    }

    @Test
    void labelsOutsideTheClassesAreRejected() throws IOException {
        writeMnist("train", 5, false);
        Path m = dir.resolve("mnist");
        Idx.write(m.resolve("train-labels-idx1-ubyte"), Idx.Type.UBYTE, new int[] {5}, new byte[] {0, 1, 12, 3, 4},
                false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.mnist(dir, true));
        assertTrue(e.getMessage().contains("label 12 at index 2"), e.getMessage());
    }

    @Test
    void subsetAndSlice() throws IOException {
        writeMnist("train", 5, false);
        Dataset d = Dataset.mnist(dir, true);
        Dataset s = d.subset(2);
        assertEquals(2, s.size());
        assertArrayEquals(new int[] {0, 3}, s.labels());
        assertEquals(12, s.images().length);
        assertSame(d, d.subset(100), "n beyond the size gives the whole dataset");
        Dataset tail = d.slice(3, 5);
        assertArrayEquals(new int[] {9, 2}, tail.labels());
        assertEquals(d.images()[18], tail.images()[0], 0f);
        assertThrows(IllegalArgumentException.class, () -> d.slice(4, 6));
        assertThrows(IllegalArgumentException.class, () -> d.subset(-1));
    }

    @Test
    void channelStatisticsAndNormalisation() {
        // 2 images, 2 channels of 1x2: channel 0 values {0, 1, 1, 0}, channel 1 {2, 2, 4, 4}
        float[] px = {0, 1, 2, 2, 1, 0, 4, 4};
        Dataset d = new Dataset("toy", px, new int[] {0, 1}, 2, 1, 2, 2, null);
        assertArrayEquals(new float[] {0.5f, 3f}, d.channelMean(), 1e-7f);
        assertArrayEquals(new float[] {0.5f, 1f}, d.channelStd(), 1e-7f);
        Dataset n = d.normalized(d.channelMean(), d.channelStd());
        assertArrayEquals(new float[] {-1, 1, -1, -1, 1, -1, 1, 1}, n.images(), 1e-6f);
        assertArrayEquals(new float[] {0, 1, 2, 2, 1, 0, 4, 4}, d.images(), 0f, "the original is untouched");
        assertArrayEquals(new float[] {0f, 0f}, n.channelMean(), 1e-7f);
        assertThrows(IllegalArgumentException.class, () -> d.normalized(new float[] {0, 0}, new float[] {1, 0}));
        assertEquals("1", d.classNames().get(1));
        assertArrayEquals(new int[] {1, 1}, d.classCounts());
    }

    @Test
    void theSearchStopsAtTheFirstFolderWithDataAndPom() throws IOException {
        Path repo = dir.resolve("repo");
        Path module = Files.createDirectories(repo.resolve("engine/src"));
        Files.createDirectories(repo.resolve("data"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        Files.writeString(repo.resolve("engine/pom.xml"), "<project/>"); // a module: pom.xml but no data/
        assertEquals(repo, RepoRoot.find(module));
        assertEquals(repo, RepoRoot.find(repo));
        assertEquals(null, RepoRoot.find(Files.createDirectories(dir.resolve("elsewhere"))));
    }

    @Test
    void constructorChecksShapesAndLabels() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", new float[5], new int[] {0}, 1, 2, 2, 2, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset("x", new float[4], new int[] {2}, 1, 2, 2, 2, null));
        assertTrue(e.getMessage().contains("label 2 of sample 0"), e.getMessage());
    }

    @Test
    void rootComesFromThePropertyOrTheRepositoryAbove() throws IOException {
        Path repo = dir.resolve("checkout");
        Files.createDirectories(repo.resolve("data"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        String old = System.getProperty(RepoRoot.PROPERTY);
        try {
            System.setProperty(RepoRoot.PROPERTY, repo.toString());
            assertEquals(repo.toAbsolutePath().resolve("data").resolve("datasets"), Datasets.root());
        } finally {
            if (old == null) {
                System.clearProperty(RepoRoot.PROPERTY);
            } else {
                System.setProperty(RepoRoot.PROPERTY, old);
            }
        }
    }
}
