package unboxed.tensor;

import java.util.List;
import unboxed.autograd.Autograd;

/**
 * gather and scatter_add, each other's backward: gathering reads input at the indices, so its
 * gradient scatter-adds back to them; scatter-adding src at the indices sends src's gradient back
 * by gathering. Index tensors hold whole numbers as floats and never require grad; the kernels
 * check their range where the data is, so nothing is downloaded to check them.
 */
final class Indexing {
    private Indexing() {
    }

    /** {@code torch.gather(input, dim, index)}. */
    static Tensor gather(Tensor input, int dim, Tensor index) {
        int d = checkIndex("gather", input, dim, index);
        int[] is = index.shape();
        for (int k = 0; k < is.length; k++) {
            if (k != d && is[k] > input.shape()[k]) {
                throw new IllegalArgumentException("gather: index " + Shape.str(is) + " is larger than input "
                        + Shape.str(input.shape()) + " at dimension " + k + " (only dimension " + d + " may differ)");
            }
        }
        Tensor out = Tensor.empty(input.backend(), is);
        input.backend().gather(d, input.strided(), index.strided(), out.strided());
        int[] xs = input.shape();
        return Autograd.record(Op.GATHER.gradFn(), out, List.of(index),
                g -> new Tensor[] {scatterAddIntoZeros(xs, d, index, g)}, input);
    }

    /** {@code torch.scatter_add(input, dim, index, src)}: a copy of input with src added at the indices. */
    static Tensor scatterAdd(Tensor input, int dim, Tensor index, Tensor src) {
        int d = checkIndex("scatter_add", input, dim, index);
        Pointwise.sameBackend("scatter_add", input, src);
        int[] is = index.shape();
        int[] ss = src.shape();
        int[] xs = input.shape();
        if (ss.length != is.length) {
            throw new IllegalArgumentException("scatter_add: index " + Shape.str(is) + " and src " + Shape.str(ss)
                    + " must have the same number of dimensions");
        }
        for (int k = 0; k < is.length; k++) {
            if (is[k] > ss[k] || (k != d && is[k] > xs[k])) {
                throw new IllegalArgumentException("scatter_add: index " + Shape.str(is) + " must be no larger than src "
                        + Shape.str(ss) + " at every dimension, and no larger than input " + Shape.str(xs)
                        + " except at dimension " + d);
            }
        }
        Tensor out = Tensor.empty(input.backend(), xs);
        input.backend().copy(input.strided(), out.strided());
        input.backend().scatterAdd(d, index.strided(), src.strided(), out.strided());
        return Autograd.record(Op.SCATTER_ADD.gradFn(), out, List.of(index), g -> new Tensor[] {
            input.requiresGrad() ? g : null,
            src.requiresGrad() ? Views.narrowTo(gather(g, d, index), ss) : null}, input, src);
    }

    /**
     * {@code scatter_add(zeros(shape), dim, index, src)} for gather's backward, scattered straight
     * into the new zeros, without first copying a zero tensor into the result.
     * The same additions in the same order, so the same bits.
     */
    static Tensor scatterAddIntoZeros(int[] shape, int d, Tensor index, Tensor src) {
        int[] ss = src.shape();
        Tensor out = Tensor.zeros(src.backend(), shape);
        src.backend().scatterAdd(d, index.strided(), src.strided(), out.strided());
        return Autograd.record(Op.SCATTER_ADD.gradFn(), out, List.of(index),
                g -> new Tensor[] {Views.narrowTo(gather(g, d, index), ss)}, src);
    }

    private static int checkIndex(String op, Tensor input, int dim, Tensor index) {
        if (index.requiresGrad()) {
            throw new IllegalArgumentException(op + ": the index tensor cannot require grad");
        }
        Pointwise.sameBackend(op, input, index);
        if (index.dim() != input.dim()) {
            throw new IllegalArgumentException(op + ": index " + Shape.str(index.shape()) + " and input "
                    + Shape.str(input.shape()) + " must have the same number of dimensions");
        }
        return Shape.wrapDim(op, dim, Math.max(input.dim(), 1));
    }
}
