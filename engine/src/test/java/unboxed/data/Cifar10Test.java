package unboxed.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CIFAR-10 binary reader on synthetic batch files (the real CIFAR-10 is not fetched by make data). */
class Cifar10Test {
    @TempDir
    Path dir;

    /**
     * Records whose label is {@code (first + r) % 10} and whose pixel (c, y, x) is
     * {@code (r * 7 + c * 50 + y + x) % 256}: every value identifies its record, channel and position.
     */
    static byte[] records(int first, int count) {
        byte[] b = new byte[count * Cifar10.RECORD];
        for (int r = 0; r < count; r++) {
            int base = r * Cifar10.RECORD;
            b[base] = (byte) ((first + r) % 10);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        b[base + 1 + c * 1024 + y * 32 + x] = (byte) (((first + r) * 7 + c * 50 + y + x) % 256);
                    }
                }
            }
        }
        return b;
    }

    @Test
    void readsRecordsInChwOrder() throws IOException {
        Path p = dir.resolve("data_batch_1.bin");
        Files.write(p, records(0, 3));
        Cifar10.Records r = Cifar10.read(p);
        assertEquals(3, r.count());
        assertArrayEquals(new int[] {0, 1, 2}, r.labels());
        assertEquals(3 * 3072, r.pixels().length);
        // record 2, channel 1 (green), y 5, x 30: (2*7 + 50 + 35) % 256 = 99
        assertEquals(99, r.pixels()[2 * 3072 + 1 * 1024 + 5 * 32 + 30] & 0xFF);
        // a value above 127 stays unsigned: record 1, blue, y 31, x 31: (7 + 100 + 62) = 169
        assertEquals(169, r.pixels()[1 * 3072 + 2 * 1024 + 31 * 32 + 31] & 0xFF);
    }

    @Test
    void lengthNotAMultipleOfTheRecordIsRejected() throws IOException {
        Path p = dir.resolve("test_batch.bin");
        byte[] b = records(0, 2);
        Files.write(p, java.util.Arrays.copyOf(b, b.length - 1));
        IOException e = assertThrows(IOException.class, () -> Cifar10.read(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("multiple of the record size 3073")
                && e.getMessage().contains("6145"), e.getMessage());
        Files.write(p, new byte[0]);
        e = assertThrows(IOException.class, () -> Cifar10.read(p));
        assertTrue(e.getMessage().contains("length 0"), e.getMessage());
    }

    @Test
    void labelOutOfRangeIsRejectedNamingTheRecord() throws IOException {
        Path p = dir.resolve("data_batch_2.bin");
        byte[] b = records(0, 3);
        b[2 * Cifar10.RECORD] = 10;
        Files.write(p, b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cifar10.read(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("record 2")
                && e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void datasetConcatenatesTheFiveTrainingBatchesInOrder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve(Cifar10.FOLDER));
        for (int f = 0; f < 5; f++) {
            Files.write(folder.resolve(Cifar10.TRAIN_FILES.get(f)), records(2 * f, 2));
        }
        Files.write(folder.resolve("test_batch.bin"), records(3, 1));

        Dataset train = Dataset.cifar10(dir, true);
        assertEquals(10, train.size());
        assertArrayEquals(new int[] {10, 3, 32, 32}, train.shape());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, train.labels());
        assertEquals("airplane", train.classNames().get(0));
        // sample 9 (file 5, record 1), red, y 0, x 1: (9*7 + 0 + 1) = 64 -> 64/255
        assertEquals(64f / 255f, train.images()[9 * 3072 + 1], 0f);

        Dataset test = Dataset.cifar10(dir, false);
        assertEquals(1, test.size());
        assertEquals(3, test.label(0));
    }

    @Test
    void missingCifarSaysWhereToGetIt() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Dataset.cifar10(dir, false));
        assertTrue(e.getMessage().contains("test_batch.bin") && e.getMessage().contains("cifar-10-binary.tar.gz"),
                e.getMessage());
        assertThrows(NoSuchFileException.class, () -> Cifar10.read(List.of(dir.resolve("nope.bin"))));
    }
}
