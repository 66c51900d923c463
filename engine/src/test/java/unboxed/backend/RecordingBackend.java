package unboxed.backend;

import java.util.Map;
import java.util.TreeMap;
import unboxed.backend.cpu.CpuBackend;

/**
 * A second backend, registered through ServiceLoader like any backend module: it delegates every
 * kernel to the CPU backend and counts the calls. Its storages are its own (they name this backend),
 * so tensors created on it dispatch here; running fixtures on it proves that nothing above the
 * backend interface reaches past it to the CPU.
 */
public final class RecordingBackend implements Backend {
    /** Registers the backend as {@code recording} (see src/test/resources/META-INF/services). */
    public static final class Provider implements BackendProvider {
        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Backend create(int threads) {
            return new RecordingBackend(new CpuBackend(threads));
        }
    }

    private final Backend cpu;
    private final Map<String, Integer> calls = new TreeMap<>();

    RecordingBackend(Backend cpu) {
        this.cpu = cpu;
    }

    /** How often each kernel ran. */
    public synchronized Map<String, Integer> calls() {
        return new TreeMap<>(calls);
    }

    private synchronized void count(String kernel) {
        calls.merge(kernel, 1, Integer::sum);
    }

    private final class Wrapped implements Storage {
        final Storage inner;

        Wrapped(Storage inner) {
            this.inner = inner;
        }

        @Override
        public Backend backend() {
            return RecordingBackend.this;
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public int version() {
            return inner.version();
        }

        @Override
        public void bumpVersion() {
            inner.bumpVersion();
        }

        @Override
        public boolean isClosed() {
            return inner.isClosed();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** The same view over the CPU storage underneath; a storage of another backend is refused. */
    private Strided in(Strided s) {
        if (!(s.storage() instanceof Wrapped w) || w.backend() != this) {
            throw new IllegalArgumentException("recording backend: a tensor of backend '" + s.backend().name()
                    + "' reached it");
        }
        return new Strided(w.inner, s.shape(), s.strides(), s.offset());
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public Storage allocate(int size) {
        count("allocate");
        return new Wrapped(cpu.allocate(size));
    }

    @Override
    public Storage upload(float[] host) {
        count("upload");
        return new Wrapped(cpu.upload(host));
    }

    @Override
    public float[] download(Strided x) {
        count("download");
        return cpu.download(in(x));
    }

    @Override
    public void fill(Strided out, float value) {
        count("fill");
        cpu.fill(in(out), value);
    }

    @Override
    public void copy(Strided src, Strided dst) {
        count("copy");
        cpu.copy(in(src), in(dst));
    }

    @Override
    public void unary(UnaryOp op, Strided x, Strided out) {
        count("unary." + op);
        cpu.unary(op, in(x), in(out));
    }

    @Override
    public void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        count("binary." + op);
        cpu.binary(op, in(a), in(b), in(out));
    }

    @Override
    public void binary(BinaryOp op, Strided a, float s, Strided out) {
        count("binaryScalar." + op);
        cpu.binary(op, in(a), s, in(out));
    }

    @Override
    public void binary(BinaryOp op, float s, Strided b, Strided out) {
        count("scalarBinary." + op);
        cpu.binary(op, s, in(b), in(out));
    }

    @Override
    public void where(Strided condition, Strided a, Strided b, Strided out) {
        count("where");
        cpu.where(in(condition), in(a), in(b), in(out));
    }

    @Override
    public void axpy(float alpha, Strided x, Strided y) {
        count("axpy");
        cpu.axpy(alpha, in(x), in(y));
    }

    @Override
    public void reduce(ReduceOp op, Strided x, Strided out) {
        count("reduce." + op);
        cpu.reduce(op, in(x), in(out));
    }

    @Override
    public void reduceWithIndex(ReduceOp op, Strided x, int dim, Strided values, Strided indices) {
        count("reduceWithIndex." + op);
        cpu.reduceWithIndex(op, in(x), dim, in(values), in(indices));
    }

    @Override
    public void gather(int dim, Strided input, Strided index, Strided out) {
        count("gather");
        cpu.gather(dim, in(input), in(index), in(out));
    }

    @Override
    public void scatterAdd(int dim, Strided index, Strided src, Strided out) {
        count("scatterAdd");
        cpu.scatterAdd(dim, in(index), in(src), in(out));
    }

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        count("matmul");
        cpu.matmul(in(a), in(b), in(out));
    }

    @Override
    public void softmax(Strided x, int dim, boolean log, Strided out) {
        count("softmax");
        cpu.softmax(in(x), dim, log, in(out));
    }

    @Override
    public void softmaxBackward(Strided y, Strided gy, int dim, boolean log, Strided gx) {
        count("softmaxBackward");
        cpu.softmaxBackward(in(y), in(gy), dim, log, in(gx));
    }

    @Override
    public void im2col(Strided input, Window2d w, Strided out) {
        count("im2col");
        cpu.im2col(in(input), w, in(out));
    }

    @Override
    public void col2im(Strided cols, Window2d w, Strided out) {
        count("col2im");
        cpu.col2im(in(cols), w, in(out));
    }

    @Override
    public void maxPool2d(Strided input, Window2d w, boolean ceilMode, Strided out, Strided indices) {
        count("maxPool2d");
        cpu.maxPool2d(in(input), w, ceilMode, in(out), in(indices));
    }

    @Override
    public void avgPool2d(Strided input, Window2d w, boolean ceilMode, boolean countIncludePad, int divisor,
                          Strided out) {
        count("avgPool2d");
        cpu.avgPool2d(in(input), w, ceilMode, countIncludePad, divisor, in(out));
    }

    @Override
    public void avgPool2dBackward(Strided gradOut, Window2d w, boolean ceilMode, boolean countIncludePad, int divisor,
                                  Strided gradInput) {
        count("avgPool2dBackward");
        cpu.avgPool2dBackward(in(gradOut), w, ceilMode, countIncludePad, divisor, in(gradInput));
    }
}
