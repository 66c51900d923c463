package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.nn.Linear;
import unboxed.nn.MSELoss;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

class LayerDynamicsTest {
    @Test
    void deadUnitsAreThoseOffForEveryInput() {
        double[][] layer = {
                {-1, -2, 0},      // dead: never above zero
                {-1, 2, -3},      // alive for one input
                {0.5, 0.5, 0.5}, // alive
                {0, 0, 0}};       // dead: zero is off
        LayerDynamics.Hidden h = LayerDynamics.hidden(layer, LayerDynamics.Activation.RELU);
        assertEquals(0.5, h.dead());
        assertEquals(0, h.saturated(), "saturation is a tanh measure");
    }

    @Test
    void saturationCountsPairsBeyondAtanhOfPointNineNine() {
        assertEquals(0.99, Math.tanh(LayerDynamics.SATURATED_Z), 1e-12);
        double[][] layer = {{3, -3, 0.1, 0}, {2.6, -2.7, 10, -10}};
        LayerDynamics.Hidden h = LayerDynamics.hidden(layer, LayerDynamics.Activation.TANH);
        assertEquals(5.0 / 8, h.saturated(), 1e-12);
        assertEquals(0, h.dead(), "a tanh unit is never dead");
    }

    @Test
    void rankIsTakenAfterTheActivation() {
        // two units, each the ReLU of ±x: after the ReLU they are disjoint, so rank 2 with equal σ
        double[][] layer = {{-2, -1, 1, 2}, {2, 1, -1, -2}};
        LayerDynamics.Hidden h = LayerDynamics.hidden(layer, LayerDynamics.Activation.RELU);
        assertEquals(2, h.rank(), 1e-9);
        assertEquals(2, h.srank());
        // the same units with tanh: odd functions of x, one the negative of the other: rank 1
        assertEquals(1, LayerDynamics.hidden(layer, LayerDynamics.Activation.TANH).rank(), 1e-9);
    }

    @Test
    void normsOfWeightsAndOfTheirGradients() {
        Rng rng = new Rng(3);
        Linear a = new Linear(1, 4, rng);
        Linear b = new Linear(4, 1, rng);
        Sequential net = new Sequential(a, new ReLU(), b);
        List<Linear> linears = List.of(a, b);
        Tensor x = Tensor.of(new float[] {-1, 0.5f, 2}, 3, 1);
        LayerDynamics.Snapshot before;
        try (Kinks.Capture c = Kinks.Capture.onRelus(net)) {
            try (Autograd.GradMode ignored = Autograd.noGrad()) {
                net.call(x);
            }
            before = LayerDynamics.of(c.byUnit(), LayerDynamics.Activation.RELU, linears);
            assertArrayEquals(new double[] {0, 0}, before.gradNorms(), "no backward yet");
            new MSELoss().forward(net.call(x), Tensor.zeros(3, 1)).backward();
            LayerDynamics.Snapshot after = LayerDynamics.of(c.byUnit(), LayerDynamics.Activation.RELU, linears);
            assertEquals(LayerDynamics.norm(a.weight().grad()), after.gradNorms()[0], 0);
            assertEquals(true, after.gradNorms()[1] > 0);
        }
        double s = 0;
        for (float v : b.weight().data().toArray()) {
            s += (double) v * v;
        }
        assertEquals(Math.sqrt(s), before.weightNorms()[1], 1e-12);
        assertEquals(1, before.hidden().size());
    }
}
