package unboxed.backend;

/**
 * What every kernel reads and writes: a strided view over a {@link Storage} — its shape, its
 * strides (in elements, 0 for a broadcast dimension) and the offset of its first element.
 *
 * <p>This is all a backend sees of a tensor. It knows nothing of autograd, of names or of the
 * {@code Tensor} class, which is what lets a backend live in its own module. The arrays are
 * shared, never copied: callers and kernels must not modify them.
 */
public record Strided(Storage storage, int[] shape, int[] strides, int offset) {
    public Strided {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("a view of rank " + shape.length + " needs as many strides, got "
                    + strides.length);
        }
    }

    /** A contiguous row-major view of the whole storage with the given shape. */
    public static Strided contiguous(Storage storage, int... shape) {
        return new Strided(storage, shape, contiguousStrides(shape), 0);
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    public Backend backend() {
        return storage.backend();
    }

    public int dim() {
        return shape.length;
    }

    public int size(int d) {
        return shape[d];
    }

    public int stride(int d) {
        return strides[d];
    }

    public int numel() {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** Row-major without gaps (size-1 dimensions ignored). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) {
                continue;
            }
            if (strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** The same elements seen with another shape and strides (no copy). */
    public Strided as(int[] newShape, int[] newStrides, int newOffset) {
        return new Strided(storage, newShape, newStrides, newOffset);
    }
}
