package unboxed.tensor;

import java.util.Arrays;
import unboxed.autograd.Autograd;
import unboxed.autograd.Node;
import unboxed.autograd.Ops;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.backend.Storage;

/**
 * An n-dimensional array of float32: a view (shape, strides, offset) over a flat {@link Storage}.
 *
 * <p>Views share storage, as in PyTorch: {@link #transpose}, {@link #expand}, {@link #narrow},
 * {@link #view} allocate nothing. Index tensors (class labels) are float tensors holding whole
 * numbers: float32 represents every integer up to 2^24 exactly, far beyond any class count.
 *
 * <p>A tensor also carries its autograd state: whether it requires a gradient, the accumulated
 * {@link #grad()} (leaves), and the {@link Node} that produced it (non-leaves). The arithmetic
 * methods below delegate to {@link Ops}, where each op's forward and backward sit side by side.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    // autograd state
    private boolean requiresGrad;
    private boolean retainsGrad;
    private Tensor grad;
    private Node gradFn;

    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Shape.str(shape) + " and strides " + Shape.str(strides)
                    + " differ in rank");
        }
        this.storage = storage;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
    }

    // ---------------------------------------------------------------- creation

    /** A tensor of the given shape holding a copy of {@code data} (row-major), on the default backend. */
    public static Tensor of(float[] data, int... shape) {
        return of(Backends.current(), data, shape);
    }

    public static Tensor of(Backend backend, float[] data, int... shape) {
        if (Shape.numel(shape) != data.length) {
            throw new IllegalArgumentException("Tensor.of: " + data.length + " values cannot fill shape "
                    + Shape.str(shape) + " (" + Shape.numel(shape) + " elements)");
        }
        return new Tensor(backend.upload(data), shape, Shape.contiguousStrides(shape), 0);
    }

    /** A 0-dim tensor. */
    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    public static Tensor zeros(int... shape) {
        return zeros(Backends.current(), shape);
    }

    public static Tensor zeros(Backend backend, int... shape) {
        return new Tensor(backend.allocate(Shape.numel(shape)), shape, Shape.contiguousStrides(shape), 0);
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        if (value != 0f) {
            t.backend().fill(t, value);
        }
        return t;
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /** 0, 1, ..., n-1 as floats. */
    public static Tensor arange(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return of(v, n);
    }

    public static Tensor randn(Rng rng, int... shape) {
        return of(rng.normal(Shape.numel(shape), 0, 1), shape);
    }

    public static Tensor uniform(Rng rng, double low, double high, int... shape) {
        return of(rng.uniform(Shape.numel(shape), low, high), shape);
    }

    /** A new contiguous tensor of the same shape on the same backend, filled with zeros. */
    public Tensor zerosLike() {
        return zeros(backend(), shape);
    }

    // ---------------------------------------------------------------- layout

    public Storage storage() {
        return storage;
    }

    public Backend backend() {
        return storage.backend();
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size(int dim) {
        requireDims("size", dim);
        return shape[Shape.wrapDim("size", dim, shape.length)];
    }

    public int[] strides() {
        return strides.clone();
    }

    public int stride(int dim) {
        requireDims("stride", dim);
        return strides[Shape.wrapDim("stride", dim, shape.length)];
    }

    /*
     * Fix: Shape.wrapDim accepts dim 0 and -1 on a 0-dim tensor (right for reductions), so size(0)
     * of a 0-dim tensor used to index an empty array and die with ArrayIndexOutOfBoundsException.
     * PyTorch raises "dimension specified as 0 but tensor has no dimensions"; so do we.
     */
    private void requireDims(String op, int dim) {
        if (shape.length == 0) {
            throw new IndexOutOfBoundsException(op + "(" + dim + "): dimension specified as " + dim
                    + " but the tensor is 0-dim (shape [])");
        }
    }

    public int offset() {
        return offset;
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return Shape.numel(shape);
    }

    /** True when the elements are laid out row-major without gaps (size-1 dimensions ignored). */
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

    /** The elements in row-major order, copied to a new host array. */
    public float[] toArray() {
        return backend().download(this);
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalStateException("item(): only a one-element tensor has a single value, this one has shape "
                    + Shape.str(shape));
        }
        return toArray()[0];
    }

    /** The same values on another backend (no-op when already there); not differentiable across devices. */
    public Tensor to(Backend target) {
        if (target == backend()) {
            return this;
        }
        return of(target, toArray(), shape);
    }

    // ---------------------------------------------------------------- autograd state

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as a parameter whose gradient {@link #backward()} accumulates. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor: use detach() instead");
        }
        this.requiresGrad = value;
        return this;
    }

    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient of shape " + Shape.str(g.shape)
                    + " does not match tensor of shape " + Shape.str(shape));
        }
        this.grad = g;
    }

    /** Leaves are tensors created by the user, not produced by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    public Node gradFn() {
        return gradFn;
    }

    /** Called by {@link Autograd} when recording an op: this tensor becomes a non-leaf. */
    public void setGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = node != null;
    }

    /** Ask a non-leaf tensor to keep its gradient after backward, like {@code retain_grad()}. */
    public Tensor retainGrad() {
        this.retainsGrad = true;
        return this;
    }

    public boolean retainsGrad() {
        return retainsGrad;
    }

    /** The same data, cut off from the graph. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset);
    }

    /** Reverse-mode differentiation from this scalar: d this / d leaf accumulates into each leaf's grad. */
    public void backward() {
        Autograd.backward(this, null, false);
    }

    /** Reverse-mode differentiation with an explicit upstream gradient of this tensor's shape. */
    public void backward(Tensor gradient) {
        Autograd.backward(this, gradient, false);
    }

    public void backward(Tensor gradient, boolean retainGraph) {
        Autograd.backward(this, gradient, retainGraph);
    }

    // ---------------------------------------------------------------- differentiable ops (see Ops)

    public Tensor add(Tensor o) {
        return Ops.add(this, o);
    }

    public Tensor add(float s) {
        return Ops.add(this, Ops.constantLike(this, s));
    }

    public Tensor sub(Tensor o) {
        return Ops.sub(this, o);
    }

    public Tensor sub(float s) {
        return Ops.sub(this, Ops.constantLike(this, s));
    }

    public Tensor mul(Tensor o) {
        return Ops.mul(this, o);
    }

    public Tensor mul(float s) {
        return Ops.mul(this, Ops.constantLike(this, s));
    }

    public Tensor div(Tensor o) {
        return Ops.div(this, o);
    }

    public Tensor div(float s) {
        return Ops.div(this, Ops.constantLike(this, s));
    }

    public Tensor pow(float exponent) {
        return Ops.pow(this, exponent);
    }

    public Tensor neg() {
        return Ops.neg(this);
    }

    public Tensor exp() {
        return Ops.exp(this);
    }

    public Tensor log() {
        return Ops.log(this);
    }

    public Tensor sqrt() {
        return Ops.sqrt(this);
    }

    public Tensor relu() {
        return Ops.relu(this);
    }

    public Tensor sigmoid() {
        return Ops.sigmoid(this);
    }

    public Tensor tanh() {
        return Ops.tanh(this);
    }

    public Tensor abs() {
        return Ops.abs(this);
    }

    public Tensor maximum(Tensor o) {
        return Ops.maximum(this, o);
    }

    public Tensor clampMin(float min) {
        return Ops.maximum(this, Ops.constantLike(this, min));
    }

    public Tensor matmul(Tensor o) {
        return Ops.matmul(this, o);
    }

    /** Sum of all elements, a 0-dim tensor. */
    public Tensor sum() {
        return Ops.sum(this, allDims(), false);
    }

    public Tensor sum(int dim, boolean keepdim) {
        return Ops.sum(this, new int[] {dim}, keepdim);
    }

    public Tensor sum(int[] dims, boolean keepdim) {
        return Ops.sum(this, dims, keepdim);
    }

    public Tensor mean() {
        return Ops.mean(this, allDims(), false);
    }

    public Tensor mean(int dim, boolean keepdim) {
        return Ops.mean(this, new int[] {dim}, keepdim);
    }

    public Tensor max(int dim, boolean keepdim) {
        return Ops.max(this, dim, keepdim);
    }

    /** Index of the largest value along {@code dim} (not differentiable); ties go to the first. */
    public Tensor argmax(int dim) {
        return Ops.argmax(this, dim);
    }

    public Tensor softmax(int dim) {
        return Ops.softmax(this, dim, false);
    }

    public Tensor logSoftmax(int dim) {
        return Ops.softmax(this, dim, true);
    }

    // comparisons: not differentiable, 1.0 / 0.0
    public Tensor eq(Tensor o) {
        return Ops.compare(unboxed.backend.BinaryOp.EQ, this, o);
    }

    public Tensor ne(Tensor o) {
        return Ops.compare(unboxed.backend.BinaryOp.NE, this, o);
    }

    public Tensor gt(Tensor o) {
        return Ops.compare(unboxed.backend.BinaryOp.GT, this, o);
    }

    // ---------------------------------------------------------------- views and reshapes (see Ops)

    public Tensor reshape(int... newShape) {
        return Ops.reshape(this, newShape);
    }

    /** Like reshape, but refuses when a copy would be needed (PyTorch's view()). */
    public Tensor view(int... newShape) {
        if (!isContiguous()) {
            throw new IllegalStateException("view" + Shape.str(newShape) + ": tensor of shape " + Shape.str(shape)
                    + " and strides " + Shape.str(strides) + " is not contiguous; use reshape() or contiguous().view()");
        }
        return Ops.reshape(this, newShape);
    }

    public Tensor flatten() {
        return reshape(numel());
    }

    public Tensor transpose(int d0, int d1) {
        return Ops.transpose(this, d0, d1);
    }

    /** The transpose of a 2-D tensor (a view). */
    public Tensor t() {
        if (dim() > 2) {
            throw new IllegalStateException("t(): expects a tensor with at most 2 dimensions, got shape " + Shape.str(shape));
        }
        return dim() < 2 ? this : transpose(0, 1);
    }

    public Tensor permute(int... dims) {
        return Ops.permute(this, dims);
    }

    public Tensor expand(int... newShape) {
        return Ops.expand(this, newShape);
    }

    public Tensor unsqueeze(int dim) {
        return Ops.unsqueeze(this, dim);
    }

    public Tensor squeeze(int dim) {
        return Ops.squeeze(this, dim);
    }

    public Tensor narrow(int dim, int start, int length) {
        return Ops.narrow(this, dim, start, length);
    }

    /** This tensor if already contiguous, else a contiguous copy (differentiable). */
    public Tensor contiguous() {
        return isContiguous() ? this : Ops.copy(this);
    }

    private int[] allDims() {
        int[] d = new int[shape.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        return d;
    }

    @Override
    public String toString() {
        int n = numel();
        StringBuilder sb = new StringBuilder("Tensor(shape=").append(Shape.str(shape));
        if (n <= 16) {
            sb.append(", values=").append(Arrays.toString(toArray()));
        }
        if (gradFn != null) {
            sb.append(", grad_fn=").append(gradFn.name());
        } else if (requiresGrad) {
            sb.append(", requires_grad=true");
        }
        return sb.append(')').toString();
    }
}
