package unboxed.backend;

/**
 * The narrow set of primitive kernels that everything above (tensors, autograd, nn, optim) is
 * built from, in the spirit of tinygrad's backends: a short interface that a new device implements
 * once, and nothing above it knows which one runs.
 *
 * <p>Kernels see only {@link Storage} plus layout ({@link Strided}): no tensors, no autograd. The
 * tensor layer allocates outputs, checks shapes, and calls these.
 *
 * <p>Conventions shared by all kernels:
 * <ul>
 *   <li>inputs are arbitrary strided views (transposed, expanded with stride 0, sliced);</li>
 *   <li>{@code out} was allocated by the caller, contiguous unless stated otherwise; kernels write
 *       every element of it, so it may come from {@link #allocate} uninitialised;</li>
 *   <li>shapes have been checked by the caller; kernels check only what needs the data itself
 *       (an index out of range), and report it without a host round-trip where they can;</li>
 *   <li>scalars are passed as plain {@code float} arguments, never uploaded as tensors;</li>
 *   <li>kernels may run asynchronously: results are visible after {@link #synchronize()} or any
 *       download;</li>
 *   <li>for a given backend and input, results are bit-identical from run to run and
 *       independent of the number of threads (no reduction order that depends on scheduling).</li>
 * </ul>
 */
public interface Backend {
    /** Short name used on command lines, such as {@code cpu}. */
    String name();

    // ------------------------------------------------------------------ memory

    /** A storage of {@code size} floats whose contents are unspecified (PyTorch's {@code empty}). */
    Storage allocate(int size);

    /** A storage of {@code size} zeros. */
    default Storage allocateZeroed(int size) {
        Storage s = allocate(size);
        fill(Strided.contiguous(s, size), 0f);
        return s;
    }

    /** A storage holding a copy of {@code host}. */
    Storage upload(float[] host);

    /**
     * The engine is done with {@code storage}: nothing reads it again (autograd calls this for a
     * gradient its backward pass has consumed and nobody else can see). A backend may close it and
     * hand its memory to a later {@link #allocate} of the same size, as a caching allocator does;
     * the default leaves it to the garbage collector.
     */
    default void recycle(Storage storage) {
    }

    /** A storage holding {@code host} rounded to this backend's element type (float32 unless stated). */
    default Storage upload(double[] host) {
        float[] f = new float[host.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) host[i];
        }
        return upload(f);
    }

    /** The elements of {@code x} in row-major logical order, as a new host array (waits for pending work). */
    float[] download(Strided x);

    /** As {@link #download(Strided)}, widened to double; a double-precision backend loses nothing here. */
    default double[] downloadDoubles(Strided x) {
        float[] f = download(x);
        double[] d = new double[f.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** Waits until every kernel issued so far has finished (a no-op where kernels run synchronously). */
    default void synchronize() {
    }

    /** What the allocator holds now. */
    default MemoryStats memory() {
        return new MemoryStats(0, 0, 0);
    }

    // ------------------------------------------------------------------ elementwise

    /** out[i] = value for every element of the (possibly strided) view {@code out}. */
    void fill(Strided out, float value);

    /** dst[i] = src[i]; both may be strided, shapes equal. */
    void copy(Strided src, Strided dst);

    /** out = op(x). */
    void unary(UnaryOp op, Strided x, Strided out);

    /** out = op(a, b), where a and b have already been expanded (broadcast) to out's shape. */
    void binary(BinaryOp op, Strided a, Strided b, Strided out);

    /** out = op(a, s) for a scalar s. */
    void binary(BinaryOp op, Strided a, float s, Strided out);

    /** out = op(s, b) for a scalar s (as in {@code 1 - x}). */
    void binary(BinaryOp op, float s, Strided b, Strided out);

    /**
     * out = condition != 0 ? a : b, all three expanded to out's shape. A select, not arithmetic:
     * the branch not taken never touches the result, so an inf or NaN there cannot leak into it
     * (which a multiplication by a 0/1 mask would do: inf * 0 = NaN).
     */
    void where(Strided condition, Strided a, Strided b, Strided out);

    /**
     * out = x <= 0 ? 0 : g, all three of out's shape: ReLU's gradient g passed back where its
     * output x is positive or NaN (PyTorch's threshold_backward at 0), a select as in
     * {@link #where}. This default compares, then selects; a backend may do both in one pass.
     */
    default void reluBackward(Strided g, Strided x, Strided out) {
        Strided mask = Strided.contiguous(allocate(out.numel()), out.shape());
        binary(BinaryOp.LE, x, 0f, mask);
        Strided zero = new Strided(allocateZeroed(1), out.shape(), new int[out.dim()], 0);
        where(mask, zero, g, out);
    }

    /**
     * y = y + alpha * x in place (y contiguous, same shape as x): the optimizers' update, one pass
     * over memory instead of a temporary for alpha * x. Rounds alpha * x before adding (no fused
     * multiply-add), exactly like the separate multiply and add it replaces.
     */
    void axpy(float alpha, Strided x, Strided y);

    /**
     * out = a * b + c with one rounding (a fused multiply-add), a, b and c expanded to out's shape;
     * out may be c itself (an in-place update). PyTorch's CPU kernels for {@code add(x, alpha)} and
     * {@code addcmul} compute exactly this ({@code vec::fmadd}), so an optimizer built on it follows
     * PyTorch bit for bit. This default rounds the product first, as a separate multiply and add
     * would (one rounding more per element, within an ulp of the fused result): a backend with a
     * fused instruction overrides it.
     */
    default void fma(Strided a, Strided b, Strided c, Strided out) {
        // the product's storage goes to the garbage collector like any temporary: closing it here
        // could free memory that an asynchronous kernel has yet to read
        Strided p = Strided.contiguous(allocate(out.numel()), out.shape());
        binary(BinaryOp.MUL, a, b, p);
        binary(BinaryOp.ADD, p, c, out);
    }

    /** {@link #fma(Strided, Strided, Strided, Strided)} with a scalar a: {@code torch.add(c, b, alpha=a)}. */
    default void fma(float a, Strided b, Strided c, Strided out) {
        Strided p = Strided.contiguous(allocate(out.numel()), out.shape());
        binary(BinaryOp.MUL, b, a, p);
        binary(BinaryOp.ADD, p, c, out);
    }

    // ------------------------------------------------------------------ reductions

    /**
     * out = op over the dimensions where {@code out} has size 1 and {@code x} does not
     * ({@code out} has x's rank, "keepdim" form). An empty reduction gives the op's identity
     * (0 for SUM, -inf for MAX, +inf for MIN).
     */
    void reduce(ReduceOp op, Strided x, Strided out);

    /**
     * The largest (MAX) or smallest (MIN) element along {@code dim} and its index: {@code values}
     * and {@code indices} have x's shape with size 1 at {@code dim}. Ties go to the first index; a
     * NaN wins over any number (the first NaN), as {@code torch.max(dim)} does. Indices are whole
     * numbers stored as floats. The dimension must not be empty.
     */
    void reduceWithIndex(ReduceOp op, Strided x, int dim, Strided values, Strided indices);

    // ------------------------------------------------------------------ indexing

    /**
     * out[i][j][k] = input[index[i][j][k]][j][k] for dim 0 (and likewise for other dims):
     * {@code torch.gather}. out has index's shape; index holds whole numbers in
     * [0, input.size(dim)), and no larger than input along the other dimensions.
     *
     * @throws IndexOutOfBoundsException naming the offending index, when one is out of range
     */
    void gather(int dim, Strided input, Strided index, Strided out);

    /**
     * out[index[i][j][k]][j][k] += src[i][j][k] for dim 0 (likewise for other dims), in place:
     * {@code Tensor.scatter_add_}. Sums in the order of src's elements (row-major), so repeated
     * indices accumulate deterministically.
     *
     * @throws IndexOutOfBoundsException naming the offending index, when one is out of range
     */
    void scatterAdd(int dim, Strided index, Strided src, Strided out);

    // ------------------------------------------------------------------ sliding windows

    /**
     * im2col ({@code F.unfold}): input [N, C, H, W] (any strides) to out [N, C*kh*kw, OH*OW]
     * (contiguous): row (c*kh + i)*kw + j, column oy*OW + ox holds
     * input[n, c, oy*sh - ph + i*dh, ox*sw - pw + j*dw], 0 where that falls in the padding.
     */
    void im2col(Strided input, Window2d w, Strided out);

    /**
     * col2im ({@code F.fold}), the adjoint of im2col: cols [N, C*kh*kw, OH*OW] to out [N, C, H, W]
     * (contiguous, overwritten), each input position receiving the sum of every column entry that
     * im2col would read from it, added in column order (so deterministic).
     */
    void col2im(Strided cols, Window2d w, Strided out);

    /**
     * Max pooling: input [N, C, H, W] to out and indices [N, C, OH, OW] (contiguous). Padding is
     * -inf; each window keeps its first maximum in row-major order, and a NaN wins (the last NaN),
     * as PyTorch's CPU kernel does; indices are h * W + w in the input plane, as whole floats.
     */
    void maxPool2d(Strided input, Window2d w, boolean ceilMode, Strided out, Strided indices);

    /**
     * The gradient of {@link #maxPool2d}: gradInput [N, C, H, W] (contiguous, overwritten) holds
     * 0 + gradOut at each window's index and zeros elsewhere (the windows' sum where they share
     * an index); gradOut and indices [N, C, OH, OW], contiguous. This default fills zeros and
     * scatters (scatter_add along the flattened planes); a backend may write each element once
     * where the windows do not overlap.
     */
    default void maxPool2dBackward(Strided gradOut, Strided indices, Window2d w, Strided gradInput) {
        int n = gradInput.size(0);
        int c = gradInput.size(1);
        int windows = gradOut.size(2) * gradOut.size(3);
        fill(gradInput, 0f);
        scatterAdd(2, new Strided(indices.storage(), new int[] {n, c, windows}, Strided.contiguousStrides(
                        new int[] {n, c, windows}), indices.offset()),
                new Strided(gradOut.storage(), new int[] {n, c, windows}, Strided.contiguousStrides(
                        new int[] {n, c, windows}), gradOut.offset()),
                new Strided(gradInput.storage(), new int[] {n, c, gradInput.size(2) * gradInput.size(3)},
                        Strided.contiguousStrides(new int[] {n, c, gradInput.size(2) * gradInput.size(3)}),
                        gradInput.offset()));
    }

    /**
     * Average pooling (no dilation): each output is the window's sum over the input (padding adds
     * zeros) divided by {@code divisor} when it is positive, else by the window's size counted with
     * the padding ({@code countIncludePad}, clipped at the padded border) or without it.
     */
    void avgPool2d(Strided input, Window2d w, boolean ceilMode, boolean countIncludePad, int divisor, Strided out);

    /** The gradient of {@link #avgPool2d}: each output's gradient spread over its window with the same divisor; gradInput contiguous, overwritten. */
    void avgPool2dBackward(Strided gradOut, Window2d w, boolean ceilMode, boolean countIncludePad, int divisor,
                           Strided gradInput);

    // ------------------------------------------------------------------ convolution

    /**
     * conv2d: input [N, C, H, W], weight [O, C/G, kh, kw] and bias [O] or null, of any strides;
     * out [N, O, OH, OW] (contiguous, overwritten); {@code groups} = G. Defined as its
     * unfold form: out[n, g] = weight[g] as [O/G, C/G*kh*kw] times im2col(input[n, g]), one matrix
     * product per image and group, then out + bias (one rounding more). This default runs
     * exactly that (im2col, the products batched over the images when there is one group, the
     * addition), so a backend gets the op from its
     * primitives; one with a faster kernel overrides it and must keep the products' arithmetic
     * (the CPU's keeps every bit, but on 3x3 layers at stride 1 with many channels, which it runs,
     * with both gradients, by Winograd's F(2x2, 3x3) with roundings of its own, bounded:
     * ConvWinograd).
     */
    default void conv2d(Strided input, Strided weight, Strided bias, Window2d w, int groups, Strided out) {
        weight = dense(weight);
        int n = input.size(0);
        int c = input.size(1);
        int o = weight.size(0);
        int k = c / groups * w.kernelH() * w.kernelW();
        int l = out.size(2) * out.size(3);
        Strided cols = Strided.contiguous(allocate(n * groups * k * l), n, groups * k, l);
        im2col(input, w, cols);
        if (groups == 1) {
            // one batched product, the weight broadcast over the images (stride 0)
            matmul(weight.as(new int[] {n, o, k}, new int[] {0, k, 1}, weight.offset()), cols,
                    out.as(new int[] {n, o, l}, new int[] {o * l, l, 1}, out.offset()));
        } else {
            Strided wg = weight.as(new int[] {groups, o / groups, k}, new int[] {o / groups * k, k, 1}, weight.offset());
            for (int b = 0; b < n; b++) {
                matmul(wg, cols.as(new int[] {groups, k, l}, new int[] {k * l, l, 1}, b * groups * k * l),
                        out.as(new int[] {groups, o / groups, l}, new int[] {o / groups * l, l, 1}, out.offset() + b * o * l));
            }
        }
        if (bias != null) {
            Strided flat = out.as(new int[] {n, o, l}, new int[] {o * l, l, 1}, out.offset());
            binary(BinaryOp.ADD, flat, bias.as(new int[] {n, o, l}, new int[] {0, bias.stride(0), 0}, bias.offset()), flat);
        }
    }

    /**
     * The gradient of {@link #conv2d} with respect to its input: per image and group the product
     * weight[g]^T [C/G*kh*kw, O/G] times gradOut[n, g] [O/G, OH*OW], then col2im of those columns
     * into gradInput [N, C, H, W] (contiguous, overwritten). Operands of any strides.
     */
    default void conv2dBackwardInput(Strided gradOut, Strided weight, Window2d w, int groups, Strided gradInput) {
        gradOut = dense(gradOut);
        weight = dense(weight);
        int n = gradOut.size(0);
        int o = gradOut.size(1);
        int l = gradOut.size(2) * gradOut.size(3);
        int k = gradInput.size(1) / groups * w.kernelH() * w.kernelW();
        int og = o / groups;
        Strided cols = Strided.contiguous(allocate(n * groups * k * l), n, groups * k, l);
        if (groups == 1) {
            matmul(weight.as(new int[] {n, k, o}, new int[] {0, 1, k}, weight.offset()),
                    gradOut.as(new int[] {n, o, l}, new int[] {o * l, l, 1}, gradOut.offset()), cols);
        } else {
            Strided wt = weight.as(new int[] {groups, k, og}, new int[] {og * k, 1, k}, weight.offset());
            for (int b = 0; b < n; b++) {
                matmul(wt, gradOut.as(new int[] {groups, og, l}, new int[] {og * l, l, 1}, gradOut.offset() + b * o * l),
                        cols.as(new int[] {groups, k, l}, new int[] {k * l, l, 1}, b * groups * k * l));
            }
        }
        col2im(cols, w, gradInput);
    }

    /**
     * The gradient of {@link #conv2d} with respect to its weight: per image and group the product
     * gradOut[n, g] [O/G, OH*OW] times im2col(input[n, g])^T [OH*OW, C/G*kh*kw], then the sum over
     * the images in their order ({@link #reduce}), into gradWeight [O, C/G, kh, kw] (contiguous).
     * Operands of any strides.
     */
    default void conv2dBackwardWeight(Strided input, Strided gradOut, Window2d w, int groups, Strided gradWeight) {
        gradOut = dense(gradOut);
        int n = input.size(0);
        int c = input.size(1);
        int o = gradOut.size(1);
        int l = gradOut.size(2) * gradOut.size(3);
        int k = c / groups * w.kernelH() * w.kernelW();
        int og = o / groups;
        Strided cols = Strided.contiguous(allocate(n * groups * k * l), n, groups * k, l);
        im2col(input, w, cols);
        Strided perImage = Strided.contiguous(allocate(n * o * k), n, o * k);
        if (groups == 1) {
            matmul(gradOut.as(new int[] {n, o, l}, new int[] {o * l, l, 1}, gradOut.offset()),
                    cols.as(new int[] {n, l, k}, new int[] {k * l, 1, l}, 0),
                    perImage.as(new int[] {n, o, k}, new int[] {o * k, k, 1}, 0));
        } else {
            for (int b = 0; b < n; b++) {
                matmul(gradOut.as(new int[] {groups, og, l}, new int[] {og * l, l, 1}, gradOut.offset() + b * o * l),
                        cols.as(new int[] {groups, l, k}, new int[] {k * l, 1, l}, b * groups * k * l),
                        perImage.as(new int[] {groups, og, k}, new int[] {og * k, k, 1}, b * o * k));
            }
        }
        reduce(ReduceOp.SUM, perImage, gradWeight.as(new int[] {1, o * k}, new int[] {o * k, 1}, gradWeight.offset()));
    }

    /** {@code t} itself when contiguous, else a contiguous copy (for the defaults above, which assume row-major operands). */
    private Strided dense(Strided t) {
        if (t.isContiguous()) {
            return t;
        }
        Strided c = Strided.contiguous(allocate(t.numel()), t.shape());
        copy(t, c);
        return c;
    }

    // ------------------------------------------------------------------ products and softmax

    /**
     * Batched matrix product: a is [B, M, K], b is [B, K, N] (any strides, stride 0 for a
     * broadcast batch), out is a contiguous [B, M, N].
     */
    void matmul(Strided a, Strided b, Strided out);

    /** out = softmax(x) (or log_softmax when {@code log}) along {@code dim}; out contiguous, same shape. */
    void softmax(Strided x, int dim, boolean log, Strided out);

    /**
     * The gradient of softmax / log_softmax along {@code dim}, given its output {@code y} and the
     * upstream gradient {@code gy}: softmax: y * (gy - sum(gy * y)); log_softmax: gy - exp(y) * sum(gy).
     */
    void softmaxBackward(Strided y, Strided gy, int dim, boolean log, Strided gx);

    /** Release resources (threads, device contexts). The backend is unusable afterwards. */
    default void close() {
    }
}
