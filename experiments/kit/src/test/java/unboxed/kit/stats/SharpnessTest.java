package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.io.RepoRoot;
import unboxed.io.Safetensors;
import unboxed.nn.Parameter;
import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The sharpness estimator: power iteration finds the top eigenvalue of a quadratic whose spectrum
 * we chose (also when a negative eigenvalue is larger in magnitude), the double-backward product
 * matches finite differences of gradients, and PyTorch's own products (post 12's fixtures).
 */
class SharpnessTest {
    private static final Backend F64 = Backends.create("float64", 1);

    /** ½ xᵀ A x with A = Q diag(eigs) Qᵀ, Q a fixed rotation: its Hessian is A, its sharpness max(eigs). */
    private static Supplier<Tensor> quadratic(Parameter x, double[] eigs, Backend be) {
        int n = eigs.length;
        double[][] q = rotation(n);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += q[i][k] * eigs[k] * q[j][k];
                }
                a[i * n + j] = s;
            }
        }
        Tensor matrix = Tensor.ofDoubles(be, a, n, n);
        return () -> x.data().mul(matrix.matmul(x.data())).sum().mul(0.5f);
    }

    /** An orthogonal matrix from Gram–Schmidt on a fixed draw. */
    private static double[][] rotation(int n) {
        Rng rng = new Rng(11);
        double[][] q = new double[n][n];
        for (int c = 0; c < n; c++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = rng.nextGaussian();
            }
            for (int p = 0; p < c; p++) {
                double d = 0;
                for (int i = 0; i < n; i++) {
                    d += v[i] * q[i][p];
                }
                for (int i = 0; i < n; i++) {
                    v[i] -= d * q[i][p];
                }
            }
            double norm = Math.sqrt(Sharpness.dot(v, v));
            for (int i = 0; i < n; i++) {
                q[i][c] = v[i] / norm;
            }
        }
        return q;
    }

    @Test
    void powerIterationRecoversTheTopEigenvalueOfAKnownQuadratic() {
        Parameter x = new Parameter("x", Tensor.ofDoubles(F64, new double[] {1, -2, 0.5, 3, 0, 1}, 6, 1).requiresGrad(true));
        double[] eigs = {12.5, 3, 1, 0.5, -2, 7};
        Sharpness.Estimate e = Sharpness.topEigenvalue(quadratic(x, eigs, F64), List.of(x), new Rng(1), 500, 1e-12);
        assertTrue(e.converged());
        assertEquals(12.5, e.lambda(), 1e-8);
        // the vector is the eigenvector: A v = λ v
        double[] hv = Sharpness.hvp(quadratic(x, eigs, F64), List.of(x), e.vector());
        for (int i = 0; i < hv.length; i++) {
            assertEquals(12.5 * e.vector()[i], hv[i], 1e-5);
        }
    }

    /** A saddle whose negative curvature is the largest in magnitude: the shift finds the largest algebraic eigenvalue. */
    @Test
    void aLargerNegativeEigenvalueIsShiftedAway() {
        Parameter x = new Parameter("x", Tensor.ofDoubles(F64, new double[] {1, 1, 1, 1}, 4, 1).requiresGrad(true));
        double[] eigs = {-20, 4, 1, -3};
        Sharpness.Estimate e = Sharpness.topEigenvalue(quadratic(x, eigs, F64), List.of(x), new Rng(2), 2000, 1e-12);
        assertEquals(4, e.lambda(), 1e-6);
    }

    /** A small MLP's MSE on the float64 backend: double backward against central differences of gradients. */
    @Test
    void theDoubleBackwardProductMatchesFiniteDifferences() {
        Backend before = Backends.current();
        Backends.use(F64);
        try {
            Rng rng = new Rng(5);
            List<Parameter> params = new ArrayList<>();
            params.add(new Parameter("w0", Tensor.randn(rng, 8, 3).requiresGrad(true)));
            params.add(new Parameter("b0", Tensor.randn(rng, 8).requiresGrad(true)));
            params.add(new Parameter("w1", Tensor.randn(rng, 1, 8).requiresGrad(true)));
            params.add(new Parameter("b1", Tensor.randn(rng, 1).requiresGrad(true)));
            Tensor in = Tensor.randn(rng, 20, 3);
            Tensor target = Tensor.randn(rng, 20, 1);
            Supplier<Tensor> loss = () -> F.mseLoss(F.linear(F.linear(in, params.get(0).data(), params.get(1).data()).tanh(),
                    params.get(2).data(), params.get(3).data()), target, Reduction.MEAN);
            int n = Sharpness.count(params);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = rng.nextGaussian();
            }
            double[] before0 = params.get(0).data().toDoubleArray();
            double[] exact = Sharpness.hvp(loss, params, v);
            double[] fd = Sharpness.hvpFiniteDifference(loss, params, v, 1e-5);
            double scale = Math.sqrt(Sharpness.dot(exact, exact));
            for (int i = 0; i < n; i++) {
                assertEquals(exact[i], fd[i], 1e-7 * scale, "element " + i);
            }
            assertEquals(java.util.Arrays.toString(before0), java.util.Arrays.toString(params.get(0).data().toDoubleArray()),
                    "the finite differences restore the parameters");
        } finally {
            Backends.use(before);
        }
    }

    /** PyTorch's torch.autograd.functional.hvp of a tanh MLP (post 12's fixture), through the estimator's product. */
    @Test
    void theProductMatchesPyTorch() throws Exception {
        Path file = RepoRoot.get().resolve("data/fixtures/12-learning-rate/hvp__mlp_tanh_1_16_16_1.safetensors");
        Safetensors.File f = Safetensors.read(file);
        List<Parameter> params = new ArrayList<>();
        List<double[]> v = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int k = 0; f.has("in.weight" + k); k++) {
            for (String kind : List.of("weight", "bias")) {
                params.add(new Parameter(kind + k, f.tensor("in." + kind + k).requiresGrad(true)));
                v.add(f.entry("in.v." + kind + k).toDoubles(file));
                names.add(kind + k);
            }
        }
        Tensor in = f.tensor("in.input");
        Tensor target = f.tensor("in.target");
        Supplier<Tensor> loss = () -> {
            Tensor h = in;
            for (int k = 0; k < params.size() / 2; k++) {
                h = F.linear(h, params.get(2 * k).data(), params.get(2 * k + 1).data());
                h = k < params.size() / 2 - 1 ? h.tanh() : h;
            }
            return F.mseLoss(h, target, Reduction.MEAN);
        };
        double[] flat = v.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
        double[] ours = Sharpness.hvp(loss, params, flat);
        int at = 0;
        double worst = 0;
        for (String name : names) {
            for (double t : f.entry("out.hvp." + name).toDoubles(file)) {
                worst = Math.max(worst, Math.abs(ours[at++] - t));
            }
        }
        assertEquals(flat.length, at);
        assertTrue(worst < 2e-6, "largest difference from PyTorch: " + worst);
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        Parameter x = new Parameter("x", Tensor.ofDoubles(F64, new double[] {1, 2}, 2, 1).requiresGrad(true));
        Supplier<Tensor> loss = quadratic(x, new double[] {1, 2}, F64);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Sharpness.topEigenvalue(loss, List.of(x), new double[] {1, 2, 3}, 10, 1e-6)).getMessage()
                .contains("3 entries"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Sharpness.topEigenvalue(loss, List.of(x), new double[] {0, 0}, 10, 1e-6)).getMessage()
                .contains("non-zero"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Sharpness.topEigenvalue(loss, List.of(x), new Rng(1), 0, 1e-6)).getMessage().contains("maxIter"));
    }
}
