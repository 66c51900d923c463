package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

class DepthProbeTest {
    @Test
    void forwardAndBackwardStatisticsOfAChain() {
        Tensor x = Tensor.randn(new Rng(1), 8, 5).requiresGrad(true);
        DepthProbe probe = new DepthProbe(Set.of("b"), 4, 16);
        Tensor a = probe.watch("a", x.mul(2f));
        Tensor b = probe.watch("b", a.mul(3f));
        b.sum().backward();
        assertEquals(List.of("a", "b"), probe.names());
        assertEquals(2 * TensorStats.of(x).std(), probe.forward().get(0).std(), 1e-6);
        assertEquals(6 * TensorStats.of(x).std(), probe.forward().get(1).std(), 1e-6);
        // d sum / d b = 1 everywhere; d sum / d a = 3 everywhere
        assertEquals(1, probe.backward().get(1).mean(), 0);
        assertEquals(3, probe.backward().get(0).mean(), 0);
        assertEquals(0, probe.backward().get(0).std(), 0);
        assertEquals(40, probe.histogram("b").total());
        assertThrows(IllegalArgumentException.class, () -> probe.histogram("a"));
        // the hooks leave the gradients as they are
        assertEquals(6, x.grad().toArray()[0], 0);
        probe.detach();
    }

    @Test
    void namesMustBeDistinctAndGradientsMustArrive() {
        DepthProbe probe = new DepthProbe();
        Tensor x = Tensor.randn(new Rng(2), 4).requiresGrad(true);
        probe.watch("x", x.mul(1f));
        assertThrows(IllegalArgumentException.class, () -> probe.watch("x", x.mul(2f)));
        assertThrows(IllegalStateException.class, probe::backward);
    }

    @Test
    void underNoGradOnlyForward() {
        DepthProbe probe = new DepthProbe();
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            Tensor x = Tensor.randn(new Rng(3), 4).requiresGrad(true);
            probe.watch("y", x.mul(2f));
        }
        assertEquals(1, probe.forward().size());
        assertThrows(IllegalStateException.class, probe::backward);
    }

    @Test
    void seriesPicksOneStatisticOverDepth() {
        List<TensorStats> s = List.of(TensorStats.of(new float[] {1, -1}), TensorStats.of(new float[] {2, -2}));
        assertEquals(2, DepthProbe.series(s, TensorStats::std)[1], 0);
    }
}
