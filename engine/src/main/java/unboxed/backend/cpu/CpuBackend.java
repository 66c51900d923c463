package unboxed.backend.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import unboxed.backend.Backend;
import unboxed.backend.BinaryOp;
import unboxed.backend.IndexOutOfRangeException;
import unboxed.backend.MemoryStats;
import unboxed.backend.ReduceOp;
import unboxed.backend.Storage;
import unboxed.backend.Strided;
import unboxed.backend.UnaryOp;
import unboxed.backend.Window2d;

/**
 * The pure-Java backend. Matrix products go through {@link Sgemm} (packed, Vector API, split
 * over {@code threads} workers without ever splitting a dot product, so results do not depend on
 * the thread count). Everything else is a plain strided loop: in a training step those ops touch
 * a few thousand elements and the matrix products dominate.
 *
 * <p>Reductions and softmax accumulate in double and in a fixed order, which makes them both
 * accurate and bit-reproducible. Kernels run synchronously, so {@link #synchronize()} has nothing
 * to wait for.
 */
public final class CpuBackend implements Backend {
    private final int threads;
    private final boolean winograd;
    private final AtomicLong liveBytes = new AtomicLong();
    private final AtomicLong peakBytes = new AtomicLong();

    public CpuBackend(int threads) {
        this(threads, true);
    }

    /**
     * @param winograd whether conv2d runs 3x3 layers with many channels by Winograd's F(2x2, 3x3)
     *     ({@link ConvWinograd#suits}: faster, other bits); false keeps the unfold form's bits on
     *     every shape
     */
    public CpuBackend(int threads, boolean winograd) {
        if (threads < 1) {
            throw new IllegalArgumentException("cpu backend: thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.winograd = winograd;
    }

    public int threads() {
        return threads;
    }

    @Override
    public String name() {
        return "cpu";
    }

    // ------------------------------------------------------------------ memory

    /**
     * Uninitialised, as the backend contract says: the array is not zeroed when the JVM exports
     * jdk.internal.misc to the engine, and holds NaN under the tests' poison (see FloatArrays).
     */
    @Override
    public Storage allocate(int size) {
        float[] reused = recycled.take(size);
        return track(new CpuStorage(this, reused != null ? reused : FloatArrays.uninitialized(size)));
    }

    /** Arrays of recycled storages, handed out again by {@link #allocate}. */
    private final RecycledArrays recycled = new RecycledArrays();

    @Override
    public void recycle(Storage storage) {
        if (storage instanceof CpuStorage && storage.backend() == this) {
            recycled.give(((CpuStorage) storage).takeArray());
        }
    }

    /** Arrays handed out again since start-up and bytes kept now, for tests and profiles. */
    long[] recycledCounts() {
        return recycled.counts();
    }

    /** Tests: a backend that leaves recycled storages to the collector. */
    void recycling(boolean on) {
        recycled.enable(on);
    }

    @Override
    public Storage allocateZeroed(int size) {
        return track(new CpuStorage(this, new float[size]));
    }

    @Override
    public Storage upload(float[] host) {
        return track(new CpuStorage(this, host.clone()));
    }

    private CpuStorage track(CpuStorage s) {
        long live = liveBytes.addAndGet(4L * s.size());
        peakBytes.accumulateAndGet(live, Math::max);
        return s;
    }

    void freed(int size) {
        liveBytes.addAndGet(-4L * size);
    }

    /** Live bytes count storages not yet closed; unclosed storages are left to the garbage collector. */
    @Override
    public MemoryStats memory() {
        return new MemoryStats(liveBytes.get(), peakBytes.get(), 0);
    }

    static float[] data(Strided t) {
        if (!(t.storage() instanceof CpuStorage)) {
            throw new IllegalArgumentException("cpu backend: tensor of shape " + Arrays.toString(t.shape())
                    + " lives on backend '" + t.backend().name() + "'; move it with .to(cpu) first");
        }
        return ((CpuStorage) t.storage()).array();
    }

    @Override
    public float[] download(Strided t) {
        float[] src = data(t);
        int n = t.numel();
        float[] out = new float[n];
        if (t.isContiguous()) {
            System.arraycopy(src, t.offset(), out, 0, n);
            return out;
        }
        OffsetWalker it = new OffsetWalker(t);
        for (int i = 0; i < n; i++) {
            out[i] = src[it.offset];
            it.next();
        }
        return out;
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    public void fill(Strided out, float value) {
        float[] d = data(out);
        int n = out.numel();
        if (out.isContiguous()) {
            Arrays.fill(d, out.offset(), out.offset() + n, value);
            return;
        }
        OffsetWalker it = new OffsetWalker(out);
        for (int i = 0; i < n; i++) {
            d[it.offset] = value;
            it.next();
        }
    }

    @Override
    public void copy(Strided src, Strided dst) {
        float[] s = data(src);
        float[] d = data(dst);
        int n = dst.numel();
        if (src.isContiguous() && dst.isContiguous()) {
            System.arraycopy(s, src.offset(), d, dst.offset(), n);
            return;
        }
        OffsetWalker is = new OffsetWalker(src);
        OffsetWalker id = new OffsetWalker(dst);
        for (int i = 0; i < n; i++) {
            d[id.offset] = s[is.offset];
            is.next();
            id.next();
        }
    }

    @Override
    public void unary(UnaryOp op, Strided x, Strided out) {
        float[] xs = data(x);
        float[] o = data(out);
        int n = out.numel();
        int base = out.offset();
        if (x.isContiguous()) {
            Elementwise.unaryContiguous(op, xs, x.offset(), o, base, n);
            return;
        }
        OffsetWalker it = new OffsetWalker(x);
        for (int i = 0; i < n; i++) {
            o[base + i] = Elementwise.unary(op, xs[it.offset]);
            it.next();
        }
    }

    @Override
    public void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        binaryRows(op, data(a), a.offset(), a.strides(), a.isContiguous(),
                data(b), b.offset(), b.strides(), b.isContiguous(), out);
    }

    /** A scalar operand is a one-element array seen with stride 0 everywhere: the same row loops, no upload. */
    @Override
    public void binary(BinaryOp op, Strided a, float s, Strided out) {
        if (a.isContiguous() && out.isContiguous()) {
            // one flat row with the scalar broadcast (stride 0): row by row, a ReLU mask on 28-wide
            // maps ran mostly in the scalar tail of each short row, a mispredicted branch an element
            Elementwise.binaryRow(op, data(a), a.offset(), 1, new float[] {s}, 0, 0, data(out), out.offset(),
                    out.numel());
            return;
        }
        binaryRows(op, data(a), a.offset(), a.strides(), a.isContiguous(),
                new float[] {s}, 0, new int[out.dim()], out.numel() <= 1, out);
    }

    @Override
    public void binary(BinaryOp op, float s, Strided b, Strided out) {
        if (b.isContiguous() && out.isContiguous()) {
            Elementwise.binaryRow(op, new float[] {s}, 0, 0, data(b), b.offset(), 1, data(out), out.offset(),
                    out.numel());
            return;
        }
        binaryRows(op, new float[] {s}, 0, new int[out.dim()], out.numel() <= 1,
                data(b), b.offset(), b.strides(), b.isContiguous(), out);
    }

    /** Row by row along the innermost dimension: each row is one strided (often vectorised) loop. */
    private static void binaryRows(BinaryOp op, float[] as, int aOff, int[] aStrides, boolean aContiguous,
                                   float[] bs, int bOff, int[] bStrides, boolean bContiguous, Strided out) {
        float[] o = data(out);
        int n = out.numel();
        int base = out.offset();
        if (n == 0) {
            return;
        }
        if (aContiguous && bContiguous) {
            Elementwise.binaryRow(op, as, aOff, 1, bs, bOff, 1, o, base, n);
            return;
        }
        int rank = out.dim();
        int[] shape = out.shape();
        int inner = shape[rank - 1];
        int sa = aStrides[rank - 1];
        int sb = bStrides[rank - 1];
        // the trailing dimensions both operands walk as one run join the row: a bias broadcast over
        // each channel's H x W then adds rows of H*W, not H rows of W (fewer calls, whole vectors:
        // a transposed convolution's forward at 16 -> 32 ran 3-5 % faster by hand on a Zen 5)
        int keep = rank - 1;
        while (keep > 0 && (shape[keep - 1] == 1
                || (aStrides[keep - 1] == sa * inner && bStrides[keep - 1] == sb * inner))) {
            inner *= shape[keep - 1];
            keep--;
        }
        int[] outer = Arrays.copyOf(shape, keep);
        OffsetWalker ia = new OffsetWalker(outer, Arrays.copyOf(aStrides, keep), aOff);
        OffsetWalker ib = new OffsetWalker(outer, Arrays.copyOf(bStrides, keep), bOff);
        for (int r = 0, rows = n / inner; r < rows; r++) {
            Elementwise.binaryRow(op, as, ia.offset, sa, bs, ib.offset, sb, o, base + r * inner, inner);
            ia.next();
            ib.next();
        }
    }

    @Override
    public void where(Strided condition, Strided a, Strided b, Strided out) {
        float[] cs = data(condition);
        float[] as = data(a);
        float[] bs = data(b);
        float[] o = data(out);
        int n = out.numel();
        int base = out.offset();
        if (denseOrScalar(condition) && denseOrScalar(a) && denseOrScalar(b)) {
            // the common layouts (a gradient mask: contiguous operands, a broadcast 0) as one flat loop
            int co = condition.offset();
            int ao = a.offset();
            int bo = b.offset();
            int sc = condition.isContiguous() ? 1 : 0;
            int sa = a.isContiguous() ? 1 : 0;
            int sb = b.isContiguous() ? 1 : 0;
            Elementwise.whereRow(cs, co, sc, as, ao, sa, bs, bo, sb, o, base, n);
            return;
        }
        OffsetWalker ic = new OffsetWalker(condition);
        OffsetWalker ia = new OffsetWalker(a);
        OffsetWalker ib = new OffsetWalker(b);
        for (int i = 0; i < n; i++) {
            o[base + i] = cs[ic.offset] != 0f ? as[ia.offset] : bs[ib.offset];
            ic.next();
            ia.next();
            ib.next();
        }
    }

    /**
     * One pass over three contiguous arrays: in the MNIST CNN's training step the comparison and
     * the select it replaces were two passes and a mask array, 8 % of the step.
     */
    @Override
    public void reluBackward(Strided g, Strided x, Strided out) {
        if (!g.isContiguous() || !x.isContiguous() || !out.isContiguous()) {
            Backend.super.reluBackward(g, x, out);
            return;
        }
        Elementwise.reluBackward(data(g), g.offset(), data(x), x.offset(), data(out), out.offset(), out.numel());
    }

    /** Contiguous, or one value broadcast everywhere (all strides 0). */
    private static boolean denseOrScalar(Strided t) {
        if (t.isContiguous()) {
            return true;
        }
        for (int s : t.strides()) {
            if (s != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void axpy(float alpha, Strided x, Strided y) {
        Strided xc = x.isContiguous() ? x : contiguousCopy(x);
        Elementwise.axpy(alpha, data(xc), xc.offset(), data(y), y.offset(), y.numel());
    }

    @Override
    public void fma(Strided a, Strided b, Strided c, Strided out) {
        fmaRows(data(a), a.offset(), a.strides(), a.isContiguous(), b, c, out);
    }

    /** The scalar is a one-element array seen with stride 0, as in {@link #binary(BinaryOp, Strided, float, Strided)}. */
    @Override
    public void fma(float a, Strided b, Strided c, Strided out) {
        fmaRows(new float[] {a}, 0, new int[out.dim()], out.numel() <= 1, b, c, out);
    }

    /** Row by row along the innermost dimension, like {@link #binaryRows}; out may be c itself. */
    private static void fmaRows(float[] as, int aOff, int[] aStrides, boolean aContiguous, Strided b, Strided c,
                                Strided out) {
        float[] bs = data(b);
        float[] cs = data(c);
        float[] o = data(out);
        int n = out.numel();
        if (n == 0) {
            return;
        }
        if (aContiguous && b.isContiguous() && c.isContiguous()) {
            Elementwise.fmaRow(as, aOff, 1, bs, b.offset(), 1, cs, c.offset(), 1, o, out.offset(), n);
            return;
        }
        int rank = out.dim();
        int[] shape = out.shape();
        int inner = shape[rank - 1];
        int[] outer = Arrays.copyOf(shape, rank - 1);
        OffsetWalker ia = new OffsetWalker(outer, Arrays.copyOf(aStrides, rank - 1), aOff);
        OffsetWalker ib = new OffsetWalker(outer, Arrays.copyOf(b.strides(), rank - 1), b.offset());
        OffsetWalker ic = new OffsetWalker(outer, Arrays.copyOf(c.strides(), rank - 1), c.offset());
        for (int r = 0, rows = n / inner; r < rows; r++) {
            Elementwise.fmaRow(as, ia.offset, aStrides[rank - 1], bs, ib.offset, b.stride(rank - 1),
                    cs, ic.offset, c.stride(rank - 1), o, out.offset() + r * inner, inner);
            ia.next();
            ib.next();
            ic.next();
        }
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public void reduce(ReduceOp op, Strided x, Strided out) {
        float[] xs = data(x);
        float[] o = data(out);
        int[] xShape = x.shape();
        int[] outShape = out.shape();
        int outN = out.numel();
        // map each x index onto out: reduced dimensions (size 1 in out) contribute nothing
        int[] outStrides = Strided.contiguousStrides(outShape);
        for (int d = 0; d < outShape.length; d++) {
            if (outShape[d] == 1 && xShape[d] != 1) {
                outStrides[d] = 0;
            }
        }
        double[] acc = new double[outN];
        double identity = op == ReduceOp.SUM ? 0 : op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        Arrays.fill(acc, identity);
        int[] around = op == ReduceOp.SUM && x.isContiguous() ? reducedAround(xShape, outShape) : null;
        if (around != null) {
            sumAround(xs, x.offset(), acc, around[0], around[1], around[2]);
            store(acc, o, out.offset());
            return;
        }
        int n = x.numel();
        OffsetWalker ix = new OffsetWalker(x);
        OffsetWalker io = new OffsetWalker(xShape, outStrides, 0);
        for (int i = 0; i < n; i++) {
            double v = xs[ix.offset];
            int j = io.offset;
            switch (op) {
                case SUM:
                    acc[j] += v;
                    break;
                case MAX:
                    acc[j] = (v > acc[j] || Double.isNaN(v)) ? v : acc[j];
                    break;
                case MIN:
                    acc[j] = (v < acc[j] || Double.isNaN(v)) ? v : acc[j];
                    break;
                default:
                    throw new AssertionError(op);
            }
            ix.next();
            io.next();
        }
        store(acc, o, out.offset());
    }

    /** Fewest terms for which a sum around kept outputs is spread over the threads. */
    private static final int SPREAD_TERMS = 1 << 16;

    /**
     * A bias gradient: a contiguous x (from at) seen as [before, kept, after], summed over before
     * and after into acc (a linear layer's [N, O]: after = 1; a convolution's [N, O, H, W]: after
     * = H W). Walked in row-major order, so each output sums its terms in the same order as the
     * general loop of {@link #reduce}, and gives the same bits; only the index arithmetic is gone.
     * The outputs are independent chains, so whole blocks of them go to different threads without
     * changing a bit: a convolution's bias gradient read 16 MB of gradient on one thread while
     * the other waited (at N, C, H, K = 64, 3, 32, 64: 1.45 ms on one thread, 0.85 ms spread over
     * two, by hand on a Zen 5). A method of its own, so that the JIT compiles the loop apart from
     * the general one's.
     */
    private void sumAround(float[] xs, int at, double[] acc, int before, int kept, int after) {
        int blocks = (kept + 3) / 4;
        int parts = (long) before * kept * after >= SPREAD_TERMS ? Math.min(threads, blocks) : 1;
        if (parts <= 1) {
            sumAroundRange(xs, at, acc, before, kept, after, 0, kept);
            return;
        }
        Sgemm.parallelFor(parts, parts, part -> sumAroundRange(xs, at, acc, before, kept, after,
                Math.min(kept, blocks * part / parts * 4), Math.min(kept, blocks * (part + 1) / parts * 4)));
    }

    /** Outputs [c0, c1) of {@link #sumAround}. */
    private static void sumAroundRange(float[] xs, int at0, double[] acc, int before, int kept, int after, int c0,
                                       int c1) {
        if (ChannelSums.suits(after)) {
            // sixteen outputs at a time in the vector lanes (each output's chain is its own: any
            // grouping of the outputs leaves every bit as it is)
            for (; c0 + ChannelSums.CHANNELS <= c1; c0 += ChannelSums.CHANNELS) {
                ChannelSums.add(xs, at0, acc, before, kept, after, c0);
            }
        }
        for (int a = 0; a < before; a++) {
            int at = at0 + (a * kept + c0) * after;
            int c = c0;
            // four outputs at a time: four independent chains of additions, each in its own
            // order, so the adder's latency is hidden and not a bit changes (a convolution's
            // bias gradient sums 1024 terms per output and image)
            for (; c + 4 <= c1 && after >= 8; c += 4, at += 4 * after) {
                double s0 = acc[c];
                double s1 = acc[c + 1];
                double s2 = acc[c + 2];
                double s3 = acc[c + 3];
                for (int b = 0; b < after; b++) {
                    s0 += xs[at + b];
                    s1 += xs[at + after + b];
                    s2 += xs[at + 2 * after + b];
                    s3 += xs[at + 3 * after + b];
                }
                acc[c] = s0;
                acc[c + 1] = s1;
                acc[c + 2] = s2;
                acc[c + 3] = s3;
            }
            for (; c < c1; c++) {
                double sum = acc[c];
                for (int b = 0; b < after; b++) {
                    sum += xs[at++];
                }
                acc[c] = sum;
            }
        }
    }

    private static void store(double[] acc, float[] o, int base) {
        for (int j = 0; j < acc.length; j++) {
            o[base + j] = (float) acc[j];
        }
    }

    /**
     * {before, kept, after} when the reduced dimensions (size 1 in out, not in x) are exactly a
     * leading run and a trailing run around one block of kept ones (dimensions of size 1 anywhere),
     * or null for any other pattern.
     */
    static int[] reducedAround(int[] xShape, int[] outShape) {
        int rank = xShape.length;
        int d = 0;
        int before = 1;
        while (d < rank && (outShape[d] == 1 || xShape[d] == 1) && !(outShape[d] == xShape[d] && xShape[d] != 1)) {
            before *= xShape[d];
            d++;
        }
        int kept = 1;
        while (d < rank && outShape[d] == xShape[d]) {
            kept *= xShape[d];
            d++;
        }
        int after = 1;
        for (; d < rank; d++) {
            if (outShape[d] != 1) {
                return null; // a kept dimension after a reduced one: the general loop
            }
            after *= xShape[d];
        }
        return new int[] {before, kept, after};
    }

    @Override
    public void reduceWithIndex(ReduceOp op, Strided x, int dim, Strided values, Strided indices) {
        if (op == ReduceOp.SUM) {
            throw new IllegalArgumentException("reduceWithIndex: SUM has no index; use MAX or MIN");
        }
        float[] xs = data(x);
        float[] vo = data(values);
        float[] io = data(indices);
        int len = x.size(dim);
        int stride = x.stride(dim);
        int[] outer = x.shape().clone();
        outer[dim] = 1;
        OffsetWalker it = new OffsetWalker(outer, x.strides(), x.offset());
        int rows = values.numel();
        boolean max = op == ReduceOp.MAX;
        for (int r = 0; r < rows; r++) {
            int start = it.offset;
            int best = 0;
            float bv = xs[start];
            for (int i = 1; i < len && !Float.isNaN(bv); i++) {
                float c = xs[start + i * stride];
                if ((max ? c > bv : c < bv) || Float.isNaN(c)) {
                    bv = c;
                    best = i;
                }
            }
            vo[values.offset() + r] = bv;
            io[indices.offset() + r] = best;
            it.next();
        }
    }

    // ------------------------------------------------------------------ indexing

    @Override
    public void gather(int dim, Strided input, Strided index, Strided out) {
        float[] in = data(input);
        float[] ix = data(index);
        float[] o = data(out);
        int n = out.numel();
        int size = input.size(dim);
        int[] pos = new int[index.dim()];
        OffsetWalker it = new OffsetWalker(index);
        int base = out.offset();
        for (int e = 0; e < n; e++) {
            int k = checkedIndex("gather", ix[it.offset], size, dim);
            int off = input.offset();
            for (int d = 0; d < pos.length; d++) {
                off += (d == dim ? k : pos[d]) * input.stride(d);
            }
            o[base + e] = in[off];
            it.next();
            advance(pos, index.shape());
        }
    }

    @Override
    public void scatterAdd(int dim, Strided index, Strided src, Strided out) {
        float[] s = data(src);
        float[] ix = data(index);
        float[] o = data(out);
        int n = index.numel();
        if (lastDimRows(dim, index, src, out)) {
            // contiguous rows along the last dimension (max pooling's backward): the same sums in
            // the same order, without the per-element walk over the dimensions
            int len = index.size(dim);
            int size = out.size(dim);
            for (int r = 0, e = 0; e < n; r++) {
                int oo = out.offset() + r * size;
                for (int j = 0; j < len; j++, e++) {
                    int k = checkedIndex("scatter_add", ix[index.offset() + e], size, dim);
                    o[oo + k] += s[src.offset() + e];
                }
            }
            return;
        }
        int size = out.size(dim);
        int[] pos = new int[index.dim()];
        OffsetWalker ii = new OffsetWalker(index);
        for (int e = 0; e < n; e++) {
            int k = checkedIndex("scatter_add", ix[ii.offset], size, dim);
            int so = src.offset();
            int oo = out.offset();
            for (int d = 0; d < pos.length; d++) {
                so += pos[d] * src.stride(d);
                oo += (d == dim ? k : pos[d]) * out.stride(d);
            }
            o[oo] += s[so];
            ii.next();
            advance(pos, index.shape());
        }
    }

    /**
     * Whether a scatter along {@code dim} is row by row over contiguous arrays: dim is
     * the last, index and src contiguous of one shape, out contiguous with the same leading sizes.
     */
    private static boolean lastDimRows(int dim, Strided index, Strided src, Strided out) {
        int last = index.dim() - 1;
        if (dim != last || out.dim() != index.dim() || !index.isContiguous() || !src.isContiguous()
                || !out.isContiguous() || !java.util.Arrays.equals(index.shape(), src.shape())) {
            return false;
        }
        for (int d = 0; d < last; d++) {
            if (out.size(d) != index.size(d)) {
                return false;
            }
        }
        return true;
    }

    private static int checkedIndex(String op, float v, int size, int dim) {
        int k = (int) v;
        if (k != v) {
            throw new IllegalArgumentException(op + ": index " + v + " is not a whole number (dimension " + dim + ")");
        }
        if (k < 0 || k >= size) {
            throw new IndexOutOfRangeException(op, k, dim, size);
        }
        return k;
    }

    private static void advance(int[] pos, int[] shape) {
        for (int d = pos.length - 1; d >= 0; d--) {
            if (++pos[d] < shape[d]) {
                return;
            }
            pos[d] = 0;
        }
    }

    // ------------------------------------------------------------------ sliding windows

    @Override
    public void im2col(Strided input, Window2d w, Strided out) {
        Windows.im2col(data(input), input, w, data(out), out);
    }

    @Override
    public void col2im(Strided cols, Window2d w, Strided out) {
        Windows.col2im(data(cols), cols, w, data(out), out);
    }

    /**
     * The kernel this backend runs for conv2d's forward pass on a shape (c input and o output
     * channels, output oh x ow), with this JVM's vectors: "Winograd F(2x2, 3x3)"
     * ({@link ConvWinograd}: 3x3 at stride 1 on many channels, chosen from the shape alone, its own
     * bits), else one of the unfold form's kernels, which give its bits and differ only in speed:
     * "direct, positions in lanes" (ConvDirect.forwardRows: a tile of output channels x vectors of
     * output positions), "direct, one channel at a time" (ConvDirect.forward, depthwise) or
     * "implicit GEMM" (Sgemm with the columns packed straight from the image), as ConvGemm.forward
     * picks it.
     */
    public static String conv2dKernel(int c, int o, Window2d w, int groups, int oh, int ow) {
        if (ConvWinograd.suits(c, o, w, groups, oh, ow)) {
            return WINOGRAD;
        }
        int colStep = w.strideW() == 2 ? 1 : w.strideW();      // column stride 2 reads rows split by parity
        return ConvGemm.forwardKernel(ow, o / groups, colStep, c / groups * w.kernelH() * w.kernelW()).title;
    }

    private static final String WINOGRAD = "Winograd F(2x2, 3x3)";

    /**
     * As {@link #conv2dKernel(int, int, int, Window2d, int, int, int)} for a batch of n images of
     * h x wd on {@code threads} threads: "Winograd F(2x2, 5x5), images in lanes" ({@link
     * ConvWinograd5}: 5x5 at stride 1 on many channels and at least 8 images, chosen from the
     * shape alone, its own bits); "direct, images in lanes" ({@link ConvLanes}: the rows
     * leave lanes of the positions' tile idle, and the batch has a group of as many images as a
     * vector has lanes for each thread; the images past the last whole group run by positions in
     * lanes, the same bits) where that applies.
     */
    public static String conv2dKernel(int n, int c, int o, Window2d w, int groups, int h, int wd, int threads) {
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        if (ConvWinograd5.suits(n, c, o, w, groups)) {
            return WINOGRAD_5X5;
        }
        if (!ConvWinograd.suits(c, o, w, groups, oh, ow) && ConvLanes.suits(n, c, o, w, groups, h, wd, threads)) {
            return IMAGES_IN_LANES;
        }
        return conv2dKernel(c, o, w, groups, oh, ow);
    }

    private static final String IMAGES_IN_LANES = "direct, images in lanes";
    private static final String WINOGRAD_5X5 = "Winograd F(2x2, 5x5), images in lanes";

    /**
     * The unfold form's products, with B packed straight from the image (see ConvGemm): the same
     * bits; or Winograd's F(2x2, 3x3) where {@link ConvWinograd#suits}, F(2x2, 5x5) where {@link
     * ConvWinograd5#suits} (unless built without).
     */
    @Override
    public void conv2d(Strided input, Strided weight, Strided bias, Window2d w, int groups, Strided out) {
        Strided wc = weight.isContiguous() ? weight : contiguousCopy(weight);
        float[] b = null;
        if (bias != null) {
            b = new float[bias.size(0)];
            float[] bs = data(bias);
            for (int i = 0; i < b.length; i++) {
                b[i] = bs[bias.offset() + i * bias.stride(0)];
            }
        }
        int c = input.size(1);
        int o = wc.size(0);
        int n = input.size(0);
        if (winograd && ConvWinograd5.suits(n, c, o, w, groups)) {
            Strided xc = input.isContiguous() ? input : contiguousCopy(input);
            ConvWinograd5.Weights u = ConvWinograd5.transformWeights(data(wc), wc.offset(), o, c, false);
            ConvWinograd5.run(data(xc), xc.offset(), n, input.size(2), input.size(3), u, b, w.padH(), w.padW(),
                    data(out), out.offset(), threads);
            return;
        }
        if (winograd && ConvWinograd.suits(c, o, w, groups, out.size(2), out.size(3))) {
            ConvWinograd.Weights u = ConvWinograd.transformWeights(data(wc), wc.offset(), o, c, false);
            ConvWinograd.run(data(input), input.offset(), input.stride(0), input.stride(1), input.stride(2),
                    input.stride(3), input.size(0), input.size(2), input.size(3), u, b, w.padH(), w.padW(),
                    data(out), out.offset(), threads);
            return;
        }
        ConvGemm.forward(data(input), input, data(wc), wc.offset(), o, b, w, groups, data(out), out.offset(),
                threads);
    }

    /**
     * The input gradient: the unfold form's, or, where the forward ran by Winograd's F(2x2, 3x3)
     * and the padding is at most 2 (F(2x2, 5x5) and at most 4), the same algorithm on the
     * upstream gradient with the flipped kernels at padding 2 - p (4 - p): a convolution too.
     */
    @Override
    public void conv2dBackwardInput(Strided gradOut, Strided weight, Window2d w, int groups, Strided gradInput) {
        Strided wc = weight.isContiguous() ? weight : contiguousCopy(weight);
        Strided gc = gradOut.isContiguous() ? gradOut : contiguousCopy(gradOut);
        int c = gradInput.size(1);
        int o = wc.size(0);
        int h = gradInput.size(2);
        int wd = gradInput.size(3);
        int n = gradInput.size(0);
        if (winograd && ConvWinograd5.suitsBackwardInput(n, c, o, w, groups)) {
            ConvWinograd5.Weights u = ConvWinograd5.transformWeights(data(wc), wc.offset(), c, o, true);
            Strided dst = gradInput.isContiguous() ? gradInput
                    : Strided.contiguous(new CpuStorage(this, new float[gradInput.numel()]), gradInput.shape());
            ConvWinograd5.run(data(gc), gc.offset(), n, gc.size(2), gc.size(3), u, null, 4 - w.padH(), 4 - w.padW(),
                    data(dst), dst.offset(), threads);
            if (dst != gradInput) {
                copy(dst, gradInput);
            }
            return;
        }
        if (winograd && ConvWinograd.suits(c, o, w, groups, gc.size(2), gc.size(3))
                && ConvWinograd.suitsBackwardInput(c, o, w, groups, h, wd)) {
            ConvWinograd.Weights u = ConvWinograd.transformWeights(data(wc), wc.offset(), c, o, true);
            Strided dst = gradInput.isContiguous() ? gradInput
                    : Strided.contiguous(new CpuStorage(this, new float[gradInput.numel()]), gradInput.shape());
            int oh = gc.size(2);
            int ow = gc.size(3);
            ConvWinograd.run(data(gc), gc.offset(), o * oh * ow, oh * ow, ow, 1, gc.size(0), oh, ow, u, null,
                    2 - w.padH(), 2 - w.padW(), data(dst), dst.offset(), threads);
            if (dst != gradInput) {
                copy(dst, gradInput);
            }
            return;
        }
        ConvGemm.backwardInput(data(gc), gc.offset(), data(wc), wc.offset(), o, w, groups, data(gradInput),
                gradInput, threads);
    }

    /**
     * The weight gradient: the unfold form's products summed over the images in double, or, on
     * 3x3 layers at stride 1 with enough channels ({@link ConvWinograd#suitsBackwardWeight}: a
     * lower threshold than the forward pass's), Winograd's F(2x2, 3x3) run backwards
     * ({@link ConvWinograd#backwardWeight}), and on the 5x5 layers whose forward pass runs by
     * F(2x2, 5x5), that algorithm run backwards ({@link ConvWinograd5#backwardWeight}).
     */
    @Override
    public void conv2dBackwardWeight(Strided input, Strided gradOut, Window2d w, int groups, Strided gradWeight) {
        Strided gc = gradOut.isContiguous() ? gradOut : contiguousCopy(gradOut);
        int c = input.size(1);
        int o = gc.size(1);
        if (winograd && ConvWinograd5.suitsBackwardWeight(input.size(0), c, o, w, groups)) {
            ConvWinograd5.backwardWeight(data(input), input.offset(), input.stride(0), input.stride(1),
                    input.stride(2), input.stride(3), input.size(0), c, input.size(2), input.size(3), data(gc),
                    gc.offset(), o, w.padH(), w.padW(), data(gradWeight), gradWeight.offset(), threads);
            return;
        }
        if (winograd && ConvWinograd.suitsBackwardWeight(c, o, w, groups, gc.size(2), gc.size(3))) {
            ConvWinograd.backwardWeight(data(input), input.offset(), input.stride(0), input.stride(1),
                    input.stride(2), input.stride(3), input.size(0), c, input.size(2), input.size(3), data(gc),
                    gc.offset(), o, w.padH(), w.padW(), data(gradWeight), gradWeight.offset(), threads);
            return;
        }
        ConvGemm.backwardWeight(data(input), input, data(gc), gc.offset(), gc.size(1), w, groups, data(gradWeight),
                gradWeight.offset(), threads);
    }

    @Override
    public void maxPool2d(Strided input, Window2d w, boolean ceilMode, Strided out, Strided indices) {
        Windows.maxPool(data(input), input, w, ceilMode, data(out), out, data(indices), indices);
    }

    /** Windows that do not overlap (stride at least the kernel, no dilation): Windows.maxPoolBackwardDisjoint. */
    @Override
    public void maxPool2dBackward(Strided gradOut, Strided indices, Window2d w, Strided gradInput) {
        if (w.strideH() < w.kernelH() || w.strideW() < w.kernelW() || w.dilationH() != 1 || w.dilationW() != 1
                || !gradOut.isContiguous() || !indices.isContiguous() || !gradInput.isContiguous()) {
            Backend.super.maxPool2dBackward(gradOut, indices, w, gradInput);
            return;
        }
        Windows.maxPoolBackwardDisjoint(data(gradOut), gradOut.offset(), data(indices), indices.offset(),
                gradOut.size(2) * gradOut.size(3), data(gradInput), gradInput.offset(),
                gradInput.size(0) * gradInput.size(1), gradInput.size(2) * gradInput.size(3));
    }

    @Override
    public void avgPool2d(Strided input, Window2d w, boolean ceilMode, boolean countIncludePad, int divisor,
                          Strided out) {
        Windows.avgPool(data(input), input, w, ceilMode, countIncludePad, divisor, data(out), out);
    }

    @Override
    public void avgPool2dBackward(Strided gradOut, Window2d w, boolean ceilMode, boolean countIncludePad, int divisor,
                                  Strided gradInput) {
        Windows.avgPoolBackward(data(gradOut), gradOut, w, ceilMode, countIncludePad, divisor, data(gradInput), gradInput);
    }

    // ------------------------------------------------------------------ products and softmax

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        float[] as = data(a);
        float[] bs = data(b);
        float[] o = data(out);
        int batch = out.size(0);
        int m = out.size(1);
        int n = out.size(2);
        int k = a.size(2);
        for (int i = 0; i < batch; i++) {
            Sgemm.sgemm(m, n, k, 1f,
                    as, a.offset() + i * a.stride(0), a.stride(1), a.stride(2),
                    bs, b.offset() + i * b.stride(0), b.stride(1), b.stride(2),
                    0f, o, out.offset() + i * m * n, n, threads);
        }
    }

    /** Softmax rows: {@code outer} blocks of {@code len} elements along dim, {@code inner} apart. */
    @Override
    public void softmax(Strided x, int dim, boolean log, Strided out) {
        Strided xc = x.isContiguous() ? x : contiguousCopy(x);
        float[] xs = data(xc);
        float[] o = data(out);
        int[] shape = x.shape();
        int len = shape.length == 0 ? 1 : shape[dim];
        int inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int outer = len == 0 || inner == 0 ? 0 : x.numel() / (len * inner);
        int xo = xc.offset();
        int oo = out.offset();
        for (int p = 0; p < outer; p++) {
            for (int q = 0; q < inner; q++) {
                int start = p * len * inner + q;
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) {
                    max = Math.max(max, xs[xo + start + i * inner]);
                }
                if (max == Double.NEGATIVE_INFINITY) {
                    max = 0; // a row of -inf: exp gives 0s and log gives -inf, no NaN from -inf - -inf
                }
                double sum = 0;
                for (int i = 0; i < len; i++) {
                    sum += Math.exp(xs[xo + start + i * inner] - max);
                }
                if (log) {
                    double lse = max + Math.log(sum);
                    for (int i = 0; i < len; i++) {
                        o[oo + start + i * inner] = (float) (xs[xo + start + i * inner] - lse);
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        o[oo + start + i * inner] = (float) (Math.exp(xs[xo + start + i * inner] - max) / sum);
                    }
                }
            }
        }
    }

    @Override
    public void softmaxBackward(Strided y, Strided gy, int dim, boolean log, Strided gx) {
        Strided yc = y.isContiguous() ? y : contiguousCopy(y);
        Strided gc = gy.isContiguous() ? gy : contiguousCopy(gy);
        float[] ys = data(yc);
        float[] gs = data(gc);
        float[] o = data(gx);
        int[] shape = y.shape();
        int len = shape.length == 0 ? 1 : shape[dim];
        int inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int outer = len == 0 || inner == 0 ? 0 : y.numel() / (len * inner);
        int yo = yc.offset();
        int go = gc.offset();
        int oo = gx.offset();
        for (int p = 0; p < outer; p++) {
            for (int q = 0; q < inner; q++) {
                int start = p * len * inner + q;
                double dot = 0;
                for (int i = 0; i < len; i++) {
                    int e = start + i * inner;
                    dot += log ? gs[go + e] : (double) gs[go + e] * ys[yo + e];
                }
                for (int i = 0; i < len; i++) {
                    int e = start + i * inner;
                    double v = log ? gs[go + e] - Math.exp(ys[yo + e]) * dot : ys[yo + e] * (gs[go + e] - dot);
                    o[oo + e] = (float) v;
                }
            }
        }
    }

    /** A contiguous copy in plain host memory (a kernel's scratch, not tracked as a storage). */
    private Strided contiguousCopy(Strided t) {
        Strided c = Strided.contiguous(new CpuStorage(this, new float[t.numel()]), t.shape());
        copy(t, c);
        return c;
    }

    /** Walks the offsets of a strided view in row-major order. */
    static final class OffsetWalker {
        private final int[] shape;
        private final int[] strides;
        private final int[] index;
        int offset;

        OffsetWalker(Strided t) {
            this(t.shape(), t.strides(), t.offset());
        }

        OffsetWalker(int[] shape, int[] strides, int offset) {
            this.shape = shape;
            this.strides = strides;
            this.index = new int[shape.length];
            this.offset = offset;
        }

        void next() {
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    offset += strides[d];
                    return;
                }
                offset -= strides[d] * (index[d] - 1);
                index[d] = 0;
            }
        }
    }
}
