package unboxed.tensor;

import java.util.List;
import unboxed.autograd.Autograd;

/** softmax and log_softmax along one dimension: fused kernels, whose backward needs only the output. */
final class Softmax {
    private Softmax() {
    }

    static Tensor softmax(Tensor x, int dim, boolean log) {
        String name = log ? "log_softmax" : "softmax";
        int d = Shape.wrapDim(name, dim, x.dim());
        Tensor out = Tensor.empty(x.backend(), x.shape());
        x.backend().softmax(x.strided(), d, log, out.strided());
        return Autograd.record(log ? Op.LOG_SOFTMAX.gradFn() : Op.SOFTMAX.gradFn(), out, List.of(out),
                g -> new Tensor[] {backward(out, g, d, log)}, x);
    }

    /**
     * softmax: y * (g - sum(g * y)); log_softmax: g - exp(y) * sum(g). One fused kernel, unless the
     * backward is itself being recorded (create_graph): then the same formula in differentiable ops.
     */
    private static Tensor backward(Tensor y, Tensor g, int d, boolean log) {
        if (Autograd.isEnabled()) {
            return log ? g.sub(y.exp().mul(g.sum(d, true)))
                    : y.mul(g.sub(g.mul(y).sum(d, true)));
        }
        Tensor gx = Tensor.empty(y.backend(), y.shape());
        y.backend().softmaxBackward(y.strided(), g.strided(), d, log, gx.strided());
        return gx;
    }
}
