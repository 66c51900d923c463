package unboxed.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The real datasets, when `make data` has fetched them; skipped with the reason otherwise. */
class MnistTest {
    private static boolean present(Path dir) {
        return Files.isDirectory(dir) && (Files.exists(dir.resolve("train-images-idx3-ubyte"))
                || Files.exists(dir.resolve("train-images-idx3-ubyte.gz")));
    }

    @Test
    void realMnistHasTheKnownCountsAndFirstLabel() throws IOException {
        Path root = Datasets.root();
        Assumptions.assumeTrue(present(root.resolve("mnist")), "MNIST not fetched: run make data");
        Dataset train = Dataset.mnist(root, true);
        Dataset test = Dataset.mnist(root, false);
        assertArrayEquals(new int[] {60000, 1, 28, 28}, train.shape());
        assertArrayEquals(new int[] {10000, 1, 28, 28}, test.shape());
        assertEquals(5, train.label(0), "the first training digit is a 5");
        assertEquals(7, test.label(0), "the first test digit is a 7");
        // the familiar normalisation constants (transforms.Normalize((0.1307,), (0.3081,)))
        assertEquals(0.1307, train.channelMean()[0], 5e-5);
        assertEquals(0.3081, train.channelStd()[0], 5e-5);
        int[] counts = train.classCounts();
        assertEquals(5923, counts[0]);
        assertEquals(6742, counts[1]);
    }

    @Test
    void realFashionMnistHasTheKnownCounts() throws IOException {
        Path root = Datasets.root();
        Assumptions.assumeTrue(present(root.resolve("fashion-mnist")), "Fashion-MNIST not fetched: run make data");
        Dataset train = Dataset.fashionMnist(root, true);
        Dataset test = Dataset.fashionMnist(root, false);
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        assertEquals(9, train.label(0), "the first training item is an ankle boot");
        for (int c : train.classCounts()) {
            assertEquals(6000, c, "Fashion-MNIST is balanced");
        }
        assertTrue(train.images()[0] >= 0f && train.images()[0] <= 1f);
    }
}
