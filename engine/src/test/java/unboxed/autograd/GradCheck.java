package unboxed.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;
import unboxed.tensor.Rng;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/**
 * Numerical gradient checking: compares the gradients autograd computes with central differences.
 *
 * <p>The scalar checked is L = sum(f(inputs) * W) for a fixed random W of the output's shape, so
 * that every output element gets a different upstream gradient (an all-ones upstream would hide a
 * transposed or permuted gradient). L is accumulated in double; f itself runs in float32, so the
 * step is large (1e-2 by default) and the functions are smooth on the inputs the tests choose;
 * a gradient passes when |numeric - analytic| &lt;= atol + rtol * max(|numeric|, |analytic|).
 */
final class GradCheck {
    static final double STEP = 1e-2;
    static final double ATOL = 2e-3;
    static final double RTOL = 1e-2;

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
        float[][] values = new float[n][];
        int[][] shapes = new int[n][];
        Tensor[] leaves = new Tensor[n];
        for (int i = 0; i < n; i++) {
            values[i] = inputs[i].toArray();
            shapes[i] = inputs[i].shape();
            leaves[i] = Tensor.of(values[i], shapes[i]).requiresGrad(true);
        }
        Tensor out = f.apply(leaves);
        int[] outShape = out.shape();
        float[] w = new Rng(what.hashCode()).normal(Shape.numel(outShape), 0, 1);
        out.backward(Tensor.of(w, outShape));
        for (int i = 0; i < n; i++) {
            Tensor g = leaves[i].grad();
            assertNotNull(g, what + ": input " + i + " got no gradient");
            assertArrayEquals(shapes[i], g.shape(), what + ": gradient shape of input " + i);
            float[] analytic = g.toArray();
            for (int j = 0; j < values[i].length; j++) {
                float orig = values[i][j];
                values[i][j] = (float) (orig + h);
                double up = objective(f, values, shapes, w);
                values[i][j] = (float) (orig - h);
                double down = objective(f, values, shapes, w);
                values[i][j] = orig;
                double realStep = ((double) (float) (orig + h) - (double) (float) (orig - h));
                double numeric = (up - down) / realStep;
                double a = analytic[j];
                double tol = ATOL + RTOL * Math.max(Math.abs(numeric), Math.abs(a));
                if (!(Math.abs(numeric - a) <= tol)) {
                    throw new AssertionError(String.format(java.util.Locale.ROOT,
                            "%s: d/d input %d %s element %d: autograd %.6g, central difference %.6g (tol %.2g)",
                            what, i, Arrays.toString(shapes[i]), j, a, numeric, tol));
                }
            }
        }
    }

    private static double objective(Fn f, float[][] values, int[][] shapes, float[] w) {
        Tensor[] in = new Tensor[values.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = Tensor.of(values[i], shapes[i]);
        }
        float[] out = Autograd.noGrad(() -> f.apply(in)).toArray();
        double s = 0;
        for (int k = 0; k < out.length; k++) {
            s += (double) out[k] * w[k];
        }
        return s;
    }

    // ------------------------------------------------------------------ inputs

    static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Rng(seed), shape);
    }

    static Tensor uniform(long seed, double lo, double hi, int... shape) {
        return Tensor.uniform(new Rng(seed), lo, hi, shape);
    }

    /** Values with |x| in [min, min + 1] and random sign: no kink (relu, abs) within a step. */
    static Tensor awayFromZero(long seed, double min, int... shape) {
        Rng r = new Rng(seed);
        float[] v = r.uniform(Shape.numel(shape), min, min + 1);
        for (int i = 0; i < v.length; i++) {
            if (r.nextDouble() < 0.5) {
                v[i] = -v[i];
            }
        }
        return Tensor.of(v, shape);
    }

    /** Distinct values at least 0.1 apart in random order: no ties (max) within a step. */
    static Tensor distinct(long seed, int... shape) {
        Rng r = new Rng(seed);
        int[] p = r.permutation(Shape.numel(shape));
        float[] v = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            v[i] = (float) (0.1 * p[i] - 0.05 * p.length);
        }
        return Tensor.of(v, shape);
    }
}
