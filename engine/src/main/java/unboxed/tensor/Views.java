package unboxed.tensor;

import java.util.Arrays;
import unboxed.autograd.Autograd;
import unboxed.backend.Strided;

/**
 * Views and copies: reshape, permute/transpose, expand, unsqueeze/squeeze, narrow, clone. A view
 * shares storage (new shape, strides and offset over the same memory); its backward is the
 * inverse view of the gradient, or a scatter back into zeros for narrow.
 */
final class Views {
    private Views() {
    }

    private static Tensor view(Tensor t, int[] shape, int[] strides, int offset) {
        return Tensor.over(t.strided().as(shape, strides, offset));
    }

    /** The view of {@code t} expanded to {@code shape} without recording (kernels' input form). */
    static Tensor broadcastView(Tensor t, int[] shape) {
        int[] ts = t.shape();
        int[] tst = t.strides();
        if (Arrays.equals(ts, shape)) {
            return t;
        }
        if (shape.length < ts.length) {
            throw new IllegalArgumentException("expand: the target shape " + Shape.str(shape)
                    + " has fewer dimensions than the tensor's shape " + Shape.str(ts));
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
        return view(t, shape.clone(), strides, t.offset());
    }

    /** A copy into fresh contiguous memory (the backward passes the gradient straight through). */
    static Tensor clone(Tensor x) {
        Tensor out = Tensor.empty(x.backend(), x.shape());
        x.backend().copy(x.strided(), out.strided());
        return Autograd.record(Op.CLONE.gradFn(), out, g -> new Tensor[] {g}, x);
    }

    /** A view with a new shape when the memory allows it, else a contiguous copy (like torch.reshape). */
    static Tensor reshape(Tensor x, int[] newShape) {
        int[] shape = inferShape(x, newShape);
        int[] xs = x.shape();
        int[] strides = viewStrides(xs, x.strides(), shape);
        Tensor src = x;
        if (strides == null) {
            src = clone(x);
            strides = Shape.contiguousStrides(shape);
        }
        Tensor out = view(src, shape, strides, src.offset());
        return Autograd.record(Op.RESHAPE.gradFn(), out, g -> new Tensor[] {reshape(g, xs)}, src);
    }

    static int[] inferShape(Tensor x, int[] newShape) {
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

    static Tensor transpose(Tensor x, int d0, int d1) {
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
        return permute(x, perm, Op.TRANSPOSE.gradFn());
    }

    static Tensor permute(Tensor x, int[] dims) {
        return permute(x, dims, Op.PERMUTE.gradFn());
    }

    private static Tensor permute(Tensor x, int[] dims, String name) {
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
        return Autograd.record(name, out, g -> new Tensor[] {permute(g, inverse)}, x);
    }

    static Tensor expand(Tensor x, int[] shape) {
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
        return Autograd.record(Op.EXPAND.gradFn(), out, g -> new Tensor[] {Reductions.sumTo(g, xs)}, x);
    }

    static Tensor unsqueeze(Tensor x, int dim) {
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
        return Autograd.record(Op.UNSQUEEZE.gradFn(), out, g -> new Tensor[] {squeeze(g, d)}, x);
    }

    /** Removes dimension {@code dim} if it has size 1 (else returns the tensor unchanged, like PyTorch). */
    static Tensor squeeze(Tensor x, int dim) {
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
        return Autograd.record(Op.SQUEEZE.gradFn(), out, g -> new Tensor[] {unsqueeze(g, d)}, x);
    }

    /** Elements start..start+length-1 along {@code dim} (a view); PyTorch records it as a slice. */
    static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shape.wrapDim("narrow", dim, x.dim());
        int[] xs = x.shape();
        if (start < 0 || length < 0 || start + length > xs[d]) {
            throw new IndexOutOfBoundsException("narrow: range [" + start + ", " + (start + length)
                    + ") is out of bounds for dimension " + d + " of size " + xs[d]);
        }
        int[] shape = xs.clone();
        shape[d] = length;
        Tensor out = view(x, shape, x.strides(), x.offset() + start * x.stride(d));
        return Autograd.record(Op.NARROW.gradFn(), out, g -> new Tensor[] {unnarrow(g, xs, d, start)}, x);
    }

    /** The backward of narrow: g placed at [start, start + len) along d of zeros of shape xs; its own backward narrows again. */
    static Tensor unnarrow(Tensor g, int[] xs, int d, int start) {
        Tensor gx = Tensor.zeros(g.backend(), xs);
        int length = g.shape()[d];
        Strided window = gx.strided().as(g.shape(), gx.strides(), start * gx.strides()[d]);
        g.backend().copy(g.strided(), window);
        return Autograd.record(Op.NARROW_BACKWARD.gradFn(), gx, gg -> new Tensor[] {narrow(gg, d, start, length)}, g);
    }

    /** g (index-shaped) padded with zeros up to shape (where src is larger than index, those elements get no gradient). */
    static Tensor narrowTo(Tensor g, int[] shape) {
        Tensor t = g;
        for (int d = 0; d < shape.length; d++) {
            if (t.shape()[d] < shape[d]) {
                int[] full = t.shape();
                full[d] = shape[d];
                t = unnarrow(t, full, d, 0);
            }
        }
        return t;
    }
}
