package unboxed.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import unboxed.nn.functional.F;

/** The FLOP counter counts 2·B·M·N·K per product, forward and backward, per thread, and nests. */
class FlopCounterTest {
    @Test
    void aLinearLayerCountsTwiceItsMultiplyAddsForwardAndOnceMorePerGradient() {
        Rng rng = new Rng(1);
        Tensor x = Tensor.randn(rng, 5, 7).requiresGrad(true);
        Tensor w = Tensor.randn(rng, 3, 7).requiresGrad(true);
        Tensor b = Tensor.randn(rng, 3);
        try (FlopCounter c = FlopCounter.start()) {
            Tensor y = F.linear(x, w, b);
            assertEquals(2L * 5 * 7 * 3, c.total(), "forward: 2·N·in·out");
            assertEquals(1, c.products());
            y.sum().backward();
            // dx = g W and dW = g^T x: one product each, as large as the forward
            assertEquals(3 * 2L * 5 * 7 * 3, c.total());
            assertEquals(3, c.products());
        }
    }

    @Test
    void conv2dCountsItsProductWithTheUnfoldedInput() {
        Rng rng = new Rng(2);
        Tensor x = Tensor.randn(rng, 2, 3, 8, 9);
        Tensor w = Tensor.randn(rng, 4, 3, 3, 2);
        try (FlopCounter c = FlopCounter.start()) {
            F.conv2d(x, w, null, 0);
            // N·O·OH·OW outputs of C·kh·kw terms: 2 · 2 · 4 · (6·8) · (3·3·2)
            assertEquals(2L * 2 * 4 * 6 * 8 * 18, c.total());
        }
        // the locally connected layer does the same arithmetic with a kernel per position
        try (FlopCounter c = FlopCounter.start()) {
            F.locallyConnected2d(x, Tensor.randn(rng, 6, 8, 4, 3, 3, 2), null, new int[] {1}, new int[] {0},
                    new int[] {1});
            assertEquals(2L * 2 * 4 * 6 * 8 * 18, c.total());
        }
    }

    @Test
    void nothingIsCountedOutsideACounterAndElementwiseOpsAreNotCounted() {
        Tensor a = Tensor.randn(new Rng(3), 4, 4);
        a.matmul(a);  // no counter open: nothing to count into, nothing breaks
        try (FlopCounter c = FlopCounter.start()) {
            a.add(a).relu().sum();
            assertEquals(0, c.total());
        }
    }

    @Test
    void anInnerCounterAddsItsCountToTheOuterOne() {
        Tensor a = Tensor.randn(new Rng(4), 2, 3);
        Tensor b = Tensor.randn(new Rng(5), 3, 4);
        try (FlopCounter outer = FlopCounter.start()) {
            a.matmul(b);
            try (FlopCounter inner = FlopCounter.start()) {
                a.matmul(b);
                assertEquals(48, inner.total());
                assertEquals(48, outer.total(), "the outer counter waits for the inner one to close");
            }
            assertEquals(96, outer.total());
        }
    }

    @Test
    void eachThreadCountsItsOwnProducts() throws InterruptedException {
        Tensor a = Tensor.randn(new Rng(6), 8, 8);
        AtomicLong other = new AtomicLong(-1);
        try (FlopCounter c = FlopCounter.start()) {
            Thread t = new Thread(() -> {
                try (FlopCounter mine = FlopCounter.start()) {
                    a.matmul(a).matmul(a);
                    other.set(mine.total());
                }
            });
            t.start();
            t.join();
            a.matmul(a);
            assertEquals(2L * 8 * 8 * 8, c.total(), "the other thread's products are not in this count");
        }
        assertEquals(2 * 2L * 8 * 8 * 8, other.get());
    }

    @Test
    void closingOutOfOrderIsRefused() {
        FlopCounter outer = FlopCounter.start();
        FlopCounter inner = FlopCounter.start();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
    }
}
