package unboxed.backend.float64;

import java.util.Arrays;
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
 * The engine's double-precision reference backend, {@code float64}: storage holds {@code double[]}
 * and every kernel computes in double with plain strided loops over one generic row-major index
 * walk, single-threaded, with no fast paths. It is the oracle that
 * {@link unboxed.backend.cpu.CpuBackend} is checked against and the backend the gradient checkers
 * run on (the engine's tests and post 04's experiment), so it is written to be obviously right
 * rather than fast: each kernel visits logical indices, maps them to storage offsets with the
 * view's strides, and applies the scalar definition of its op. Nothing selects it by default; the
 * default backend stays {@code cpu}.
 *
 * <p>Semantics are CpuBackend's (NaN rules, ties, empty reductions, index checks); only the
 * precision differs. Scalars arrive as {@code float} (the interface's type) and are widened.
 */
public final class Float64Backend implements Backend {
    private long liveBytes;
    private long peakBytes;

    @Override
    public String name() {
        return "float64";
    }

    // ------------------------------------------------------------------ storage

    /** A {@code double[]} on this backend, with CpuStorage's version counter and lifetime. */
    static final class F64Storage implements Storage {
        private final Float64Backend backend;
        private final int size;
        private double[] data;
        private int version;

        F64Storage(Float64Backend backend, double[] data) {
            this.backend = backend;
            this.data = data;
            this.size = data.length;
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
            return data == null;
        }

        @Override
        public void close() {
            if (data != null) {
                data = null;
                backend.freed(size);
            }
        }

        double[] array() {
            if (data == null) {
                throw new IllegalStateException("float64 storage of " + size + " doubles was closed");
            }
            return data;
        }
    }

    private synchronized Storage track(double[] data) {
        liveBytes += 8L * data.length;
        peakBytes = Math.max(peakBytes, liveBytes);
        return new F64Storage(this, data);
    }

    private synchronized void freed(int size) {
        liveBytes -= 8L * size;
    }

    @Override
    public synchronized MemoryStats memory() {
        return new MemoryStats(liveBytes, peakBytes, 0);
    }

    private static double[] data(Strided t) {
        if (!(t.storage() instanceof F64Storage)) {
            throw new IllegalArgumentException("float64 backend: tensor of shape " + Arrays.toString(t.shape())
                    + " lives on backend '" + t.backend().name() + "'; move it with .to(float64) first");
        }
        return ((F64Storage) t.storage()).array();
    }

    @Override
    public Storage allocate(int size) {
        return track(new double[size]);
    }

    @Override
    public Storage upload(float[] host) {
        double[] d = new double[host.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = host[i];
        }
        return track(d);
    }

    @Override
    public Storage upload(double[] host) {
        return track(host.clone());
    }

    @Override
    public float[] download(Strided x) {
        double[] d = downloadDoubles(x);
        float[] f = new float[d.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Override
    public double[] downloadDoubles(Strided x) {
        double[] xs = data(x);
        int n = x.numel();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = xs[at(x, unravel(i, x.shape()))];
        }
        return out;
    }

    // ------------------------------------------------------------------ the index walk

    /** The multi-index of the i-th element of {@code shape} in row-major order. */
    static int[] unravel(int i, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = i % shape[d];
            i /= shape[d];
        }
        return idx;
    }

    /** The storage offset of the element at multi-index {@code idx} of view {@code t}. */
    static int at(Strided t, int[] idx) {
        int off = t.offset();
        for (int d = 0; d < idx.length; d++) {
            off += idx[d] * t.stride(d);
        }
        return off;
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    public void fill(Strided out, float value) {
        double[] o = data(out);
        for (int i = 0; i < out.numel(); i++) {
            o[at(out, unravel(i, out.shape()))] = value;
        }
    }

    @Override
    public void copy(Strided src, Strided dst) {
        double[] s = data(src);
        double[] d = data(dst);
        // read everything first: src and dst may overlap
        double[] v = new double[dst.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = s[at(src, unravel(i, dst.shape()))];
        }
        for (int i = 0; i < v.length; i++) {
            d[at(dst, unravel(i, dst.shape()))] = v[i];
        }
    }

    static double unary(UnaryOp op, double x) {
        switch (op) {
            case NEG: return -x;
            case EXP: return Math.exp(x);
            case LOG: return Math.log(x);
            case SQRT: return Math.sqrt(x);
            case RSQRT: return 1.0 / Math.sqrt(x);
            case ABS: return Math.abs(x);
            case SIGN: return Math.signum(x);
            case RECIPROCAL: return 1.0 / x;
            case SQUARE: return x * x;
            case RELU: return x < 0 ? 0.0 : x; // keeps NaN and -0.0, as torch.relu does
            case SIGMOID: return 1.0 / (1.0 + Math.exp(-x));
            case TANH: return Math.tanh(x);
            case LOG1P: return Math.log1p(x);
            default: throw new AssertionError(op);
        }
    }

    static double binary(BinaryOp op, double a, double b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case POW: return Math.pow(a, b);
            case MAX: return (a > b || Double.isNaN(a)) ? a : b; // NaN from either side
            case MIN: return (a < b || Double.isNaN(a)) ? a : b;
            case EQ: return a == b ? 1 : 0;
            case NE: return a != b ? 1 : 0;
            case GT: return a > b ? 1 : 0;
            case GE: return a >= b ? 1 : 0;
            case LT: return a < b ? 1 : 0;
            case LE: return a <= b ? 1 : 0;
            default: throw new AssertionError(op);
        }
    }

    @Override
    public void unary(UnaryOp op, Strided x, Strided out) {
        double[] xs = data(x);
        double[] o = data(out);
        double[] v = new double[out.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = unary(op, xs[at(x, unravel(i, out.shape()))]);
        }
        store(v, o, out);
    }

    @Override
    public void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        double[] as = data(a);
        double[] bs = data(b);
        double[] v = new double[out.numel()];
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, out.shape());
            v[i] = binary(op, as[at(a, idx)], bs[at(b, idx)]);
        }
        store(v, data(out), out);
    }

    @Override
    public void binary(BinaryOp op, Strided a, float s, Strided out) {
        double[] as = data(a);
        double[] v = new double[out.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = binary(op, as[at(a, unravel(i, out.shape()))], s);
        }
        store(v, data(out), out);
    }

    @Override
    public void binary(BinaryOp op, float s, Strided b, Strided out) {
        double[] bs = data(b);
        double[] v = new double[out.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = binary(op, s, bs[at(b, unravel(i, out.shape()))]);
        }
        store(v, data(out), out);
    }

    @Override
    public void where(Strided condition, Strided a, Strided b, Strided out) {
        double[] cs = data(condition);
        double[] as = data(a);
        double[] bs = data(b);
        double[] v = new double[out.numel()];
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, out.shape());
            v[i] = cs[at(condition, idx)] != 0 ? as[at(a, idx)] : bs[at(b, idx)];
        }
        store(v, data(out), out);
    }

    /** y = y + alpha * x, computed in double. */
    @Override
    public void axpy(float alpha, Strided x, Strided y) {
        double[] xs = data(x);
        double[] v = new double[y.numel()];
        double[] ys = data(y);
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, y.shape());
            v[i] = ys[at(y, idx)] + alpha * xs[at(x, idx)];
        }
        store(v, ys, y);
    }

    /** Writes the row-major values {@code v} into view {@code out} (after all reads, so in-place ops are safe). */
    private static void store(double[] v, double[] o, Strided out) {
        for (int i = 0; i < v.length; i++) {
            o[at(out, unravel(i, out.shape()))] = v[i];
        }
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public void reduce(ReduceOp op, Strided x, Strided out) {
        double[] xs = data(x);
        double identity = op == ReduceOp.SUM ? 0 : op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        double[] acc = new double[out.numel()];
        Arrays.fill(acc, identity);
        for (int i = 0; i < x.numel(); i++) {
            int[] idx = unravel(i, x.shape());
            int[] outIdx = idx.clone();
            for (int d = 0; d < idx.length; d++) {
                if (out.size(d) == 1) {
                    outIdx[d] = 0; // a reduced dimension
                }
            }
            int j = linear(outIdx, out.shape());
            double v = xs[at(x, idx)];
            switch (op) {
                case SUM -> acc[j] += v;
                case MAX -> acc[j] = (v > acc[j] || Double.isNaN(v)) ? v : acc[j];
                case MIN -> acc[j] = (v < acc[j] || Double.isNaN(v)) ? v : acc[j];
                default -> throw new AssertionError(op);
            }
        }
        store(acc, data(out), out);
    }

    /** The row-major position of multi-index {@code idx} in {@code shape}. */
    private static int linear(int[] idx, int[] shape) {
        int j = 0;
        for (int d = 0; d < idx.length; d++) {
            j = j * shape[d] + idx[d];
        }
        return j;
    }

    @Override
    public void reduceWithIndex(ReduceOp op, Strided x, int dim, Strided values, Strided indices) {
        if (op == ReduceOp.SUM) {
            throw new IllegalArgumentException("reduceWithIndex: SUM has no index; use MAX or MIN");
        }
        double[] xs = data(x);
        double[] vo = data(values);
        double[] io = data(indices);
        for (int r = 0; r < values.numel(); r++) {
            int[] idx = unravel(r, values.shape());
            int best = 0;
            double bv = xs[at(x, idx)];
            for (int i = 1; i < x.size(dim) && !Double.isNaN(bv); i++) { // the first NaN wins
                idx[dim] = i;
                double c = xs[at(x, idx)];
                if ((op == ReduceOp.MAX ? c > bv : c < bv) || Double.isNaN(c)) { // strict: ties keep the first
                    bv = c;
                    best = i;
                }
            }
            idx[dim] = 0;
            vo[at(values, idx)] = bv;
            io[at(indices, idx)] = best;
        }
    }

    // ------------------------------------------------------------------ indexing

    @Override
    public void gather(int dim, Strided input, Strided index, Strided out) {
        double[] in = data(input);
        double[] ix = data(index);
        double[] o = data(out);
        for (int e = 0; e < index.numel(); e++) {
            int[] idx = unravel(e, index.shape());
            int k = checkedIndex("gather", ix[at(index, idx)], input.size(dim), dim);
            int[] from = idx.clone();
            from[dim] = k;
            o[at(out, idx)] = in[at(input, from)];
        }
    }

    @Override
    public void scatterAdd(int dim, Strided index, Strided src, Strided out) {
        double[] s = data(src);
        double[] ix = data(index);
        double[] o = data(out);
        for (int e = 0; e < index.numel(); e++) { // in src's row-major order
            int[] idx = unravel(e, index.shape());
            int k = checkedIndex("scatter_add", ix[at(index, idx)], out.size(dim), dim);
            int[] to = idx.clone();
            to[dim] = k;
            o[at(out, to)] += s[at(src, idx)];
        }
    }

    private static int checkedIndex(String op, double v, int size, int dim) {
        int k = (int) v;
        if (k != v) {
            throw new IllegalArgumentException(op + ": index " + (float) v + " is not a whole number (dimension " + dim + ")");
        }
        if (k < 0 || k >= size) {
            throw new IndexOutOfRangeException(op, k, dim, size);
        }
        return k;
    }

    // ------------------------------------------------------------------ products and softmax

    /** The textbook triple loop, per batch. */
    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        double[] as = data(a);
        double[] bs = data(b);
        double[] o = data(out);
        int batch = out.size(0);
        int m = out.size(1);
        int n = out.size(2);
        int k = a.size(2);
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int q = 0; q < k; q++) {
                        sum += as[at(a, new int[] {p, i, q})] * bs[at(b, new int[] {p, q, j})];
                    }
                    o[at(out, new int[] {p, i, j})] = sum;
                }
            }
        }
    }

    /** A 0-dim tensor is one row of length 1. */
    private static Strided atLeast1d(Strided t) {
        return t.dim() > 0 ? t : t.as(new int[] {1}, new int[] {0}, t.offset());
    }

    /** The multi-index of the first element of each row along {@code dim} (the shape with size 1 at dim). */
    private static int[] rowsShape(Strided t, int dim) {
        int[] rows = t.shape().clone();
        rows[dim] = 1;
        return rows;
    }

    @Override
    public void softmax(Strided x, int dim, boolean log, Strided out) {
        x = atLeast1d(x);
        out = atLeast1d(out);
        double[] xs = data(x);
        double[] o = data(out);
        int[] rows = rowsShape(x, dim);
        int len = x.size(dim);
        for (int r = 0; r < numel(rows); r++) {
            int[] idx = unravel(r, rows);
            double[] row = new double[len];
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) {
                idx[dim] = i;
                row[i] = xs[at(x, idx)];
                max = Math.max(max, row[i]);
            }
            if (max == Double.NEGATIVE_INFINITY) {
                max = 0; // a row of -inf: no -inf - -inf here; the row then ends as 0/0 (softmax) or -inf - -inf (log), NaN as in PyTorch
            }
            double sum = 0;
            for (int i = 0; i < len; i++) {
                sum += Math.exp(row[i] - max);
            }
            double logSumExp = max + Math.log(sum);
            for (int i = 0; i < len; i++) {
                idx[dim] = i;
                o[at(out, idx)] = log ? row[i] - logSumExp : Math.exp(row[i] - max) / sum;
            }
        }
    }

    @Override
    public void softmaxBackward(Strided y, Strided gy, int dim, boolean log, Strided gx) {
        y = atLeast1d(y);
        gy = atLeast1d(gy);
        gx = atLeast1d(gx);
        double[] ys = data(y);
        double[] gs = data(gy);
        double[] o = data(gx);
        int[] rows = rowsShape(y, dim);
        int len = y.size(dim);
        for (int r = 0; r < numel(rows); r++) {
            int[] idx = unravel(r, rows);
            double dot = 0; // sum(gy) for log_softmax, sum(gy * y) for softmax
            for (int i = 0; i < len; i++) {
                idx[dim] = i;
                dot += log ? gs[at(gy, idx)] : gs[at(gy, idx)] * ys[at(y, idx)];
            }
            for (int i = 0; i < len; i++) {
                idx[dim] = i;
                double yi = ys[at(y, idx)];
                double gi = gs[at(gy, idx)];
                o[at(gx, idx)] = log ? gi - Math.exp(yi) * dot : yi * (gi - dot);
            }
        }
    }

    // ---- sliding windows: the definitions, element by element --------------------------------

    /** input[n, c, y, x], or null outside the plane (padding). */
    private static Double pixel(double[] d, Strided t, int n, int c, int y, int x) {
        if (y < 0 || y >= t.size(2) || x < 0 || x >= t.size(3)) {
            return null;
        }
        return d[at(t, new int[] {n, c, y, x})];
    }

    @Override
    public void im2col(Strided input, Window2d w, Strided out) {
        double[] x = data(input);
        double[] o = data(out);
        int oh = w.outH(input.size(2), false);
        int ow = w.outW(input.size(3), false);
        for (int n = 0; n < input.size(0); n++) {
            for (int c = 0; c < input.size(1); c++) {
                for (int i = 0; i < w.kernelH(); i++) {
                    for (int j = 0; j < w.kernelW(); j++) {
                        int row = (c * w.kernelH() + i) * w.kernelW() + j;
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                Double v = pixel(x, input, n, c, oy * w.strideH() - w.padH() + i * w.dilationH(),
                                        ox * w.strideW() - w.padW() + j * w.dilationW());
                                o[at(out, new int[] {n, row, oy * ow + ox})] = v == null ? 0 : v;
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2im(Strided cols, Window2d w, Strided out) {
        double[] cs = data(cols);
        double[] o = data(out);
        int h = out.size(2);
        int wd = out.size(3);
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        for (int e = 0; e < out.numel(); e++) {
            o[at(out, unravel(e, out.shape()))] = 0;
        }
        for (int n = 0; n < out.size(0); n++) {
            for (int c = 0; c < out.size(1); c++) {
                for (int i = 0; i < w.kernelH(); i++) {
                    for (int j = 0; j < w.kernelW(); j++) {
                        int row = (c * w.kernelH() + i) * w.kernelW() + j;
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                int y = oy * w.strideH() - w.padH() + i * w.dilationH();
                                int x = ox * w.strideW() - w.padW() + j * w.dilationW();
                                if (y >= 0 && y < h && x >= 0 && x < wd) {
                                    o[at(out, new int[] {n, c, y, x})] += cs[at(cols, new int[] {n, row, oy * ow + ox})];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void maxPool2d(Strided input, Window2d w, boolean ceilMode, Strided out, Strided indices) {
        double[] x = data(input);
        double[] o = data(out);
        double[] ix = data(indices);
        int h = input.size(2);
        int wd = input.size(3);
        int oh = w.outH(h, ceilMode);
        int ow = w.outW(wd, ceilMode);
        for (int n = 0; n < input.size(0); n++) {
            for (int c = 0; c < input.size(1); c++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double best = Double.NEGATIVE_INFINITY;
                        int found = -1;
                        for (int i = 0; i < w.kernelH(); i++) {
                            for (int j = 0; j < w.kernelW(); j++) {
                                int y = oy * w.strideH() - w.padH() + i * w.dilationH();
                                int xx = ox * w.strideW() - w.padW() + j * w.dilationW();
                                Double v = pixel(x, input, n, c, y, xx);
                                if (v == null) {
                                    continue;
                                }
                                if (found < 0) {
                                    found = y * wd + xx;
                                }
                                if (v > best || Double.isNaN(v)) {
                                    best = v;
                                    found = y * wd + xx;
                                }
                            }
                        }
                        int[] pos = {n, c, oy, ox};
                        o[at(out, pos)] = best;
                        ix[at(indices, pos)] = Math.max(found, 0);
                    }
                }
            }
        }
    }

    /** The divisor of the average-pooling window starting at (y0, x0) (see Backend#avgPool2d). */
    private static int avgDivisor(int y0, int x0, Window2d w, int h, int wd, boolean countIncludePad, int divisor) {
        if (divisor > 0) {
            return divisor;
        }
        int y1 = Math.min(y0 + w.kernelH(), h + w.padH());
        int x1 = Math.min(x0 + w.kernelW(), wd + w.padW());
        return countIncludePad ? (y1 - y0) * (x1 - x0)
                : (Math.min(y1, h) - Math.max(y0, 0)) * (Math.min(x1, wd) - Math.max(x0, 0));
    }

    @Override
    public void avgPool2d(Strided input, Window2d w, boolean ceilMode, boolean countIncludePad, int divisor,
                          Strided out) {
        double[] x = data(input);
        double[] o = data(out);
        int h = input.size(2);
        int wd = input.size(3);
        for (int n = 0; n < input.size(0); n++) {
            for (int c = 0; c < input.size(1); c++) {
                for (int oy = 0; oy < w.outH(h, ceilMode); oy++) {
                    for (int ox = 0; ox < w.outW(wd, ceilMode); ox++) {
                        int y0 = oy * w.strideH() - w.padH();
                        int x0 = ox * w.strideW() - w.padW();
                        double sum = 0;
                        for (int i = 0; i < w.kernelH(); i++) {
                            for (int j = 0; j < w.kernelW(); j++) {
                                Double v = pixel(x, input, n, c, y0 + i, x0 + j);
                                sum += v == null ? 0 : v;
                            }
                        }
                        o[at(out, new int[] {n, c, oy, ox})] = sum / avgDivisor(y0, x0, w, h, wd, countIncludePad, divisor);
                    }
                }
            }
        }
    }

    @Override
    public void avgPool2dBackward(Strided gradOut, Window2d w, boolean ceilMode, boolean countIncludePad, int divisor,
                                  Strided gradInput) {
        double[] g = data(gradOut);
        double[] o = data(gradInput);
        int h = gradInput.size(2);
        int wd = gradInput.size(3);
        for (int e = 0; e < gradInput.numel(); e++) {
            o[at(gradInput, unravel(e, gradInput.shape()))] = 0;
        }
        for (int n = 0; n < gradInput.size(0); n++) {
            for (int c = 0; c < gradInput.size(1); c++) {
                for (int oy = 0; oy < w.outH(h, ceilMode); oy++) {
                    for (int ox = 0; ox < w.outW(wd, ceilMode); ox++) {
                        int y0 = oy * w.strideH() - w.padH();
                        int x0 = ox * w.strideW() - w.padW();
                        double share = g[at(gradOut, new int[] {n, c, oy, ox})]
                                / avgDivisor(y0, x0, w, h, wd, countIncludePad, divisor);
                        for (int i = 0; i < w.kernelH(); i++) {
                            for (int j = 0; j < w.kernelW(); j++) {
                                int y = y0 + i;
                                int x = x0 + j;
                                if (y >= 0 && y < h && x >= 0 && x < wd) {
                                    o[at(gradInput, new int[] {n, c, y, x})] += share;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
