package unboxed.learningrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.kit.stats.Sharpness;
import unboxed.nn.Linear;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.optim.LRSchedule;
import unboxed.simple.Net;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** The regression runs: the 2/λ rule on a network that is a quadratic, dead units, outcomes, the ramps. */
class RunsTest {
    /**
     * A linear network y = w x + b is a quadratic in (w, b): gradient descent converges below 2/λ_max
     * and blows up above it, exactly as the theory says. The test that the theory and the engine agree.
     */
    @Test
    void onAQuadraticTheThresholdIsTwoOverLambdaMax() {
        Regression.Task task = Regression.sine(64);
        Rng rng = new Rng(3);
        double lambda = FullBatch.sharpness(new Sequential(new Linear(1, 1, rng.fork("a"))), task, rng).lambda();
        for (double factor : new double[] {0.9, 1.1}) {
            Sequential net = new Sequential(new Linear(1, 1, new Rng(3).fork("a")));
            FullBatch.Run r = FullBatch.train(net, task, LRSchedule.constant(factor * 2 / lambda), 400, 0, rng);
            assertEquals(factor > 1, r.diverged(), "factor " + factor + " of 2/λ = " + 2 / lambda);
        }
    }

    @Test
    void aUnitIsDeadWhenItIsOffForEveryInput() {
        Regression.Task task = Regression.sine(16);
        Linear first = new Linear(1, 2, new Rng(1));
        Sequential net = new Sequential(first, new ReLU(), new Linear(2, 1, new Rng(2)));
        // unit 0: always negative (w = 0, b = -1); unit 1: x > 0 only (w = 1, b = 0)
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            first.weight().data().copy_(Tensor.of(new float[] {0, 1}, 2, 1));
            first.bias().data().copy_(Tensor.of(new float[] {-1, 0}, 2));
        }
        assertEquals(List.of(0.5, 0.5), List.of(Runs.dead(net, task)[0], Runs.dead(net, task)[1]));
    }

    @Test
    void outcomesTellABlowUpFromADeathFromSlowness() {
        FullBatch.Run blew = new FullBatch.Run(List.of(1.0), List.of(), List.of(), true, Double.POSITIVE_INFINITY);
        FullBatch.Run flat = new FullBatch.Run(List.of(1.0, 0.5), List.of(), List.of(), false, 0.5);
        FullBatch.Run good = new FullBatch.Run(List.of(1.0, 0.01), List.of(), List.of(), false, 0.01);
        assertEquals(Runs.Status.BLEW_UP, Runs.status(blew, 0.5, 0));
        assertEquals(Runs.Status.DIED, Runs.status(flat, 0.5, 1.0));
        assertEquals(Runs.Status.UNTRAINED, Runs.status(flat, 0.5, 0.3));
        assertEquals(Runs.Status.TRAINED, Runs.status(good, 0.5, 0.9));
    }

    @Test
    void warmupAndCooldownAreTheSameRampAtEitherEnd() {
        LRSchedule up = Runs.schedule("warmup", 1.0, 100, 10, 0.01);
        LRSchedule down = Runs.schedule("cooldown", 1.0, 100, 10, 0.01);
        for (int k = 1; k < 10; k++) {
            assertEquals(up.lr(k), down.lr(100 - k), 1e-12, "k = " + k);
        }
        assertEquals(1.0, up.lr(50), 0);
        assertEquals(1.0, down.lr(50), 0);
        assertTrue(up.lr(0) < 0.02 && down.lr(99) < 0.2);
    }

    @Test
    void theSharpnessOfPost06sNetworkIsReproducible() {
        Regression.Task task = Regression.sine(64);
        Sequential a = Regression.mlp(1, 8, 2, Net.Act.RELU, new Rng(4));
        Sequential b = Regression.mlp(1, 8, 2, Net.Act.RELU, new Rng(4));
        Sharpness.Estimate ea = FullBatch.sharpness(a, task, new Rng(9));
        Sharpness.Estimate eb = FullBatch.sharpness(b, task, new Rng(9));
        assertEquals(ea.lambda(), eb.lambda(), 0, "same seed, same bits");
        assertTrue(ea.lambda() >= 2 - 1e-3, "the output bias alone has curvature 2 under the mean squared error: " + ea.lambda());
    }
}
