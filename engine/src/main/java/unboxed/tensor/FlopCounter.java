package unboxed.tensor;

/**
 * Counts the floating-point operations of the matrix products run on this thread while it is
 * open, as {@code torch.utils.flop_counter.FlopCounterMode} does: a product of [B, M, K] and
 * [B, K, N] is 2·B·M·N·K operations (a multiply and an add per term), and nothing else is
 * counted (elementwise ops, reductions, pooling, im2col and col2im move or combine far fewer
 * numbers). Every product of the engine runs through one batched kernel, so linear, conv2d,
 * conv_transpose2d and the locally connected layer are all counted, forward and backward.
 *
 * <pre>{@code
 * try (FlopCounter flops = FlopCounter.start()) {
 *     model.forward(x).sum().backward();
 *     long total = flops.total();
 * }
 * }</pre>
 *
 * <p>Per thread, so points of a sweep computed at once on a pool count their own work only.
 * Counters nest: an inner one adds what it counted to the one it interrupted when it closes.
 */
public final class FlopCounter implements AutoCloseable {
    private static final ThreadLocal<FlopCounter> ACTIVE = new ThreadLocal<>();

    private final FlopCounter outer;
    private long flops;
    private long products;
    private boolean closed;

    private FlopCounter(FlopCounter outer) {
        this.outer = outer;
    }

    /** A counter that counts the products run on this thread from now until it is closed. */
    public static FlopCounter start() {
        FlopCounter c = new FlopCounter(ACTIVE.get());
        ACTIVE.set(c);
        return c;
    }

    /** Called by the batched product: b products of [m, k] by [k, n]. */
    static void product(int b, int m, int n, int k) {
        FlopCounter c = ACTIVE.get();
        if (c != null) {
            c.flops += 2L * b * m * n * k;
            c.products++;
        }
    }

    /** The operations counted so far. */
    public long total() {
        return flops;
    }

    /** How many batched products ran (one kernel call each). */
    public long products() {
        return products;
    }

    /** Stops counting; the counts stay readable. Counters must close in the reverse order of {@link #start}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (ACTIVE.get() != this) {
            throw new IllegalStateException("FlopCounter: closed out of order (close the innermost counter first,"
                    + " on the thread that started it)");
        }
        closed = true;
        ACTIVE.set(outer);
        if (outer != null) {
            outer.flops += flops;
            outer.products += products;
        }
    }
}
