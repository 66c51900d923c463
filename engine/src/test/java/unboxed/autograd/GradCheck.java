package unboxed.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.Locale;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.tensor.Rng;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/**
 * Numerical gradient checking in double precision: compares the gradients autograd computes with
 * central differences, both on the engine's {@code float64} reference backend.
 *
 * <p>The scalar checked is L = sum(f(inputs) * W) for a fixed random W of the output's shape, so
 * that every output element gets a different upstream gradient (an all-ones upstream would hide a
 * transposed or permuted gradient). The inputs, f, autograd's backward and the differences all run
 * in double; the difference quotient is sum_k W_k (f_k(x + h) - f_k(x - h)) / (2h), differencing
 * each output element before weighting, so outputs that do not depend on the perturbed input
 * contribute exactly 0 instead of rounding noise from the whole sum.
 *
 * <p>Tolerance. A gradient passes when |numeric - analytic| &lt;= ATOL + RTOL * max(|numeric|, |analytic|).
 * The central difference errs by truncation, h^2/6 |f'''| ~ 2e-13 |f'''| for h = 1e-6, and by
 * rounding, about c * eps * |f| / h ~ c * 1e-10 |f| (eps = 2^-52, c a small multiple for the few
 * roundings of a composite op). On the inputs the tests choose (|f| and |f'''| at most a few
 * hundred, no kink within h) both stay below 1e-8; the largest error measured over every case of
 * GradientCheckTest is about 1e-9, under 1% of the tolerance. ATOL = 1e-7 and RTOL = 1e-6 keep
 * that margin of a hundred against noise while sitting four orders of magnitude below the float32
 * checker's tolerance (2e-3 + 1e-2 relative): a gradient wrong by one part in a million fails.
 */
final class GradCheck {
    /** The double-precision backend every check runs on. */
    static final Backend F64 = Backends.create("float64", 1);
    static final double STEP = 1e-6;
    static final double ATOL = 1e-7;
    static final double RTOL = 1e-6;

    @FunctionalInterface
    interface Fn {
        Tensor apply(Tensor[] in);
    }

    private GradCheck() {
    }

    /** Checks every input's gradient; the given tensors only provide values and shapes. */
    static void check(String what, Fn f, Tensor... inputs) {
        check(what, STEP, f, inputs);
    }

    static void check(String what, double h, Fn f, Tensor... inputs) {
        int n = inputs.length;
        double[][] values = new double[n][];
        int[][] shapes = new int[n][];
        Tensor[] leaves = new Tensor[n];
        for (int i = 0; i < n; i++) {
            values[i] = inputs[i].toDoubleArray();
            shapes[i] = inputs[i].shape();
            leaves[i] = Tensor.ofDoubles(F64, values[i], shapes[i]).requiresGrad(true);
        }
        Tensor out = f.apply(leaves);
        assertSame(F64, out.backend(), what + ": the output left the float64 backend (an op created a tensor"
                + " on the default backend instead of its input's)");
        int[] outShape = out.shape();
        double[] w = new double[Shape.numel(outShape)];
        Rng rng = new Rng(what.hashCode());
        for (int k = 0; k < w.length; k++) {
            w[k] = rng.nextGaussian();
        }
        out.backward(Tensor.ofDoubles(F64, w, outShape));
        for (int i = 0; i < n; i++) {
            Tensor g = leaves[i].grad();
            assertNotNull(g, what + ": input " + i + " got no gradient");
            assertSame(F64, g.backend(), what + ": the gradient of input " + i + " left the float64 backend");
            assertArrayEquals(shapes[i], g.shape(), what + ": gradient shape of input " + i);
            double[] analytic = g.toDoubleArray();
            for (int j = 0; j < values[i].length; j++) {
                double orig = values[i][j];
                values[i][j] = orig + h;
                double[] up = outputs(f, values, shapes);
                values[i][j] = orig - h;
                double[] down = outputs(f, values, shapes);
                values[i][j] = orig;
                double numeric = 0;
                for (int k = 0; k < w.length; k++) {
                    numeric += w[k] * (up[k] - down[k]);
                }
                numeric /= (orig + h) - (orig - h); // the step actually taken, 2h up to rounding
                double a = analytic[j];
                double tol = ATOL + RTOL * Math.max(Math.abs(numeric), Math.abs(a));
                if (!(Math.abs(numeric - a) <= tol)) {
                    throw new AssertionError(String.format(Locale.ROOT,
                            "%s: d/d input %d %s element %d: autograd %.12g, central difference %.12g (tol %.2g)",
                            what, i, Arrays.toString(shapes[i]), j, a, numeric, tol));
                }
            }
        }
    }

    /** f's output elements at the given input values, without recording. */
    private static double[] outputs(Fn f, double[][] values, int[][] shapes) {
        Tensor[] in = new Tensor[values.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = Tensor.ofDoubles(F64, values[i], shapes[i]);
        }
        Tensor out = Autograd.noGrad(() -> f.apply(in));
        assertSame(F64, out.backend(), "the output left the float64 backend");
        return out.toDoubleArray();
    }

    // ------------------------------------------------------------------ inputs, on the float64 backend

    /** A constant for a checked function (targets, class weights), on the float64 backend. */
    static Tensor constant(float[] values, int... shape) {
        return Tensor.of(F64, values, shape);
    }

    static Tensor randn(long seed, int... shape) {
        Rng r = new Rng(seed);
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Tensor.ofDoubles(F64, v, shape);
    }

    static Tensor uniform(long seed, double lo, double hi, int... shape) {
        Rng r = new Rng(seed);
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * r.nextDouble();
        }
        return Tensor.ofDoubles(F64, v, shape);
    }

    /** Values with |x| in [min, min + 1] and random sign: no kink (relu, abs) within a step. */
    static Tensor awayFromZero(long seed, double min, int... shape) {
        Rng r = new Rng(seed);
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = min + r.nextDouble();
        }
        for (int i = 0; i < v.length; i++) {
            if (r.nextDouble() < 0.5) {
                v[i] = -v[i];
            }
        }
        return Tensor.ofDoubles(F64, v, shape);
    }

    /** Distinct values at least 0.1 apart in random order: no ties (max) within a step. */
    static Tensor distinct(long seed, int... shape) {
        Rng r = new Rng(seed);
        int[] p = r.permutation(Shape.numel(shape));
        double[] v = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            v[i] = 0.1 * p[i] - 0.05 * p.length;
        }
        return Tensor.ofDoubles(F64, v, shape);
    }
}
