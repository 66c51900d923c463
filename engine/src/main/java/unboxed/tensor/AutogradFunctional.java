package unboxed.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import unboxed.autograd.Autograd;

/**
 * {@code torch.autograd.functional}'s Hessian–vector product, on the engine's double backward.
 * It lives beside the tensor ops rather than in {@code autograd}, which knows no tensors.
 *
 * <p>H v is the gradient of g·v, where g = ∇f is computed with {@code create_graph} so that it is
 * itself a graph value: two backward passes, no Hessian ever formed. That is what
 * {@code torch.autograd.functional.hvp} computes (there through a double vector–Jacobian product;
 * the Hessian is symmetric, so the two agree).
 */
public final class AutogradFunctional {
    private AutogradFunctional() {
    }

    /** f(inputs) and H v, the Hessian of f at the inputs times v; each {@code hvp} entry has its input's shape. */
    public record Hvp(Tensor output, List<Tensor> hvp) {
    }

    /**
     * The Hessian–vector product of a scalar function of {@code inputs}: {@code func} recomputes f
     * from the inputs (leaves that require grad, such as a model's parameters); {@code v} has one
     * tensor per input, of its shape. Nothing is accumulated into {@code .grad}. An input that f's
     * gradient does not depend on (a bias of a piecewise-linear network, say) gets zeros, as
     * PyTorch's {@code hvp} gives.
     */
    public static Hvp hvp(Supplier<Tensor> func, List<Tensor> inputs, List<Tensor> v) {
        if (inputs.size() != v.size()) {
            throw new IllegalArgumentException("hvp: " + inputs.size() + " inputs but " + v.size()
                    + " direction tensors; give v one tensor per input");
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (!inputs.get(i).requiresGrad()) {
                throw new IllegalArgumentException("hvp: input " + i + " " + inputs.get(i).describe()
                        + " does not require grad; call requiresGrad(true) on it (or pass the model's parameters)");
            }
            if (!inputs.get(i).sameShape(v.get(i))) {
                throw new IllegalArgumentException("hvp: v[" + i + "] " + v.get(i).describe() + " does not have the shape"
                        + " of input " + i + " " + inputs.get(i).describe());
            }
        }
        try (Autograd.GradMode ignored = Autograd.enableGrad()) {
            Tensor f = func.get();
            if (f.numel() != 1) {
                throw new IllegalArgumentException("hvp: the function must return a scalar, got " + f.describe());
            }
            List<Tensor> g = Autograd.grad(List.of(f), inputs, null, true, true, true);
            Tensor dot = null;
            for (int i = 0; i < inputs.size(); i++) {
                if (g.get(i) != null && g.get(i).requiresGrad()) {
                    Tensor term = g.get(i).mul(v.get(i).detach()).sum();
                    dot = dot == null ? term : dot.add(term);
                }
            }
            List<Tensor> hv = new ArrayList<>();
            List<Tensor> second = dot == null ? null : Autograd.grad(List.of(dot), inputs, null, false, false, true);
            for (int i = 0; i < inputs.size(); i++) {
                Tensor h = second == null ? null : second.get(i);
                hv.add(h == null ? Tensor.zeros(inputs.get(i).backend(), inputs.get(i).shape()) : h.detach());
            }
            return new Hvp(f.detach(), hv);
        }
    }
}
