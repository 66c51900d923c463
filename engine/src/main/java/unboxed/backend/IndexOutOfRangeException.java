package unboxed.backend;

/** An index tensor held a value outside its dimension: raised by gather and scatter_add kernels, naming the value. */
public final class IndexOutOfRangeException extends IndexOutOfBoundsException {
    private final long index;

    public IndexOutOfRangeException(String op, long index, int dim, int size) {
        super(op + ": index " + index + " is out of bounds for dimension " + dim + " with size " + size);
        this.index = index;
    }

    /** The offending value. */
    public long index() {
        return index;
    }
}
