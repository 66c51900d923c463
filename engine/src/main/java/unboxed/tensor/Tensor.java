package unboxed.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import unboxed.autograd.Autograd;
import unboxed.autograd.Differentiable;
import unboxed.autograd.Node;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.backend.BinaryOp;
import unboxed.backend.Storage;
import unboxed.backend.Strided;

/**
 * An n-dimensional array of float32: a view (shape, strides, offset) over a flat {@link Storage}.
 *
 * <p>Views share storage, as in PyTorch: {@link #transpose}, {@link #expand}, {@link #narrow},
 * {@link #view} allocate nothing. Index tensors (class labels, gather indices) are float tensors
 * holding whole numbers: float32 represents every integer up to 2^24 exactly, far beyond any
 * class count or dimension size here.
 *
 * <p>A tensor also carries its autograd state: whether it requires a gradient, the accumulated
 * {@link #grad()} (leaves), the {@link Node} that produced it (non-leaves) and its gradient hooks.
 * The arithmetic methods below delegate to the op families ({@link Pointwise}, {@link Reductions},
 * {@link Products}, {@link Softmax}, {@link Views}, {@link Indexing}, {@link InPlace}), where each
 * op's forward and backward sit side by side.
 */
public final class Tensor implements Differentiable<Tensor>, Autograd.Attachable<Tensor>, AutoCloseable {
    private final Strided data;

    // autograd state
    private boolean requiresGrad;
    private boolean retainsGrad;
    private Tensor grad;
    private Node<Tensor> gradFn;
    private List<UnaryOperator<Tensor>> hooks = List.of();
    private boolean consumed;

    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Shape.str(shape) + " and strides " + Shape.str(strides)
                    + " differ in rank");
        }
        this.data = new Strided(storage, shape.clone(), strides.clone(), offset);
    }

    private Tensor(Strided data) {
        this.data = data;
    }

    /** A tensor over an existing view (the op families' constructor; the arrays are not copied). */
    static Tensor over(Strided data) {
        return new Tensor(data);
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
        return new Tensor(Strided.contiguous(backend.upload(data), shape.clone()));
    }

    /** As {@link #of(Backend, float[], int...)} from doubles; a double-precision backend keeps every bit. */
    public static Tensor ofDoubles(Backend backend, double[] data, int... shape) {
        if (Shape.numel(shape) != data.length) {
            throw new IllegalArgumentException("Tensor.ofDoubles: " + data.length + " values cannot fill shape "
                    + Shape.str(shape) + " (" + Shape.numel(shape) + " elements)");
        }
        return new Tensor(Strided.contiguous(backend.upload(data), shape.clone()));
    }

    /** A 0-dim tensor. */
    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    /** A tensor whose contents are unspecified, to be overwritten (PyTorch's {@code empty}). */
    public static Tensor empty(Backend backend, int... shape) {
        return new Tensor(Strided.contiguous(backend.allocate(Shape.numel(shape)), shape.clone()));
    }

    public static Tensor empty(int... shape) {
        return empty(Backends.current(), shape);
    }

    public static Tensor zeros(int... shape) {
        return zeros(Backends.current(), shape);
    }

    public static Tensor zeros(Backend backend, int... shape) {
        return new Tensor(Strided.contiguous(backend.allocateZeroed(Shape.numel(shape)), shape.clone()));
    }

    /** Filled on the backend itself: no host array is uploaded. */
    public static Tensor full(Backend backend, float value, int... shape) {
        Tensor t = empty(backend, shape);
        backend.fill(t.data, value);
        return t;
    }

    public static Tensor full(float value, int... shape) {
        return full(Backends.current(), value, shape);
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
        return zeros(backend(), data.shape());
    }

    /** A new contiguous tensor of the same shape on the same backend, contents unspecified. */
    public Tensor emptyLike() {
        return empty(backend(), data.shape());
    }

    // ---------------------------------------------------------------- layout

    /** What the backend kernels see: storage, shape, strides, offset. */
    public Strided strided() {
        return data;
    }

    public Storage storage() {
        return data.storage();
    }

    public Backend backend() {
        return data.storage().backend();
    }

    public int[] shape() {
        return data.shape().clone();
    }

    public int size(int dim) {
        requireDims("size", dim);
        return data.shape()[Shape.wrapDim("size", dim, data.dim())];
    }

    public int[] strides() {
        return data.strides().clone();
    }

    public int stride(int dim) {
        requireDims("stride", dim);
        return data.strides()[Shape.wrapDim("stride", dim, data.dim())];
    }

    /*
     * Fix: Shape.wrapDim accepts dim 0 and -1 on a 0-dim tensor (right for reductions), so size(0)
     * of a 0-dim tensor used to index an empty array and die with ArrayIndexOutOfBoundsException.
     * PyTorch raises "dimension specified as 0 but tensor has no dimensions"; so do we.
     */
    private void requireDims(String op, int dim) {
        if (data.dim() == 0) {
            throw new IndexOutOfBoundsException(op + "(" + dim + "): dimension specified as " + dim
                    + " but the tensor is 0-dim (shape [])");
        }
    }

    public int offset() {
        return data.offset();
    }

    public int dim() {
        return data.dim();
    }

    @Override
    public int numel() {
        return data.numel();
    }

    /** True when the elements are laid out row-major without gaps (size-1 dimensions ignored). */
    public boolean isContiguous() {
        return data.isContiguous();
    }

    /** The elements in row-major order, copied to a new host array. */
    public float[] toArray() {
        return backend().download(data);
    }

    /** The elements widened to double (exact on a double-precision backend). */
    public double[] toDoubleArray() {
        return backend().downloadDoubles(data);
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalStateException("item(): only a one-element tensor has a single value, this one has shape "
                    + Shape.str(data.shape()));
        }
        return toArray()[0];
    }

    /** The same values on another backend (no-op when already there); not differentiable across devices. */
    public Tensor to(Backend target) {
        if (target == backend()) {
            return this;
        }
        return ofDoubles(target, toDoubleArray(), data.shape());
    }

    /**
     * Returns this tensor's memory to its backend now, instead of when the garbage collector finds
     * it. Every view of the same storage becomes unusable: close only what nothing reads any more.
     */
    @Override
    public void close() {
        data.storage().close();
    }

    /** Autograd's: this gradient was consumed and nothing else references its memory. */
    @Override
    public void recycle() {
        backend().recycle(data.storage());
    }

    // ---------------------------------------------------------------- autograd state

    @Override
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
        if (g != null && !Arrays.equals(g.data.shape(), data.shape())) {
            throw new IllegalArgumentException("setGrad: gradient of shape " + Shape.str(g.data.shape())
                    + " does not match tensor of shape " + Shape.str(data.shape()));
        }
        this.grad = g;
    }

    @Override
    public Node<Tensor> gradFn() {
        return gradFn;
    }

    /** Called by {@link Autograd} when recording an op: this tensor becomes a non-leaf. */
    @Override
    public void attachGradFn(Node<Tensor> node) {
        this.gradFn = node;
        this.requiresGrad = node != null || requiresGrad;
    }

    @Override
    public void noteConsumed() {
        consumed = true;
    }

    /** Whether a recorded op has taken this tensor as an input (its history then cannot be rebased). */
    boolean consumed() {
        return consumed;
    }

    /** The same memory, standing for this tensor's current value in the graph (before an in-place rebase). */
    Tensor historyView() {
        Tensor h = new Tensor(data);
        h.gradFn = gradFn;
        h.requiresGrad = requiresGrad;
        return h;
    }

    /** After an in-place op: this tensor now stands for {@code result}'s value and history. */
    void takeHistoryOf(Tensor result) {
        gradFn = result.gradFn;
        requiresGrad = result.requiresGrad;
    }

    /** Ask a non-leaf tensor to keep its gradient after backward, like {@code retain_grad()}. */
    public Tensor retainGrad() {
        this.retainsGrad = true;
        return this;
    }

    @Override
    public boolean retainsGrad() {
        return retainsGrad;
    }

    /**
     * {@code register_hook}: {@code hook} is called with this tensor's gradient each time backward
     * computes it; a non-null result replaces the gradient (for a leaf, before it is accumulated).
     * Returns a handle whose {@code close()} removes the hook.
     */
    public AutoCloseable registerHook(UnaryOperator<Tensor> hook) {
        if (!requiresGrad) {
            throw new IllegalStateException("registerHook: cannot register a hook on a tensor that doesn't require gradient");
        }
        List<UnaryOperator<Tensor>> next = new ArrayList<>(hooks);
        next.add(hook);
        hooks = List.copyOf(next);
        return () -> {
            List<UnaryOperator<Tensor>> less = new ArrayList<>(hooks);
            less.remove(hook);
            hooks = List.copyOf(less);
        };
    }

    @Override
    public List<UnaryOperator<Tensor>> gradHooks() {
        return hooks;
    }

    @Override
    public int version() {
        return data.storage().version();
    }

    @Override
    public String describe() {
        return "[FloatTensor " + Shape.str(data.shape()) + "]";
    }

    @Override
    public boolean sameShape(Tensor other) {
        return Arrays.equals(data.shape(), other.data.shape());
    }

    @Override
    public Tensor onesLike() {
        return full(backend(), 1f, data.shape());
    }

    @Override
    public boolean sharesMemoryWith(Tensor other) {
        return data.storage() == other.data.storage();
    }

    @Override
    public boolean ownsAllOfItsMemory() {
        return isContiguous() && data.offset() == 0 && data.storage().size() == numel();
    }

    @Override
    public void accumulateGrad(Tensor g, boolean mayKeep, boolean createGraph) {
        if (createGraph) {
            // the gradient is itself a graph value: sum out of place, so both terms stay differentiable
            grad = grad == null ? g : grad.add(g);
            return;
        }
        if (grad == null && mayKeep && g.ownsAllOfItsMemory()) {
            grad = g;
            return;
        }
        if (grad == null) {
            // own the memory: the incoming gradient may be a view of something else, or shared
            Tensor own = emptyLike();
            backend().copy(g.data, own.data);
            grad = own;
        } else {
            backend().binary(BinaryOp.ADD, grad.data, g.data, grad.data);
        }
    }

    /** The same data, cut off from the graph. */
    public Tensor detach() {
        return new Tensor(data);
    }

    /** Reverse-mode differentiation from this scalar: d this / d leaf accumulates into each leaf's grad. */
    public void backward() {
        Autograd.backward(this, null, false, false);
    }

    /** Reverse-mode differentiation with an explicit upstream gradient of this tensor's shape. */
    public void backward(Tensor gradient) {
        Autograd.backward(this, gradient, false, false);
    }

    public void backward(Tensor gradient, boolean retainGraph) {
        Autograd.backward(this, gradient, retainGraph, false);
    }

    /** {@code backward(gradient, retain_graph, create_graph)}; create_graph implies retain_graph, as in PyTorch. */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Autograd.backward(this, gradient, retainGraph || createGraph, createGraph);
    }

    // ---------------------------------------------------------------- pointwise (see Pointwise)

    @Override
    public Tensor add(Tensor o) {
        return Pointwise.add(this, o);
    }

    public Tensor add(float s) {
        return Pointwise.add(this, s);
    }

    public Tensor sub(Tensor o) {
        return Pointwise.sub(this, o);
    }

    public Tensor sub(float s) {
        return Pointwise.sub(this, s);
    }

    /** s - this, for a scalar s ({@code torch.rsub}). */
    public Tensor rsub(float s) {
        return Pointwise.rsub(s, this);
    }

    public Tensor mul(Tensor o) {
        return Pointwise.mul(this, o);
    }

    public Tensor mul(float s) {
        return Pointwise.mul(this, s);
    }

    public Tensor div(Tensor o) {
        return Pointwise.div(this, o);
    }

    public Tensor div(float s) {
        return Pointwise.div(this, s);
    }

    public Tensor pow(float exponent) {
        return Pointwise.pow(this, exponent);
    }

    public Tensor neg() {
        return Pointwise.neg(this);
    }

    public Tensor exp() {
        return Pointwise.exp(this);
    }

    public Tensor log() {
        return Pointwise.log(this);
    }

    public Tensor sqrt() {
        return Pointwise.sqrt(this);
    }

    public Tensor relu() {
        return Pointwise.relu(this);
    }

    public Tensor sigmoid() {
        return Pointwise.sigmoid(this);
    }

    public Tensor tanh() {
        return Pointwise.tanh(this);
    }

    public Tensor abs() {
        return Pointwise.abs(this);
    }

    public Tensor maximum(Tensor o) {
        return Pointwise.maximum(this, o);
    }

    public Tensor clampMin(float min) {
        return Pointwise.maximum(this, full(backend(), min));
    }

    /** {@code torch.where(condition, input, other)}: condition != 0 selects this tensor's element. */
    public static Tensor where(Tensor condition, Tensor input, Tensor other) {
        return Pointwise.where(condition, input, other);
    }

    // comparisons: not differentiable, 1.0 / 0.0
    public Tensor eq(Tensor o) {
        return Pointwise.compare(BinaryOp.EQ, this, o);
    }

    public Tensor eq(float s) {
        return Pointwise.compare(BinaryOp.EQ, this, s);
    }

    public Tensor ne(Tensor o) {
        return Pointwise.compare(BinaryOp.NE, this, o);
    }

    public Tensor ne(float s) {
        return Pointwise.compare(BinaryOp.NE, this, s);
    }

    public Tensor gt(Tensor o) {
        return Pointwise.compare(BinaryOp.GT, this, o);
    }

    public Tensor gt(float s) {
        return Pointwise.compare(BinaryOp.GT, this, s);
    }

    public Tensor lt(float s) {
        return Pointwise.compare(BinaryOp.LT, this, s);
    }

    public Tensor le(float s) {
        return Pointwise.compare(BinaryOp.LE, this, s);
    }

    // ---------------------------------------------------------------- products, reductions, softmax

    public Tensor matmul(Tensor o) {
        return Products.matmul(this, o);
    }

    /** Sum of all elements, a 0-dim tensor. */
    public Tensor sum() {
        return Reductions.sum(this, allDims(), false);
    }

    public Tensor sum(int dim, boolean keepdim) {
        return Reductions.sum(this, new int[] {dim}, keepdim);
    }

    public Tensor sum(int[] dims, boolean keepdim) {
        return Reductions.sum(this, dims, keepdim);
    }

    public Tensor mean() {
        return Reductions.mean(this, allDims(), false);
    }

    public Tensor mean(int[] dims, boolean keepdim) {
        return Reductions.mean(this, dims, keepdim);
    }

    public Tensor mean(int dim, boolean keepdim) {
        return Reductions.mean(this, new int[] {dim}, keepdim);
    }

    /** {@code torch.amax}: the largest value over {@code dims}; the gradient is split evenly between tied maxima. */
    public Tensor amax(int[] dims, boolean keepdim) {
        return Reductions.amax(this, dims, keepdim);
    }

    /** {@code torch.max(input)}: the largest element, a 0-dim tensor; ties share the gradient evenly. */
    public Tensor max() {
        return Reductions.max(this);
    }

    /** The values and indices of {@code torch.max(input, dim, keepdim)}. */
    public record ValuesIndices(Tensor values, Tensor indices) {
    }

    /**
     * {@code torch.max(input, dim, keepdim)}: the largest values along {@code dim} and their indices
     * (the first on ties). The whole gradient goes to the returned index, as in PyTorch.
     */
    public ValuesIndices max(int dim, boolean keepdim) {
        return Reductions.maxDim(this, dim, keepdim);
    }

    /** Index of the largest value along {@code dim} (not differentiable); ties go to the first. */
    public Tensor argmax(int dim) {
        return Reductions.argmax(this, dim);
    }

    public Tensor softmax(int dim) {
        return Softmax.softmax(this, dim, false);
    }

    public Tensor logSoftmax(int dim) {
        return Softmax.softmax(this, dim, true);
    }

    // ---------------------------------------------------------------- indexing

    /** {@code torch.gather(input, dim, index)}. */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /** {@code torch.scatter_add(input, dim, index, src)}: a copy of this tensor with src added at the indices. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Indexing.scatterAdd(this, dim, index, src);
    }

    // ---------------------------------------------------------------- in place (see InPlace)

    /** this += o in place (broadcasting o); bumps the version counter. */
    public Tensor add_(Tensor o) {
        return InPlace.binary(BinaryOp.ADD, this, o);
    }

    /** this *= o in place (broadcasting o); bumps the version counter. */
    public Tensor mul_(Tensor o) {
        return InPlace.binary(BinaryOp.MUL, this, o);
    }

    /** this *= s in place; bumps the version counter. */
    public Tensor mul_(float s) {
        return InPlace.binary(BinaryOp.MUL, this, s);
    }

    /** this += alpha * x in place ({@code add_(x, alpha=...)}), rounding the product first; bumps the version counter. */
    public Tensor addScaled_(Tensor x, float alpha) {
        return InPlace.axpy(this, x, alpha);
    }

    /**
     * {@code add_(x, alpha=alpha)}: this += alpha * x in place with one rounding (a fused multiply-add,
     * as PyTorch's CPU kernel computes it), x broadcast to this shape. Not recorded.
     * {@link #addScaled_} rounds the product first; SGD keeps that one, so that its pinned results stay.
     */
    public Tensor add_(Tensor x, float alpha) {
        return InPlace.addAlpha(this, x, alpha);
    }

    /**
     * {@code addcmul_(tensor1, tensor2, value=value)}: this += value * tensor1 * tensor2 in place, rounded as
     * PyTorch's CPU kernel rounds it (value * tensor1, then one fused multiply-add). Not recorded.
     */
    public Tensor addcmul_(Tensor tensor1, Tensor tensor2, float value) {
        return InPlace.addcmul(this, tensor1, tensor2, value);
    }

    /**
     * {@code addcdiv_(tensor1, tensor2, value=value)}: this += value * tensor1 / tensor2 in place, rounded as
     * PyTorch's CPU kernel rounds it ((value * tensor1) / tensor2, then the sum). Not recorded.
     */
    public Tensor addcdiv_(Tensor tensor1, Tensor tensor2, float value) {
        return InPlace.addcdiv(this, tensor1, tensor2, value);
    }

    /** Overwrites every element with {@code value}; bumps the version counter. */
    public Tensor fill_(float value) {
        return InPlace.fill(this, value);
    }

    public Tensor zero_() {
        return InPlace.fill(this, 0f);
    }

    /** Copies {@code src} (broadcast to this shape) into this tensor; bumps the version counter. */
    public Tensor copy_(Tensor src) {
        return InPlace.copy(this, src);
    }

    // ---------------------------------------------------------------- views and reshapes (see Views)

    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    /** Like reshape, but refuses when a copy would be needed (PyTorch's view()). */
    public Tensor view(int... newShape) {
        if (!isContiguous()) {
            throw new IllegalStateException("view" + Shape.str(newShape) + ": tensor of shape " + Shape.str(data.shape())
                    + " and strides " + Shape.str(data.strides()) + " is not contiguous; use reshape() or contiguous().view()");
        }
        return Views.reshape(this, newShape);
    }

    public Tensor flatten() {
        return reshape(numel());
    }

    public Tensor transpose(int d0, int d1) {
        return Views.transpose(this, d0, d1);
    }

    /** The transpose of a 2-D tensor (a view). */
    public Tensor t() {
        if (dim() > 2) {
            throw new IllegalStateException("t(): expects a tensor with at most 2 dimensions, got shape " + Shape.str(data.shape()));
        }
        return dim() < 2 ? this : transpose(0, 1);
    }

    public Tensor permute(int... dims) {
        return Views.permute(this, dims);
    }

    public Tensor expand(int... newShape) {
        return Views.expand(this, newShape);
    }

    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    public Tensor narrow(int dim, int start, int length) {
        return Views.narrow(this, dim, start, length);
    }

    /** This tensor if already contiguous, else a contiguous copy (differentiable). */
    public Tensor contiguous() {
        return isContiguous() ? this : Views.clone(this);
    }

    /** A copy in fresh contiguous memory (differentiable), {@code torch.clone}. */
    public Tensor copy() {
        return Views.clone(this);
    }

    int[] allDims() {
        int[] d = new int[data.dim()];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        return d;
    }

    @Override
    public String toString() {
        int n = numel();
        StringBuilder sb = new StringBuilder("Tensor(shape=").append(Shape.str(data.shape()));
        if (n <= 16 && !storage().isClosed()) {
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
