package unboxed.backend.cpu;

import unboxed.backend.Backend;
import unboxed.backend.Storage;

/** Host memory: a Java float array. */
public final class CpuStorage implements Storage {
    private final CpuBackend backend;
    final float[] data;

    CpuStorage(CpuBackend backend, float[] data) {
        this.backend = backend;
        this.data = data;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int size() {
        return data.length;
    }

    /** The backing array, for code that must read host memory directly (data loaders, tests). */
    public float[] array() {
        return data;
    }
}
