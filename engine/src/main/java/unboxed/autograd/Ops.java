package unboxed.autograd;

import java.util.Arrays;
import unboxed.backend.Backend;
import unboxed.backend.BinaryOp;
import unboxed.backend.ReduceOp;
import unboxed.backend.UnaryOp;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/**
 * Every differentiable operation: its forward (a backend kernel) and its local backward rule,
 * side by side, the way micrograd writes them. Backward rules are themselves written with these
 * ops (gradient recording is off while they run), so they work on any backend.
 *
 * <p>Broadcasting: a binary op's inputs are expanded to the common shape (a view with stride 0,
 * no copy); in backward, the gradient is summed back over the broadcast dimensions
 * ({@link #sumTo}).
 */
public final class Ops {
    private Ops() {
    }

    // ------------------------------------------------------------------ helpers

    /** A 0-dim tensor holding {@code value} on the same backend as {@code like}. */
    public static Tensor constantLike(Tensor like, float value) {
        return Tensor.of(like.backend(), new float[] {value});
    }

    private static Backend sameBackend(String op, Tensor a, Tensor b) {
        if (a.backend() != b.backend()) {
            throw new IllegalArgumentException(op + ": expected both tensors on the same backend, got '"
                    + a.backend().name() + "' and '" + b.backend().name() + "'; move one with .to(...)");
        }
        return a.backend();
    }

    private static Tensor view(Tensor t, int[] shape, int[] strides, int offset) {
        return new Tensor(t.storage(), shape, strides, offset);
    }

    /** The view of {@code t} expanded to {@code shape} without recording (kernels' input form). */
    static Tensor broadcastView(Tensor t, int[] shape) {
        int[] ts = t.shape();
        int[] tst = t.strides();
        if (Arrays.equals(ts, shape)) {
            return t;
        }
        int[] strides = new int[shape.length];
        int lead = shape.length - ts.length;
        for (int i = 0; i < shape.length; i++) {
            if (i < lead) {
                strides[i] = 0;
            } else {
                int d = ts[i - lead];
                if (d == shape[i]) {
                    strides[i] = tst[i - lead];
                } else if (d == 1) {
                    strides[i] = 0;
                } else {
                    throw new IllegalArgumentException("expand: the size " + d + " at dimension " + (i - lead)
                            + " of shape " + Shape.str(ts) + " cannot be expanded to " + Shape.str(shape));
                }
            }
        }
        return view(t, shape, strides, t.offset());
    }

    /** Sums {@code g} down to {@code shape}, undoing a broadcast (the backward of expand). */
    public static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        int lead = gs.length - shape.length;
        int[] keep = new int[gs.length];
        for (int i = 0; i < gs.length; i++) {
            keep[i] = i < lead ? 1 : (shape[i - lead] == 1 ? 1 : gs[i]);
        }
        Tensor out = Tensor.zeros(g.backend(), keep);
        g.backend().reduce(ReduceOp.SUM, g, out);
        return view(out, shape, Shape.contiguousStrides(shape), 0);
    }

    private static Tensor binaryForward(String name, BinaryOp op, Tensor a, Tensor b) {
        Backend be = sameBackend(name, a, b);
        int[] shape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = Tensor.zeros(be, shape);
        be.binary(op, broadcastView(a, shape), broadcastView(b, shape), out);
        return out;
    }

    private static Tensor unaryForward(UnaryOp op, Tensor x) {
        Tensor out = Tensor.zeros(x.backend(), x.shape());
        x.backend().unary(op, x, out);
        return out;
    }

    // ------------------------------------------------------------------ arithmetic

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = binaryForward("add", BinaryOp.ADD, a, b);
        return Autograd.record("AddBackward", out,
                g -> new Tensor[] {sumTo(g, a.shape()), sumTo(g, b.shape())}, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binaryForward("sub", BinaryOp.SUB, a, b);
        return Autograd.record("SubBackward", out,
                g -> new Tensor[] {sumTo(g, a.shape()), b.requiresGrad() ? sumTo(neg(g), b.shape()) : null}, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binaryForward("mul", BinaryOp.MUL, a, b);
        return Autograd.record("MulBackward", out, g -> new Tensor[] {
            a.requiresGrad() ? sumTo(mul(g, b), a.shape()) : null,
            b.requiresGrad() ? sumTo(mul(g, a), b.shape()) : null}, a, b);
    }

    /** d(a/b)/da = 1/b, d(a/b)/db = -a/b^2. */
    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = binaryForward("div", BinaryOp.DIV, a, b);
        return Autograd.record("DivBackward", out, g -> new Tensor[] {
            a.requiresGrad() ? sumTo(div(g, b), a.shape()) : null,
            b.requiresGrad() ? sumTo(neg(div(mul(g, a), mul(b, b))), b.shape()) : null}, a, b);
    }

    /** x^p for a constant exponent: d/dx = p x^(p-1). */
    public static Tensor pow(Tensor x, float p) {
        Tensor out = binaryForward("pow", BinaryOp.POW, x, constantLike(x, p));
        if (p == 0f) {
            // Fix: x^0 is constant, so its gradient is 0 everywhere; the general rule gave 0 * 0^-1 = NaN
            // at x = 0. PyTorch masks the exponent-0 case to 0 the same way (pow_backward).
            return Autograd.record("PowBackward", out, g -> new Tensor[] {Tensor.zeros(g.backend(), x.shape())}, x);
        }
        return Autograd.record("PowBackward", out, g -> new Tensor[] {
            mul(g, mul(constantLike(x, p), binaryForward("pow", BinaryOp.POW, x, constantLike(x, p - 1))))}, x);
    }

    /** Elementwise maximum; where a == b the gradient is split evenly, as torch.maximum does. */
    public static Tensor maximum(Tensor a, Tensor b) {
        Tensor out = binaryForward("maximum", BinaryOp.MAX, a, b);
        return Autograd.record("MaximumBackward", out, g -> {
            Tensor aWins = binaryForward("maximum", BinaryOp.GT, a, b);
            Tensor tie = binaryForward("maximum", BinaryOp.EQ, a, b);
            Tensor shareA = add(aWins, mul(tie, constantLike(tie, 0.5f)));
            Tensor shareB = sub(constantLike(shareA, 1f), shareA);
            return new Tensor[] {sumTo(mul(g, shareA), a.shape()), sumTo(mul(g, shareB), b.shape())};
        }, a, b);
    }

    /** Comparisons (EQ, NE, GT, ...): 1.0 / 0.0, never differentiable. */
    public static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        return binaryForward(op.name().toLowerCase(java.util.Locale.ROOT), op, a, b);
    }

    public static Tensor neg(Tensor x) {
        Tensor out = unaryForward(UnaryOp.NEG, x);
        return Autograd.record("NegBackward", out, g -> new Tensor[] {neg(g)}, x);
    }

    public static Tensor exp(Tensor x) {
        Tensor out = unaryForward(UnaryOp.EXP, x);
        return Autograd.record("ExpBackward", out, g -> new Tensor[] {mul(g, out)}, x);
    }

    public static Tensor log(Tensor x) {
        Tensor out = unaryForward(UnaryOp.LOG, x);
        return Autograd.record("LogBackward", out, g -> new Tensor[] {div(g, x)}, x);
    }

    public static Tensor sqrt(Tensor x) {
        Tensor out = unaryForward(UnaryOp.SQRT, x);
        return Autograd.record("SqrtBackward", out,
                g -> new Tensor[] {div(g, mul(out, constantLike(out, 2f)))}, x);
    }

    /** ReLU: the gradient passes where x &gt; 0 and is 0 elsewhere (PyTorch picks 0 at exactly 0). */
    public static Tensor relu(Tensor x) {
        Tensor out = unaryForward(UnaryOp.RELU, x);
        return Autograd.record("ReluBackward", out, g -> new Tensor[] {mul(g, unaryForward(UnaryOp.STEP, out))}, x);
    }

    public static Tensor sigmoid(Tensor x) {
        Tensor out = unaryForward(UnaryOp.SIGMOID, x);
        return Autograd.record("SigmoidBackward", out,
                g -> new Tensor[] {mul(g, mul(out, sub(constantLike(out, 1f), out)))}, x);
    }

    public static Tensor tanh(Tensor x) {
        Tensor out = unaryForward(UnaryOp.TANH, x);
        return Autograd.record("TanhBackward", out,
                g -> new Tensor[] {mul(g, sub(constantLike(out, 1f), mul(out, out)))}, x);
    }

    public static Tensor abs(Tensor x) {
        Tensor out = unaryForward(UnaryOp.ABS, x);
        return Autograd.record("AbsBackward", out, g -> new Tensor[] {mul(g, unaryForward(UnaryOp.SIGN, x))}, x);
    }

    // ------------------------------------------------------------------ reductions

    private static int[] keepdimShape(String op, int[] shape, int[] dims) {
        int[] out = shape.clone();
        boolean[] seen = new boolean[Math.max(shape.length, 1)];
        for (int d : dims) {
            int w = Shape.wrapDim(op, d, shape.length);
            if (seen[w]) {
                throw new IllegalArgumentException(op + ": dimension " + d + " appears more than once in " + Arrays.toString(dims));
            }
            seen[w] = true;
            if (shape.length > 0) {
                out[w] = 1;
            }
        }
        return out;
    }

    private static int[] dropDims(int[] shape, int[] keep, int[] dims) {
        boolean[] drop = new boolean[shape.length];
        for (int d : dims) {
            if (shape.length > 0) {
                drop[Shape.wrapDim("reduce", d, shape.length)] = true;
            }
        }
        return java.util.stream.IntStream.range(0, shape.length).filter(i -> !drop[i]).map(i -> keep[i]).toArray();
    }

    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        int[] k = keepdimShape("sum", x.shape(), dims);
        Tensor out = Tensor.zeros(x.backend(), k);
        x.backend().reduce(ReduceOp.SUM, x, out);
        int[] shape = keepdim ? k : dropDims(x.shape(), k, dims);
        Tensor result = view(out, shape, Shape.contiguousStrides(shape), 0);
        int[] xs = x.shape();
        return Autograd.record("SumBackward", result,
                g -> new Tensor[] {broadcastView(view(g.contiguous(), k, Shape.contiguousStrides(k), g.contiguous().offset()), xs)}, x);
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        int[] k = keepdimShape("mean", x.shape(), dims);
        // the number of elements averaged into each output; 0 for an empty reduction, so 0/0 = NaN as in PyTorch
        int outputs = Shape.numel(k);
        int count = outputs == 0 ? 0 : x.numel() / outputs;
        return div(sum(x, dims, keepdim), constantLike(x, count));
    }

    /** Largest value along {@code dim}; the gradient goes to the maxima (split evenly between ties). */
    public static Tensor max(Tensor x, int dim, boolean keepdim) {
        int[] dims = {dim};
        int[] k = keepdimShape("max", x.shape(), dims);
        if (x.dim() > 0 && x.size(dim) == 0) {
            throw new IllegalArgumentException("max(): cannot take the maximum over dimension " + dim
                    + " of size 0 (shape " + Shape.str(x.shape()) + ")");
        }
        Tensor out = Tensor.zeros(x.backend(), k);
        x.backend().reduce(ReduceOp.MAX, x, out);
        int[] shape = keepdim ? k : dropDims(x.shape(), k, dims);
        Tensor result = view(out, shape, Shape.contiguousStrides(shape), 0);
        return Autograd.record("MaxBackward", result, g -> {
            Tensor mask = compare(BinaryOp.EQ, x, out);
            Tensor count = sum(mask, dims, true);
            Tensor gk = view(g.contiguous(), k, Shape.contiguousStrides(k), g.contiguous().offset());
            return new Tensor[] {mul(mask, div(gk, count))};
        }, x);
    }

    /** Index of the largest value along {@code dim}, first on ties, as a float tensor without that dimension. */
    public static Tensor argmax(Tensor x, int dim) {
        int d = Shape.wrapDim("argmax", dim, x.dim());
        int[] shape = x.shape();
        float[] v = x.contiguous().toArray();
        int len = shape.length == 0 ? 1 : shape[d];
        int inner = 1;
        for (int i = d + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int outer = len == 0 ? 0 : v.length / (len * inner);
        float[] idx = new float[outer * inner];
        for (int p = 0; p < outer; p++) {
            for (int q = 0; q < inner; q++) {
                int best = 0;
                float bv = v[p * len * inner + q];
                for (int i = 1; i < len; i++) {
                    float c = v[p * len * inner + i * inner + q];
                    if (c > bv || (Float.isNaN(c) && !Float.isNaN(bv))) {
                        bv = c;
                        best = i;
                    }
                }
                idx[p * inner + q] = best;
            }
        }
        int[] outShape = shape.length == 0 ? new int[0] : dropDims(shape, shape, new int[] {d});
        return Tensor.of(x.backend(), idx, outShape);
    }

    /** softmax / log_softmax along {@code dim}; the backward needs only the output. */
    public static Tensor softmax(Tensor x, int dim, boolean log) {
        String name = log ? "log_softmax" : "softmax";
        int d = Shape.wrapDim(name, dim, x.dim());
        Tensor out = Tensor.zeros(x.backend(), x.shape());
        x.backend().softmax(x, d, log, out);
        return Autograd.record(log ? "LogSoftmaxBackward" : "SoftmaxBackward", out, g -> {
            Tensor gx = Tensor.zeros(out.backend(), out.shape());
            out.backend().softmaxBackward(out, g, d, log, gx);
            return new Tensor[] {gx};
        }, x);
    }

    // ------------------------------------------------------------------ matrix product

    /**
     * {@code torch.matmul}: 1-D x 1-D is a dot product; a 1-D first operand is a row vector, a 1-D
     * second operand a column vector (the added dimension is removed again); otherwise the last
     * two dimensions multiply and the leading ones broadcast.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got shapes "
                    + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        }
        sameBackend("matmul", a, b);
        Tensor a2 = a.dim() == 1 ? unsqueeze(a, 0) : a;
        Tensor b2 = b.dim() == 1 ? unsqueeze(b, 1) : b;
        int[] as = a2.shape();
        int[] bs = b2.shape();
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int k2 = bs[bs.length - 2];
        int n = bs[bs.length - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape())
                    + " cannot be multiplied (" + m + "x" + k + " and " + k2 + "x" + n + ")");
        }
        int[] batchA = Arrays.copyOf(as, as.length - 2);
        int[] batchB = Arrays.copyOf(bs, bs.length - 2);
        int[] batch;
        try {
            batch = Shape.broadcast("matmul", batchA, batchB);
        } catch (IllegalArgumentException e) {
            // Fix: the message used to name only the batch parts ("[2] and [3]"); name the operands' shapes too
            throw new IllegalArgumentException("matmul: the batch dimensions " + Shape.str(batchA) + " of shape "
                    + Shape.str(a.shape()) + " and " + Shape.str(batchB) + " of shape " + Shape.str(b.shape())
                    + " cannot be broadcast together", e);
        }
        int nb = Shape.numel(batch);
        Tensor a3 = reshape(expand(a2, concat(batch, m, k)), new int[] {nb, m, k});
        Tensor b3 = reshape(expand(b2, concat(batch, k, n)), new int[] {nb, k, n});
        Tensor c = reshape(bmm(a3, b3), concat(batch, m, n));
        if (a.dim() == 1) {
            c = squeeze(c, -2);
        }
        if (b.dim() == 1) {
            c = squeeze(c, -1);
        }
        return c;
    }

    /**
     * Batched product of [B,M,K] and [B,K,N]: dA = dC B^T, dB = A^T dC.
     *
     * <p>Each gradient is produced in its operand's memory order: when the operand is a transposed
     * view (as {@code weight.t()} is in Linear), the product is computed transposed, (dB)^T = dC^T A,
     * so that the gradient reaching the weight is contiguous and accumulating it needs no strided copy.
     */
    public static Tensor bmm(Tensor a, Tensor b) {
        Tensor out = Tensor.zeros(a.backend(), a.size(0), a.size(1), b.size(2));
        a.backend().matmul(a, b, out);
        return Autograd.record("BmmBackward", out, g -> new Tensor[] {
            a.requiresGrad() ? (isTransposed(a) ? transpose(bmm(b, transpose(g, 1, 2)), 1, 2) : bmm(g, transpose(b, 1, 2))) : null,
            b.requiresGrad() ? (isTransposed(b) ? transpose(bmm(transpose(g, 1, 2), a), 1, 2) : bmm(transpose(a, 1, 2), g)) : null},
                a, b);
    }

    /** A [B, R, C] view whose columns are contiguous: the memory of a [B, C, R] tensor. */
    private static boolean isTransposed(Tensor t) {
        return t.size(1) > 1 && t.size(2) > 1 && t.stride(1) == 1 && t.stride(2) == t.size(1);
    }

    private static int[] concat(int[] head, int... tail) {
        int[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    // ------------------------------------------------------------------ views

    /** A copy into fresh contiguous memory (the backward passes the gradient straight through). */
    public static Tensor copy(Tensor x) {
        Tensor out = Tensor.zeros(x.backend(), x.shape());
        x.backend().copy(x, out);
        return Autograd.record("CloneBackward", out, g -> new Tensor[] {g}, x);
    }

    /** A view with a new shape when the memory allows it, else a contiguous copy (like torch.reshape). */
    public static Tensor reshape(Tensor x, int[] newShape) {
        int[] shape = inferShape(x, newShape);
        int[] xs = x.shape();
        int[] strides = viewStrides(xs, x.strides(), shape);
        Tensor src = x;
        if (strides == null) {
            src = copy(x);
            strides = Shape.contiguousStrides(shape);
        }
        Tensor out = view(src, shape, strides, src.offset());
        Tensor from = src;
        return Autograd.record("ViewBackward", out, g -> new Tensor[] {reshape(g, xs)}, from);
    }

    private static int[] inferShape(Tensor x, int[] newShape) {
        int[] shape = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension can be inferred, got " + Shape.str(newShape));
                }
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("reshape: invalid dimension " + shape[i] + " in " + Shape.str(newShape));
            } else {
                known *= shape[i];
            }
        }
        int n = x.numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("reshape: shape " + Shape.str(newShape) + " is invalid for input of size " + n);
            }
            shape[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: shape " + Shape.str(newShape) + " is invalid for input of shape "
                    + Shape.str(x.shape()) + " (" + n + " elements)");
        }
        return shape;
    }

    /**
     * Strides that let {@code newShape} view memory laid out as (shape, strides), or null when a copy
     * is needed. Walks the old dimensions from the innermost, in chunks that are contiguous with
     * each other, and lets the new dimensions split or merge within a chunk (ATen's computeStride).
     */
    static int[] viewStrides(int[] shape, int[] strides, int[] newShape) {
        if (shape.length == 0 || Shape.numel(shape) == 0) {
            return Shape.contiguousStrides(newShape);
        }
        int[] out = new int[newShape.length];
        int viewD = newShape.length - 1;
        long chunkBaseStride = strides[strides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBaseStride)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    out[viewD] = (int) (viewNumel * chunkBaseStride);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBaseStride = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? out : null;
    }

    public static Tensor transpose(Tensor x, int d0, int d1) {
        int r = x.dim();
        int a = Shape.wrapDim("transpose", d0, r);
        int b = Shape.wrapDim("transpose", d1, r);
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) {
            perm[i] = i;
        }
        if (r > 0) {
            perm[a] = b;
            perm[b] = a;
        }
        return permute(x, perm);
    }

    public static Tensor permute(Tensor x, int[] dims) {
        int r = x.dim();
        if (dims.length != r) {
            throw new IllegalArgumentException("permute: number of dimensions " + Arrays.toString(dims)
                    + " does not match the tensor's rank " + r);
        }
        int[] shape = new int[r];
        int[] strides = new int[r];
        int[] inverse = new int[r];
        boolean[] seen = new boolean[r];
        int[] xs = x.shape();
        int[] xst = x.strides();
        for (int i = 0; i < r; i++) {
            int d = Shape.wrapDim("permute", dims[i], r);
            if (seen[d]) {
                throw new IllegalArgumentException("permute: dimension " + d + " repeats in " + Arrays.toString(dims));
            }
            seen[d] = true;
            shape[i] = xs[d];
            strides[i] = xst[d];
            inverse[d] = i;
        }
        Tensor out = view(x, shape, strides, x.offset());
        return Autograd.record("PermuteBackward", out, g -> new Tensor[] {permute(g, inverse)}, x);
    }

    public static Tensor expand(Tensor x, int[] shape) {
        int[] xs = x.shape();
        if (shape.length < xs.length) {
            throw new IllegalArgumentException("expand: the target shape " + Shape.str(shape)
                    + " has fewer dimensions than the tensor's shape " + Shape.str(xs));
        }
        int[] target = shape.clone();
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                int j = i - (target.length - xs.length);
                if (j < 0) {
                    throw new IllegalArgumentException("expand: -1 is not allowed in a new leading dimension: " + Shape.str(shape));
                }
                target[i] = xs[j];
            }
        }
        Tensor out = broadcastView(x, target);
        if (out == x) {
            return x;
        }
        return Autograd.record("ExpandBackward", out, g -> new Tensor[] {sumTo(g, xs)}, x);
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int r = x.dim();
        int d = dim < 0 ? dim + r + 1 : dim;
        if (d < 0 || d > r) {
            throw new IndexOutOfBoundsException("unsqueeze: dimension " + dim + " out of range for rank " + r);
        }
        int[] shape = new int[r + 1];
        int[] strides = new int[r + 1];
        int[] xs = x.shape();
        int[] xst = x.strides();
        for (int i = 0, j = 0; i <= r; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = d < r ? xst[d] * xs[d] : 1;
            } else {
                shape[i] = xs[j];
                strides[i] = xst[j];
                j++;
            }
        }
        Tensor out = view(x, shape, strides, x.offset());
        return Autograd.record("UnsqueezeBackward", out, g -> new Tensor[] {squeeze(g, d)}, x);
    }

    /** Removes dimension {@code dim} if it has size 1 (else returns the tensor unchanged, like PyTorch). */
    public static Tensor squeeze(Tensor x, int dim) {
        int r = x.dim();
        if (r == 0) {
            return x;
        }
        int d = Shape.wrapDim("squeeze", dim, r);
        int[] xs = x.shape();
        if (xs[d] != 1) {
            return x;
        }
        int[] shape = new int[r - 1];
        int[] strides = new int[r - 1];
        int[] xst = x.strides();
        for (int i = 0, j = 0; i < r; i++) {
            if (i != d) {
                shape[j] = xs[i];
                strides[j] = xst[i];
                j++;
            }
        }
        Tensor out = view(x, shape, strides, x.offset());
        return Autograd.record("SqueezeBackward", out, g -> new Tensor[] {unsqueeze(g, d)}, x);
    }

    /** Elements start..start+length-1 along {@code dim} (a view). */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shape.wrapDim("narrow", dim, x.dim());
        int[] xs = x.shape();
        if (start < 0 || length < 0 || start + length > xs[d]) {
            throw new IndexOutOfBoundsException("narrow: range [" + start + ", " + (start + length)
                    + ") is out of bounds for dimension " + d + " of size " + xs[d]);
        }
        int[] shape = xs.clone();
        shape[d] = length;
        Tensor out = view(x, shape, x.strides(), x.offset() + start * x.stride(d));
        return Autograd.record("NarrowBackward", out, g -> {
            Tensor gx = Tensor.zeros(g.backend(), xs);
            g.backend().copy(g, narrow(gx, d, start, length));
            return new Tensor[] {gx};
        }, x);
    }
}
