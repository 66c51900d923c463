package unboxed.backend.cpu;

import unboxed.backend.Backend;
import unboxed.backend.BinaryOp;
import unboxed.backend.ReduceOp;
import unboxed.backend.Storage;
import unboxed.backend.UnaryOp;
import unboxed.tensor.Tensor;

/**
 * The pure-Java backend. Matrix products go through {@link Sgemm} (packed, Vector API, split
 * over {@code threads} workers without ever splitting a dot product, so results do not depend on
 * the thread count). Everything else is a plain strided loop: in a training step those ops touch
 * a few thousand elements and the matrix products dominate.
 *
 * <p>Reductions and softmax accumulate in double and in a fixed order, which makes them both
 * accurate and bit-reproducible.
 */
public final class CpuBackend implements Backend {
    private final int threads;

    public CpuBackend(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("cpu backend: thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
    }

    public int threads() {
        return threads;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Storage allocate(int size) {
        return new CpuStorage(this, new float[size]);
    }

    @Override
    public Storage upload(float[] host) {
        return new CpuStorage(this, host.clone());
    }

    static float[] data(Tensor t) {
        if (!(t.storage() instanceof CpuStorage)) {
            throw new IllegalArgumentException("cpu backend: tensor of shape " + java.util.Arrays.toString(t.shape())
                    + " lives on backend '" + t.backend().name() + "'; move it with .to(cpu) first");
        }
        return ((CpuStorage) t.storage()).data;
    }

    @Override
    public float[] download(Tensor t) {
        float[] src = data(t);
        int n = t.numel();
        if (t.isContiguous()) {
            float[] out = new float[n];
            System.arraycopy(src, t.offset(), out, 0, n);
            return out;
        }
        float[] out = new float[n];
        Strided it = new Strided(t.shape(), t.strides(), t.offset());
        for (int i = 0; i < n; i++) {
            out[i] = src[it.offset];
            it.next();
        }
        return out;
    }

    @Override
    public void fill(Tensor out, float value) {
        float[] d = data(out);
        int n = out.numel();
        if (out.isContiguous()) {
            java.util.Arrays.fill(d, out.offset(), out.offset() + n, value);
            return;
        }
        Strided it = new Strided(out.shape(), out.strides(), out.offset());
        for (int i = 0; i < n; i++) {
            d[it.offset] = value;
            it.next();
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        float[] s = data(src);
        float[] d = data(dst);
        int n = dst.numel();
        if (src.isContiguous() && dst.isContiguous()) {
            System.arraycopy(s, src.offset(), d, dst.offset(), n);
            return;
        }
        Strided is = new Strided(src.shape(), src.strides(), src.offset());
        Strided id = new Strided(dst.shape(), dst.strides(), dst.offset());
        for (int i = 0; i < n; i++) {
            d[id.offset] = s[is.offset];
            is.next();
            id.next();
        }
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out) {
        float[] xs = data(x);
        float[] o = data(out);
        int n = out.numel();
        int base = out.offset();
        if (x.isContiguous()) {
            Elementwise.unaryContiguous(op, xs, x.offset(), o, base, n);
            return;
        }
        Strided it = new Strided(x.shape(), x.strides(), x.offset());
        for (int i = 0; i < n; i++) {
            o[base + i] = Elementwise.unary(op, xs[it.offset]);
            it.next();
        }
    }

    /** Row by row along the innermost dimension: each row is one strided (often vectorised) loop. */
    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        float[] as = data(a);
        float[] bs = data(b);
        float[] o = data(out);
        int n = out.numel();
        int base = out.offset();
        if (n == 0) {
            return;
        }
        if (a.isContiguous() && b.isContiguous()) {
            Elementwise.binaryRow(op, as, a.offset(), 1, bs, b.offset(), 1, o, base, n);
            return;
        }
        int rank = out.dim();
        int[] shape = out.shape();
        int inner = shape[rank - 1];
        int sa = a.stride(rank - 1);
        int sb = b.stride(rank - 1);
        int[] outer = java.util.Arrays.copyOf(shape, rank - 1);
        Strided ia = new Strided(outer, java.util.Arrays.copyOf(a.strides(), rank - 1), a.offset());
        Strided ib = new Strided(outer, java.util.Arrays.copyOf(b.strides(), rank - 1), b.offset());
        for (int r = 0, rows = n / inner; r < rows; r++) {
            Elementwise.binaryRow(op, as, ia.offset, sa, bs, ib.offset, sb, o, base + r * inner, inner);
            ia.next();
            ib.next();
        }
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        Tensor xc = x.isContiguous() ? x : contiguousCopy(x);
        Elementwise.axpy(alpha, data(xc), xc.offset(), data(y), y.offset(), y.numel());
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        float[] xs = data(x);
        float[] o = data(out);
        int[] xShape = x.shape();
        int[] outShape = out.shape();
        int outN = out.numel();
        // map each x index onto out: reduced dimensions (size 1 in out) contribute nothing
        int[] outStrides = unboxed.tensor.Shape.contiguousStrides(outShape);
        for (int d = 0; d < outShape.length; d++) {
            if (outShape[d] == 1 && xShape[d] != 1) {
                outStrides[d] = 0;
            }
        }
        double[] acc = new double[outN];
        double identity = op == ReduceOp.SUM ? 0 : op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        java.util.Arrays.fill(acc, identity);
        int lead = reducedPrefix(xShape, outShape);
        if (op == ReduceOp.SUM && x.isContiguous() && lead >= 0) {
            // a bias gradient: sum over the leading (batch) dimensions of a contiguous tensor. Rows in
            // order, so each output sums its terms in the same order as the general loop below.
            int cols = outN;
            int rows = cols == 0 ? 0 : x.numel() / cols;
            int xo = x.offset();
            for (int r = 0; r < rows; r++) {
                int row = xo + r * cols;
                for (int c = 0; c < cols; c++) {
                    acc[c] += xs[row + c];
                }
            }
            int base = out.offset();
            for (int j = 0; j < outN; j++) {
                o[base + j] = (float) acc[j];
            }
            return;
        }
        int n = x.numel();
        Strided ix = new Strided(xShape, x.strides(), x.offset());
        Strided io = new Strided(xShape, outStrides, 0);
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
        int base = out.offset();
        for (int j = 0; j < outN; j++) {
            o[base + j] = (float) acc[j];
        }
    }

    /**
     * The number of leading dimensions reduced when exactly the leading ones are (out is 1 there
     * and equal to x after), or -1 for any other pattern.
     */
    private static int reducedPrefix(int[] xShape, int[] outShape) {
        int p = 0;
        while (p < xShape.length && outShape[p] == 1 && xShape[p] != 1) {
            p++;
        }
        for (int d = p; d < xShape.length; d++) {
            if (outShape[d] != xShape[d]) {
                return -1;
            }
        }
        return p;
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
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
    public void softmax(Tensor x, int dim, boolean log, Tensor out) {
        Tensor xc = x.isContiguous() ? x : contiguousCopy(x);
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
    public void softmaxBackward(Tensor y, Tensor gy, int dim, boolean log, Tensor gx) {
        Tensor yc = y.isContiguous() ? y : contiguousCopy(y);
        Tensor gc = gy.isContiguous() ? gy : contiguousCopy(gy);
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

    private Tensor contiguousCopy(Tensor t) {
        Tensor c = t.zerosLike();
        copy(t, c);
        return c;
    }

    /** Walks the offsets of a strided view in row-major order. */
    static final class Strided {
        private final int[] shape;
        private final int[] strides;
        private final int[] index;
        int offset;

        Strided(int[] shape, int[] strides, int offset) {
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
