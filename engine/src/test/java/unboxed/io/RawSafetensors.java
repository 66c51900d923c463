package unboxed.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test helper: builds safetensors bytes by hand (8-byte little-endian header length, JSON header,
 * raw data), so that tests can write valid files of any dtype and every kind of malformed one.
 */
public final class RawSafetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode header = JSON.createObjectNode();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    public RawSafetensors meta(String key, String value) {
        ObjectNode m = header.has("__metadata__") ? (ObjectNode) header.get("__metadata__") : header.putObject("__metadata__");
        m.put(key, value);
        return this;
    }

    /** The header object itself, to corrupt it at will. */
    public ObjectNode header() {
        return header;
    }

    private ObjectNode entry(String name, String dtype, int[] shape, byte[] bytes) {
        ObjectNode e = header.putObject(name);
        e.put("dtype", dtype);
        ArrayNode s = e.putArray("shape");
        for (int d : shape) {
            s.add(d);
        }
        ArrayNode o = e.putArray("data_offsets");
        o.add(data.size());
        data.writeBytes(bytes);
        o.add(data.size());
        return e;
    }

    public RawSafetensors f32(String name, int[] shape, float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        entry(name, "F32", shape, b.array());
        return this;
    }

    public RawSafetensors f64(String name, int[] shape, double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) {
            b.putDouble(d);
        }
        entry(name, "F64", shape, b.array());
        return this;
    }

    public RawSafetensors i64(String name, int[] shape, long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long l : v) {
            b.putLong(l);
        }
        entry(name, "I64", shape, b.array());
        return this;
    }

    /** An entry with arbitrary header fields and bytes. */
    public RawSafetensors raw(String name, String dtype, int[] shape, byte[] bytes) {
        entry(name, dtype, shape, bytes);
        return this;
    }

    public String headerJson() {
        try {
            return JSON.writeValueAsString(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] data() {
        return data.toByteArray();
    }

    public byte[] bytes() {
        return file(headerJson(), data());
    }

    public Path write(Path path) throws IOException {
        Files.write(path, bytes());
        return path;
    }

    /** A file with the true header length. */
    public static byte[] file(String headerJson, byte[] data) {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, data);
    }

    /** A file whose 8-byte length field says {@code declared}, whatever the header really is. */
    public static byte[] file(long declared, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declared);
        b.put(header);
        b.put(data);
        return b.array();
    }
}
