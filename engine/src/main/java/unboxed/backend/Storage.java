package unboxed.backend;

/**
 * A flat block of float32 elements that lives on one backend (host memory, GPU memory). Tensors
 * are views over a storage; several views may share one, which is why a storage knows its size
 * but nothing about shape.
 *
 * <p>Two pieces of state belong to the memory itself rather than to any one view of it:
 * <ul>
 *   <li>the <em>version counter</em>, bumped by every in-place write through a tensor. Autograd
 *       remembers the version of each tensor it saves for backward and refuses to use one that was
 *       modified since, as PyTorch does; views share the counter because they share the memory;</li>
 *   <li>the memory's lifetime. {@link #close()} returns the memory to the backend now (a GPU's
 *       memory is too scarce to wait for the garbage collector); any later use fails with a clear
 *       message. Storages that are never closed are reclaimed by the garbage collector.</li>
 * </ul>
 */
public interface Storage extends AutoCloseable {
    /** The backend whose kernels can read and write this storage. */
    Backend backend();

    /** Number of float elements. */
    int size();

    /** How many in-place writes this memory has seen. */
    int version();

    /** Records an in-place write (called by the tensor layer, not by kernels). */
    void bumpVersion();

    /** Whether {@link #close()} has released the memory. */
    boolean isClosed();

    /** Returns the memory to the backend's allocator now. Idempotent. */
    @Override
    void close();
}
