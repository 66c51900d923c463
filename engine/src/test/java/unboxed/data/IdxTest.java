package unboxed.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The IDX reader on synthetic files: every element type, raw and gzipped, and every malformation. */
class IdxTest {
    @TempDir
    Path dir;

    /** A ubyte [3, 2, 2] array with values 0, 20, ..., 220 (covers bytes above 127). */
    private static byte[] ubytePayload() {
        byte[] b = new byte[12];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (20 * i);
        }
        return b;
    }

    private static byte[] header(int type, int... dims) {
        ByteBuffer h = ByteBuffer.allocate(4 + 4 * dims.length);
        h.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            h.putInt(d);
        }
        return h.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    private Path file(String name, byte[] content, boolean gz) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, gz ? gzip(content) : content);
        return p;
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsUnsignedBytesRawAndGzipped(boolean gz) throws IOException {
        Path p = file("images-idx3-ubyte", concat(header(0x08, 3, 2, 2), ubytePayload()), gz);
        assertEquals(gz, Idx.isGzip(p));
        Idx.Array a = Idx.read(p);
        assertEquals(Idx.Type.UBYTE, a.type());
        assertArrayEquals(new int[] {3, 2, 2}, a.shape());
        assertEquals(12, a.numel());
        int[] ints = a.toInts();
        for (int i = 0; i < 12; i++) {
            assertEquals(20 * i, ints[i], "element " + i + " read as unsigned");
        }
        assertEquals(220f / 255f, a.toFloats(1f / 255f)[11], 1e-7f);
        a.require(Idx.Type.UBYTE, -1, 2, 2);
    }

    @Test
    void gzipIsDetectedByContentNotName() throws IOException {
        Path p = file("no-extension", concat(header(0x08, 2), new byte[] {7, 9}), true);
        assertArrayEquals(new int[] {7, 9}, Idx.read(p).toInts());
        Path q = file("misleading.gz", concat(header(0x08, 2), new byte[] {7, 9}), false);
        assertArrayEquals(new int[] {7, 9}, Idx.read(q).toInts());
    }

    @Test
    void readsEveryElementType() throws IOException {
        ByteBuffer b;
        // signed byte
        Path p = file("b", concat(header(0x09, 2), new byte[] {-3, 5}), false);
        assertArrayEquals(new int[] {-3, 5}, Idx.read(p).toInts());
        // short
        b = ByteBuffer.allocate(4).putShort((short) -300).putShort((short) 1200);
        p = file("s", concat(header(0x0B, 2), b.array()), true);
        assertArrayEquals(new int[] {-300, 1200}, Idx.read(p).toInts());
        // int
        b = ByteBuffer.allocate(8).putInt(-70000).putInt(123456789);
        p = file("i", concat(header(0x0C, 1, 2), b.array()), false);
        Idx.Array a = Idx.read(p);
        assertArrayEquals(new int[] {1, 2}, a.shape());
        assertArrayEquals(new int[] {-70000, 123456789}, a.toInts());
        // float
        b = ByteBuffer.allocate(8).putFloat(1.5f).putFloat(-0.25f);
        p = file("f", concat(header(0x0D, 2), b.array()), false);
        assertArrayEquals(new float[] {1.5f, -0.25f}, Idx.read(p).toFloats(1f));
        // double
        b = ByteBuffer.allocate(16).putDouble(2.75).putDouble(-8);
        p = file("d", concat(header(0x0E, 2), b.array()), true);
        assertArrayEquals(new float[] {5.5f, -16f}, Idx.read(p).toFloats(2f));
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            Path p = dir.resolve("w" + gz);
            Idx.write(p, Idx.Type.UBYTE, new int[] {3, 2, 2}, ubytePayload(), gz);
            Idx.Array a = Idx.read(p);
            assertArrayEquals(ubytePayload(), a.bytes());
            assertEquals(gz, Idx.isGzip(p));
        }
    }

    /** Asserts that reading fails with an exception whose message names the file and contains each fragment. */
    private <T extends Exception> T fails(Class<T> type, Path p, String... fragments) {
        T e = assertThrows(type, () -> Idx.read(p));
        String m = e.getMessage();
        assertTrue(m.contains(p.toString()), "message names the file: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "message contains '" + f + "': " + m);
        }
        return e;
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void badMagicIsRejected(boolean gz) throws IOException {
        byte[] content = concat(header(0x08, 3, 2, 2), ubytePayload());
        content[0] = 0x12;
        fails(IllegalArgumentException.class, file("bad-magic", content, gz), "not an IDX file", "12 00 08 03");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void unknownTypeIsRejected(boolean gz) throws IOException {
        fails(IllegalArgumentException.class, file("bad-type", concat(header(0x0A, 2), new byte[2]), gz),
                "unknown IDX element type 0x0a");
    }

    @Test
    void rankZeroIsRejected() throws IOException {
        fails(IllegalArgumentException.class, file("rank0", header(0x08), false), "rank 0");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedPayloadIsRejected(boolean gz) throws IOException {
        byte[] content = concat(header(0x08, 3, 2, 2), Arrays.copyOf(ubytePayload(), 7));
        fails(IOException.class, file("truncated", content, gz), "truncated", "need 12 data bytes, found 7",
                "[3, 2, 2]");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedHeaderIsRejected(boolean gz) throws IOException {
        byte[] content = Arrays.copyOf(header(0x08, 3, 2, 2), 9);
        fails(IOException.class, file("short-header", content, gz), "truncated", "dimension sizes");
        fails(IOException.class, file("two-bytes", new byte[] {0, 0}, gz), "truncated", "magic number");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void dimensionsThatDisagreeWithTheDataAreRejected(boolean gz) throws IOException {
        // header says [2, 2, 2] = 8 bytes but 12 follow: wrong dims
        fails(IOException.class, file("extra", concat(header(0x08, 2, 2, 2), ubytePayload()), gz),
                "4 bytes after the 8 data bytes", "wrong dimensions");
        // header says [5, 2, 2] = 20 bytes but 12 follow
        fails(IOException.class, file("fewer", concat(header(0x08, 5, 2, 2), ubytePayload()), gz),
                "need 20 data bytes, found 12");
    }

    @Test
    void absurdHeaderSizesGiveAMessageNotAnOutOfMemoryError() throws IOException {
        fails(IllegalArgumentException.class, file("huge", header(0x08, 60000, 60000, 60000), false),
                "corrupt header");
        fails(IllegalArgumentException.class, file("neg", header(0x08, -1), false), "4294967295", "too large");
    }

    @Test
    void truncatedGzipStreamIsRejected() throws IOException {
        byte[] gz = gzip(concat(header(0x08, 300), new byte[300]));
        Path p = dir.resolve("cut.gz");
        Files.write(p, Arrays.copyOf(gz, gz.length - 12));
        fails(IOException.class, p, "truncated");
        Path q = dir.resolve("garbage.gz");
        Files.write(q, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        assertThrows(IOException.class, () -> Idx.read(q));
    }

    @Test
    void missingFileSaysToRunMakeData() {
        Path p = dir.resolve("mnist/train-images-idx3-ubyte");
        NoSuchFileException e = fails(NoSuchFileException.class, p, "make data");
        assertEquals(p.toString(), e.getFile());
    }

    @Test
    void requireNamesTheFileAndTheMismatch() throws IOException {
        Path p = file("labels", concat(header(0x08, 4), new byte[4]), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Idx.read(p).require(Idx.Type.UBYTE, -1, -1, -1));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("[4]")
                && e.getMessage().contains("[*, *, *]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Idx.read(p).require(Idx.Type.INT, 4));
        assertTrue(e.getMessage().contains("UBYTE") && e.getMessage().contains(p.toString()), e.getMessage());
    }
}
