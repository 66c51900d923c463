package unboxed.tensor;

import unboxed.autograd.Autograd;
import unboxed.backend.BinaryOp;

/**
 * In-place ops: {@code add_}, {@code mul_}, {@code fill_}, {@code copy_}, and the optimizers'
 * {@code add_(x, alpha=...)}, {@code addcmul_} and {@code addcdiv_}. Each bumps the version counter
 * of the memory it writes, which is how autograd notices that a value it saved for backward has
 * changed since.
 *
 * <p>When recording, an in-place op on a tensor that is part of a graph rebases that tensor's
 * history, as PyTorch does: the tensor object now stands for the new value, produced by the
 * out-of-place op from (a copy of) its old value. A leaf that requires grad cannot be modified
 * in place while recording (PyTorch refuses too: its gradient would describe a value that no
 * longer exists). A view of a tensor that requires grad is modified in memory, but the base's
 * history does not learn of it (PyTorch's CopySlices is not implemented): backward through the
 * base then fails the version check if the base was saved.
 */
final class InPlace {
    private InPlace() {
    }

    static Tensor binary(BinaryOp op, Tensor t, Tensor o) {
        int[] shape = Shape.broadcast(name(op), t.shape(), o.shape());
        if (!java.util.Arrays.equals(shape, t.shape())) {
            throw new IllegalArgumentException(name(op) + ": a tensor of shape " + Shape.str(o.shape())
                    + " does not broadcast to the result's shape " + Shape.str(t.shape()));
        }
        if (recording(t, o)) {
            Tensor before = Views.clone(t.historyView());
            Tensor result = op == BinaryOp.ADD ? Pointwise.add(before, o) : Pointwise.mul(before, o);
            return rebase(t, result);
        }
        Pointwise.sameBackend(name(op), t, o);
        Tensor target = scratchFor(t);
        t.backend().binary(op, t.strided(), Views.broadcastView(o, shape).strided(), target.strided());
        return written(t, target);
    }

    static Tensor binary(BinaryOp op, Tensor t, float s) {
        if (op != BinaryOp.MUL) {
            throw new IllegalArgumentException("in-place scalar op " + op + ": only mul_ is defined");
        }
        if (recording(t, null)) {
            Tensor before = Views.clone(t.historyView());
            return rebase(t, Pointwise.mul(before, s));
        }
        Tensor target = scratchFor(t);
        t.backend().binary(op, t.strided(), s, target.strided());
        return written(t, target);
    }

    /** t += alpha * x, the product rounded first (the optimizers' update). Not recorded. */
    static Tensor axpy(Tensor t, Tensor x, float alpha) {
        refuseRecording("add_(alpha)", t, x);
        Pointwise.sameBackend("add_", t, x);
        if (!t.isContiguous() || !java.util.Arrays.equals(t.shape(), x.shape())) {
            throw new IllegalArgumentException("add_(x, alpha): needs a contiguous tensor and x of its shape, got "
                    + Shape.str(t.shape()) + " and " + Shape.str(x.shape()));
        }
        t.backend().axpy(alpha, x.strided(), t.strided());
        t.storage().bumpVersion();
        return t;
    }

    /** t += alpha * x with one rounding, torch's {@code add_(x, alpha=alpha)} on the CPU. Not recorded. */
    static Tensor addAlpha(Tensor t, Tensor x, float alpha) {
        refuseRecording("add_(alpha)", t, x);
        Tensor target = scratchFor(t);
        t.backend().fma(alpha, operand("add_", t, x).strided(), t.strided(), target.strided());
        return written(t, target);
    }

    /**
     * t += value * t1 * t2 the way PyTorch's CPU kernel computes {@code addcmul_}: value * t1 rounded,
     * then one fused multiply-add with t2 and t. Not recorded.
     */
    static Tensor addcmul(Tensor t, Tensor t1, Tensor t2, float value) {
        refuseRecording("addcmul_", t, t1);
        refuseRecording("addcmul_", t, t2);
        Tensor scaled = Pointwise.binaryKernel(BinaryOp.MUL, operand("addcmul_", t, t1), value);
        Tensor target = scratchFor(t);
        t.backend().fma(scaled.strided(), operand("addcmul_", t, t2).strided(), t.strided(), target.strided());
        return written(t, target);
    }

    /**
     * t += value * t1 / t2 the way PyTorch's CPU kernel computes {@code addcdiv_}: (value * t1) / t2,
     * then the sum, each rounded (a division does not fuse). Not recorded.
     */
    static Tensor addcdiv(Tensor t, Tensor t1, Tensor t2, float value) {
        refuseRecording("addcdiv_", t, t1);
        refuseRecording("addcdiv_", t, t2);
        Tensor scaled = Pointwise.binaryKernel(BinaryOp.MUL, operand("addcdiv_", t, t1), value);
        Tensor quotient = Pointwise.binaryKernel("addcdiv_", BinaryOp.DIV, scaled, operand("addcdiv_", t, t2));
        Tensor target = scratchFor(t);
        t.backend().binary(BinaryOp.ADD, t.strided(), quotient.strided(), target.strided());
        return written(t, target);
    }

    /** o expanded to t's shape, on t's backend: an in-place op cannot change the shape of what it writes. */
    private static Tensor operand(String op, Tensor t, Tensor o) {
        Pointwise.sameBackend(op, t, o);
        int[] shape = Shape.broadcast(op, t.shape(), o.shape());
        if (!java.util.Arrays.equals(shape, t.shape())) {
            throw new IllegalArgumentException(op + ": a tensor of shape " + Shape.str(o.shape())
                    + " does not broadcast to the result's shape " + Shape.str(t.shape()));
        }
        return Views.broadcastView(o, shape);
    }

    static Tensor fill(Tensor t, float value) {
        refuseRecording("fill_", t, null);
        t.backend().fill(t.strided(), value);
        t.storage().bumpVersion();
        return t;
    }

    static Tensor copy(Tensor t, Tensor src) {
        refuseRecording("copy_", t, src);
        Pointwise.sameBackend("copy_", t, src);
        t.backend().copy(Views.broadcastView(src, t.shape()).strided(), t.strided());
        t.storage().bumpVersion();
        return t;
    }

    /**
     * Where a kernel may write t's new values: t itself when contiguous (kernels write their output
     * contiguously), else a contiguous scratch tensor copied back through t's strides.
     */
    private static Tensor scratchFor(Tensor t) {
        return t.isContiguous() ? t : Tensor.empty(t.backend(), t.shape());
    }

    private static Tensor written(Tensor t, Tensor target) {
        if (target != t) {
            t.backend().copy(target.strided(), t.strided());
        }
        t.storage().bumpVersion();
        return t;
    }

    private static boolean recording(Tensor t, Tensor o) {
        if (!Autograd.isEnabled() || !(t.requiresGrad() || (o != null && o.requiresGrad()))) {
            return false;
        }
        if (t.isLeaf() && t.requiresGrad()) {
            throw new IllegalStateException("a leaf Variable that requires grad is being used in an in-place operation"
                    + " (" + t.describe() + "); modify it under Autograd.noGrad(), as an optimizer does");
        }
        if (t.consumed()) {
            // the ops that already took t as an input point at the tensor object, not at its history,
            // so rebasing it would silently change their gradients
            throw new UnsupportedOperationException("in-place op on " + t.describe() + ", which recorded ops have"
                    + " already used as an input: not supported here; use the out-of-place op (or clone() first)");
        }
        return true;
    }

    private static void refuseRecording(String op, Tensor t, Tensor o) {
        if (recording(t, o)) {
            throw new UnsupportedOperationException(op + " on a tensor that is part of a graph (" + t.describe()
                    + ") is not differentiable here; run it under Autograd.noGrad() or use the out-of-place op");
        }
    }

    /** Writes the recorded result into t's memory and makes t stand for it in the graph. */
    private static Tensor rebase(Tensor t, Tensor result) {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            t.backend().copy(result.strided(), t.strided());
        }
        t.storage().bumpVersion();
        t.takeHistoryOf(result);
        return t;
    }

    private static String name(BinaryOp op) {
        return op == BinaryOp.ADD ? "add_" : "mul_";
    }
}
