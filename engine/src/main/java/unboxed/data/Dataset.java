package unboxed.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An in-memory labelled image dataset: N images of C x H x W floats and N class labels.
 *
 * <p>The images are one flat {@code float[]} in NCHW order, pixels scaled to [0, 1] by /255 as
 * torchvision's {@code ToTensor} does, so that a batch is a few {@code System.arraycopy} calls
 * and a model sees the same numbers as its PyTorch twin. Everything is loaded up front
 * (MNIST's training set is 188 MB of floats, CIFAR-10's 614 MB): loading once and shuffling
 * indices is simpler and faster than any streaming scheme at this size.
 *
 * <p>The arrays returned by {@link #images()} and {@link #labels()} are the dataset's own (not
 * copied, for speed); treat them as read-only. Operations that change data ({@link #subset},
 * {@link #normalized}) return a new dataset.
 */
public final class Dataset {
    private final String name;
    private final float[] images;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final int numClasses;
    private final List<String> classNames;

    /** The ten MNIST digit classes. */
    public static final List<String> MNIST_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    /** Fashion-MNIST's classes, in label order (Zalando's README). */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * @param images     N*C*H*W floats, NCHW (kept, not copied)
     * @param labels     N class indices in [0, numClasses) (kept, not copied)
     * @param classNames one name per class, or null for "0", "1", ...
     */
    public Dataset(String name, float[] images, int[] labels, int channels, int height, int width, int numClasses,
            List<String> classNames) {
        if (channels <= 0 || height <= 0 || width <= 0 || numClasses <= 0) {
            throw new IllegalArgumentException("Dataset " + name + ": channels " + channels + ", height " + height
                    + ", width " + width + ", classes " + numClasses + " must all be positive");
        }
        long sample = (long) channels * height * width;
        if ((long) labels.length * sample != images.length) {
            throw new IllegalArgumentException("Dataset " + name + ": " + images.length + " image values are not "
                    + labels.length + " labels x " + channels + "x" + height + "x" + width);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("Dataset " + name + ": label " + labels[i] + " of sample " + i
                        + " outside [0, " + numClasses + ")");
            }
        }
        if (classNames == null) {
            List<String> names = new ArrayList<>();
            for (int c = 0; c < numClasses; c++) {
                names.add(Integer.toString(c));
            }
            classNames = names;
        } else if (classNames.size() != numClasses) {
            throw new IllegalArgumentException("Dataset " + name + ": " + classNames.size() + " class names for "
                    + numClasses + " classes");
        }
        this.name = name;
        this.images = images;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = numClasses;
        this.classNames = List.copyOf(classNames);
    }

    // ---------------------------------------------------------------- factories

    /**
     * MNIST from {@code root/mnist/}: train = 60,000 images, test = 10,000; [N, 1, 28, 28].
     *
     * @param root the datasets folder, usually {@link Datasets#root()}
     * @throws NoSuchFileException when the files are absent (the message says to run {@code make data})
     */
    public static Dataset mnist(Path root, boolean train) throws IOException {
        return idx("mnist-" + split(train), root.resolve("mnist"), train, 10, MNIST_CLASSES);
    }

    /** {@link #mnist(Path, boolean)} under {@link Datasets#root()}. */
    public static Dataset mnist(boolean train) throws IOException {
        return mnist(Datasets.root(), train);
    }

    /** Fashion-MNIST from {@code root/fashion-mnist/}: same sizes and layout as MNIST. */
    public static Dataset fashionMnist(Path root, boolean train) throws IOException {
        return idx("fashion-mnist-" + split(train), root.resolve("fashion-mnist"), train, 10, FASHION_MNIST_CLASSES);
    }

    /** {@link #fashionMnist(Path, boolean)} under {@link Datasets#root()}. */
    public static Dataset fashionMnist(boolean train) throws IOException {
        return fashionMnist(Datasets.root(), train);
    }

    /**
     * CIFAR-10 from {@code root/cifar-10-batches-bin/} (the folder the official binary archive
     * extracts to): train = data_batch_1..5 concatenated in order (50,000), test = test_batch
     * (10,000); [N, 3, 32, 32]. Not fetched by {@code make data}; see data/datasets/README.md.
     */
    public static Dataset cifar10(Path root, boolean train) throws IOException {
        Path dir = root.resolve(Cifar10.FOLDER);
        List<Path> files = new ArrayList<>();
        for (String f : train ? Cifar10.TRAIN_FILES : Cifar10.TEST_FILES) {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p.toString(), null, "file not found; CIFAR-10 is not fetched by"
                        + " `make data`: download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html"
                        + " and extract it into " + root + " (see data/datasets/README.md)");
            }
            files.add(p);
        }
        Cifar10.Records r = Cifar10.read(files);
        return new Dataset("cifar10-" + split(train), toUnitFloats(r.pixels()), r.labels(), Cifar10.CHANNELS,
                Cifar10.HEIGHT, Cifar10.WIDTH, Cifar10.CLASSES, Cifar10.CLASS_NAMES);
    }

    /** {@link #cifar10(Path, boolean)} under {@link Datasets#root()}. */
    public static Dataset cifar10(boolean train) throws IOException {
        return cifar10(Datasets.root(), train);
    }

    /**
     * A dataset from an IDX pair: images [N, H, W] unsigned bytes (one channel) and labels [N]
     * unsigned bytes, checked against each other (a swapped or mismatched pair fails here, not
     * as a silently wrong model).
     */
    public static Dataset fromIdx(String name, Path imagesFile, Path labelsFile, int numClasses,
            List<String> classNames) throws IOException {
        Idx.Array img = Idx.read(imagesFile).require(Idx.Type.UBYTE, -1, -1, -1);
        Idx.Array lab = Idx.read(labelsFile).require(Idx.Type.UBYTE, -1);
        if (img.dim(0) != lab.dim(0)) {
            throw new IllegalArgumentException(name + ": " + imagesFile + " holds " + img.dim(0) + " images but "
                    + labelsFile + " holds " + lab.dim(0) + " labels");
        }
        int[] labels = lab.toInts();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= numClasses) {
                throw new IllegalArgumentException(labelsFile + ": label " + labels[i] + " at index " + i
                        + " outside [0, " + numClasses + ")");
            }
        }
        return new Dataset(name, toUnitFloats(img.bytes()), labels, 1, img.dim(1), img.dim(2), numClasses,
                classNames);
    }

    private static Dataset idx(String name, Path dir, boolean train, int numClasses, List<String> classNames)
            throws IOException {
        String prefix = train ? "train" : "t10k";
        return fromIdx(name, find(dir, prefix + "-images-idx3-ubyte"), find(dir, prefix + "-labels-idx1-ubyte"),
                numClasses, classNames);
    }

    /** {@code dir/name}, else {@code dir/name.gz}; neither gives the {@code make data} message. */
    static Path find(Path dir, String name) throws NoSuchFileException {
        Path raw = dir.resolve(name);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new NoSuchFileException(raw.toString(), null,
                "file not found (nor " + name + ".gz); run `make data` to fetch and verify the datasets");
    }

    private static String split(boolean train) {
        return train ? "train" : "test";
    }

    /** Unsigned bytes to floats in [0, 1]; division (not multiplication by 1/255) matches torchvision bit for bit. */
    static float[] toUnitFloats(byte[] pixels) {
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = (pixels[i] & 0xFF) / 255f;
        }
        return out;
    }

    // ---------------------------------------------------------------- accessors

    public String name() {
        return name;
    }

    /** Number of samples N. */
    public int size() {
        return labels.length;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** C*H*W: floats per image. */
    public int sampleSize() {
        return channels * height * width;
    }

    /** {N, C, H, W}. */
    public int[] shape() {
        return new int[] {size(), channels, height, width};
    }

    public int numClasses() {
        return numClasses;
    }

    public List<String> classNames() {
        return classNames;
    }

    /** All images, NCHW, [0, 1] unless normalised; the dataset's own array. */
    public float[] images() {
        return images;
    }

    /** All labels; the dataset's own array. */
    public int[] labels() {
        return labels;
    }

    public int label(int i) {
        return labels[i];
    }

    /** How many samples each class has. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    // ---------------------------------------------------------------- derived datasets

    /**
     * The first {@code n} samples (all of them when n >= size), for quick runs. Taking a prefix
     * rather than a random sample keeps a quick run's data independent of the seed; MNIST's
     * prefixes are close to class-balanced.
     */
    public Dataset subset(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("Dataset " + name + ": subset(" + n + ")");
        }
        return slice(0, Math.min(n, size()));
    }

    /** Samples [from, to), e.g. a validation split held out of the training set. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IllegalArgumentException("Dataset " + name + ": slice [" + from + ", " + to + ") of " + size()
                    + " samples");
        }
        if (from == 0 && to == size()) {
            return this;
        }
        int d = sampleSize();
        return new Dataset(name + "[" + from + ":" + to + "]", Arrays.copyOfRange(images, from * d, to * d),
                Arrays.copyOfRange(labels, from, to), channels, height, width, numClasses, classNames);
    }

    /** Per-channel mean over every pixel of every image (accumulated in double). */
    public float[] channelMean() {
        double[] sum = new double[channels];
        int plane = height * width;
        for (int i = 0, n = size(); i < n; i++) {
            for (int c = 0; c < channels; c++) {
                int base = (i * channels + c) * plane;
                double s = 0;
                for (int k = 0; k < plane; k++) {
                    s += images[base + k];
                }
                sum[c] += s;
            }
        }
        float[] mean = new float[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = (float) (sum[c] / ((double) size() * plane));
        }
        return mean;
    }

    /**
     * Per-channel population standard deviation (two-pass around {@link #channelMean()}, which
     * avoids the cancellation of sum-of-squares formulas). MNIST's training set gives the
     * familiar 0.1307 / 0.3081.
     */
    public float[] channelStd() {
        float[] mean = channelMean();
        double[] sq = new double[channels];
        int plane = height * width;
        for (int i = 0, n = size(); i < n; i++) {
            for (int c = 0; c < channels; c++) {
                int base = (i * channels + c) * plane;
                double m = mean[c];
                double s = 0;
                for (int k = 0; k < plane; k++) {
                    double v = images[base + k] - m;
                    s += v * v;
                }
                sq[c] += s;
            }
        }
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            std[c] = (float) Math.sqrt(sq[c] / ((double) size() * plane));
        }
        return std;
    }

    /**
     * A copy with each channel mapped to (x - mean[c]) / std[c], like torchvision's
     * {@code Normalize}. Compute the statistics on the training set and apply the same values
     * to the test set.
     */
    public Dataset normalized(float[] mean, float[] std) {
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("Dataset " + name + ": normalized needs " + channels
                    + " means and stds, got " + mean.length + " and " + std.length);
        }
        for (int c = 0; c < channels; c++) {
            if (!(std[c] > 0)) {
                throw new IllegalArgumentException("Dataset " + name + ": std[" + c + "] = " + std[c]
                        + " must be positive");
            }
        }
        float[] out = new float[images.length];
        int plane = height * width;
        for (int i = 0, n = size(); i < n; i++) {
            for (int c = 0; c < channels; c++) {
                int base = (i * channels + c) * plane;
                float m = mean[c];
                float s = std[c];
                for (int k = 0; k < plane; k++) {
                    out[base + k] = (images[base + k] - m) / s;
                }
            }
        }
        return new Dataset(name, out, labels, channels, height, width, numClasses, classNames);
    }

    @Override
    public String toString() {
        return "Dataset " + name + " [" + size() + ", " + channels + ", " + height + ", " + width + "], "
                + numClasses + " classes";
    }
}
