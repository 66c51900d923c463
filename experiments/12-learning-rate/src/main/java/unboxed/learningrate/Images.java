package unboxed.learningrate;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.data.Cifar10;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.data.Datasets;
import unboxed.kit.stats.Sharpness;
import unboxed.nn.functional.F;
import unboxed.optim.LRSchedule;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The image classifier's runs: {@link SmallCnn} trained by mini-batch SGD (torch.optim.SGD, no
 * momentum, no weight decay) with the cross-entropy, on a prefix of the training set, then
 * measured on a fixed slice of the training set (the final loss) and of the test set (accuracy).
 */
final class Images {
    /** What the runs train and measure on, normalised by the training prefix's channel statistics. */
    record Data(String name, Dataset train, Dataset evalTrain, Dataset test) {
    }

    /** What one run gives. */
    record Run(List<Double> loss, boolean diverged, double finalLoss, double testAccuracy, int steps) {
    }

    private Images() {
    }

    /**
     * CIFAR-10 when its files are under data/datasets (the series' dataset; not fetched by
     * {@code make data}), else Fashion-MNIST, its stand-in here; {@code n} training images,
     * {@code m} of them for the final loss, {@code t} test images.
     */
    static Data load(int n, int m, int t) throws IOException {
        boolean cifar = datasetName().equals("cifar10");
        Dataset train = cifar ? Dataset.cifar10(true) : Dataset.fashionMnist(true);
        Dataset test = cifar ? Dataset.cifar10(false) : Dataset.fashionMnist(false);
        Dataset prefix = train.subset(n);
        float[] mean = prefix.channelMean();
        float[] std = prefix.channelStd();
        Dataset tr = prefix.normalized(mean, std);
        return new Data(cifar ? "cifar10" : "fashion-mnist", tr, tr.subset(m), test.subset(t).normalized(mean, std));
    }

    /** "cifar10" when its files are under data/datasets, else "fashion-mnist". */
    static String datasetName() {
        return Files.isDirectory(Datasets.root().resolve(Cifar10.FOLDER)) ? "cifar10" : "fashion-mnist";
    }

    static SmallCnn model(Data data, Rng rng) {
        Dataset d = data.train();
        return new SmallCnn(d.channels(), d.height(), d.width(), d.numClasses(), rng);
    }

    /**
     * Trains for {@code epochs} epochs of batches of {@code batch} (the last partial batch dropped,
     * so every step sees the same number of images) at the rates of {@code schedule}; records the
     * mean loss of every {@code logEvery} steps. Stops when the loss is not finite or passes
     * {@link FullBatch#BLOW_UP} times the first batch's.
     */
    static Run train(SmallCnn net, Data data, LRSchedule schedule, int batch, int epochs, int logEvery, Rng rng) {
        SGD opt = new SGD(net.parameters(), schedule.lr(0));
        DataLoader loader = new DataLoader(data.train(), batch, true, true, rng.fork("shuffle"));
        List<Double> curve = new ArrayList<>();
        double sum = 0;
        int inSum = 0;
        int step = 0;
        double first = Double.NaN;
        boolean diverged = false;
        outer:
        for (int e = 0; e < epochs; e++) {
            for (DataLoader.Batch b : loader.epoch()) {
                Tensor loss = F.crossEntropy(net.forward(b.images()), b.labels());
                double v = loss.item();
                if (step == 0) {
                    first = v;
                }
                if (!Double.isFinite(v) || v > FullBatch.BLOW_UP * first) {
                    diverged = true;
                    break outer;
                }
                net.zeroGrad();
                loss.backward();
                schedule.apply(opt, step);
                opt.step();
                step++;
                sum += v;
                inSum++;
                if (inSum == logEvery) {
                    curve.add(sum / inSum);
                    sum = 0;
                    inSum = 0;
                }
            }
        }
        double finalLoss = diverged ? Double.POSITIVE_INFINITY : meanLoss(net, data.evalTrain());
        if (!Double.isFinite(finalLoss)) {
            diverged = true;
            finalLoss = Double.POSITIVE_INFINITY;
        }
        return new Run(curve, diverged, finalLoss, accuracy(net, data.test()), step);
    }

    /** The mean cross-entropy over a dataset, in chunks of 500, without a graph. */
    static double meanLoss(SmallCnn net, Dataset d) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(d, 500, false, false, null);
            double sum = 0;
            for (DataLoader.Batch b : loader.epoch()) {
                sum += F.crossEntropy(net.forward(b.images()), b.labels()).item() * b.size();
            }
            return sum / d.size();
        });
    }

    /** The share of images whose largest logit is the label's; an image with a non-finite logit counts as wrong. */
    static double accuracy(SmallCnn net, Dataset d) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(d, 500, false, false, null);
            long correct = 0;
            for (DataLoader.Batch b : loader.epoch()) {
                float[] logits = net.forward(b.images()).toArray();
                float[] y = b.labels().toArray();
                int k = logits.length / y.length;
                for (int i = 0; i < y.length; i++) {
                    int best = -1;
                    boolean finite = true;
                    for (int c = 0; c < k; c++) {
                        float v = logits[i * k + c];
                        finite &= Float.isFinite(v);
                        if (best < 0 || v > logits[i * k + best]) {
                            best = c;
                        }
                    }
                    correct += finite && best == (int) y[i] ? 1 : 0;
                }
            }
            return (double) correct / d.size();
        });
    }

    /** λ_max of the cross-entropy at the current parameters, on the first {@code n} training images as one batch. */
    static Sharpness.Estimate sharpness(SmallCnn net, Data data, int n, Rng rng) {
        DataLoader.Batch b = new DataLoader(data.train().subset(n), n, false, false, null).epoch().iterator().next();
        return Sharpness.topEigenvalue(() -> F.crossEntropy(net.forward(b.images()), b.labels()), net.parameters(), rng,
                30, 1e-3);
    }
}
