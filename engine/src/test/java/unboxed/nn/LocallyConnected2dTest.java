package unboxed.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import unboxed.autograd.Autograd;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The locally connected layer between its two neighbours: with one kernel copied to every
 * position it is conv2d, with a kernel as large as the input it is a linear layer; its parameters,
 * initialisation and argument checks; and each position's kernel is used by that position only.
 */
class LocallyConnected2dTest {
    private static void close(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= tol * (1 + Math.abs(want[i])), what + "[" + i + "]: " + want[i]
                    + " vs " + got[i]);
        }
    }

    private static void rejects(Executable call, String... parts) {
        Throwable e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should contain '" + p + "': " + e.getMessage());
        }
    }

    /** weight [O, C, kh, kw] repeated at every one of oh x ow positions: [oh, ow, O, C, kh, kw]. */
    private static Tensor tiled(Tensor w, int oh, int ow) {
        int[] s = w.shape();
        return w.reshape(1, 1, s[0], s[1], s[2], s[3]).expand(oh, ow, s[0], s[1], s[2], s[3]).contiguous();
    }

    @Test
    void shapesStateDictAndInitialisationAreConv2dsPerPosition() {
        LocallyConnected2d lc = new LocallyConnected2d(3, 4, new int[] {9, 8}, new int[] {3, 2}, new int[] {2},
                new int[] {1}, new int[] {1}, true, new Rng(5));
        // output: (9 + 2 - 3) / 2 + 1 = 5 rows, (8 + 2 - 2) / 2 + 1 = 5 columns
        assertArrayEquals(new int[] {5, 5}, lc.outputSize());
        assertArrayEquals(new int[] {5, 5, 4, 3, 3, 2}, lc.weight().data().shape());
        assertArrayEquals(new int[] {4, 5, 5}, lc.bias().data().shape());
        assertEquals(List.of("weight", "bias"), List.copyOf(lc.stateDict().keySet()));
        double bound = 1 / Math.sqrt(3 * 3 * 2);
        double max = 0;
        for (float v : lc.weight().data().toArray()) {
            assertTrue(Math.abs(v) <= bound, "weight within ±1/sqrt(fan_in): " + v);
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 0.9 * bound, "the weights fill ±1/sqrt(fan_in)");
        Tensor y = lc.forward(Tensor.randn(new Rng(1), 2, 3, 9, 8));
        assertArrayEquals(new int[] {2, 4, 5, 5}, y.shape());
    }

    @Test
    void oneKernelAtEveryPositionIsConv2d() {
        Rng rng = new Rng(11);
        Tensor x = Tensor.randn(rng, 3, 2, 7, 6);
        Tensor w = Tensor.randn(rng, 5, 2, 3, 2);
        Tensor b = Tensor.randn(rng, 5);
        int[] stride = {2, 1};
        int[] padding = {1, 0};
        int[] dilation = {1, 2};
        Tensor conv = F.conv2d(x, w, b, stride, padding, dilation, 1);
        int oh = conv.size(2);
        int ow = conv.size(3);
        Tensor lcBias = b.reshape(5, 1, 1).expand(5, oh, ow).contiguous();
        Tensor lc = F.locallyConnected2d(x, tiled(w, oh, ow), lcBias, stride, padding, dilation);
        close(conv.toArray(), lc.toArray(), 1e-6, "tied locally connected vs conv2d");
    }

    @Test
    void aKernelAsLargeAsTheInputIsALinearLayer() {
        Rng rng = new Rng(12);
        Tensor x = Tensor.randn(rng, 4, 1, 6, 5);
        Tensor w = Tensor.randn(rng, 7, 30);
        Tensor b = Tensor.randn(rng, 7);
        Tensor linear = F.linear(x.reshape(4, 30), w, b);
        Tensor lc = F.locallyConnected2d(x, w.reshape(1, 1, 7, 1, 6, 5), b.reshape(7, 1, 1), new int[] {1},
                new int[] {0}, new int[] {1});
        assertArrayEquals(new int[] {4, 7, 1, 1}, lc.shape());
        close(linear.toArray(), lc.toArray(), 1e-6, "whole-image kernel vs linear");
    }

    @Test
    void eachPositionUsesItsOwnKernelOnly() {
        Rng rng = new Rng(13);
        Tensor x = Tensor.randn(rng, 2, 2, 5, 5);
        Tensor w = Tensor.randn(rng, 3, 3, 4, 2, 3, 3).requiresGrad(true);
        Tensor y = F.locallyConnected2d(x, w, null, new int[] {1}, new int[] {0}, new int[] {1});
        // the loss reads output position (1, 2) only: every other position's kernel gets no gradient
        y.narrow(2, 1, 1).narrow(3, 2, 1).sum().backward();
        float[] g = w.grad().toArray();
        int perPosition = 4 * 2 * 3 * 3;
        for (int p = 0; p < 9; p++) {
            double norm = 0;
            for (int i = 0; i < perPosition; i++) {
                norm += Math.abs(g[p * perPosition + i]);
            }
            if (p == 1 * 3 + 2) {
                assertTrue(norm > 0, "the read position's kernel has a gradient");
            } else {
                assertEquals(0.0, norm, "position " + p + " was not read, its kernel must get no gradient");
            }
        }
    }

    @Test
    void unbatchedInputGivesTheBatchedResultWithoutItsBatch() {
        Rng rng = new Rng(14);
        Tensor x = Tensor.randn(rng, 2, 5, 4);
        Tensor w = Tensor.randn(rng, 4, 3, 3, 2, 2, 2);
        Tensor b = Tensor.randn(rng, 3, 4, 3);
        Tensor one = Autograd.noGrad(() -> F.locallyConnected2d(x, w, b, new int[] {1}, new int[] {0}, new int[] {1}));
        Tensor batched = F.locallyConnected2d(x.unsqueeze(0), w, b, new int[] {1}, new int[] {0}, new int[] {1});
        assertArrayEquals(new int[] {3, 4, 3}, one.shape());
        assertArrayEquals(batched.toArray(), one.toArray());
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        Tensor x = Tensor.zeros(1, 2, 6, 6);
        int[] one = {1};
        int[] zero = {0};
        rejects(() -> F.locallyConnected2d(x, Tensor.zeros(4, 4, 3, 2, 3), null, one, zero, one), "6-D");
        rejects(() -> F.locallyConnected2d(x, Tensor.zeros(4, 4, 3, 1, 3, 3), null, one, zero, one),
                "expects 1 input channels", "has 2");
        rejects(() -> F.locallyConnected2d(x, Tensor.zeros(5, 5, 3, 2, 3, 3), null, one, zero, one),
                "has 4x4 output positions", "kernels for 5x5");
        rejects(() -> F.locallyConnected2d(x, Tensor.zeros(4, 4, 3, 2, 3, 3), Tensor.zeros(3), one, zero, one),
                "bias must have shape [3, 4, 4]");
        rejects(() -> F.locallyConnected2d(Tensor.zeros(6, 6), Tensor.zeros(4, 4, 3, 2, 3, 3), null, one, zero, one),
                "3-D (unbatched) or 4-D");
        rejects(() -> F.locallyConnected2d(x, Tensor.zeros(4, 4, 3, 2, 3, 3), null, new int[] {0}, zero, one),
                "stride");
        rejects(() -> new LocallyConnected2d(1, 2, 4, 5, new Rng(1)), "does not fit an input of 4x4");
    }
}
