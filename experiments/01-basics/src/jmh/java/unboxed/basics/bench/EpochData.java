package unboxed.basics.bench;

import java.io.IOException;
import java.nio.file.Files;
import unboxed.data.Dataset;
import unboxed.data.Datasets;
import unboxed.tensor.Rng;

/** The 60,000 training images every epoch benchmark (ours and the peers') trains on. */
final class EpochData {
    private EpochData() {
    }

    /** MNIST's training set when `make data` has run; otherwise random images of its shape (seed 1). */
    static Dataset train() throws IOException {
        if (Files.exists(Datasets.root().resolve("mnist"))) {
            return Dataset.mnist(Datasets.root(), true);
        }
        Rng r = new Rng(1);
        int n = 60000;
        float[] x = r.uniform(n * 784, 0, 1);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
        }
        return new Dataset("synthetic-mnist-shape", x, y, 1, 28, 28, 10, null);
    }
}
