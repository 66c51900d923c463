package unboxed.convintuition;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.kit.Rounding;
import unboxed.nn.functional.F;
import unboxed.optim.Adam;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Training and testing one network: Adam on mini-batches of a training set for a fixed number of
 * steps, whatever the set's size, so that a larger set brings more distinct examples and not more
 * computation; accuracy on a test set.
 */
final class Training {
    /**
     * Adam's learning rate, the same for every network (Adam scales each parameter's step itself):
     * 3e-3 rather than the usual 1e-3, because these one-layer networks get few steps at quick
     * scale and reach 1e-3's accuracy of 1200 steps in about 400 (measured on the reference three).
     */
    static final double LR = 3e-3;
    static final int BATCH = 64;
    /** Test images per forward pass. */
    static final int EVAL_CHUNK = 500;

    private Training() {
    }

    /**
     * A dataset as the post uses it: the first {@code trainImages} training images and the first
     * {@code testImages} test images, normalised with the mean and standard deviation of the whole
     * training set, and the test images also raw (pixels in [0, 1]) so that they can be shifted
     * with a black background before they are normalised.
     */
    record Data(String name, Dataset train, Dataset testRaw, float[] mean, float[] std) {
        static Data load(String name, int trainImages, int testImages) throws IOException {
            Dataset train = switch (name) {
                case "mnist" -> Dataset.mnist(true);
                case "fashion" -> Dataset.fashionMnist(true);
                default -> throw new IllegalArgumentException("dataset '" + name + "': expected mnist or fashion");
            };
            Dataset test = name.equals("mnist") ? Dataset.mnist(false) : Dataset.fashionMnist(false);
            float[] mean = train.channelMean();
            float[] std = train.channelStd();
            return new Data(name, train.subset(trainImages).normalized(mean, std), test.subset(testImages), mean, std);
        }

        Dataset test() {
            return testRaw.normalized(mean, std);
        }

        /** Raw images (pixels in [0, 1]) made ready for a network. */
        Dataset normalize(Dataset raw) {
            return raw.normalized(mean, std);
        }
    }

    /** What a training run records: the mean training loss over each stretch of steps, and the final loss. */
    record Run(List<Integer> steps, List<Double> loss) {
    }

    /** Trains {@code net} for {@code steps} Adam steps on {@code train}, shuffled by {@code rng}. */
    static Run train(Net net, Dataset train, int steps, Rng rng) {
        Adam opt = new Adam(net.parameters(), LR);
        DataLoader loader = new DataLoader(train, BATCH, true, false, true, rng);
        int logEvery = Math.max(1, steps / 20);
        List<Integer> at = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        double sum = 0;
        int count = 0;
        int step = 0;
        while (step < steps) {
            for (DataLoader.Batch b : loader.epoch()) {
                Tensor l = F.crossEntropy(net.forward(b.images()), b.labels());
                net.zeroGrad();
                l.backward();
                opt.step();
                sum += l.item();
                count++;
                step++;
                if (step % logEvery == 0 || step == steps) {
                    at.add(step);
                    loss.add(Rounding.sig4(sum / count));
                    sum = 0;
                    count = 0;
                }
                if (step == steps) {
                    break;
                }
            }
        }
        return new Run(at, loss);
    }

    /** The share of {@code data} the network classifies correctly, in chunks, without recording a graph. */
    static double accuracy(Net net, Dataset data) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(data, EVAL_CHUNK, false, false, true, null);
            long correct = 0;
            for (DataLoader.Batch b : loader.epoch()) {
                float[] pred = net.forward(b.images()).argmax(1).toArray();
                float[] y = b.labels().toArray();
                for (int i = 0; i < y.length; i++) {
                    correct += pred[i] == y[i] ? 1 : 0;
                }
            }
            return (double) correct / data.size();
        });
    }
}
