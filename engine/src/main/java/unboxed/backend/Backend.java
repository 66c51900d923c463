package unboxed.backend;

import unboxed.tensor.Tensor;

/**
 * The narrow set of primitive kernels that everything above (autograd, nn, optim) is built from.
 *
 * <p>Each backend implements exactly this interface and nothing above it knows which one runs:
 * the tensors carry their storage, the storage names its backend, and every differentiable op
 * calls {@code x.backend().kernel(...)}. The CPU backend is pure Java; the CUDA backend launches
 * our own PTX kernels through the driver API.
 *
 * <p>Conventions shared by all kernels:
 * <ul>
 *   <li>inputs are arbitrary strided views (transposed, expanded with stride 0, sliced);</li>
 *   <li>{@code out} is a tensor the caller allocated, contiguous unless stated otherwise;</li>
 *   <li>shapes have already been checked by the caller: kernels do not re-validate;</li>
 *   <li>for a given backend and input, results are bit-identical from run to run and
 *       independent of the number of threads (no split reductions whose order depends on scheduling).</li>
 * </ul>
 */
public interface Backend {
    /** Short name used on command lines: {@code cpu}, {@code cuda}. */
    String name();

    /** A zero-filled storage of {@code size} floats. */
    Storage allocate(int size);

    /** A storage holding a copy of {@code host}. */
    Storage upload(float[] host);

    /** The elements of {@code t} in row-major logical order, as a new host array. */
    float[] download(Tensor t);

    /** out[i] = value for every element of the (possibly strided) view {@code out}. */
    void fill(Tensor out, float value);

    /** dst[i] = src[i]; both may be strided, shapes equal. */
    void copy(Tensor src, Tensor dst);

    /** out = op(x). */
    void unary(UnaryOp op, Tensor x, Tensor out);

    /** out = op(a, b), where a and b have already been expanded (broadcast) to out's shape. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /**
     * y = y + alpha * x in place (y contiguous, same shape as x): the optimizers' update, one pass
     * over memory instead of a temporary for alpha * x. Rounds alpha * x before adding (no fused
     * multiply-add), exactly like the separate multiply and add it replaces.
     */
    void axpy(float alpha, Tensor x, Tensor y);

    /**
     * out = op over the dimensions where {@code out} has size 1 and {@code x} does not
     * ({@code out} has x's rank, "keepdim" form). An empty reduction gives the op's identity
     * (0 for SUM, -inf for MAX, +inf for MIN).
     */
    void reduce(ReduceOp op, Tensor x, Tensor out);

    /**
     * Batched matrix product: a is [B, M, K], b is [B, K, N] (any strides, stride 0 for a
     * broadcast batch), out is a contiguous [B, M, N].
     */
    void matmul(Tensor a, Tensor b, Tensor out);

    /** out = softmax(x) (or log_softmax when {@code log}) along {@code dim}; out contiguous, same shape. */
    void softmax(Tensor x, int dim, boolean log, Tensor out);

    /**
     * The gradient of softmax / log_softmax along {@code dim}, given its output {@code y} and the
     * upstream gradient {@code gy}: softmax: y * (gy - sum(gy * y)); log_softmax: gy - exp(y) * sum(gy).
     */
    void softmaxBackward(Tensor y, Tensor gy, int dim, boolean log, Tensor gx);

    /** Release resources (threads, device contexts). The backend is unusable afterwards. */
    default void close() {
    }
}
