package unboxed.adampost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.data.Dataset;
import unboxed.nn.Parameter;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** The loss family's gradients, the training loop, and the central claim on a small synthetic problem. */
class LossFamilyTest {
    @Test
    void gradientsMatchTheClosedForm() {
        for (FamilyLoss l : FamilyLoss.values()) {
            for (double x : new double[] {1e-3, 0.01, 0.1, 0.5, 0.9}) {
                double m = LossFamily.measure(l, x);
                assertEquals(l.logitGradient(x), m, 1e-3 * l.logitGradient(x), l.formula() + " at x = " + x);
            }
        }
    }

    @Test
    void logSpaceKeepsTheFifthPowerFinite() {
        // x = 1e-7: x^-5 = 1e35 fits float32, the gradient of the plain power, 5 x^-6 = 5e42, would not
        assertTrue(Double.isFinite(LossFamily.measure(FamilyLoss.INV_FIFTH, 1e-7)));
    }

    /** Ten blobs in 784 dimensions, one per class (the same centres for every draw): learnable in a few dozen steps. */
    static Dataset blobs(int n, long seed) {
        float[] centres = Tensor.randn(new Rng(0).fork("centres"), 10, 784).toArray();
        float[] noise = Tensor.randn(new Rng(seed).fork("noise"), n, 784).toArray();
        float[] images = new float[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            for (int j = 0; j < 784; j++) {
                images[i * 784 + j] = 0.1f * centres[labels[i] * 784 + j] + 0.3f * noise[i * 784 + j];
            }
        }
        return new Dataset("blobs", images, labels, 1, 28, 28, 10, Dataset.MNIST_CLASSES);
    }

    @Test
    void adamTrainsWithOneOverXWhereSgdDoesNot() {
        Dataset train = blobs(640, 1);
        Dataset eval = blobs(200, 2);
        MlpTraining.Settings s = new MlpTraining.Settings(60, 32, 10);
        MlpTraining.Run adam = MlpTraining.train(0, FamilyLoss.INV::loss, LossFamily.Recipe.ADAM.recipe(), train, eval,
                null, s, step -> { });
        assertNull(adam.divergedAtStep());
        assertTrue(adam.loss().get(adam.loss().size() - 1) < 0.2 * adam.loss().get(0),
                "Adam on 1/x: loss " + adam.loss());
        assertTrue(adam.evalAccuracy() > 0.9, "accuracy " + adam.evalAccuracy());
        MlpTraining.Run sgd = MlpTraining.train(0, FamilyLoss.INV_FIFTH::loss, LossFamily.Recipe.SGD_PLAIN.recipe(), train,
                eval, null, s, step -> { });
        assertNotNull(sgd.divergedAtStep(), "SGD on x^-5 should blow up");
        MlpTraining.Run clipped = MlpTraining.train(0, FamilyLoss.INV_FIFTH::loss, LossFamily.Recipe.SGD_CLIP.recipe(),
                train, eval, null, s, step -> { });
        assertNull(clipped.divergedAtStep(), "clipped SGD on x^-5");
    }

    @Test
    void adamsStepStaysNearLrWhateverTheLoss() {
        Dataset train = blobs(320, 3);
        MlpTraining.Settings s = new MlpTraining.Settings(20, 32, 20);
        for (FamilyLoss l : FamilyLoss.values()) {
            MlpTraining.Run r = MlpTraining.train(0, l::loss, LossFamily.Recipe.ADAM.recipe(), train, train, null, s,
                    step -> { });
            double step = r.stepRmsOverLr().get(0);
            assertTrue(step > 0.05 && step <= 1.0, l.formula() + ": step / lr " + step);
        }
    }

    @Test
    void clippingBoundsTheNorm() {
        Parameter a = new Parameter("a", Tensor.zeros(2));
        Parameter b = new Parameter("b", Tensor.zeros(1));
        a.data().setGrad(Tensor.of(new float[] {3, 0}, 2));
        b.data().setGrad(Tensor.of(new float[] {4}, 1));
        double coef = ClipGradNorm.clip(List.of(a, b), 1.0, 5.0);
        assertEquals(1.0 / (5 + 1e-6), coef, 1e-12);
        float[] ga = a.data().grad().toArray();
        float[] gb = b.data().grad().toArray();
        assertEquals(1.0, Math.sqrt(ga[0] * ga[0] + gb[0] * gb[0]), 1e-6);
        // below the limit nothing changes
        assertEquals(1.0, ClipGradNorm.clip(List.of(a, b), 10.0, 1.0));
        new SGD(List.of(a, b), 0.1).step();
    }
}
