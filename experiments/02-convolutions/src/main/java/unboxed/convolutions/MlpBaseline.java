package unboxed.convolutions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.Linear;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.nn.functional.F;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Post 01's MLP (784 → 256 → ReLU → 10, SGD with learning rate 0.1, batch 64, built and seeded as
 * post 01 builds it), trained for many epochs with its test accuracy after each: the baseline the
 * CNN is compared with at equal training time. An MLP epoch is far cheaper than a CNN epoch, so
 * the report puts both on one time axis, each epoch counted at the time the pinned benchmarks
 * measured for it on the same machine.
 */
public final class MlpBaseline {
    /** One seed's run: the test accuracy after each epoch. */
    public record Run(long seed, List<Double> testAccuracy) {
    }

    /** The settings of every run. */
    public record Settings(int epochs, int batchSize, double lr) {
    }

    private MlpBaseline() {
    }

    /** Post 01's network, initialised as post 01's Mlp.create does. */
    static Sequential model(Rng rng) {
        Rng init = rng.fork("init");
        return new Sequential(new Linear(784, 256, init), new ReLU(), new Linear(256, 10, init));
    }

    public static Run train(long seed, Dataset train, Dataset test, Settings s, IntConsumer onStep) {
        Rng rng = new Rng(seed);
        Sequential model = model(rng);
        SGD opt = new SGD(model.parameters(), s.lr());
        DataLoader loader = new DataLoader(train, s.batchSize(), true, false, true, rng.fork("shuffle"));
        List<Double> accuracy = new ArrayList<>();
        int step = 0;
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            for (DataLoader.Batch b : loader.epoch()) {
                Tensor loss = F.crossEntropy(model.forward(b.images()), b.labels());
                opt.zeroGrad();
                loss.backward();
                opt.step();
                onStep.accept(++step);
            }
            accuracy.add(Training.accuracy(model, test));
        }
        return new Run(seed, accuracy);
    }
}
