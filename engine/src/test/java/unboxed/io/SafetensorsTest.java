package unboxed.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Safetensors.FormatException;
import unboxed.tensor.Tensor;

/** The safetensors reader and writer: a round trip, and a clear FormatException for every malformed file. */
class SafetensorsTest {
    @TempDir
    Path dir;

    private static float[] bits(float... v) {
        return v;
    }

    private static void assertSameBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
        }
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void writeThenReadGivesBackEveryTensorAndTheMetadata() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("weight", Tensor.of(bits(1, -2, 3.5f, Float.NaN, Float.POSITIVE_INFINITY, -0f), 2, 3));
        tensors.put("a.transposed", Tensor.arange(6).reshape(2, 3).transpose(0, 1)); // written row-major
        tensors.put("scalar", Tensor.scalar(42f));
        tensors.put("empty", Tensor.zeros(0, 3));
        Map<String, String> meta = Map.of("format", "unboxed-fixture/1", "note", "ünïcode ✓");
        Path f = dir.resolve("sub/round.safetensors");
        Safetensors.write(f, tensors, meta);

        Safetensors.File r = Safetensors.read(f);
        assertEquals(f, r.path());
        assertEquals(meta, r.metadata());
        assertEquals(List.of("a.transposed", "empty", "scalar", "weight"), List.copyOf(r.entries().keySet()),
                "written sorted by name, read in header order");
        assertSameBits(tensors.get("weight").toArray(), r.tensor("weight").toArray());
        assertArrayEquals(new int[] {2, 3}, r.tensor("weight").shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.tensor("a.transposed").toArray());
        assertArrayEquals(new int[] {3, 2}, r.tensor("a.transposed").shape());
        assertArrayEquals(new int[0], r.tensor("scalar").shape());
        assertEquals(42f, r.tensor("scalar").item());
        assertArrayEquals(new int[] {0, 3}, r.tensor("empty").shape());
        assertEquals(Safetensors.DType.F32, r.entry("weight").dtype());
        assertTrue(r.has("scalar"));
        assertEquals("unboxed-fixture/1", r.meta("format"));
        FormatException missing = assertThrows(FormatException.class, () -> r.tensor("bias"));
        assertTrue(missing.getMessage().contains(f.toString()) && missing.getMessage().contains("'bias'"), missing.getMessage());
        FormatException noKey = assertThrows(FormatException.class, () -> r.meta("op"));
        assertTrue(noKey.getMessage().contains("'op'"), noKey.getMessage());
    }

    @Test
    void writtenFilesFollowTheSafetensorsLayout() throws IOException {
        Path f = dir.resolve("layout.safetensors");
        Safetensors.write(f, Map.of("x", Tensor.of(bits(1, 2), 2)), Map.of("k", "v"));
        byte[] b = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "the header is padded to a multiple of 8 bytes");
        assertEquals(8 + n + 8, b.length);
        JsonNode h = new ObjectMapper().readTree(new String(b, 8, (int) n, StandardCharsets.UTF_8));
        assertEquals("F32", h.get("x").get("dtype").asText());
        assertEquals("[2]", h.get("x").get("shape").toString());
        assertEquals("[0,8]", h.get("x").get("data_offsets").toString());
        assertEquals("v", h.get("__metadata__").get("k").asText());
        assertEquals(1f, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getFloat((int) (8 + n)));
    }

    @Test
    void overwritingLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Safetensors.write(f, Map.of("x", Tensor.ones(3)), null);
        Safetensors.write(f, Map.of("x", Tensor.full(2f, 4)), Map.of());
        assertArrayEquals(new float[] {2, 2, 2, 2}, Safetensors.read(f).tensor("x").toArray());
        assertTrue(Safetensors.read(f).metadata().isEmpty());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void readsF64AndI64() throws IOException {
        Path f = new RawSafetensors()
                .f64("d", new int[] {3}, 0.1, -1e300, 2.5)
                .i64("i", new int[] {2, 2}, 0, 3, -7, 1L << 24)
                .write(dir.resolve("types.safetensors"));
        Safetensors.File r = Safetensors.read(f);
        assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY, 2.5f}, r.tensor("d").toArray());
        assertArrayEquals(new float[] {0, 3, -7, 16777216f}, r.tensor("i").toArray());
        assertEquals(Safetensors.DType.I64, r.entry("i").dtype());
    }

    @Test
    void int64ValuesBeyondFloatPrecisionAreRejected() throws IOException {
        for (long v : new long[] {(1L << 24) + 1, -(1L << 24) - 1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            Path f = new RawSafetensors().i64("t", new int[] {1}, v).write(dir.resolve("big.safetensors"));
            Safetensors.File r = Safetensors.read(f);
            FormatException e = assertThrows(FormatException.class, () -> r.tensor("t"), "value " + v);
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(Long.toString(v)), e.getMessage());
        }
    }

    @Test
    void aMissingFileSaysSo() {
        Path f = dir.resolve("nope.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    // ------------------------------------------------------------------ malformed files

    /** Writes {@code bytes} and checks that reading them fails with a FormatException naming the file and the fault. */
    private FormatException malformed(String name, byte[] bytes, String... fault) throws IOException {
        Path f = dir.resolve(name + ".safetensors");
        Files.write(f, bytes);
        FormatException e;
        try {
            Safetensors.read(f);
            throw new AssertionError(name + ": a malformed file was read without complaint");
        } catch (FormatException fe) {
            e = fe;
        } catch (Throwable t) {
            throw new AssertionError(name + ": expected a FormatException, got " + t, t);
        }
        assertTrue(e.getMessage().startsWith(f.toString()), name + ": the message names the file: " + e.getMessage());
        for (String p : fault) {
            assertTrue(e.getMessage().contains(p), name + ": the message should contain '" + p + "': " + e.getMessage());
        }
        return e;
    }

    /** A valid one-tensor file's header, to corrupt. */
    private static RawSafetensors valid() {
        return new RawSafetensors().meta("format", "x").f32("t", new int[] {2, 2}, 1, 2, 3, 4);
    }

    private static byte[] withHeader(RawSafetensors r, java.util.function.Consumer<ObjectNode> corrupt) {
        corrupt.accept(r.header());
        return RawSafetensors.file(r.headerJson(), r.data());
    }

    private static ObjectNode t(ObjectNode header) {
        return (ObjectNode) header.get("t");
    }

    @Test
    void emptyAndTinyFiles() throws IOException {
        malformed("empty", new byte[0], "truncated", "0 bytes");
        malformed("three", new byte[] {1, 2, 3}, "truncated", "3 bytes");
        malformed("lengthOnly", RawSafetensors.file(0, new byte[0], new byte[0]), "header length 0");
    }

    @Test
    void absurdHeaderLengths() throws IOException {
        byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
        malformed("huge", RawSafetensors.file(1L << 62, h, new byte[0]), "header length 4611686018427387904", "impossible");
        malformed("negative", RawSafetensors.file(-1L, h, new byte[0]), "header length 18446744073709551615");
        malformed("pastEnd", RawSafetensors.file(100, h, new byte[4]), "header length 100", "14 bytes");
        malformed("truncatedHeader", java.util.Arrays.copyOf(valid().bytes(), 20), "header length", "20 bytes");
    }

    @Test
    void headerThatIsNotAJsonObject() throws IOException {
        malformed("notJson", RawSafetensors.file("{\"t\": [1, 2", new byte[0]), "not valid JSON");
        malformed("garbage", RawSafetensors.file("\u0001\u0002binary\u0003", new byte[0]), "not valid JSON");
        malformed("array", RawSafetensors.file("[1, 2, 3]", new byte[0]), "not a JSON object");
        malformed("string", RawSafetensors.file("\"tensor\"", new byte[0]), "not a JSON object");
        malformed("blank", RawSafetensors.file("        ", new byte[0]), "not a JSON object");
        malformed("entryNotObject", RawSafetensors.file("{\"t\": 5}", new byte[0]), "'t'", "not a JSON object");
    }

    @Test
    void unknownOrMissingDtype() throws IOException {
        malformed("bf16", withHeader(valid(), h -> t(h).put("dtype", "BF16")), "'t'", "unknown dtype 'BF16'");
        malformed("noDtype", withHeader(valid(), h -> t(h).remove("dtype")), "'t'", "no dtype");
        malformed("dtypeNumber", withHeader(valid(), h -> t(h).put("dtype", 4)), "'t'", "no dtype");
    }

    @Test
    void offsetsOutsideTheData() throws IOException {
        malformed("pastTheEnd", withHeader(valid(), h -> t(h).putArray("data_offsets").add(0).add(32)),
                "'t'", "[0, 32]", "past the end", "16 bytes");
        malformed("beginAfterEnd", withHeader(valid(), h -> t(h).putArray("data_offsets").add(16).add(0)),
                "'t'", "[16, 0]", "not a valid range");
        malformed("negativeBegin", withHeader(valid(), h -> t(h).putArray("data_offsets").add(-8).add(8)),
                "'t'", "not a valid range");
        malformed("beyondLong", withHeader(valid(), h -> t(h).putArray("data_offsets")
                .add(new java.math.BigInteger("18446744073709551616"))
                .add(new java.math.BigInteger("18446744073709551632"))), "'t'", "data_offsets");
        malformed("oneOffset", withHeader(valid(), h -> t(h).putArray("data_offsets").add(0)), "'t'", "data_offsets");
        malformed("noOffsets", withHeader(valid(), h -> t(h).remove("data_offsets")), "'t'", "data_offsets");
        malformed("floatOffsets", withHeader(valid(), h -> t(h).putArray("data_offsets").add(0.5).add(16)), "'t'", "data_offsets");
        // the data section itself cut short
        byte[] full = valid().bytes();
        malformed("truncatedData", java.util.Arrays.copyOf(full, full.length - 4), "'t'", "past the end");
    }

    @Test
    void shapesThatDisagreeWithTheBytes() throws IOException {
        malformed("shapeTooBig", withHeader(valid(), h -> t(h).putArray("shape").add(2).add(3)),
                "'t'", "[2,3]", "24 bytes", "16 bytes");
        malformed("shapeTooSmall", withHeader(valid(), h -> t(h).putArray("shape").add(3)), "'t'", "12 bytes", "16 bytes");
        malformed("negativeDim", withHeader(valid(), h -> t(h).putArray("shape").add(-2).add(-2)), "'t'", "invalid dimension -2");
        malformed("fractionalDim", withHeader(valid(), h -> t(h).putArray("shape").add(2.5)), "'t'", "invalid dimension 2.5");
        malformed("stringDim", withHeader(valid(), h -> t(h).putArray("shape").add("4")), "'t'", "invalid dimension");
        malformed("noShape", withHeader(valid(), h -> t(h).remove("shape")), "'t'", "no shape");
        malformed("absurdShape", withHeader(valid(), h -> t(h).putArray("shape").add(1 << 30).add(1 << 30)),
                "'t'", "absurd shape");
        malformed("f64Size", withHeader(valid(), h -> t(h).put("dtype", "F64")), "'t'", "F64", "32 bytes", "16 bytes");
    }

    @Test
    void metadataThatIsNotStrings() throws IOException {
        malformed("metaNumber", withHeader(valid(), h -> ((ObjectNode) h.get("__metadata__")).put("seed", 0)),
                "__metadata__.seed", "not a string");
        malformed("metaObject", withHeader(valid(), h -> ((ObjectNode) h.get("__metadata__")).putObject("args")),
                "__metadata__.args", "not a string");
        malformed("metaArray", withHeader(valid(), h -> h.putArray("__metadata__")), "__metadata__", "not a JSON object");
    }
}
