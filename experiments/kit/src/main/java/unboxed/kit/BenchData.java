package unboxed.kit;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.data.Datasets;
import unboxed.tensor.Rng;

/**
 * The 60,000 training images every epoch benchmark (ours and the peers', posts 01 and 02) trains
 * on: the same rule as tools/bench/torch_peer.py's training_data.
 */
public final class BenchData {
    private BenchData() {
    }

    /** MNIST's training set when `make data` has run; otherwise random images of its shape (seed 1). */
    public static Dataset mnistTrain() throws IOException {
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

    /**
     * The loader's next epoch of batches, before the clock starts, copied into the batch tensors
     * of the previous call ({@code kept}; null the first time). Fresh batches (188 MB an MNIST
     * epoch) would still be young when the epoch's own allocations fill the young generation, and
     * the collector would copy them during the timed epoch (measured 20-70 ms an epoch with
     * -Xlog:gc), a cost of the harness that the peers' prepared batches do not pay. Kept, they are
     * promoted once, during warm-up.
     */
    public static List<DataLoader.Batch> epochBatches(DataLoader loader, List<DataLoader.Batch> kept) {
        List<DataLoader.Batch> out = kept == null ? new ArrayList<>() : kept;
        int i = 0;
        for (DataLoader.Batch b : loader.epoch()) {
            if (kept == null) {
                out.add(b);
            } else {
                out.get(i).images().copy_(b.images());
                out.get(i).labels().copy_(b.labels());
            }
            i++;
        }
        return out;
    }
}
