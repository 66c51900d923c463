package unboxed.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX format in which MNIST and Fashion-MNIST are published.
 *
 * <p>Layout (all integers big-endian): a 4-byte magic number {@code 00 00 TT DD}, where
 * {@code TT} is the element type and {@code DD} the number of dimensions; then {@code DD}
 * unsigned 32-bit dimension sizes; then the elements in row-major order. The element types:
 * <pre>
 *   0x08 unsigned byte   0x09 signed byte   0x0B short (2 bytes)
 *   0x0C int (4 bytes)   0x0D float (4)     0x0E double (8)
 * </pre>
 *
 * <p>The file may be gzipped, as the original distribution is: the reader looks at the first
 * two bytes (gzip's magic {@code 1f 8b}) rather than at the file name, so a renamed file still
 * reads. Every fault a damaged or misplaced file can have is checked, because the alternative
 * is a model silently trained on garbage: the magic, the type byte, the rank, that the payload
 * holds exactly the number of bytes the dimensions promise (neither truncated nor followed by
 * extra bytes). Each error names the path and the fault; a missing file says to run
 * {@code make data}.
 */
public final class Idx {
    private Idx() {
    }

    /** The element types of the IDX format, by their type byte. */
    public enum Type {
        UBYTE(0x08, 1), BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        /** The type byte (third byte of the magic number). */
        public final int code;
        /** Bytes per element. */
        public final int bytes;

        Type(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        /** The type for a type byte, or null when the byte is not one of the format's. */
        public static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    /**
     * The content of one IDX file: its element type, shape, and the payload exactly as stored
     * (big-endian elements). Keeping the raw bytes costs 1 byte per pixel instead of 4, and
     * the conversions below are one pass when a caller needs floats or ints.
     */
    public static final class Array {
        private final Path path;
        private final Type type;
        private final int[] shape;
        private final byte[] data;

        Array(Path path, Type type, int[] shape, byte[] data) {
            this.path = path;
            this.type = type;
            this.shape = shape;
            this.data = data;
        }

        public Path path() {
            return path;
        }

        public Type type() {
            return type;
        }

        public int[] shape() {
            return shape.clone();
        }

        public int dim(int i) {
            return shape[i];
        }

        public int rank() {
            return shape.length;
        }

        /** Number of elements (product of the dimensions). */
        public int numel() {
            return data.length / type.bytes;
        }

        /** The payload as stored; not copied. For UBYTE read elements as {@code b & 0xFF}. */
        public byte[] bytes() {
            return data;
        }

        /**
         * Checks the rank and, where {@code expected[i] >= 0}, the size of dimension i;
         * -1 leaves a dimension free. Throws naming the file, e.g. a labels file passed as images.
         */
        public Array require(Type expectedType, int... expected) {
            if (type != expectedType) {
                throw new IllegalArgumentException(path + ": IDX element type is " + type + " (0x"
                        + Integer.toHexString(type.code) + "), expected " + expectedType);
            }
            boolean ok = shape.length == expected.length;
            for (int i = 0; ok && i < expected.length; i++) {
                ok = expected[i] < 0 || expected[i] == shape[i];
            }
            if (!ok) {
                throw new IllegalArgumentException(path + ": IDX shape " + Arrays.toString(shape) + " where "
                        + Arrays.toString(expected).replace("-1", "*") + " was expected");
            }
            return this;
        }

        /** Every element as an int (exact for all types but FLOAT and DOUBLE, which are truncated). */
        public int[] toInts() {
            int n = numel();
            int[] out = new int[n];
            if (type == Type.UBYTE) {
                for (int i = 0; i < n; i++) {
                    out[i] = data[i] & 0xFF;
                }
                return out;
            }
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = switch (type) {
                    case BYTE -> data[i];
                    case SHORT -> b.getShort(2 * i);
                    case INT -> b.getInt(4 * i);
                    case FLOAT -> (int) b.getFloat(4 * i);
                    case DOUBLE -> (int) b.getDouble(8 * i);
                    default -> throw new AssertionError(type);
                };
            }
            return out;
        }

        /** Every element as a float, multiplied by {@code scale} (1/255 maps unsigned bytes to [0, 1]). */
        public float[] toFloats(float scale) {
            int n = numel();
            float[] out = new float[n];
            if (type == Type.UBYTE) {
                for (int i = 0; i < n; i++) {
                    out[i] = (data[i] & 0xFF) * scale;
                }
                return out;
            }
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < n; i++) {
                double v = switch (type) {
                    case BYTE -> data[i];
                    case SHORT -> b.getShort(2 * i);
                    case INT -> b.getInt(4 * i);
                    case FLOAT -> b.getFloat(4 * i);
                    case DOUBLE -> b.getDouble(8 * i);
                    default -> throw new AssertionError(type);
                };
                out[i] = (float) (v * scale);
            }
            return out;
        }
    }

    /**
     * The largest payload read: one Java array. Far above any IDX dataset (MNIST training
     * images are 47 MB) but caught here so that a corrupt header claiming 2^40 elements gives
     * a message, not an OutOfMemoryError.
     */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    /** The maximal rank accepted; the format allows 255, but a rank above this means a corrupt header. */
    static final int MAX_RANK = 16;

    /** Whether the file starts with gzip's magic bytes 1f 8b. */
    public static boolean isGzip(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /**
     * Opens the file, transparently decompressing gzip (detected by its magic bytes 1f 8b, not
     * by the name); a missing file names the fix.
     */
    static InputStream open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw missing(path);
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        try {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (!gzip) {
                return raw;
            }
            return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        } catch (IOException e) {
            raw.close();
            throw new IOException(path + ": cannot open (corrupt gzip header?): " + e.getMessage(), e);
        }
    }

    static NoSuchFileException missing(Path path) {
        return new NoSuchFileException(path.toString(), null,
                "file not found; run `make data` to fetch and verify the datasets");
    }

    /**
     * Reads a whole IDX file (raw or gzipped).
     *
     * @throws NoSuchFileException when the file does not exist (the message says to run {@code make data})
     * @throws IOException when the file is unreadable, truncated, a corrupt gzip stream, or has extra bytes
     * @throws IllegalArgumentException when the header is not IDX (magic, type, rank, size)
     */
    public static Array read(Path path) throws IOException {
        try (InputStream in = open(path)) {
            byte[] magic = readFully(in, path, 4, "magic number");
            if (magic[0] != 0 || magic[1] != 0) {
                throw new IllegalArgumentException(path + ": not an IDX file: magic number starts "
                        + hex(magic) + ", expected 00 00 <type> <rank>");
            }
            Type type = Type.of(magic[2] & 0xFF);
            if (type == null) {
                throw new IllegalArgumentException(path + ": unknown IDX element type 0x"
                        + String.format("%02x", magic[2] & 0xFF) + " (expected 08, 09, 0b, 0c, 0d or 0e)");
            }
            int rank = magic[3] & 0xFF;
            if (rank < 1 || rank > MAX_RANK) {
                throw new IllegalArgumentException(path + ": IDX rank " + rank + " out of range 1.." + MAX_RANK);
            }
            ByteBuffer dims = ByteBuffer.wrap(readFully(in, path, 4 * rank, "dimension sizes"))
                    .order(ByteOrder.BIG_ENDIAN);
            int[] shape = new int[rank];
            long bytes = type.bytes;
            for (int i = 0; i < rank; i++) {
                long d = dims.getInt() & 0xFFFFFFFFL;
                if (d > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(path + ": IDX dimension " + i + " is " + d + ", too large");
                }
                shape[i] = (int) d;
                bytes *= d;
                if (bytes > MAX_BYTES) {
                    throw new IllegalArgumentException(path + ": IDX header declares more than " + MAX_BYTES
                            + " bytes of data (dimensions " + Arrays.toString(Arrays.copyOf(shape, i + 1))
                            + "...): corrupt header");
                }
            }
            byte[] data = new byte[(int) bytes];
            int got = in.readNBytes(data, 0, data.length);
            if (got < data.length) {
                throw new IOException(path + ": truncated IDX file: dimensions " + Arrays.toString(shape) + " of "
                        + type + " need " + data.length + " data bytes, found " + got);
            }
            long extra = 0;
            while (in.read() >= 0) {
                extra++;
                extra += in.skip(Long.MAX_VALUE);
            }
            if (extra > 0) {
                throw new IOException(path + ": IDX file has " + extra + " bytes after the " + data.length
                        + " data bytes that dimensions " + Arrays.toString(shape) + " of " + type
                        + " account for: wrong dimensions or a corrupt file");
            }
            return new Array(path, type, shape, data);
        } catch (EOFException e) {
            throw new IOException(path + ": truncated gzip stream: " + e.getMessage(), e);
        } catch (ZipException e) {
            throw new IOException(path + ": corrupt gzip stream: " + e.getMessage(), e);
        }
    }

    private static byte[] readFully(InputStream in, Path path, int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IOException(path + ": truncated IDX file: ends inside the " + what + " (" + b.length + " of "
                    + n + " bytes)");
        }
        return b;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(String.format("%02x", x & 0xFF));
        }
        return s.toString();
    }

    /**
     * Writes an IDX file (raw, or gzipped when {@code gzip}): the inverse of {@link #read}, used
     * by tests to build synthetic files and by tools that export subsets. {@code data} holds the
     * elements big-endian as stored.
     */
    public static void write(Path path, Type type, int[] shape, byte[] data, boolean gzip) throws IOException {
        long n = type.bytes;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("Idx.write " + path + ": shape " + Arrays.toString(shape) + " of "
                    + type + " needs " + n + " bytes, got " + data.length);
        }
        ByteBuffer header = ByteBuffer.allocate(4 + 4 * shape.length).order(ByteOrder.BIG_ENDIAN);
        header.put((byte) 0).put((byte) 0).put((byte) type.code).put((byte) shape.length);
        for (int d : shape) {
            header.putInt(d);
        }
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(path))
                : new BufferedOutputStream(Files.newOutputStream(path))) {
            out.write(header.array());
            out.write(data);
        }
    }
}
