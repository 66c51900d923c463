package unboxed.backend.cpu;

import unboxed.backend.Backend;
import unboxed.backend.Storage;

/** Host memory: a Java float array. {@link #close()} drops it, so the garbage collector can take it now. */
public final class CpuStorage implements Storage {
    private final CpuBackend backend;
    private final int size;
    private float[] data;
    private int version;

    CpuStorage(CpuBackend backend, float[] data) {
        this.backend = backend;
        this.data = data;
        this.size = data.length;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public void bumpVersion() {
        version++;
    }

    @Override
    public boolean isClosed() {
        return data == null;
    }

    @Override
    public void close() {
        if (data != null) {
            data = null;
            backend.freed(size);
        }
    }

    /** Closes the storage and returns its array, for the backend to hand out again (null if closed). */
    float[] takeArray() {
        float[] d = data;
        if (d != null) {
            data = null;
            backend.freed(size);
        }
        return d;
    }

    /**
     * The backing array, for code that must read host memory directly (data loaders, tests). Do
     * not keep it beyond the storage: once the engine recycles a storage (a consumed gradient),
     * its array may back another tensor.
     */
    public float[] array() {
        float[] d = data;
        if (d == null) {
            throw new IllegalStateException("cpu storage of " + size + " floats was closed; a tensor over it"
                    + " can no longer be used (close a tensor only when nothing reads it any more)");
        }
        return d;
    }
}
