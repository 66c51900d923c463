package unboxed.backend.cuda;

import jcuda.driver.CUdeviceptr;
import unboxed.backend.Backend;
import unboxed.backend.Storage;

/** Device memory: a block from the backend's caching allocator. */
public final class CudaStorage implements Storage {
    private final CudaBackend backend;
    private final int size;
    private final DeviceAllocator.Block block;
    private int version;

    CudaStorage(CudaBackend backend, int size, DeviceAllocator allocator) {
        this.backend = backend;
        this.size = size;
        this.block = allocator.allocate(this, 4L * size);
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
        return block.released;
    }

    @Override
    public void close() {
        backend.allocator().release(block);
    }

    /** The device address of element 0. */
    public CUdeviceptr pointer() {
        if (block.released) {
            throw new IllegalStateException("cuda storage of " + size + " floats was closed; a tensor over it"
                    + " can no longer be used (close a tensor only when nothing reads it any more)");
        }
        return block.pointer;
    }
}
