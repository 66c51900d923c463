package unboxed.backend;

/**
 * A flat block of float32 elements that lives on one backend (host memory, GPU memory).
 * A {@link unboxed.tensor.Tensor} is a view over a storage: shape, strides and an offset.
 * Several tensors may share one storage (views), which is why the storage knows its size
 * but nothing about shape.
 */
public interface Storage {
    /** The backend whose kernels can read and write this storage. */
    Backend backend();

    /** Number of float elements. */
    int size();
}
