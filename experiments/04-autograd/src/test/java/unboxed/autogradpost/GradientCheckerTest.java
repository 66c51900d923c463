package unboxed.autogradpost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.autogradpost.CheckedInput.Values.NORMAL;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.tensor.Op;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/** The checker fails what it must: wrong backward rules, and ops that mishandle strided inputs. */
class GradientCheckerTest {
    private static final int[] SHAPE = {3, 4};

    private static final CheckedInput CONTIGUOUS = CheckedInput.contiguous("input", SHAPE, NORMAL, 1);
    /** [3, 4] as permute(1, 0) of a [4, 3] base. */
    private static final CheckedInput TRANSPOSED = CheckedInput.transposed("input", SHAPE, new int[] {1, 0}, NORMAL, 2);
    /** [3, 4] as narrow(0, 1, 3).narrow(1, 2, 4) of a [4, 6] base: offset 8. */
    private static final CheckedInput SLICED = CheckedInput.sliced("input", SHAPE, new int[] {1, 2}, new int[] {1, 2},
            NORMAL, 3);
    /** [3, 4] as expand(3, 4) of a [4] base. */
    private static final CheckedInput EXPANDED = CheckedInput.expanded("input", SHAPE, 1, new boolean[2], NORMAL, 4);

    private static GradientChecker.Outcome check(GradientCase.Fn f, CheckedInput in) {
        return GradientChecker.check(new GradientCase(Op.MUL, "", List.of(in), f, 5));
    }

    /** y = 3x, recorded as a MulBackward0 node whose rule multiplies the gradient by {@code factor}. */
    private static GradientCase.Fn timesThree(float factor) {
        return in -> {
            Tensor x = in[0];
            Tensor out = Autograd.noGrad(() -> x.mul(3f));
            return Autograd.record(Op.MUL.gradFn(), out, g -> new Tensor[] {g.mul(factor)}, x);
        };
    }

    @Test
    void aRightRulePassesOnEveryLayout() {
        for (CheckedInput in : List.of(CONTIGUOUS, TRANSPOSED, SLICED, EXPANDED)) {
            GradientChecker.Outcome o = check(timesThree(3f), in);
            assertTrue(o.passed(), o.failure());
            assertTrue(o.maxErrorOverTolerance() < 0.1, in.describe() + ": " + o);
        }
    }

    @Test
    void theCheckerCatchesAWrongFactor() {
        GradientChecker.Outcome o = check(timesThree(2f), CONTIGUOUS);
        assertFalse(o.passed());
        assertTrue(o.failure().contains("autograd") && o.failure().contains("central difference"), o.failure());
    }

    @Test
    void theCheckerCatchesAGradientWrongInTheFifthDigit() {
        GradientChecker.Outcome o = check(timesThree(3.00003f), CONTIGUOUS);
        assertFalse(o.passed(), "a gradient off by one part in 10^5 passed");
        assertTrue(o.maxErrorOverTolerance() > 1, o.toString());
    }

    @Test
    void theCheckerCatchesATransposedGradient() {
        // right values in the wrong places: the gradient of a square identity, transposed
        CheckedInput square = CheckedInput.contiguous("input", new int[] {3, 3}, NORMAL, 6);
        GradientCase.Fn transposed = in -> {
            Tensor x = in[0];
            Tensor out = Autograd.noGrad(() -> x.mul(1f));
            return Autograd.record(Op.MUL.gradFn(), out, g -> new Tensor[] {g.t().contiguous()}, x);
        };
        assertFalse(check(transposed, square).passed());
    }

    /** A forward that reads its input as if it were contiguous: right on contiguous memory only. */
    @Test
    void theCheckerCatchesAnOpThatIgnoresStrides() {
        GradientCase.Fn ignoresStrides = in -> {
            Tensor x = in[0];
            Tensor rowMajor = new Tensor(x.storage(), x.shape(), Shape.contiguousStrides(x.shape()), x.offset());
            Tensor out = Autograd.noGrad(() -> rowMajor.mul(3f));
            return Autograd.record(Op.MUL.gradFn(), out, g -> new Tensor[] {g.mul(3f)}, x);
        };
        assertTrue(check(ignoresStrides, CONTIGUOUS).passed(), "the op is right on contiguous memory");
        GradientChecker.Outcome o = check(ignoresStrides, TRANSPOSED);
        assertFalse(o.passed(), "reading a transposed input as row-major passed");
        assertTrue(o.failure().contains("transposed"), o.failure());
    }

    /** A forward that forgets the view's storage offset: right on views that start at the beginning only. */
    @Test
    void theCheckerCatchesAnOpThatIgnoresTheOffset() {
        GradientCase.Fn ignoresOffset = in -> {
            Tensor x = in[0];
            Tensor fromZero = new Tensor(x.storage(), x.shape(), x.strides(), 0);
            Tensor out = Autograd.noGrad(() -> fromZero.mul(3f));
            return Autograd.record(Op.MUL.gradFn(), out, g -> new Tensor[] {g.mul(3f)}, x);
        };
        assertTrue(check(ignoresOffset, CONTIGUOUS).passed(), "the op is right at offset 0");
        assertTrue(check(ignoresOffset, TRANSPOSED).passed(), "the op is right at offset 0");
        assertFalse(check(ignoresOffset, SLICED).passed(), "reading a sliced input from offset 0 passed");
    }

    @Test
    void aCaseThatDoesNotRecordItsOpFails() {
        GradientChecker.Outcome o = GradientChecker.check(new GradientCase(Op.EXP, "", List.of(CONTIGUOUS),
                in -> in[0].mul(2f), 5));
        assertFalse(o.passed());
        assertTrue(o.failure().contains("ExpBackward0"), o.failure());
    }

    @Test
    void aCaseThatThrowsIsAFailureNotACrash() {
        GradientChecker.Outcome o = check(in -> in[0].reshape(5, 5), CONTIGUOUS);
        assertFalse(o.passed());
        assertTrue(o.failure().contains("threw"), o.failure());
    }

    @Test
    void anExpandedViewsGradientSumsOntoItsBase() {
        Tensor view = EXPANDED.leaf(GradientChecker.F64, EXPANDED.values());
        double[] g = new double[12];
        for (int i = 0; i < g.length; i++) {
            g[i] = i;
        }
        // element (i, j) reads base cell j: the cell gets the column sums
        assertArrayEquals(new double[] {12, 15, 18, 21}, GradientChecker.ontoBase(view, g, 4));
    }
}
