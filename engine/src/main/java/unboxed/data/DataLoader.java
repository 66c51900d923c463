package unboxed.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.backend.Storage;
import unboxed.backend.cpu.CpuBackend;
import unboxed.backend.cpu.CpuStorage;
import unboxed.tensor.Rng;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/**
 * Batches of a {@link Dataset}, optionally shuffled with a seeded generator: the counterpart of
 * {@code torch.utils.data.DataLoader(ds, batch_size, shuffle, drop_last, generator=g)}.
 *
 * <p>Each call to {@link #epoch()} draws a fresh permutation from the loader's {@link Rng}, the
 * way PyTorch's {@code RandomSampler} draws a new {@code randperm} from its generator each time
 * the loader is iterated. So the same seed gives the same sequence of epochs on every run,
 * while successive epochs differ. (The orders are not PyTorch's: the generators differ.) The
 * loader draws from the generator it is given and from nothing else; pass it a dedicated
 * stream such as {@code rng.fork("shuffle")} so that the data order does not shift when some
 * other code draws more or fewer numbers.
 *
 * <p>Per batch the loader allocates exactly the two arrays that become the batch's tensors:
 * on the CPU backend it fills the new tensors' storage in place; on another backend it fills
 * a reused host staging buffer and uploads it. The images are gathered with one
 * {@code System.arraycopy} per sample.
 *
 * <p>Not thread-safe: one training loop iterates one loader.
 */
public final class DataLoader {
    /**
     * One batch: {@code images} [B, C, H, W] (or [B, C*H*W] for a flattening loader),
     * {@code labels} [B] class indices stored as whole-number floats, {@code size} = B (the
     * last batch may be smaller than the batch size unless {@code dropLast}).
     */
    public record Batch(Tensor images, Tensor labels, int size) {
    }

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final boolean flatten;
    private final Rng rng;

    // staging buffers for non-CPU backends, reused across batches: [full batch, last partial batch]
    private float[] stageImages;
    private float[] stageLabels;
    private float[] stageImagesTail;
    private float[] stageLabelsTail;

    /** A loader yielding images as [B, C, H, W], like PyTorch's. */
    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, boolean dropLast, Rng rng) {
        this(dataset, batchSize, shuffle, dropLast, false, rng);
    }

    /**
     * @param flatten yield images as [B, C*H*W] (the input of a multi-layer perceptron) instead of [B, C, H, W]
     * @param rng     the shuffling stream; may be null when {@code shuffle} is false
     */
    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, boolean dropLast, boolean flatten, Rng rng) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("DataLoader: batch size " + batchSize + " must be positive");
        }
        if (shuffle && rng == null) {
            throw new IllegalArgumentException("DataLoader: shuffle needs an Rng (e.g. new Rng(seed).fork(\"shuffle\"))");
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.flatten = flatten;
        this.rng = rng;
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public boolean dropLast() {
        return dropLast;
    }

    public boolean flatten() {
        return flatten;
    }

    /** Batches per epoch: ceil(N / B), or floor(N / B) with {@code dropLast} (PyTorch's {@code len(loader)}). */
    public int numBatches() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Samples per epoch: N, or less the dropped tail. */
    public int samplesPerEpoch() {
        return dropLast ? numBatches() * batchSize : dataset.size();
    }

    /**
     * The next epoch. The order is drawn now, when the epoch is created (not when it is first
     * iterated); iterating the returned epoch again replays the same order.
     */
    public Epoch epoch() {
        int n = dataset.size();
        int[] order;
        if (shuffle) {
            order = rng.permutation(n);
        } else {
            order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
        }
        return new Epoch(order);
    }

    /** One pass over the dataset in a fixed order. */
    public final class Epoch implements Iterable<Batch> {
        private final int[] order;

        Epoch(int[] order) {
            this.order = order;
        }

        /** The sample indices in the order this epoch visits them (a copy; includes any dropped tail). */
        public int[] order() {
            return order.clone();
        }

        @Override
        public Iterator<Batch> iterator() {
            return new Iterator<>() {
                private int next;
                private final int count = numBatches();

                @Override
                public boolean hasNext() {
                    return next < count;
                }

                @Override
                public Batch next() {
                    if (next >= count) {
                        throw new NoSuchElementException("DataLoader: epoch has " + count + " batches");
                    }
                    int from = next * batchSize;
                    int to = Math.min(from + batchSize, order.length);
                    next++;
                    return batch(order, from, to);
                }
            };
        }
    }

    private Batch batch(int[] order, int from, int to) {
        int b = to - from;
        int d = dataset.sampleSize();
        int[] imageShape = flatten ? new int[] {b, d}
                : new int[] {b, dataset.channels(), dataset.height(), dataset.width()};
        Backend backend = Backends.current();
        // CPU: fill the new tensors' own arrays; elsewhere: fill reused host buffers, then upload
        boolean onHost = backend instanceof CpuBackend;
        Tensor images = null;
        Tensor labels = null;
        float[] img;
        float[] lab;
        if (onHost) {
            images = Tensor.zeros(backend, imageShape);
            labels = Tensor.zeros(backend, b);
            img = ((CpuStorage) images.storage()).array();
            lab = ((CpuStorage) labels.storage()).array();
        } else {
            img = staging(b, d, true);
            lab = staging(b, d, false);
        }
        float[] src = dataset.images();
        int[] srcLabels = dataset.labels();
        for (int j = 0; j < b; j++) {
            int i = order[from + j];
            System.arraycopy(src, i * d, img, j * d, d);
            lab[j] = srcLabels[i];
        }
        if (!onHost) {
            images = wrap(backend.upload(img), imageShape);
            labels = wrap(backend.upload(lab), new int[] {b});
        }
        return new Batch(images, labels, b);
    }

    private static Tensor wrap(Storage storage, int[] shape) {
        return new Tensor(storage, shape, Shape.contiguousStrides(shape), 0);
    }

    /** A reused host buffer of exactly the batch's size (one for full batches, one for the tail). */
    private float[] staging(int b, int d, boolean forImages) {
        int len = forImages ? b * d : b;
        boolean full = b == batchSize;
        float[] buf = forImages ? (full ? stageImages : stageImagesTail) : (full ? stageLabels : stageLabelsTail);
        if (buf == null || buf.length != len) {
            buf = new float[len];
            if (forImages) {
                if (full) {
                    stageImages = buf;
                } else {
                    stageImagesTail = buf;
                }
            } else if (full) {
                stageLabels = buf;
            } else {
                stageLabelsTail = buf;
            }
        }
        return buf;
    }
}
