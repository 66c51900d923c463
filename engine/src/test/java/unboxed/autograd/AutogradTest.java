package unboxed.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import unboxed.tensor.Tensor;

/** The autograd behaviour PyTorch users rely on, one property per test. */
class AutogradTest {

    private static Tensor leaf(float... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p),
                    "message should contain '" + p + "': " + e.getMessage());
        }
    }

    @Test
    void leavesNeverShareGradientMemory() {
        // AddBackward hands the same tensor to both inputs: each leaf must still own its .grad
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor y = Tensor.of(new float[] {3, 4}, 2).requiresGrad(true);
        Tensor two = Tensor.of(new float[] {2, 2}, 2);
        x.add(y).mul(two).sum().backward(); // the gradient reaching the add is new memory (from the mul)
        assertFalse(x.grad().storage() == y.grad().storage(), "x.grad and y.grad share memory");
        x.add(y).mul(y).sum().backward(); // accumulates in place: y's contribution must not leak into x
        assertArrayEquals(new float[] {2 + 3, 2 + 4}, x.grad().toArray());
        assertArrayEquals(new float[] {2 + 1 + 2 * 3, 2 + 2 + 2 * 4}, y.grad().toArray());
    }

    @Test
    void aWeightGradientIsKeptWithoutACopyAndStaysCorrectAcrossSteps() {
        // the gradient of W in x W^T comes out of the matrix product as new memory; the leaf keeps it
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor x = Tensor.of(new float[] {1, 0, 2, 0, 1, 1}, 2, 3);
        x.matmul(w.t()).sum().backward();
        float[] first = w.grad().toArray();
        assertArrayEquals(new float[] {1, 1, 3, 1, 1, 3}, first);
        x.matmul(w.t()).sum().backward();
        assertArrayEquals(new float[] {2, 2, 6, 2, 2, 6}, w.grad().toArray());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = leaf(1, 2, 3);
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {2, 4, 6}, x.grad().toArray());
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {5, 7, 9}, x.grad().toArray(), "the second backward adds to .grad");
        x.setGrad(null);
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {3, 3, 3}, x.grad().toArray(), "after zeroing, only the new gradient");
    }

    @Test
    void accumulatedGradIsOwnedNotAliased() {
        // d(sum(x))/dx is a broadcast view of one value: the stored grad must be its own memory
        Tensor x = leaf(1, 2, 3);
        x.sum().backward();
        Tensor g = x.grad();
        assertTrue(g.isContiguous());
        x.sum().backward();
        assertSame(g, x.grad(), "accumulation happens in place");
        assertArrayEquals(new float[] {2, 2, 2}, g.toArray());
        // an external gradient passed to backward is not adopted: changing it later changes nothing
        Tensor y = leaf(1, 2);
        Tensor ext = Tensor.of(new float[] {5, 6}, 2);
        y.mul(1f).backward(ext);
        ext.fill_(0f);
        assertArrayEquals(new float[] {5, 6}, y.grad().toArray());
    }

    @Test
    void onlyLeavesKeepGradUnlessRetainGrad() {
        Tensor x = leaf(1, 2);
        Tensor h = x.mul(2f);
        Tensor k = x.mul(3f).retainGrad();
        Tensor loss = h.mul(k).sum(); // sum(6 x^2)
        assertTrue(x.isLeaf());
        assertFalse(h.isLeaf());
        assertNotNull(h.gradFn());
        assertEquals("MulBackward0", h.gradFn().name());
        loss.backward();
        assertNull(h.grad(), "a non-leaf's gradient is not kept");
        assertArrayEquals(new float[] {2, 4}, k.grad().toArray(), "retainGrad keeps d loss / d k = h");
        assertArrayEquals(new float[] {12, 24}, x.grad().toArray());
        assertNull(loss.grad());
    }

    @Test
    void requiresGradPropagates() {
        Tensor a = leaf(1, 2);
        Tensor c = Tensor.of(new float[] {3, 4}, 2);
        assertFalse(c.requiresGrad());
        assertTrue(a.add(c).requiresGrad(), "any input requiring grad makes the output require it");
        assertTrue(c.mul(a).requiresGrad());
        Tensor plain = c.mul(c).exp().sum();
        assertFalse(plain.requiresGrad());
        assertTrue(plain.isLeaf(), "no input requires grad: nothing is recorded");
        assertTrue(a.transpose(0, 0).requiresGrad(), "views propagate it too");
        assertTrue(a.reshape(2, 1).expand(2, 3).requiresGrad());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.mul(2f).requiresGrad(false));
        assertMessage(e, "non-leaf", "detach");
    }

    @Test
    void constantsGetNoGradient() {
        Tensor a = leaf(1, 2);
        Tensor c = Tensor.of(new float[] {3, 4}, 2);
        a.mul(c).sum().backward();
        assertNull(c.grad());
        assertArrayEquals(new float[] {3, 4}, a.grad().toArray());
    }

    @Test
    void noGradRecordsNothing() throws Exception {
        Tensor a = leaf(1, 2);
        Tensor inside;
        try (AutoCloseable ignored = Autograd.noGrad()) {
            assertFalse(Autograd.isEnabled());
            inside = a.mul(a).sum();
            try (AutoCloseable nested = Autograd.noGrad()) {
                assertFalse(Autograd.isEnabled());
            }
            assertFalse(Autograd.isEnabled(), "closing a nested noGrad keeps the outer one");
        }
        assertTrue(Autograd.isEnabled());
        assertFalse(inside.requiresGrad());
        assertNull(inside.gradFn());
        assertEquals(5f, inside.item());
        IllegalStateException e = assertThrows(IllegalStateException.class, inside::backward);
        assertMessage(e, "does not require grad");
        assertTrue(a.mul(a).requiresGrad(), "recording is back on after the block");
        Tensor viaSupplier = Autograd.noGrad(() -> a.exp());
        assertFalse(viaSupplier.requiresGrad());
        assertTrue(Autograd.isEnabled());
    }

    @Test
    void noGradIsRestoredWhenTheBodyThrows() {
        assertThrows(IllegalArgumentException.class, () -> Autograd.noGrad(() -> Tensor.zeros(2).add(Tensor.zeros(3))));
        assertTrue(Autograd.isEnabled());
        AutoCloseable c = Autograd.noGrad();
        try {
            c.close();
            c.close(); // closing twice must not re-enable an outer block or underflow
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertTrue(Autograd.isEnabled());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = leaf(1, 2);
        Tensor h = x.mul(x);
        Tensor d = h.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertSame(h.storage(), d.storage(), "detach shares the data");
        Tensor loss = h.add(d.mul(x)).sum(); // x^2 + (x^2 as constant) * x
        loss.backward();
        assertArrayEquals(new float[] {2 + 1, 4 + 4}, x.grad().toArray(), "d/dx = 2x + x^2 (no gradient through d)");
    }

    @Test
    void secondBackwardThroughAFreedGraphFails() {
        Tensor x = leaf(1, 2);
        Tensor loss = x.exp().sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertMessage(e, "second time", "backward(gradient, true)");
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = leaf(1, 2);
        Tensor loss = x.mul(x).sum();
        loss.backward(Tensor.scalar(1f), true);
        loss.backward(Tensor.scalar(1f), true);
        assertArrayEquals(new float[] {4, 8}, x.grad().toArray());
        loss.backward(); // last one frees
        assertArrayEquals(new float[] {6, 12}, x.grad().toArray());
        assertThrows(IllegalStateException.class, loss::backward);
    }

    @Test
    void backwardOfANonScalarNeedsAGradient() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(2f);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertMessage(e, "scalar", "[3]");
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> y.backward(Tensor.ones(2)));
        assertMessage(wrong, "[2]", "[3]");
        y.backward(Tensor.of(new float[] {1, 10, 100}, 3));
        assertArrayEquals(new float[] {2, 20, 200}, x.grad().toArray());
        // a one-element non-scalar is fine without a gradient, like PyTorch
        Tensor z = leaf(4).mul(3f);
        z.backward();
    }

    @Test
    void backwardOnALeafThatDoesNotRequireGradFails() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.scalar(1).backward());
        assertMessage(e, "does not require grad");
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = leaf(3);
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {6}, x.grad().toArray());
        Tensor y = leaf(2);
        y.add(y).add(y).sum().backward();
        assertArrayEquals(new float[] {3}, y.grad().toArray());
        Tensor z = leaf(2);
        z.div(z.mul(z)).sum().backward(); // 1/z: -1/z^2
        assertEquals(-0.25f, z.grad().toArray()[0], 1e-7f);
    }

    @Test
    void diamondGraphs() {
        // x -> a = 2x, b = x^2 -> c = a * b -> loss: d/dx (2x^3) = 6x^2
        Tensor x = leaf(1, 2);
        Tensor a = x.mul(2f);
        Tensor b = x.pow(2f);
        Tensor c = a.mul(b);
        c.sum().backward();
        assertArrayEquals(new float[] {6, 24}, x.grad().toArray(), 1e-5f);
        // a deeper diamond: two paths of different lengths that meet again
        Tensor y = leaf(0.5f);
        Tensor p = y.exp();
        Tensor q = p.mul(p).add(p.tanh()).add(y);
        q.sum().backward();
        double e = Math.exp(0.5);
        double expected = 2 * e * e + (1 - Math.pow(Math.tanh(e), 2)) * e + 1;
        assertEquals(expected, y.grad().toArray()[0], 1e-5);
    }

    @Test
    void sharedSubgraphIsTraversedOnce() {
        // h feeds the loss along 20 paths; a naive recursive backward would visit it 20 times per path
        Tensor x = leaf(1.5f);
        Tensor h = x.mul(x);
        Tensor acc = h;
        for (int i = 0; i < 20; i++) {
            acc = acc.add(h);
        }
        acc.sum().backward();
        assertEquals(21 * 2 * 1.5f, x.grad().toArray()[0], 1e-5f);
    }

    @Test
    void deepGraphsDoNotOverflowTheStack() {
        Tensor x = leaf(1f);
        Tensor y = x;
        for (int i = 0; i < 20000; i++) {
            y = y.add(0f);
        }
        y.sum().backward();
        assertArrayEquals(new float[] {1}, x.grad().toArray());
    }

    @Test
    void backwardThroughViewsReachesTheLeaf() {
        Tensor x = Tensor.arange(6).reshape(2, 3).requiresGrad(true);
        Tensor v = x.transpose(0, 1).narrow(0, 1, 2); // [2, 2]: x[:, 1:3]^T
        v.mul(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)).sum().backward();
        assertArrayEquals(new float[] {0, 1, 3, 0, 2, 4}, x.grad().toArray());
        assertArrayEquals(new int[] {2, 3}, x.grad().shape());
    }

    @Test
    void setGradChecksTheShape() {
        Tensor x = leaf(1, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.setGrad(Tensor.zeros(3)));
        assertMessage(e, "setGrad", "[3]", "[2]");
    }

    @Test
    void reluGradientIsZeroAtZeroAndMaximumSplitsTies() {
        Tensor x = leaf(-1, 0, 2);
        x.relu().sum().backward();
        assertArrayEquals(new float[] {0, 0, 1}, x.grad().toArray(), "PyTorch picks 0 at x == 0");
        Tensor a = leaf(1, 2, 3);
        Tensor b = leaf(3, 2, 1);
        a.maximum(b).sum().backward();
        assertArrayEquals(new float[] {0, 0.5f, 1}, a.grad().toArray());
        assertArrayEquals(new float[] {1, 0.5f, 0}, b.grad().toArray());
        Tensor c = leaf(-2, 0, 2);
        c.abs().sum().backward();
        assertArrayEquals(new float[] {-1, 0, 1}, c.grad().toArray());
    }

    @Test
    void powWithExponentZeroHasZeroGradientEverywhere() {
        // torch: d/dx x^0 = 0, even at x = 0 (where 0 * 0^-1 would be NaN)
        Tensor x = leaf(0, 2);
        x.pow(0f).sum().backward();
        assertArrayEquals(new float[] {0, 0}, x.grad().toArray());
    }

    @Test
    void maxAlongADimSendsTheWholeGradientToTheReturnedIndex() {
        Tensor x = Tensor.of(new float[] {1, 3, 3, 0, 5, 2}, 2, 3).requiresGrad(true);
        Tensor.ValuesIndices m = x.max(1, false);
        assertArrayEquals(new float[] {1, 1}, m.indices().toArray(), "the first of tied maxima");
        m.values().sum().backward();
        assertArrayEquals(new float[] {0, 1, 0, 0, 1, 0}, x.grad().toArray());
    }

    @Test
    void amaxSplitsTheGradientBetweenTies() {
        Tensor x = Tensor.of(new float[] {1, 3, 3, 0, 5, 2}, 2, 3).requiresGrad(true);
        x.amax(new int[] {1}, false).sum().backward();
        assertArrayEquals(new float[] {0, 0.5f, 0.5f, 0, 1, 0}, x.grad().toArray());
    }
}
