package unboxed.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader for the CIFAR-10 binary version ({@code cifar-10-binary.tar.gz}, which extracts to
 * {@code cifar-10-batches-bin/}).
 *
 * <p>Each batch file ({@code data_batch_1.bin} ... {@code data_batch_5.bin}, {@code test_batch.bin})
 * is a plain sequence of 3073-byte records with no header: one label byte (0..9), then
 * 1024 red, 1024 green and 1024 blue bytes, each plane row-major 32x32. That is already the
 * CHW layout of PyTorch tensors, so records are copied without reordering. Because there is
 * no header to check, the validation is what the format allows: the file length must be a
 * non-zero multiple of 3073 and every label byte below 10; each error names the file and,
 * for a label, the record.
 */
public final class Cifar10 {
    private Cifar10() {
    }

    public static final int CHANNELS = 3;
    public static final int HEIGHT = 32;
    public static final int WIDTH = 32;
    public static final int PIXELS = CHANNELS * HEIGHT * WIDTH;
    /** Bytes per record: one label byte plus 3072 pixel bytes. */
    public static final int RECORD = 1 + PIXELS;
    public static final int CLASSES = 10;

    /** The folder name the official archive extracts to, under {@code data/datasets/}. */
    public static final String FOLDER = "cifar-10-batches-bin";

    /** The training files, in the order their records are concatenated. */
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final List<String> TEST_FILES = List.of("test_batch.bin");

    /**
     * Records read from one or more batch files: {@code pixels} holds {@code count * 3072}
     * unsigned bytes (CHW per image), {@code labels} {@code count} class indices.
     */
    public record Records(byte[] pixels, int[] labels, int count) {
    }

    /** Reads one batch file. */
    public static Records read(Path path) throws IOException {
        return read(List.of(path));
    }

    /** Reads and concatenates batch files in the order given. */
    public static Records read(List<Path> paths) throws IOException {
        long total = 0;
        List<Long> counts = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.isRegularFile(p)) {
                throw Idx.missing(p);
            }
            long size = Files.size(p);
            if (size == 0 || size % RECORD != 0) {
                throw new IOException(p + ": not a CIFAR-10 batch file: length " + size
                        + " bytes is not a non-zero multiple of the record size " + RECORD
                        + " (1 label byte + 3072 pixel bytes); truncated or wrong file");
            }
            counts.add(size / RECORD);
            total += size / RECORD;
        }
        if (total * PIXELS > Idx.MAX_BYTES) {
            throw new IllegalArgumentException("CIFAR-10: " + total + " records do not fit one array");
        }
        int n = (int) total;
        byte[] pixels = new byte[n * PIXELS];
        int[] labels = new int[n];
        byte[] record = new byte[RECORD];
        int r = 0;
        for (int f = 0; f < paths.size(); f++) {
            Path p = paths.get(f);
            long c = counts.get(f);
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(p), 1 << 16)) {
                for (long i = 0; i < c; i++, r++) {
                    if (in.readNBytes(record, 0, RECORD) != RECORD) {
                        throw new IOException(p + ": file shrank while being read (record " + i + ")");
                    }
                    int label = record[0] & 0xFF;
                    if (label >= CLASSES) {
                        throw new IllegalArgumentException(p + ": record " + i + " (byte offset " + i * RECORD
                                + ") has label " + label + ", expected 0.." + (CLASSES - 1)
                                + ": not a CIFAR-10 file (CIFAR-100 records have 2 label bytes)");
                    }
                    labels[r] = label;
                    System.arraycopy(record, 1, pixels, r * PIXELS, PIXELS);
                }
            }
        }
        return new Records(pixels, labels, n);
    }

    /** The class names, index = label. */
    public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");
}
