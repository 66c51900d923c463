package unboxed.tensor;

import java.util.List;
import java.util.Locale;
import unboxed.autograd.Autograd;
import unboxed.backend.Backend;
import unboxed.backend.BinaryOp;
import unboxed.backend.UnaryOp;

/**
 * Elementwise ops: arithmetic, the activations, comparisons and {@code where}; each op's forward
 * (one backend kernel) and its local backward rule side by side, the way micrograd writes them.
 *
 * <p>Backward rules are written with these same ops, so they run on any backend, and with
 * {@code create_graph} they are themselves recorded (higher-order gradients). Every gradient
 * mask is a {@link #where select}, never a multiplication by a 0/1 mask: inf * 0 is NaN, and
 * PyTorch's rules select.
 *
 * <p>Broadcasting: a binary op's inputs are expanded to the common shape (a view with stride 0,
 * no copy); in backward, the gradient is summed back over the broadcast dimensions
 * ({@link Reductions#sumTo}).
 */
final class Pointwise {
    private Pointwise() {
    }

    // ------------------------------------------------------------------ forward helpers (no recording)

    static Backend sameBackend(String op, Tensor a, Tensor b) {
        if (a.backend() != b.backend()) {
            throw new IllegalArgumentException(op + ": expected both tensors on the same backend, got '"
                    + a.backend().name() + "' and '" + b.backend().name() + "'; move one with .to(...)");
        }
        return a.backend();
    }

    static Tensor binaryKernel(String name, BinaryOp op, Tensor a, Tensor b) {
        Backend be = sameBackend(name, a, b);
        int[] shape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = Tensor.empty(be, shape);
        be.binary(op, Views.broadcastView(a, shape).strided(), Views.broadcastView(b, shape).strided(), out.strided());
        return out;
    }

    static Tensor binaryKernel(BinaryOp op, Tensor a, float s) {
        Tensor out = Tensor.empty(a.backend(), a.shape());
        a.backend().binary(op, a.strided(), s, out.strided());
        return out;
    }

    static Tensor binaryKernel(BinaryOp op, float s, Tensor b) {
        Tensor out = Tensor.empty(b.backend(), b.shape());
        b.backend().binary(op, s, b.strided(), out.strided());
        return out;
    }

    static Tensor unaryKernel(UnaryOp op, Tensor x) {
        Tensor out = Tensor.empty(x.backend(), x.shape());
        x.backend().unary(op, x.strided(), out.strided());
        return out;
    }

    /** A 0-dim zero on x's backend, filled there (no upload), to be broadcast by {@link #where}. */
    static Tensor zero(Tensor like) {
        return Tensor.full(like.backend(), 0f);
    }

    // ------------------------------------------------------------------ arithmetic

    static Tensor add(Tensor a, Tensor b) {
        Tensor out = binaryKernel("add", BinaryOp.ADD, a, b);
        int[] as = a.shape();
        int[] bs = b.shape();
        return Autograd.record(Op.ADD.gradFn(), out,
                g -> new Tensor[] {Reductions.sumTo(g, as), Reductions.sumTo(g, bs)}, a, b);
    }

    static Tensor add(Tensor a, float s) {
        return Autograd.record(Op.ADD.gradFn(), binaryKernel(BinaryOp.ADD, a, s), g -> new Tensor[] {g}, a);
    }

    static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binaryKernel("sub", BinaryOp.SUB, a, b);
        int[] as = a.shape();
        int[] bs = b.shape();
        return Autograd.record(Op.SUB.gradFn(), out,
                g -> new Tensor[] {Reductions.sumTo(g, as), b.requiresGrad() ? Reductions.sumTo(neg(g), bs) : null}, a, b);
    }

    static Tensor sub(Tensor a, float s) {
        return Autograd.record(Op.SUB.gradFn(), binaryKernel(BinaryOp.SUB, a, s), g -> new Tensor[] {g}, a);
    }

    /** s - b. */
    static Tensor rsub(float s, Tensor b) {
        return Autograd.record(Op.RSUB.gradFn(), binaryKernel(BinaryOp.SUB, s, b), g -> new Tensor[] {neg(g)}, b);
    }

    static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binaryKernel("mul", BinaryOp.MUL, a, b);
        return Autograd.record(Op.MUL.gradFn(), out, List.of(a, b), g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumTo(mul(g, b), a.shape()) : null,
            b.requiresGrad() ? Reductions.sumTo(mul(g, a), b.shape()) : null}, a, b);
    }

    static Tensor mul(Tensor a, float s) {
        return Autograd.record(Op.MUL.gradFn(), binaryKernel(BinaryOp.MUL, a, s), g -> new Tensor[] {mul(g, s)}, a);
    }

    /** d(a/b)/da = 1/b, d(a/b)/db = -a/b^2. */
    static Tensor div(Tensor a, Tensor b) {
        Tensor out = binaryKernel("div", BinaryOp.DIV, a, b);
        return Autograd.record(Op.DIV.gradFn(), out, List.of(a, b), g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumTo(div(g, b), a.shape()) : null,
            b.requiresGrad() ? Reductions.sumTo(neg(div(mul(g, a), mul(b, b))), b.shape()) : null}, a, b);
    }

    static Tensor div(Tensor a, float s) {
        return Autograd.record(Op.DIV.gradFn(), binaryKernel(BinaryOp.DIV, a, s), g -> new Tensor[] {div(g, s)}, a);
    }

    /** x^p for a constant exponent: d/dx = p x^(p-1). */
    static Tensor pow(Tensor x, float p) {
        Tensor out = binaryKernel(BinaryOp.POW, x, p);
        if (p == 0f) {
            // x^0 is constant, so its gradient is 0 everywhere; the general rule would give 0 * 0^-1 = NaN
            // at x = 0. PyTorch masks the exponent-0 case to 0 the same way (pow_backward).
            return Autograd.record(Op.POW.gradFn(), out, g -> new Tensor[] {Tensor.zeros(g.backend(), x.shape())}, x);
        }
        return Autograd.record(Op.POW.gradFn(), out, List.of(x), g -> new Tensor[] {mul(g, mul(pow(x, p - 1), p))}, x);
    }

    static Tensor neg(Tensor x) {
        return Autograd.record(Op.NEG.gradFn(), unaryKernel(UnaryOp.NEG, x), g -> new Tensor[] {neg(g)}, x);
    }

    static Tensor exp(Tensor x) {
        Tensor out = unaryKernel(UnaryOp.EXP, x);
        return Autograd.record(Op.EXP.gradFn(), out, List.of(out), g -> new Tensor[] {mul(g, out)}, x);
    }

    static Tensor log(Tensor x) {
        return Autograd.record(Op.LOG.gradFn(), unaryKernel(UnaryOp.LOG, x), List.of(x), g -> new Tensor[] {div(g, x)}, x);
    }

    static Tensor sqrt(Tensor x) {
        Tensor out = unaryKernel(UnaryOp.SQRT, x);
        return Autograd.record(Op.SQRT.gradFn(), out, List.of(out), g -> new Tensor[] {div(g, mul(out, 2f))}, x);
    }

    /**
     * ReLU. Backward is PyTorch's threshold_backward: 0 where the output is &lt;= 0, else the
     * incoming gradient, selected: an inf gradient at a negative input gives 0 (not inf * 0 = NaN),
     * and at a NaN input the gradient passes through (NaN &lt;= 0 is false).
     */
    static Tensor relu(Tensor x) {
        Tensor out = unaryKernel(UnaryOp.RELU, x);
        return Autograd.record(Op.RELU.gradFn(), out, List.of(out),
                g -> new Tensor[] {reluBackward(g, out)}, x);
    }

    /**
     * where(out <= 0, 0, g): ReLU's gradient from its output, in one backend call (a comparison
     * and a select fused) when g has out's shape. Differentiable in g, as the select it computes
     * (recorded as one: its own gradient is the same select of the upstream gradient).
     */
    static Tensor reluBackward(Tensor g, Tensor out) {
        if (!java.util.Arrays.equals(g.shape(), out.shape()) || g.backend() != out.backend()) {
            return where(compare(BinaryOp.LE, out, 0f), zero(g), g);
        }
        Tensor r = Tensor.empty(g.backend(), g.shape());
        g.backend().reluBackward(g.strided(), out.strided(), r.strided());
        return Autograd.record(Op.WHERE.gradFn(), r, List.of(out), gg -> new Tensor[] {reluBackward(gg, out)}, g);
    }

    static Tensor sigmoid(Tensor x) {
        Tensor out = unaryKernel(UnaryOp.SIGMOID, x);
        return Autograd.record(Op.SIGMOID.gradFn(), out, List.of(out),
                g -> new Tensor[] {mul(g, mul(out, rsub(1f, out)))}, x);
    }

    static Tensor tanh(Tensor x) {
        Tensor out = unaryKernel(UnaryOp.TANH, x);
        return Autograd.record(Op.TANH.gradFn(), out, List.of(out),
                g -> new Tensor[] {mul(g, rsub(1f, mul(out, out)))}, x);
    }

    /** |x|; its derivative sign(x) is 0 at 0, as in PyTorch. */
    static Tensor abs(Tensor x) {
        return Autograd.record(Op.ABS.gradFn(), unaryKernel(UnaryOp.ABS, x), List.of(x),
                g -> new Tensor[] {mul(g, unaryKernel(UnaryOp.SIGN, x))}, x);
    }

    /**
     * Elementwise maximum, NaN-propagating. The backward is PyTorch's: where a == b each side gets
     * half the gradient; the smaller side gets 0 (selected, so an inf gradient does not become NaN).
     */
    static Tensor maximum(Tensor a, Tensor b) {
        Tensor out = binaryKernel("maximum", BinaryOp.MAX, a, b);
        return Autograd.record(Op.MAXIMUM.gradFn(), out, List.of(a, b), g -> {
            int[] shape = g.shape();
            Tensor ab = Views.broadcastView(a, shape);
            Tensor bb = Views.broadcastView(b, shape);
            Tensor shared = where(compare(BinaryOp.EQ, ab, bb), div(g, 2f), g);
            return new Tensor[] {
                a.requiresGrad() ? Reductions.sumTo(where(compare(BinaryOp.LT, ab, bb), zero(g), shared), a.shape()) : null,
                b.requiresGrad() ? Reductions.sumTo(where(compare(BinaryOp.GT, ab, bb), zero(g), shared), b.shape()) : null};
        }, a, b);
    }

    /**
     * {@code torch.where(condition, input, other)}, broadcasting all three. The gradient goes to
     * input where the condition holds and to other elsewhere (selected, so the branch not taken
     * gets exactly 0 whatever the upstream gradient holds).
     */
    static Tensor where(Tensor condition, Tensor input, Tensor other) {
        if (condition.requiresGrad()) {
            throw new IllegalArgumentException("where: the condition is a mask and cannot require grad");
        }
        Backend be = sameBackend("where", input, other);
        sameBackend("where", condition, input);
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", condition.shape(), input.shape()), other.shape());
        Tensor out = Tensor.empty(be, shape);
        be.where(Views.broadcastView(condition, shape).strided(), Views.broadcastView(input, shape).strided(),
                Views.broadcastView(other, shape).strided(), out.strided());
        return Autograd.record(Op.WHERE.gradFn(), out, List.of(condition), g -> {
            Tensor c = Views.broadcastView(condition, g.shape());
            return new Tensor[] {
                input.requiresGrad() ? Reductions.sumTo(where(c, g, zero(g)), input.shape()) : null,
                other.requiresGrad() ? Reductions.sumTo(where(c, zero(g), g), other.shape()) : null};
        }, input, other);
    }

    /** Comparisons (EQ, NE, GT, ...): 1.0 / 0.0, never differentiable. */
    static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        return binaryKernel(op.name().toLowerCase(Locale.ROOT), op, a, b);
    }

    static Tensor compare(BinaryOp op, Tensor a, float s) {
        return binaryKernel(op, a, s);
    }
}
