package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.backend.Backend;
import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/**
 * The CPU backend hands the arrays of gradients its backward pass consumed to later allocations
 * (RecycledArrays). These tests hold it to three promises: a training step's forward pass does
 * reuse them; the results are the same bits with and without; and a gradient somebody can still
 * see (a hook's argument, a retained .grad, what {@code Autograd.grad} returns) is never reused.
 */
class RecycledArraysTest {
    /** conv 3x3 (4 -> 8 channels, 16 x 16, batch 4: 8192-float activations), ReLU, a square loss. */
    private static Tensor[] step(Tensor x, Tensor w, Tensor b, List<Tensor> keep, boolean retain,
                                 boolean hook) {
        Tensor y = F.conv2d(x, w, b, 1);
        Tensor h = F.relu(y);
        if (retain) {
            h.retainGrad();
        }
        if (hook) {
            h.registerHook(g -> {
                keep.add(g);
                return null;
            });
        }
        Tensor loss = h.mul(h).sum();
        loss.backward();
        return new Tensor[] {h, w.grad(), b.grad()};
    }

    private static Tensor[] params(Backend cpu, long seed) {
        Random r = new Random(seed);
        Tensor x = Tensor.of(cpu, random(r, 4 * 4 * 16 * 16), 4, 4, 16, 16);
        Tensor w = Tensor.of(cpu, random(r, 8 * 4 * 3 * 3), 8, 4, 3, 3).requiresGrad(true);
        Tensor b = Tensor.of(cpu, random(r, 8), 8).requiresGrad(true);
        return new Tensor[] {x, w, b};
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void theNextStepsForwardTakesTheGradientsArrays() {
        CpuBackend cpu = new CpuBackend(1);
        Tensor[] p = params(cpu, 1);
        step(p[0], p[1], p[2], null, false, false);
        long[] after1 = cpu.recycledCounts();
        assertTrue(after1[1] >= 2L * 4 * 8192, "the backward pass should have recycled the gradients of h and y,"
                + " 8192 floats each; kept " + after1[1] + " bytes");
        p[1].setGrad(null);
        p[2].setGrad(null);
        step(p[0], p[1], p[2], null, false, false);
        long[] after2 = cpu.recycledCounts();
        assertTrue(after2[0] >= after1[0] + 2, "the second forward pass should have reused at least two arrays;"
                + " reused " + (after2[0] - after1[0]));
    }

    @Test
    void sameBitsWithAndWithoutRecycling() {
        CpuBackend on = new CpuBackend(1);
        CpuBackend off = new CpuBackend(1);
        off.recycling(false);
        Tensor[] a = params(on, 2);
        Tensor[] b = params(off, 2);
        for (int s = 0; s < 3; s++) {
            Tensor[] ra = step(a[0], a[1], a[2], null, false, false);
            Tensor[] rb = step(b[0], b[1], b[2], null, false, false);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(rb[i].toArray(), ra[i].toArray(), "step " + s + ", output " + i);
            }
        }
        assertTrue(on.recycledCounts()[0] > 0, "the recycling backend reused nothing");
        assertEquals(0, off.recycledCounts()[0], "the backend with recycling off reused an array");
    }

    @Test
    void aGradientSomebodyCanStillSeeIsNeverReused() {
        CpuBackend cpu = new CpuBackend(1);
        Tensor[] p = params(cpu, 3);
        // a hook keeps h's gradient, retain_grad keeps it as h.grad
        List<Tensor> hooked = new ArrayList<>();
        Tensor[] r = step(p[0], p[1], p[2], hooked, true, true);
        float[] seenByHook = hooked.get(0).toArray();
        float[] retained = r[0].grad().toArray();
        // torch.autograd.grad's result for an intermediate value
        Tensor y = F.conv2d(p[0], p[1], p[2], 1);
        Tensor h = F.relu(y);
        Tensor captured = Autograd.grad(List.of(h.mul(h).sum()), List.of(h), null, false, false, false).get(0);
        float[] capturedValues = captured.toArray();
        // steps whose allocations would take those arrays if they had been recycled
        for (int s = 0; s < 3; s++) {
            step(p[0], p[1], p[2], null, false, false);
        }
        assertArrayEquals(seenByHook, hooked.get(0).toArray(), "a hook's gradient was overwritten");
        assertArrayEquals(retained, r[0].grad().toArray(), "a retained gradient was overwritten");
        assertArrayEquals(capturedValues, captured.toArray(), "a gradient returned by Autograd.grad was overwritten");
        assertFalse(Float.isNaN(capturedValues[0]));
    }
}
