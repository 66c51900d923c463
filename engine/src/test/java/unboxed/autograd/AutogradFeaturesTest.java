package unboxed.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.tensor.Tensor;

/** What the Autograd post observes in PyTorch, reproduced: version counters, retain_graph, create_graph, hooks, grad(). */
class AutogradFeaturesTest {
    private static Tensor leaf(float... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    @Test
    void modifyingASavedOutputInPlaceMakesBackwardFailWithPyTorchsMessage() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.exp(); // ExpBackward0 saves its output
        y.add_(Tensor.of(new float[] {1}, 1)); // recorded: y now stands for y + 1
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("one of the variables needed for gradient computation has been modified"
                + " by an inplace operation: [FloatTensor [3]]"), e.getMessage());
        assertTrue(e.getMessage().contains("is at version 1; expected version 0 instead"), e.getMessage());
    }

    @Test
    void modifyingASavedLeafUnderNoGradIsCaughtToo() {
        Tensor w = leaf(1, 2);
        Tensor loss = w.mul(w).sum(); // MulBackward0 saves w
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            w.mul_(2f); // as an optimizer step would
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("is at version 1; expected version 0"), e.getMessage());
    }

    @Test
    void anUnsavedInputMayChangeAndAnInPlaceOpOnANonLeafIsDifferentiated() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(3f); // saves nothing (a scalar factor)
        y.mul_(2f); // y = 6x, recorded by rebasing y's history
        assertEquals("MulBackward0", y.gradFn().name());
        y.sum().backward();
        assertArrayEquals(new float[] {6, 6}, x.grad().toArray());
    }

    @Test
    void aLeafThatRequiresGradCannotBeModifiedInPlaceWhileRecording() {
        Tensor w = leaf(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.mul_(2f));
        assertTrue(e.getMessage().startsWith("a leaf Variable that requires grad is being used in an in-place operation"),
                e.getMessage());
        assertEquals(0, w.version(), "nothing was written");
    }

    @Test
    void retainGraphAllowsASecondBackwardAndWithoutItTheGraphIsFreed() {
        Tensor x = leaf(2);
        Tensor y = x.mul(x);
        y.backward(Tensor.of(new float[] {1}, 1), true);
        y.backward(Tensor.of(new float[] {1}, 1));
        assertArrayEquals(new float[] {8}, x.grad().toArray(), "two backward passes accumulate 2x each");
        assertTrue(y.gradFn().inputs().isEmpty(), "the node let go of its inputs after the last backward");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.backward(Tensor.of(new float[] {1}, 1)));
        assertTrue(e.getMessage().contains("a second time"), e.getMessage());
    }

    @Test
    void createGraphGivesHigherOrderDerivatives() {
        Tensor x = leaf(2, -1);
        Tensor y = x.pow(3f).sum();
        Tensor dy = Autograd.grad(List.of(y), List.of(x), null, true, true, false).get(0); // 3x^2
        assertArrayEquals(new float[] {12, 3}, dy.toArray());
        assertTrue(dy.requiresGrad(), "with create_graph the gradient is part of a graph");
        Tensor d2 = Autograd.grad(List.of(dy.sum()), List.of(x), null, true, true, false).get(0); // 6x
        assertArrayEquals(new float[] {12, -6}, d2.toArray());
        Tensor d3 = Autograd.grad(List.of(d2.sum()), List.of(x), null, false, false, false).get(0); // 6
        assertArrayEquals(new float[] {6, 6}, d3.toArray());
        assertNull(x.grad(), "grad() returns gradients without accumulating them");
    }

    @Test
    void createGraphThroughSoftmaxAndRelu() {
        // d/dx of sum((d softmax(x)_0 / dx)^2) must match a central difference in float32 (loosely)
        Tensor x = leaf(0.3f, -0.2f, 0.5f);
        Tensor g = Autograd.grad(List.of(x.softmax(0).narrow(0, 0, 1).sum()), List.of(x), null, true, true, false).get(0);
        Tensor h = Autograd.grad(List.of(g.mul(g).sum()), List.of(x), null, false, false, false).get(0);
        float[] analytic = h.toArray();
        float eps = 1e-2f;
        for (int i = 0; i < 3; i++) {
            float[] up = {0.3f, -0.2f, 0.5f};
            float[] down = up.clone();
            up[i] += eps;
            down[i] -= eps;
            double numeric = (objective(up) - objective(down)) / (2 * eps);
            assertEquals(numeric, analytic[i], 2e-3, "element " + i);
        }
        Tensor r = leaf(-1, 2);
        Tensor gr = Autograd.grad(List.of(r.relu().mul(r).sum()), List.of(r), null, true, true, false).get(0);
        assertArrayEquals(new float[] {0, 4}, gr.toArray());
    }

    private static double objective(float[] v) {
        Tensor x = leaf(v);
        Tensor g = Autograd.grad(List.of(x.softmax(0).narrow(0, 0, 1).sum()), List.of(x), null, false, false, false).get(0);
        return Autograd.noGrad(() -> g.mul(g).sum()).item();
    }

    @Test
    void hooksSeeAndMayReplaceTheGradient() throws Exception {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(2f);
        List<float[]> seen = new ArrayList<>();
        y.registerHook(g -> {
            seen.add(g.toArray());
            return null;
        });
        AutoCloseable doubling = x.registerHook(g -> g.mul(2f));
        y.sum().backward();
        assertArrayEquals(new float[] {1, 1}, seen.get(0), "the hook saw dL/dy");
        assertArrayEquals(new float[] {4, 4}, x.grad().toArray(), "the leaf's hook doubled its gradient before accumulation");
        doubling.close();
        x.setGrad(null);
        x.mul(2f).sum().backward();
        assertArrayEquals(new float[] {2, 2}, x.grad().toArray(), "a removed hook no longer runs");
        assertThrows(IllegalStateException.class, () -> Tensor.of(new float[] {1}, 1).registerHook(g -> g));
    }

    @Test
    void gradOfAnUnusedInputIsAnErrorUnlessAllowed() {
        Tensor x = leaf(1);
        Tensor unused = leaf(5);
        Tensor y = x.mul(3f).sum();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(List.of(y), List.of(x, unused), null, true, false, false));
        assertTrue(e.getMessage().contains("allowUnused"), e.getMessage());
        List<Tensor> g = Autograd.grad(List.of(y), List.of(x, unused), null, false, false, true);
        assertArrayEquals(new float[] {3}, g.get(0).toArray());
        assertNull(g.get(1));
    }

    @Test
    void enableGradRecordsInsideNoGrad() {
        Tensor x = leaf(1);
        try (Autograd.GradMode off = Autograd.noGrad()) {
            assertFalse(x.mul(2f).requiresGrad());
            try (Autograd.GradMode on = Autograd.enableGrad()) {
                assertTrue(x.mul(2f).requiresGrad());
            }
            assertFalse(Autograd.isEnabled(), "closing enableGrad restores no_grad");
        }
        assertTrue(Autograd.isEnabled());
    }

    @Test
    void reluAndWhereGradientsSelectInsteadOfMultiplying() {
        Tensor x = leaf(-1, Float.NaN, 2);
        x.relu().backward(Tensor.of(new float[] {Float.POSITIVE_INFINITY, 5, Float.NaN}, 3));
        float[] g = x.grad().toArray();
        assertEquals(0f, g[0], "inf upstream at a negative input gives 0, not inf * 0 = NaN");
        assertEquals(5f, g[1], "at a NaN input the gradient passes through, as in PyTorch");
        assertTrue(Float.isNaN(g[2]));
        Tensor a = leaf(1, 2);
        Tensor b = leaf(3, 4);
        Tensor.where(Tensor.of(new float[] {1, 0}, 2), a, b).backward(Tensor.of(new float[] {Float.NaN, Float.NaN}, 2));
        assertEquals(0f, a.grad().toArray()[1]);
        assertEquals(0f, b.grad().toArray()[0]);
    }

    @Test
    void inPlaceOpsOnStridedViewsWriteTheRightElements() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        x.t().mul_(2f);
        assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, x.toArray());
        Tensor y = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        y.narrow(1, 1, 2).mul_(Tensor.of(new float[] {10}, 1));
        assertArrayEquals(new float[] {1, 20, 30, 4, 50, 60}, y.toArray());
        Tensor z = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        z.t().add_(Tensor.of(new float[] {100, 200}, 2));
        assertArrayEquals(new float[] {101, 102, 103, 204, 205, 206}, z.toArray());
        assertEquals(1, z.version());
    }
}
