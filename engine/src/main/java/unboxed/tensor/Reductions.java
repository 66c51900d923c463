package unboxed.tensor;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import unboxed.autograd.Autograd;
import unboxed.backend.BinaryOp;
import unboxed.backend.ReduceOp;

/**
 * Reductions: sum, mean, amax, max (whole tensor, and along a dimension with indices), argmax.
 * Forward is one backend kernel; the backward rules broadcast the gradient back (sum, mean) or
 * route it to the maxima through a select (amax, max) or a scatter (max along a dimension).
 */
final class Reductions {
    private Reductions() {
    }

    /** x's shape with size 1 at each reduced dimension ("keepdim" form). */
    static int[] keepdimShape(String op, int[] shape, int[] dims) {
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

    private static int[] resultShape(int[] shape, int[] keep, int[] dims, boolean keepdim) {
        if (keepdim) {
            return keep;
        }
        boolean[] drop = new boolean[shape.length];
        for (int d : dims) {
            if (shape.length > 0) {
                drop[Shape.wrapDim("reduce", d, shape.length)] = true;
            }
        }
        return IntStream.range(0, shape.length).filter(i -> !drop[i]).map(i -> keep[i]).toArray();
    }

    private static Tensor reduceKernel(ReduceOp op, Tensor x, int[] keep) {
        Tensor out = Tensor.empty(x.backend(), keep);
        x.backend().reduce(op, x.strided(), out.strided());
        return out;
    }

    /** The gradient of a reduction, reshaped to keepdim form and broadcast back over x's shape. */
    private static Tensor spread(Tensor g, int[] keep, int[] xs) {
        return Views.expand(Views.reshape(g, keep), xs);
    }

    static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        int[] xs = x.shape();
        int[] k = keepdimShape("sum", xs, dims);
        Tensor out = reduceKernel(ReduceOp.SUM, x, k);
        int[] shape = resultShape(xs, k, dims, keepdim);
        Tensor result = Tensor.over(out.strided().as(shape, Shape.contiguousStrides(shape), 0));
        boolean all = !keepdim && dims.length == xs.length;
        return Autograd.record(all ? Op.SUM.gradFn() : Op.SUM_DIMS.gradFn(), result, g -> new Tensor[] {spread(g, k, xs)}, x);
    }

    static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        int[] xs = x.shape();
        int[] k = keepdimShape("mean", xs, dims);
        // the number of elements averaged into each output; 0 for an empty reduction, so 0/0 = NaN as in PyTorch
        int outputs = Shape.numel(k);
        float count = outputs == 0 ? 0 : x.numel() / outputs;
        Tensor result;
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            result = sum(x, dims, keepdim).div(count);
        }
        boolean all = !keepdim && dims.length == xs.length;
        return Autograd.record(all ? Op.MEAN.gradFn() : Op.MEAN_DIMS.gradFn(), result,
                g -> new Tensor[] {spread(g.div(count), k, xs)}, x);
    }

    /**
     * Sums {@code g} down to {@code shape}, undoing a broadcast (the backward of expand): over the
     * leading dimensions g has and shape lacks, and over the dimensions where shape has size 1.
     */
    static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        int lead = gs.length - shape.length;
        int[] dims = IntStream.range(0, gs.length)
                .filter(i -> i < lead || (shape[i - lead] == 1 && gs[i] != 1)).toArray();
        return Views.reshape(sum(g, dims, true), shape);
    }

    /** {@code torch.amax}: NaN-propagating maximum over dims; ties split the gradient evenly. */
    static Tensor amax(Tensor x, int[] dims, boolean keepdim) {
        int[] xs = x.shape();
        if (dims.length == 0) {
            dims = x.allDims();
        }
        int[] reduced = dims;
        int[] k = keepdimShape("amax", xs, reduced);
        requireNonEmpty("amax", x, reduced);
        Tensor out = reduceKernel(ReduceOp.MAX, x, k);
        int[] shape = resultShape(xs, k, reduced, keepdim);
        Tensor result = Tensor.over(out.strided().as(shape, Shape.contiguousStrides(shape), 0));
        return Autograd.record(Op.AMAX.gradFn(), result, List.of(x, out),
                g -> new Tensor[] {evenlyToMaxima(x, out, Views.reshape(g, k), reduced)}, x);
    }

    /** {@code torch.max(input)}: the largest element (NaN if any); ties split the gradient evenly. */
    static Tensor max(Tensor x) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException("max(): expected a non-empty tensor; the maximum of no elements is undefined");
        }
        int[] xs = x.shape();
        int[] all = x.allDims();
        int[] k = keepdimShape("max", xs, all);
        Tensor out = reduceKernel(ReduceOp.MAX, x, k);
        Tensor result = Tensor.over(out.strided().as(new int[0], new int[0], 0));
        return Autograd.record(Op.MAX.gradFn(), result, List.of(x, out),
                g -> new Tensor[] {evenlyToMaxima(x, out, Views.reshape(g, k), all)}, x);
    }

    /**
     * g / (number of maxima) at every maximum, 0 elsewhere (selected). A NaN maximum counts the
     * NaN elements as its maxima, as PyTorch's evenly_distribute_backward does.
     */
    private static Tensor evenlyToMaxima(Tensor x, Tensor maxKeep, Tensor gKeep, int[] dims) {
        int[] xs = x.shape();
        Tensor m = Views.broadcastView(maxKeep, xs);
        Tensor hit = Pointwise.compare(BinaryOp.EQ, x, m);
        Tensor bothNaN = Pointwise.binaryKernel("and", BinaryOp.MUL, Pointwise.compare(BinaryOp.NE, x, x),
                Pointwise.compare(BinaryOp.NE, m, m));
        Tensor mask = Pointwise.binaryKernel("or", BinaryOp.MAX, hit, bothNaN);
        Tensor count = sum(mask, dims, true);
        Tensor share = Views.expand(Pointwise.div(gKeep, count), xs);
        return Pointwise.where(mask, share, Pointwise.zero(x));
    }

    /**
     * {@code torch.max(input, dim, keepdim)}: values and the index of the first maximum (NaN wins).
     * The whole gradient goes to that index, scattered into zeros, as PyTorch's
     * value_selecting_reduction_backward does — not split between ties.
     */
    static Tensor.ValuesIndices maxDim(Tensor x, int dim, boolean keepdim) {
        int[] xs = x.shape();
        int d = Shape.wrapDim("max", dim, xs.length);
        int[] dims = {d};
        if (xs.length > 0 && xs[d] == 0) {
            throw new IllegalArgumentException("max(): cannot take the maximum over dimension " + dim
                    + " of size 0 (shape " + Shape.str(xs) + ")");
        }
        int[] k = keepdimShape("max", xs, dims);
        Tensor values = Tensor.empty(x.backend(), k);
        Tensor indices = Tensor.empty(x.backend(), k);
        if (xs.length == 0) {
            x.backend().copy(x.strided(), values.strided());
            x.backend().fill(indices.strided(), 0f);
        } else {
            x.backend().reduceWithIndex(ReduceOp.MAX, x.strided(), d, values.strided(), indices.strided());
        }
        int[] shape = resultShape(xs, k, dims, keepdim);
        int[] strides = Shape.contiguousStrides(shape);
        Tensor v = Tensor.over(values.strided().as(shape, strides, 0));
        Tensor i = Tensor.over(indices.strided().as(shape, strides, 0));
        if (xs.length == 0) {
            Autograd.record(Op.MAX_DIM.gradFn(), v, g -> new Tensor[] {g}, x);
            return new Tensor.ValuesIndices(v, i);
        }
        Autograd.record(Op.MAX_DIM.gradFn(), v, List.of(indices),
                g -> new Tensor[] {Indexing.scatterAdd(Tensor.zeros(g.backend(), xs), d, indices, Views.reshape(g, k))}, x);
        return new Tensor.ValuesIndices(v, i);
    }

    /** Index of the largest value along {@code dim}, first on ties, as a float tensor without that dimension. */
    static Tensor argmax(Tensor x, int dim) {
        return maxDim(x.detach(), dim, false).indices();
    }

    private static void requireNonEmpty(String op, Tensor x, int[] dims) {
        int[] xs = x.shape();
        for (int d : dims) {
            if (xs.length > 0 && xs[Shape.wrapDim(op, d, xs.length)] == 0) {
                throw new IllegalArgumentException(op + "(): cannot reduce over dimension " + d + " of size 0 (shape "
                        + Shape.str(xs) + "): the maximum of no elements is undefined");
            }
        }
    }
}
