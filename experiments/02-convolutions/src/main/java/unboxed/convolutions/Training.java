package unboxed.convolutions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import unboxed.autograd.Autograd;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.functional.F;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** Trains the CNN on MNIST with SGD and momentum and records its learning curve and test accuracy. */
public final class Training {
    /** What one run records: the mean training loss every {@code logEvery} steps, and the test accuracy after each epoch. */
    public record Run(long seed, List<Integer> steps, List<Double> trainLoss, List<Double> testAccuracy,
                      double finalTestAccuracy) {
    }

    /** The settings of every run. */
    public record Settings(int epochs, int batchSize, double lr, double momentum, int logEvery) {
    }

    private Training() {
    }

    public static Run train(long seed, Dataset train, Dataset test, Settings s, IntConsumer onStep) {
        return trainModel(seed, train, test, s, onStep).run();
    }

    /** A trained model with the record of its training. */
    public record Trained(Cnn model, Run run) {
    }

    /** As {@link #train}, keeping the model (a later experiment looks inside it). */
    public static Trained trainModel(long seed, Dataset train, Dataset test, Settings s, IntConsumer onStep) {
        Rng rng = new Rng(seed);
        Cnn model = new Cnn(rng.fork("init"));
        SGD opt = new SGD(model.parameters(), s.lr(), s.momentum(), 0, 0, false, false);
        DataLoader loader = new DataLoader(train, s.batchSize(), true, false, true, rng.fork("shuffle"));
        List<Integer> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Double> testAcc = new ArrayList<>();
        double lossSum = 0;
        int batches = 0;
        int step = 0;
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            for (DataLoader.Batch b : loader.epoch()) {
                Tensor loss = F.crossEntropy(model.forward(b.images()), b.labels());
                model.zeroGrad();
                loss.backward();
                opt.step();
                lossSum += loss.item();
                batches++;
                step++;
                if (step % s.logEvery() == 0) {
                    steps.add(step);
                    losses.add(lossSum / batches);
                    lossSum = 0;
                    batches = 0;
                }
                onStep.accept(step);
            }
            testAcc.add(accuracy(model, test));
        }
        return new Trained(model, new Run(seed, steps, losses, testAcc, testAcc.get(testAcc.size() - 1)));
    }

    /** Accuracy on a whole dataset, in fixed chunks, without recording a graph. */
    public static double accuracy(unboxed.nn.Module model, Dataset data) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(data, 500, false, false, true, null);
            long correct = 0;
            for (DataLoader.Batch b : loader.epoch()) {
                float[] pred = model.forward(b.images()).argmax(1).toArray();
                float[] y = b.labels().toArray();
                for (int i = 0; i < y.length; i++) {
                    correct += pred[i] == y[i] ? 1 : 0;
                }
            }
            return (double) correct / data.size();
        });
    }
}
