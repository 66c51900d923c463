package unboxed.kit.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import unboxed.autograd.Autograd;
import unboxed.nn.Parameter;
import unboxed.tensor.AutogradFunctional;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The sharpness of a loss: the largest eigenvalue λ_max of its Hessian with respect to the
 * parameters, found by power iteration on Hessian–vector products, never forming the Hessian.
 *
 * <p>Why it matters: on a quadratic, gradient descent with learning rate η multiplies the error
 * along the Hessian's top eigenvector by (1 − η λ_max) every step, so it diverges once
 * η &gt; 2 / λ_max. Cohen et al. ("Gradient descent on neural networks typically occurs at the edge
 * of stability", ICLR 2021) measure exactly this quantity along training.
 *
 * <p>Two ways to get H v:
 * <ul>
 *   <li>{@link #hvp}: double backward ({@link AutogradFunctional#hvp}), exact up to float32 rounding;</li>
 *   <li>{@link #hvpFiniteDifference}: (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, two ordinary gradients, an
 *       error of order ε² ‖∇³L‖ plus rounding / ε; the check on the first.</li>
 * </ul>
 * Power iteration finds the eigenvalue of largest magnitude; when that is negative (a saddle's
 * direction beats the sharpest valley), it runs again on H − λI, whose largest eigenvalue is then
 * λ_max − λ. Vectors are kept in doubles, so the iteration itself rounds nothing that matters; the
 * same parameters, start vector and thread count give the same bits.
 */
public final class Sharpness {
    private Sharpness() {
    }

    /** An estimate: λ_max, its unit eigenvector (flattened over the parameters), iterations used, and whether it converged. */
    public record Estimate(double lambda, double[] vector, int iterations, boolean converged) {
    }

    /** H v by double backward; v is flattened over {@code params} in order. */
    public static double[] hvp(Supplier<Tensor> loss, List<Parameter> params, double[] v) {
        List<Tensor> leaves = tensors(params);
        return flatten(AutogradFunctional.hvp(loss, leaves, split(v, leaves)).hvp());
    }

    /** H v by central differences of gradients with step {@code eps} along v; the parameters are restored bit for bit. */
    public static double[] hvpFiniteDifference(Supplier<Tensor> loss, List<Parameter> params, double[] v, double eps) {
        List<Tensor> leaves = tensors(params);
        List<Tensor> saved = new ArrayList<>();
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            for (Tensor t : leaves) {
                saved.add(t.copy());
            }
        }
        List<Tensor> dirs = split(v, leaves);
        try {
            double[] plus = gradientAt(loss, leaves, saved, dirs, eps);
            double[] minus = gradientAt(loss, leaves, saved, dirs, -eps);
            double[] out = new double[v.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (plus[i] - minus[i]) / (2 * eps);
            }
            return out;
        } finally {
            try (Autograd.GradMode ignored = Autograd.noGrad()) {
                for (int i = 0; i < leaves.size(); i++) {
                    leaves.get(i).copy_(saved.get(i));
                }
            }
        }
    }

    private static double[] gradientAt(Supplier<Tensor> loss, List<Tensor> leaves, List<Tensor> saved, List<Tensor> dirs,
                                       double eps) {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            for (int i = 0; i < leaves.size(); i++) {
                leaves.get(i).copy_(saved.get(i).add(dirs.get(i).mul((float) eps)));
            }
        }
        try (Autograd.GradMode ignored = Autograd.enableGrad()) {
            List<Tensor> g = Autograd.grad(List.of(loss.get()), leaves, null, false, false, true);
            List<Tensor> filled = new ArrayList<>();
            for (int i = 0; i < g.size(); i++) {
                filled.add(g.get(i) == null ? Tensor.zeros(leaves.get(i).backend(), leaves.get(i).shape()) : g.get(i));
            }
            return flatten(filled);
        }
    }

    /**
     * λ_max by power iteration from a random start drawn from {@code rng}: at most {@code maxIter}
     * Hessian–vector products per pass, stopping once the Rayleigh quotient changes by less than
     * {@code tol} relative.
     */
    public static Estimate topEigenvalue(Supplier<Tensor> loss, List<Parameter> params, Rng rng, int maxIter, double tol) {
        int n = count(params);
        double[] start = new double[n];
        for (int i = 0; i < n; i++) {
            start[i] = rng.nextGaussian();
        }
        return topEigenvalue(loss, params, start, maxIter, tol);
    }

    /**
     * λ_max by power iteration from {@code start} (say, the last estimate's vector, so that
     * tracking the sharpness along training costs a few products per look).
     */
    public static Estimate topEigenvalue(Supplier<Tensor> loss, List<Parameter> params, double[] start, int maxIter,
                                         double tol) {
        if (maxIter < 1 || !(tol > 0)) {
            throw new IllegalArgumentException("topEigenvalue: maxIter must be >= 1 and tol > 0, got " + maxIter + ", " + tol);
        }
        if (start.length != count(params)) {
            throw new IllegalArgumentException("topEigenvalue: start vector has " + start.length + " entries, the"
                    + " parameters " + count(params));
        }
        Estimate first = iterate(loss, params, start, 0, maxIter, tol);
        if (first.lambda() >= 0) {
            return first;
        }
        // the largest magnitude was a negative eigenvalue: H − λI has its top at λ_max − λ ≥ 0
        Estimate shifted = iterate(loss, params, start, first.lambda(), maxIter, tol);
        return new Estimate(shifted.lambda() + first.lambda(), shifted.vector(),
                first.iterations() + shifted.iterations(), shifted.converged());
    }

    private static Estimate iterate(Supplier<Tensor> loss, List<Parameter> params, double[] start, double shift,
                                    int maxIter, double tol) {
        double[] v = unit(start);
        double lambda = Double.NaN;
        for (int k = 1; k <= maxIter; k++) {
            double[] hv = hvp(loss, params, v);
            if (shift != 0) {
                for (int i = 0; i < hv.length; i++) {
                    hv[i] -= shift * v[i];
                }
            }
            double rayleigh = dot(v, hv);
            double norm = Math.sqrt(dot(hv, hv));
            if (!Double.isFinite(rayleigh) || !Double.isFinite(norm)) {
                return new Estimate(Double.NaN, v, k, false);
            }
            if (norm == 0) {
                return new Estimate(0, v, k, true);
            }
            boolean done = Math.abs(rayleigh - lambda) <= tol * Math.abs(rayleigh);
            lambda = rayleigh;
            for (int i = 0; i < v.length; i++) {
                v[i] = hv[i] / norm;
            }
            if (done) {
                return new Estimate(lambda, v, k, true);
            }
        }
        return new Estimate(lambda, v, maxIter, false);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] unit(double[] v) {
        double n = Math.sqrt(dot(v, v));
        if (!(n > 0) || !Double.isFinite(n)) {
            throw new IllegalArgumentException("Sharpness: the start vector must be finite and non-zero");
        }
        double[] u = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = v[i] / n;
        }
        return u;
    }

    private static List<Tensor> tensors(List<Parameter> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("Sharpness: no parameters");
        }
        List<Tensor> out = new ArrayList<>();
        for (Parameter p : params) {
            out.add(p.data());
        }
        return out;
    }

    /** The number of scalars in the parameters. */
    public static int count(List<Parameter> params) {
        int n = 0;
        for (Parameter p : params) {
            n += p.data().numel();
        }
        return n;
    }

    private static List<Tensor> split(double[] v, List<Tensor> like) {
        int total = 0;
        for (Tensor t : like) {
            total += t.numel();
        }
        if (v.length != total) {
            throw new IllegalArgumentException("Sharpness: vector of " + v.length + " entries for parameters of " + total);
        }
        List<Tensor> out = new ArrayList<>();
        int at = 0;
        for (Tensor t : like) {
            out.add(Tensor.ofDoubles(t.backend(), java.util.Arrays.copyOfRange(v, at, at + t.numel()), t.shape()));
            at += t.numel();
        }
        return out;
    }

    private static double[] flatten(List<Tensor> ts) {
        int n = 0;
        for (Tensor t : ts) {
            n += t.numel();
        }
        double[] out = new double[n];
        int at = 0;
        for (Tensor t : ts) {
            double[] d = t.toDoubleArray();
            System.arraycopy(d, 0, out, at, d.length);
            at += d.length;
        }
        return out;
    }
}
