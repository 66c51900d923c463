package unboxed.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import unboxed.data.Dataset;
import unboxed.tensor.Rng;

/** Training learns the synthetic classes, the same way twice; accuracy is counted class by class. */
class TrainingTest {
    @Test
    void aSmallNetLearnsTheSyntheticClassesDeterministically() {
        Dataset train = ExperimentTest.synthetic("train", 30, 1, 28, 1);
        Dataset test = ExperimentTest.synthetic("test", 10, 1, 28, 2);
        Training.Settings s = new Training.Settings(Training.Optim.ADAM_LINEAR, 3, 32, 5e-3, 0, 5);
        ChannelNet a = new ChannelNet(1, 28, 4, new Rng(3));
        Training.Curve ca = Training.train(a, train, test, s, new Rng(4));
        ChannelNet b = new ChannelNet(1, 28, 4, new Rng(3));
        Training.Curve cb = Training.train(b, train, test, s, new Rng(4));
        assertEquals(ca, cb, "same seeds, same curve, to the bit");
        assertEquals(3, ca.testAccuracy().size());
        assertTrue(ca.testAccuracy().get(2) > 0.5, "learns the bright squares: " + ca.testAccuracy());
        int[] correct = Training.correctByClass(a, test);
        assertEquals(10, correct.length);
        assertEquals(ca.testAccuracy().get(2), Training.accuracy(correct, test.classCounts()), 1e-12);
        assertArrayEquals(Training.correctByClass(a, test), Training.correctByClass(b, test));
    }
}
