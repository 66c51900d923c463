package unboxed.basics;

import java.util.ArrayList;
import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.Sequential;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** Trains the MLP with one loss of p and records its learning curve. */
public final class Training {
    /** What one run records; every list is indexed by log point or by epoch. */
    public record Run(long seed, List<Integer> steps, List<Double> trainLoss, List<Double> trainAccuracy,
                      List<Double> testAccuracy, double finalTestAccuracy, Integer divergedAtStep) {
    }

    /** Settings shared by every run of the comparison. */
    public record Settings(int epochs, int batchSize, double lr, int logEvery) {
    }

    private Training() {
    }

    public static Run train(LossOfP loss, long seed, Dataset train, Dataset test, Settings s, Runnable onStep) {
        Rng rng = new Rng(seed);
        Sequential model = Mlp.create(rng);
        SGD opt = new SGD(model.parameters(), s.lr());
        DataLoader loader = new DataLoader(train, s.batchSize(), true, false, true, rng.fork("shuffle"));
        List<Integer> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Double> accs = new ArrayList<>();
        List<Double> testAcc = new ArrayList<>();
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        int batches = 0;
        int step = 0;
        Integer diverged = null;
        outer:
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            for (DataLoader.Batch b : loader.epoch()) {
                Tensor logits = model.forward(b.images());
                Tensor l = loss.loss(logits, b.labels());
                float value = l.item();
                step++;
                if (!Float.isFinite(value)) {
                    diverged = step;
                    break outer;
                }
                opt.zeroGrad();
                l.backward();
                opt.step();
                lossSum += value;
                correct += countCorrect(logits, b.labels());
                seen += b.size();
                batches++;
                if (step % s.logEvery() == 0) {
                    steps.add(step);
                    losses.add(lossSum / batches);
                    accs.add((double) correct / seen);
                    lossSum = 0;
                    correct = 0;
                    seen = 0;
                    batches = 0;
                }
                onStep.run();
            }
            testAcc.add(accuracy(model, test));
        }
        double finalAcc = diverged != null ? accuracy(model, test) : testAcc.get(testAcc.size() - 1);
        return new Run(seed, steps, losses, accs, testAcc, finalAcc, diverged);
    }

    static long countCorrect(Tensor logits, Tensor labels) {
        float[] pred = logits.detach().argmax(1).toArray();
        float[] y = labels.toArray();
        long c = 0;
        for (int i = 0; i < y.length; i++) {
            if (pred[i] == y[i]) {
                c++;
            }
        }
        return c;
    }

    /** Accuracy on a whole dataset, in fixed chunks, without recording a graph. */
    public static double accuracy(Sequential model, Dataset data) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(data, 1000, false, false, true, null);
            long correct = 0;
            for (DataLoader.Batch b : loader.epoch()) {
                correct += countCorrect(model.forward(b.images()), b.labels());
            }
            return (double) correct / data.size();
        });
    }
}
