package unboxed.autogradpost;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import unboxed.autograd.Autograd;
import unboxed.autograd.Node;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.tensor.Rng;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/**
 * The gradient checker: the gradients autograd computes against central differences, both in
 * double precision on the engine's {@code float64} reference backend. The same method and
 * tolerance as the engine's own test checker ({@code engine/src/test/.../autograd/GradCheck}),
 * extended to strided inputs.
 *
 * <p><b>What is compared.</b> The scalar differentiated is L = sum(f(inputs) * W) for a random W
 * of the output's shape, so that every output element gets a different upstream gradient (an
 * all-ones upstream would hide a transposed or permuted gradient). The difference quotient is
 * sum_k W_k (f_k(x + h) - f_k(x - h)) / (2h), differencing each output element before weighting,
 * so that outputs that do not depend on the perturbed element contribute exactly 0 rather than
 * rounding noise from the whole sum.
 *
 * <p><b>Strided inputs.</b> Each input is a view over a contiguous base ({@link CheckedInput}):
 * transposed, expanded (stride 0) or sliced (an offset into a larger base). The checker perturbs
 * the base, one element at a time, and rebuilds the view; autograd's gradient, which has the
 * view's shape, is mapped onto the base by adding each element's gradient into the memory cell it
 * reads. For transposed and sliced views each cell holds one element, so this is the element's
 * own gradient; for an expanded view a cell is shared by every element broadcast from it, and
 * moving the cell moves them all, so the difference quotient is the sum of their gradients. The
 * cells a sliced view does not cover must get exactly 0 from both sides: an op that reads through
 * the wrong offset or strides moves a number there and fails.
 *
 * <p><b>Tolerance.</b> A gradient element passes when |numeric - analytic| &lt;= ATOL + RTOL *
 * max(|numeric|, |analytic|). The central difference errs by truncation, h^2/6 |f'''| ~ 2e-13
 * |f'''| for h = 1e-6, and by rounding, about c eps |f| / h ~ c 1e-10 |f| (eps = 2^-52, c a small
 * multiple for the few roundings of a composite op). On the inputs the cases choose (|f| and
 * |f'''| at most a few hundred, no kink or tie within h: {@link CheckedInput.Values}) both stay
 * below 1e-8. ATOL = 1e-7 and RTOL = 1e-6 keep a margin of ten to a hundred against that noise
 * while a gradient wrong by one part in a hundred thousand fails, four orders of magnitude below
 * what a float32 check can resolve.
 *
 * <p>A case also fails when the op's node ({@code grad_fn}) is missing from the recorded graph
 * (the case would not exercise its op), when a gradient is missing, has the wrong shape or left
 * the float64 backend, or when the op throws.
 */
final class GradientChecker {
    static final String METHOD = "central differences in float64: d/dx sum(f(x) * W) for a random W, one"
            + " base element perturbed by +-h at a time, against autograd's gradient mapped onto the base";
    /** The engine's double-precision backend, single-threaded: every case runs on it. */
    static final Backend F64 = Backends.create("float64", 1);
    static final double STEP = 1e-6;
    static final double ATOL = 1e-7;
    static final double RTOL = 1e-6;

    /** How a case came out. {@code failure} is null when every gradient element passed. */
    record Outcome(double maxAbsError, double maxErrorOverTolerance, String failure) {
        boolean passed() {
            return failure == null;
        }
    }

    private GradientChecker() {
    }

    /** Checks every input's gradient; never throws for a failing case, the outcome says why. */
    static Outcome check(GradientCase c) {
        try {
            return compare(c);
        } catch (RuntimeException | StackOverflowError e) {
            return new Outcome(Double.NaN, Double.NaN, c.describe() + ": threw " + e);
        }
    }

    private static Outcome compare(GradientCase c) {
        List<CheckedInput> inputs = c.inputs();
        int n = inputs.size();
        double[][] values = new double[n][];
        Tensor[] leaves = new Tensor[n];
        for (int i = 0; i < n; i++) {
            values[i] = inputs.get(i).values().clone();
            leaves[i] = inputs.get(i).leaf(F64, values[i]).requiresGrad(true);
        }
        Tensor out = c.f().apply(leaves);
        if (out.backend() != F64) {
            return failed(c, "the output left the float64 backend (an op created a tensor on the default backend)");
        }
        if (!records(out, c.op().gradFn())) {
            return failed(c, "the recorded graph has no " + c.op().gradFn() + " node: the case does not exercise "
                    + c.op());
        }
        int[] outShape = out.shape();
        double[] w = new double[Shape.numel(outShape)];
        Rng rng = new Rng(c.seed());
        for (int k = 0; k < w.length; k++) {
            w[k] = rng.nextGaussian();
        }
        out.backward(Tensor.ofDoubles(F64, w, outShape));

        double maxAbs = 0;
        double maxRatio = 0;
        String failure = null;
        for (int i = 0; i < n; i++) {
            CheckedInput in = inputs.get(i);
            Tensor g = leaves[i].grad();
            if (g == null) {
                return failed(c, in.name() + " got no gradient");
            }
            if (g.backend() != F64) {
                return failed(c, "the gradient of " + in.name() + " left the float64 backend");
            }
            if (!Arrays.equals(g.shape(), in.shape())) {
                return failed(c, "the gradient of " + in.name() + " has shape " + Shape.str(g.shape())
                        + ", the input " + Shape.str(in.shape()));
            }
            double[] analytic = ontoBase(leaves[i], g.toDoubleArray(), values[i].length);
            for (int j = 0; j < values[i].length; j++) {
                double orig = values[i][j];
                values[i][j] = orig + STEP;
                double[] up = outputs(c, values);
                values[i][j] = orig - STEP;
                double[] down = outputs(c, values);
                values[i][j] = orig;
                double numeric = 0;
                for (int k = 0; k < w.length; k++) {
                    numeric += w[k] * (up[k] - down[k]);
                }
                numeric /= (orig + STEP) - (orig - STEP); // the step actually taken, 2h up to rounding
                double a = analytic[j];
                double err = Math.abs(numeric - a);
                double tol = ATOL + RTOL * Math.max(Math.abs(numeric), Math.abs(a));
                if (!(err <= tol)) {
                    if (failure == null) {
                        failure = String.format(Locale.ROOT, "%s: d/d %s base element %d: autograd %.12g, central"
                                + " difference %.12g (|error| %.3g > tolerance %.3g)", c.describe(), in.name(), j, a,
                                numeric, err, tol);
                    }
                    if (Double.isNaN(err)) {
                        err = Double.POSITIVE_INFINITY;
                    }
                }
                maxAbs = Math.max(maxAbs, err);
                maxRatio = Math.max(maxRatio, err / tol);
            }
        }
        return new Outcome(maxAbs, maxRatio, failure);
    }

    private static Outcome failed(GradientCase c, String why) {
        return new Outcome(Double.NaN, Double.NaN, c.describe() + ": " + why);
    }

    /**
     * The view's gradient added into the base cells its elements read: element idx of the view
     * lies at storage offset {@code offset + sum idx[d] * stride[d]}, and the base, contiguous from
     * offset 0 of the same storage, holds that cell at the same flat index.
     */
    static double[] ontoBase(Tensor view, double[] grad, int baseSize) {
        int[] shape = view.shape();
        int[] strides = view.strides();
        double[] base = new double[baseSize];
        int[] idx = new int[shape.length];
        for (double g : grad) {
            int at = view.offset();
            for (int d = 0; d < shape.length; d++) {
                at += idx[d] * strides[d];
            }
            base[at] += g;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return base;
    }

    /** f's output elements with the inputs' bases at {@code values}, without recording. */
    private static double[] outputs(GradientCase c, double[][] values) {
        Tensor[] in = new Tensor[values.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = c.inputs().get(i).leaf(F64, values[i]);
        }
        Tensor out = Autograd.noGrad(() -> c.f().apply(in));
        if (out.backend() != F64) {
            throw new IllegalStateException("the output left the float64 backend");
        }
        return out.toDoubleArray();
    }

    /** Whether a node named {@code gradFn} is in the graph that produced {@code out}. */
    static boolean records(Tensor out, String gradFn) {
        Set<Node<Tensor>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Tensor> todo = new ArrayDeque<>();
        todo.push(out);
        while (!todo.isEmpty()) {
            Node<Tensor> node = todo.pop().gradFn();
            if (node == null || !seen.add(node)) {
                continue;
            }
            if (node.name().equals(gradFn)) {
                return true;
            }
            for (Tensor t : node.inputs()) {
                if (t != null) {
                    todo.push(t);
                }
            }
        }
        return false;
    }
}
