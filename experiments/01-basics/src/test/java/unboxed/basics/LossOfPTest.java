package unboxed.basics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.data.Dataset;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

class LossOfPTest {
    @Test
    void autogradGradientAtTheCorrectLogitMatchesTheClosedForm() {
        for (LossOfP loss : LossOfP.values()) {
            if (loss == LossOfP.MSE_ONE_HOT) {
                continue;
            }
            for (double p : new double[] {0.02, 0.1, 0.5, 0.9, 0.99}) {
                double measured = GradientMagnitude.measure(loss, p);
                double expected = loss.analyticLogitGradient(p);
                assertEquals(expected, measured, 1e-4 * Math.max(1, expected), loss + " at p=" + p);
            }
        }
    }

    @Test
    void mseOnProbabilitiesMatchesItsFiniteDifference() {
        double p = 0.3;
        int c = Mlp.CLASSES;
        float[] z = new float[c];
        for (int j = 0; j < c; j++) {
            z[j] = (float) (j == 0 ? Math.log(p) : Math.log((1 - p) / (c - 1)));
        }
        double h = 1e-2;
        z[0] += h;
        double up = LossOfP.MSE_ONE_HOT.loss(Tensor.of(z, 1, c), Tensor.of(new float[] {0}, 1)).item();
        z[0] -= 2 * h;
        double down = LossOfP.MSE_ONE_HOT.loss(Tensor.of(z, 1, c), Tensor.of(new float[] {0}, 1)).item();
        double fd = Math.abs((up - down) / (2 * h));
        assertEquals(fd, GradientMagnitude.measure(LossOfP.MSE_ONE_HOT, p), 1e-3 * fd + 1e-6);
    }

    @Test
    void trainingIsBitReproducibleAndCrossEntropyLearns() {
        Dataset data = synthetic(512, 7);
        Training.Settings s = new Training.Settings(2, 64, 0.1, 4);
        Training.Run a = Training.train(LossOfP.CROSS_ENTROPY, 3, data, data, s, () -> { });
        Training.Run b = Training.train(LossOfP.CROSS_ENTROPY, 3, data, data, s, () -> { });
        assertEquals(a, b);
        List<Double> loss = a.trainLoss();
        assertTrue(loss.get(loss.size() - 1) < loss.get(0), "loss did not decrease: " + loss);
        Training.Run other = Training.train(LossOfP.CROSS_ENTROPY, 4, data, data, s, () -> { });
        assertTrue(!a.trainLoss().equals(other.trainLoss()), "a different seed gave the same run");
    }

    @Test
    void aLossThatBlowsUpIsRecordedAsDiverged() {
        Dataset data = synthetic(256, 1);
        Training.Run r = Training.train(LossOfP.INV_P, 0, data, data, new Training.Settings(1, 64, 1e6, 1), () -> { });
        assertTrue(r.divergedAtStep() != null, "1/p at lr 1e6 should produce a non-finite loss: " + r.trainLoss());
    }

    /** Learnable toy data of MNIST's shape: the class is encoded in which block of pixels is bright. */
    static Dataset synthetic(int n, long seed) {
        Rng rng = new Rng(seed);
        float[] x = rng.uniform(n * 784, 0, 0.2);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(10);
            for (int k = 0; k < 78; k++) {
                x[i * 784 + y[i] * 78 + k] += 0.8f;
            }
        }
        return new Dataset("toy", x, y, 1, 28, 28, 10, null);
    }

    @Test
    void lossesAreMinimalAtACertainCorrectPrediction() {
        Tensor confident = Tensor.of(new float[] {20, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1, 10);
        Tensor y = Tensor.of(new float[] {0}, 1);
        for (LossOfP loss : LossOfP.values()) {
            double l = loss.loss(confident, y).item();
            double floor = loss == LossOfP.INV_P || loss == LossOfP.INV_SQRT_P ? 1.0 : 0.0;
            assertEquals(floor, l, 1e-6, loss.toString());
        }
        assertArrayEquals(new float[] {0}, y.toArray());
    }
}
