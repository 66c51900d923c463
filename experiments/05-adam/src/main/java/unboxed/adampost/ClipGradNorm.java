package unboxed.adampost;

import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.nn.Parameter;

/**
 * {@code torch.nn.utils.clip_grad_norm_(params, max_norm)}: when the L2 norm of all the gradients
 * together exceeds max_norm, every gradient is multiplied by max_norm / (norm + 1e-6), so the step
 * keeps its direction and loses its size. PyTorch sums the squares in float32; the norm here is
 * summed in double (the caller's), which moves the factor by an ulp at most.
 */
public final class ClipGradNorm {
    private ClipGradNorm() {
    }

    /** Clips in place, given the total norm already measured; returns the factor applied (1: none). */
    public static double clip(List<Parameter> params, double maxNorm, double totalNorm) {
        double coef = maxNorm / (totalNorm + 1e-6);
        if (coef >= 1) {
            return 1;
        }
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            for (Parameter p : params) {
                if (p.data().grad() != null) {
                    p.data().grad().mul_((float) coef);
                }
            }
        }
        return coef;
    }
}
