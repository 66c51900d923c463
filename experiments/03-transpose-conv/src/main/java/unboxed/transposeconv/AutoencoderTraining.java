package unboxed.transposeconv;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import unboxed.autograd.Autograd;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Part 5: trains the {@link Autoencoder} on Fashion-MNIST with MSE and SGD with momentum, and
 * records what the report shows: the loss curve, the validation and test MSE, and, for the runs
 * the figures show ({@link #details}), reconstructions, the first encoder layer's and the last
 * decoder layer's kernels, and the decoder's response to a spatially constant code (where a
 * checkerboard would show).
 */
public final class AutoencoderTraining {
    /** The settings of every run (the learning rate is swept, so it is an argument of {@link #train}). */
    public record Settings(int epochs, int trainSamples, int validationSamples, int batchSize, double momentum,
                           int logEvery) {
    }

    /**
     * What one run records: the mean training loss every {@code logEvery} steps, the test MSE after
     * each epoch, the final validation and test MSE, how many output pixels leave [0, 1] and the test
     * MSE once they are clamped into it. A run whose loss turns NaN or infinite stops there:
     * {@code divergedAtStep} says where, and its MSEs are NaN. {@code deadChannels}: how many channels
     * of conv1 (of 16), conv2 (of 32) and deconv1 (of 16) never fire on the first
     * {@link #CODE_IMAGES} test images after training (null for a diverged run).
     */
    public record Run(String output, double lr, long seed, List<Integer> steps, List<Double> trainLoss,
                      List<Double> testMse, double validationMse, double finalTestMse, double outOfRangeFraction,
                      double clampedTestMse, Integer divergedAtStep, int[] deadChannels) {
    }

    /** A trained model with the constant-code response it gave before training. */
    public record Trained(Run run, Autoencoder model, float[][] constantResponseInit) {
    }

    /** What the figures show of one run. */
    public record Details(String output, double lr, long seed, List<float[][]> reconstructions,
                          List<float[][]> encoderKernels, List<float[][]> decoderKernels,
                          float[][] constantResponseInit, float[][] constantResponse) {
    }

    /** Test images whose mean code is the constant code: enough to average out any one image. */
    static final int CODE_IMAGES = 500;

    private AutoencoderTraining() {
    }

    public static Trained train(long seed, boolean sigmoid, double lr, Dataset train, Dataset validation,
                                Dataset test, Settings s, IntConsumer onStep) {
        Rng rng = new Rng(seed);
        Autoencoder model = new Autoencoder(rng.fork("init"), sigmoid);
        float[][] constantInit = constantResponse(model, test);
        SGD opt = new SGD(model.parameters(), lr, s.momentum(), 0, 0, false, false);
        DataLoader loader = new DataLoader(train, s.batchSize(), true, false, rng.fork("shuffle"));
        List<Integer> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Double> testMse = new ArrayList<>();
        double lossSum = 0;
        int batches = 0;
        int step = 0;
        Integer diverged = null;
        double[] last = null;
        for (int epoch = 0; epoch < s.epochs() && diverged == null; epoch++) {
            for (DataLoader.Batch b : loader.epoch()) {
                Tensor loss = F.mseLoss(model.forward(b.images()), b.images(), Reduction.MEAN);
                model.zeroGrad();
                loss.backward();
                opt.step();
                double l = loss.item();
                step++;
                onStep.accept(step);
                if (!Double.isFinite(l)) {
                    diverged = step;
                    break;
                }
                lossSum += l;
                batches++;
                if (step % s.logEvery() == 0) {
                    steps.add(step);
                    losses.add(lossSum / batches);
                    lossSum = 0;
                    batches = 0;
                }
            }
            if (diverged == null) {
                last = evaluate(model, test);
                testMse.add(last[0]);
            }
        }
        String output = sigmoid ? "sigmoid" : "linear";
        Run run;
        if (diverged != null) {
            run = new Run(output, lr, seed, steps, losses, testMse, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    diverged, null);
        } else {
            run = new Run(output, lr, seed, steps, losses, testMse, evaluate(model, validation)[0], last[0], last[1],
                    last[2], null, deadChannels(model, test));
        }
        return new Trained(run, model, constantInit);
    }

    /** What the figures need of a trained run: reconstructions of the figure's test images, kernels, the constant-code response. */
    public static Details details(Trained t, Dataset test, int[] figureImages) {
        Autoencoder model = t.model();
        List<float[][]> recon = new ArrayList<>();
        Autograd.noGrad(() -> {
            for (int idx : figureImages) {
                recon.add(Planes.plane(model.forward(Upsampling.image(test, idx)), 0, 0));
            }
            return null;
        });
        List<float[][]> enc = new ArrayList<>();
        Tensor w1 = model.conv1().weight().data();          // [16, 1, 3, 3]
        for (int o = 0; o < w1.size(0); o++) {
            enc.add(Planes.plane(w1, o, 0));
        }
        List<float[][]> dec = new ArrayList<>();
        Tensor w4 = model.deconv2().weight().data();        // [16, 1, 4, 4]: one kernel per input channel
        for (int c = 0; c < w4.size(0); c++) {
            dec.add(Planes.plane(w4, c, 0));
        }
        return new Details(t.run().output(), t.run().lr(), t.run().seed(), recon, enc, dec, t.constantResponseInit(),
                constantResponse(model, test));
    }

    /**
     * Over a whole dataset, without a graph: {MSE per pixel, the fraction of output pixels outside
     * [0, 1], the MSE once the outputs are clamped to [0, 1]}.
     */
    static double[] evaluate(Autoencoder model, Dataset data) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(data, 500, false, false, null);
            double sum = 0;
            double clampedSum = 0;
            long outside = 0;
            long pixels = 0;
            for (DataLoader.Batch b : loader.epoch()) {
                float[] y = model.forward(b.images()).toArray();
                float[] x = b.images().toArray();
                for (int i = 0; i < y.length; i++) {
                    double d = (double) y[i] - x[i];
                    sum += d * d;
                    double c = Math.min(1, Math.max(0, y[i])) - (double) x[i];
                    clampedSum += c * c;
                    outside += y[i] < 0 || y[i] > 1 ? 1 : 0;
                }
                pixels += y.length;
            }
            return new double[] {sum / pixels, (double) outside / pixels, clampedSum / pixels};
        });
    }

    /** {@link Autoencoder#deadChannels} on the first {@link #CODE_IMAGES} test images. */
    static int[] deadChannels(Autoencoder model, Dataset test) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(test.subset(CODE_IMAGES), CODE_IMAGES, false, false, null);
            int[] dead = null;
            for (DataLoader.Batch b : loader.epoch()) {
                dead = model.deadChannels(b.images());
            }
            return dead;
        });
    }

    /**
     * The decoder's output for a code that is the same at every one of its 7x7 positions: the mean
     * code of the first {@link #CODE_IMAGES} test images, averaged over positions. A decoder free of
     * checkerboards answers with a smooth image; one with them, with a periodic pattern.
     */
    static float[][] constantResponse(Autoencoder model, Dataset test) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(test.subset(CODE_IMAGES), CODE_IMAGES, false, false, null);
            Tensor code = null;
            for (DataLoader.Batch b : loader.epoch()) {
                code = model.encode(b.images()).mean(new int[] {0, 2, 3}, true);   // [1, 32, 1, 1]
            }
            Tensor constant = code.expand(1, code.size(1), 7, 7).contiguous();
            return Planes.plane(model.decode(constant), 0, 0);
        });
    }
}
