package unboxed.channels;

import java.util.ArrayList;
import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.Module;
import unboxed.nn.functional.F;
import unboxed.optim.Adam;
import unboxed.optim.Optimizer;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** Trains a classifier and counts what it gets right, class by class. */
final class Training {
    /** How a network is trained. */
    enum Optim {
        /** Adam, its learning rate decayed linearly from {@code lr} to 0 over the run (this post's CNN). */
        ADAM_LINEAR,
        /** SGD with momentum at a constant rate (post 02's CNN, trained as post 02 trains it). */
        SGD_MOMENTUM
    }

    record Settings(Optim optim, int epochs, int batch, double lr, double momentum, int logEvery) {
    }

    /** The mean training loss every {@code logEvery} steps, and the test accuracy after each epoch. */
    record Curve(List<Integer> steps, List<Double> trainLoss, List<Double> testAccuracy) {
    }

    private Training() {
    }

    static Curve train(Module net, Dataset train, Dataset test, Settings s, Rng shuffle) {
        Optimizer opt = s.optim() == Optim.ADAM_LINEAR ? new Adam(net.parameters(), s.lr())
                : new SGD(net.parameters(), s.lr(), s.momentum(), 0, 0, false, false);
        DataLoader loader = new DataLoader(train, s.batch(), true, false, shuffle);
        int total = s.epochs() * loader.numBatches();
        List<Integer> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Double> acc = new ArrayList<>();
        double sum = 0;
        int n = 0;
        int step = 0;
        for (int e = 0; e < s.epochs(); e++) {
            for (DataLoader.Batch b : loader.epoch()) {
                if (s.optim() == Optim.ADAM_LINEAR) {
                    opt.paramGroups().get(0).set("lr", s.lr() * (1 - (double) step / total));
                }
                Tensor loss = F.crossEntropy(net.call(b.images()), b.labels());
                net.zeroGrad();
                loss.backward();
                opt.step();
                sum += loss.item();
                n++;
                step++;
                if (step % s.logEvery() == 0) {
                    steps.add(step);
                    losses.add(unboxed.kit.Rounding.sig4(sum / n));
                    sum = 0;
                    n = 0;
                }
            }
            acc.add(accuracy(correctByClass(net, test), test.classCounts()));
        }
        return new Curve(steps, losses, acc);
    }

    /** How many images of each class the network classifies correctly, in batches, without recording a graph. */
    static int[] correctByClass(Module net, Dataset data) {
        return Autograd.noGrad(() -> {
            int[] correct = new int[data.numClasses()];
            DataLoader loader = new DataLoader(data, Look.BATCH, false, false, null);
            for (DataLoader.Batch b : loader.epoch()) {
                float[] pred = net.call(b.images()).argmax(1).toArray();
                float[] y = b.labels().toArray();
                for (int i = 0; i < y.length; i++) {
                    if (pred[i] == y[i]) {
                        correct[(int) y[i]]++;
                    }
                }
            }
            return correct;
        });
    }

    static double accuracy(int[] correct, int[] counts) {
        long c = 0;
        long n = 0;
        for (int k = 0; k < correct.length; k++) {
            c += correct[k];
            n += counts[k];
        }
        return (double) c / n;
    }

    /**
     * {@code perClass} images of each class after skipping the first {@code skip} of it, class by
     * class (the same images whatever the seed).
     */
    static Dataset stratified(Dataset d, int skip, int perClass) {
        ProbeSet.Group g = ProbeSet.stratified(d.name(), d, skip, perClass, d.channels(), d.height());
        return new Dataset(d.name() + "[" + perClass + " per class after " + skip + "]", g.pixels(), g.labels(),
                d.channels(), d.height(), d.width(), d.numClasses(), d.classNames());
    }
}
