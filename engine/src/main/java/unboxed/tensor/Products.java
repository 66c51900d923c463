package unboxed.tensor;

import java.util.Arrays;
import java.util.List;
import unboxed.autograd.Autograd;

/** Matrix products: {@code torch.matmul} with its broadcasting rules, built on one batched kernel. */
final class Products {
    private Products() {
    }

    /**
     * {@code torch.matmul}: 1-D x 1-D is a dot product; a 1-D first operand is a row vector, a 1-D
     * second operand a column vector (the added dimension is removed again); otherwise the last
     * two dimensions multiply and the leading ones broadcast.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got shapes "
                    + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        }
        Pointwise.sameBackend("matmul", a, b);
        Tensor a2 = a.dim() == 1 ? Views.unsqueeze(a, 0) : a;
        Tensor b2 = b.dim() == 1 ? Views.unsqueeze(b, 1) : b;
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
            throw new IllegalArgumentException("matmul: the batch dimensions " + Shape.str(batchA) + " of shape "
                    + Shape.str(a.shape()) + " and " + Shape.str(batchB) + " of shape " + Shape.str(b.shape())
                    + " cannot be broadcast together", e);
        }
        int nb = Shape.numel(batch);
        Tensor a3 = Views.reshape(Views.expand(a2, concat(batch, m, k)), new int[] {nb, m, k});
        Tensor b3 = Views.reshape(Views.expand(b2, concat(batch, k, n)), new int[] {nb, k, n});
        Tensor c = Views.reshape(bmm(a3, b3), concat(batch, m, n));
        if (a.dim() == 1) {
            c = Views.squeeze(c, -2);
        }
        if (b.dim() == 1) {
            c = Views.squeeze(c, -1);
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
    static Tensor bmm(Tensor a, Tensor b) {
        Tensor out = Tensor.empty(a.backend(), a.size(0), a.size(1), b.size(2));
        a.backend().matmul(a.strided(), b.strided(), out.strided());
        FlopCounter.product(a.size(0), a.size(1), b.size(2), a.size(2));
        return Autograd.record(Op.BMM.gradFn(), out, List.of(a, b), g -> new Tensor[] {
            a.requiresGrad() ? (isTransposed(a) ? Views.transpose(bmm(b, Views.transpose(g, 1, 2)), 1, 2)
                    : bmm(g, Views.transpose(b, 1, 2))) : null,
            b.requiresGrad() ? (isTransposed(b) ? Views.transpose(bmm(Views.transpose(g, 1, 2), a), 1, 2)
                    : bmm(Views.transpose(a, 1, 2), g)) : null},
                a, b);
    }

    /** A [B, R, C] view whose columns are contiguous: the memory of a [B, C, R] tensor. */
    private static boolean isTransposed(Tensor t) {
        return t.size(1) > 1 && t.size(2) > 1 && t.stride(1) == 1 && t.stride(2) == t.size(1);
    }

    static int[] concat(int[] head, int... tail) {
        int[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }
}
