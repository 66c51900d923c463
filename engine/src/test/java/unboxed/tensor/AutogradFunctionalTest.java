package unboxed.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.backend.Backend;
import unboxed.backend.Backends;

/** torch.autograd.functional.hvp on the engine: exact on quadratics, zeros where the gradient is constant, clear refusals. */
class AutogradFunctionalTest {
    private static final Backend F64 = Backends.create("float64", 1);

    /** f(x) = ½ xᵀ A x with A symmetric: H = A, so H v = A v whatever x is. */
    @Test
    void theProductOfAQuadraticIsItsMatrixTimesV() {
        double[] a = {4, 1, 0, 1, 3, -2, 0, -2, 5};
        Tensor matrix = Tensor.ofDoubles(F64, a, 3, 3);
        Tensor x = Tensor.ofDoubles(F64, new double[] {0.3, -1.2, 2.0}, 3, 1).requiresGrad(true);
        Tensor v = Tensor.ofDoubles(F64, new double[] {1, -1, 0.5}, 3, 1);
        AutogradFunctional.Hvp r = AutogradFunctional.hvp(() -> x.mul(matrix.matmul(x)).sum().mul(0.5f), List.of(x),
                List.of(v));
        assertArrayEquals(new double[] {3, -3, 4.5}, r.hvp().get(0).toDoubleArray(), 1e-12);
        double[] xs = x.toDoubleArray();
        double f = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                f += 0.5 * xs[i] * a[i * 3 + j] * xs[j];
            }
        }
        assertEquals(f, r.output().toDoubleArray()[0], 1e-12);
        assertNull(x.grad(), "hvp accumulates nothing into .grad");
    }

    /** Two inputs: the cross terms of the Hessian appear, f = x·y has H = [[0, I], [I, 0]]. */
    @Test
    void crossTermsCouplePartsOfTheInput() {
        Tensor x = Tensor.ofDoubles(F64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = Tensor.ofDoubles(F64, new double[] {3, 4}, 2).requiresGrad(true);
        AutogradFunctional.Hvp r = AutogradFunctional.hvp(() -> x.mul(y).sum(), List.of(x, y),
                List.of(Tensor.ofDoubles(F64, new double[] {1, 0}, 2), Tensor.ofDoubles(F64, new double[] {0, 5}, 2)));
        assertArrayEquals(new double[] {0, 5}, r.hvp().get(0).toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 0}, r.hvp().get(1).toDoubleArray(), 0);
    }

    /** A linear function has a zero Hessian: its gradient is a constant, and the product is zeros, as in PyTorch. */
    @Test
    void aLinearFunctionGivesZeros() {
        Tensor x = Tensor.ofDoubles(F64, new double[] {1, 2, 3}, 3).requiresGrad(true);
        AutogradFunctional.Hvp r = AutogradFunctional.hvp(() -> x.mul(2f).sum(), List.of(x),
                List.of(Tensor.ofDoubles(F64, new double[] {1, 1, 1}, 3)));
        assertArrayEquals(new double[] {0, 0, 0}, r.hvp().get(0).toDoubleArray(), 0);
    }

    @Test
    void badArgumentsAreRefusedWithTheFix() {
        Tensor x = Tensor.ofDoubles(F64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor v = Tensor.ofDoubles(F64, new double[] {1, 2}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AutogradFunctional.hvp(() -> x.mul(x), List.of(x), List.of(v)));
        assertTrue(e.getMessage().contains("scalar"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AutogradFunctional.hvp(() -> x.sum(), List.of(x), List.of(v, v)));
        assertTrue(e.getMessage().contains("one tensor per input"), e.getMessage());
        Tensor plain = Tensor.ofDoubles(F64, new double[] {1, 2}, 2);
        e = assertThrows(IllegalArgumentException.class,
                () -> AutogradFunctional.hvp(() -> plain.sum(), List.of(plain), List.of(v)));
        assertTrue(e.getMessage().contains("requiresGrad(true)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AutogradFunctional.hvp(() -> x.sum(), List.of(x),
                List.of(Tensor.ofDoubles(F64, new double[] {1, 2, 3}, 3))));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
    }
}
