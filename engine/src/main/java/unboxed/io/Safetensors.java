package unboxed.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/**
 * The safetensors format: 8 bytes little-endian header length N, N bytes of JSON header, then the
 * raw little-endian tensor bytes. Used for fixtures exported from PyTorch and for checkpoints.
 *
 * <p>The reader trusts nothing in the file: every length and offset is checked against the file's
 * real size before anything is allocated, so a corrupt or hostile file gives a {@link FormatException}
 * that names the file and the fault, never an out-of-memory error or a stack trace from deep inside.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers are small (a few KB); anything beyond this is corrupt, and refused before allocating. */
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** A malformed safetensors file. */
    public static final class FormatException extends IOException {
        public FormatException(Path file, String fault) {
            super(file + ": " + fault);
        }
    }

    /**
     * Element types we read: float32, float64 (converted to float32, or read exactly with
     * {@link Entry#toDoubles}), int64 (whole numbers as float32) and BOOL (one byte, 0 or 1).
     */
    public enum DType {
        F32(4), F64(8), I64(8), BOOL(1);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** One tensor's header entry and its bytes. */
    public record Entry(String name, DType dtype, int[] shape, ByteBuffer bytes) {
        /** The values as float32 in row-major order. int64 values must be exactly representable. */
        public float[] toFloats(Path file) throws FormatException {
            int n = Shape.numel(shape);
            float[] out = new float[n];
            ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                switch (dtype) {
                    case F32:
                        out[i] = b.getFloat(i * 4);
                        break;
                    case F64:
                        out[i] = (float) b.getDouble(i * 8);
                        break;
                    case BOOL: {
                        byte v = b.get(i);
                        if (v != 0 && v != 1) {
                            throw new FormatException(file, "tensor '" + name + "' is BOOL but holds the byte " + v
                                    + " (only 0 and 1 are booleans)");
                        }
                        out[i] = v;
                        break;
                    }
                    case I64: {
                        long v = b.getLong(i * 8);
                        // Fix: Math.abs(Long.MIN_VALUE) is negative, so that value used to slip through
                        if (v > (1L << 24) || v < -(1L << 24)) {
                            throw new FormatException(file, "tensor '" + name + "' holds the int64 value " + v
                                    + ", too large for the engine's float32 index tensors");
                        }
                        out[i] = v;
                        break;
                    }
                    default:
                        throw new AssertionError(dtype);
                }
            }
            return out;
        }
    
        /** The values as double: float64 exactly, the other types widened. */
        public double[] toDoubles(Path file) throws FormatException {
            if (dtype != DType.F64) {
                float[] f = toFloats(file);
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                return d;
            }
            int n = Shape.numel(shape);
            double[] out = new double[n];
            ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = b.getDouble(i * 8);
            }
            return out;
        }
    }

    /** A parsed file: its tensors (in header order) and its string metadata. */
    public record File(Path path, Map<String, Entry> entries, Map<String, String> metadata) {
        public boolean has(String name) {
            return entries.containsKey(name);
        }

        public Entry entry(String name) throws FormatException {
            Entry e = entries.get(name);
            if (e == null) {
                throw new FormatException(path, "missing tensor '" + name + "' (present: " + entries.keySet() + ")");
            }
            return e;
        }

        /** The named tensor as an engine tensor on the default backend. */
        public Tensor tensor(String name) throws FormatException {
            Entry e = entry(name);
            return Tensor.of(e.toFloats(path), e.shape());
        }

        public String meta(String key) throws FormatException {
            String v = metadata.get(key);
            if (v == null) {
                throw new FormatException(path, "missing metadata key '" + key + "'");
            }
            return v;
        }
    }

    public static File read(Path path) throws IOException {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (size < 8) {
                throw new FormatException(path, "truncated: " + size + " bytes, but a safetensors file starts with an"
                        + " 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw new FormatException(path, "header length " + Long.toUnsignedString(headerLen)
                        + " is impossible for a file of " + size + " bytes (truncated or not a safetensors file)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            if (dataSize > Integer.MAX_VALUE) {
                throw new FormatException(path, "tensor data of " + dataSize + " bytes is larger than supported (2 GiB)");
            }
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new FormatException(path, "header is not valid JSON: " + e.getOriginalMessage());
            }
            if (header == null || !header.isObject()) {
                throw new FormatException(path, "header is not a JSON object");
            }
            ByteBuffer data = ByteBuffer.allocate((int) dataSize).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, data, dataStart);
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> f : header.properties()) {
                if (f.getKey().equals("__metadata__")) {
                    readMetadata(path, f.getValue(), metadata);
                } else {
                    entries.put(f.getKey(), readEntry(path, f.getKey(), f.getValue(), data));
                }
            }
            return new File(path, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
        }
    }

    private static void readMetadata(Path path, JsonNode node, Map<String, String> out) throws FormatException {
        if (!node.isObject()) {
            throw new FormatException(path, "__metadata__ is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            if (!f.getValue().isTextual()) {
                throw new FormatException(path, "__metadata__." + f.getKey() + " is not a string");
            }
            out.put(f.getKey(), f.getValue().asText());
        }
    }

    private static Entry readEntry(Path path, String name, JsonNode node, ByteBuffer data) throws FormatException {
        if (!node.isObject()) {
            throw new FormatException(path, "header entry '" + name + "' is not a JSON object");
        }
        JsonNode dt = node.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw new FormatException(path, "tensor '" + name + "' has no dtype");
        }
        DType dtype;
        try {
            dtype = DType.valueOf(dt.asText());
        } catch (IllegalArgumentException e) {
            throw new FormatException(path, "tensor '" + name + "' has unknown dtype '" + dt.asText()
                    + "' (supported: F32, F64, I64)");
        }
        JsonNode sh = node.get("shape");
        if (sh == null || !sh.isArray()) {
            throw new FormatException(path, "tensor '" + name + "' has no shape array");
        }
        int[] shape = new int[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw new FormatException(path, "tensor '" + name + "' has an invalid dimension " + d + " in its shape");
            }
            shape[i] = (int) d.asLong();
            numel *= shape[i];
            if (numel > Integer.MAX_VALUE) {
                throw new FormatException(path, "tensor '" + name + "' has an absurd shape " + sh);
            }
        }
        JsonNode off = node.get("data_offsets");
        // Fix: canConvertToLong, else an offset beyond 2^63 (a BigInteger) was silently truncated by asLong()
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()
                || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new FormatException(path, "tensor '" + name + "' has no valid data_offsets [begin, end]: " + off);
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        // Fix: a reversed or negative range used to be reported as running "past the end of the data"
        if (begin < 0 || end < begin) {
            throw new FormatException(path, "tensor '" + name + "' has data_offsets [" + begin + ", " + end
                    + "] that are not a valid range (need 0 <= begin <= end)");
        }
        if (end > data.capacity()) {
            throw new FormatException(path, "tensor '" + name + "' has data_offsets [" + begin + ", " + end
                    + "] that run past the end of the data (" + data.capacity() + " bytes)");
        }
        if (end - begin != numel * dtype.bytes) {
            throw new FormatException(path, "tensor '" + name + "' has shape " + sh + " of " + dtype + " ("
                    + numel * dtype.bytes + " bytes) but data_offsets span " + (end - begin) + " bytes");
        }
        ByteBuffer slice = data.duplicate();
        slice.position((int) begin).limit((int) end);
        return new Entry(name, dtype, shape, slice.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += r;
        }
        buf.flip();
    }

    /**
     * Writes float32 tensors (sorted by name) and string metadata, atomically: a temporary file in
     * the same folder, then a rename, so an interrupted write never leaves a half file behind.
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        TreeMap<String, float[]> values = new TreeMap<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : new TreeMap<>(tensors).entrySet()) {
            float[] v = e.getValue().toArray();
            values.put(e.getKey(), v);
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", "F32");
            var shape = entry.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            var offs = entry.putArray("data_offsets");
            offs.add(offset);
            offset += 4L * v.length;
            offs.add(offset);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate((int) (8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded);
        buf.put(json);
        for (int i = json.length; i < padded; i++) {
            buf.put((byte) ' ');
        }
        for (float[] v : values.values()) {
            for (float f : v) {
                buf.putFloat(f);
            }
        }
        AtomicFiles.write(path, buf.array());
    }
}
