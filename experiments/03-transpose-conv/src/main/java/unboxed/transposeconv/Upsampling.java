package unboxed.transposeconv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import unboxed.autograd.Autograd;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.ConvTranspose2d;
import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Part 3: 2x upsampling as a transposed convolution. Fashion-MNIST test images are downsampled by
 * a 2x2 average pool (28 to 14 pixels) and brought back to 28 by three transposed convolutions with
 * one input and one output channel:
 * <ul>
 *   <li>nearest: kernel 2x2 of ones, stride 2: each pixel stamped as a 2x2 block, no overlap;</li>
 *   <li>bilinear: kernel 4, stride 2, padding 1, the bilinear kernel ({@link #bilinearKernel}): each
 *       output pixel a 3:1 blend of its two nearest input pixels along each axis;</li>
 *   <li>learned: a {@link ConvTranspose2d}(1, 1, kernel 4, stride 2, padding 1) trained to undo the
 *       average pool (MSE against the original image).</li>
 * </ul>
 */
public final class Upsampling {
    /** Settings of the learned upsampler's training. */
    public record Settings(int steps, int batchSize, double lr, double momentum, int logEvery) {
    }

    /** The classes whose first test image the figure shows, one per class, in label order. */
    static final int FIGURE_IMAGES = 10;

    private Upsampling() {
    }

    /**
     * The bilinear upsampling kernel for an integer factor f, as FCN initialises its upsampling
     * layers: size 2f − f mod 2, each axis 1 − |i − centre| / f, the outer product of the two. For
     * f = 2: [0.25, 0.75, 0.75, 0.25] along each axis.
     */
    public static float[][] bilinearKernel(int factor) {
        int size = 2 * factor - factor % 2;
        double centre = factor % 2 == 1 ? factor - 1 : factor - 0.5;
        double[] profile = new double[size];
        for (int i = 0; i < size; i++) {
            profile[i] = 1 - Math.abs(i - centre) / factor;
        }
        return Planes.outer(profile);
    }

    /** A batch [N, 1, 28, 28] down to [N, 1, 14, 14]: 2x2 average pooling. */
    static Tensor down(Tensor x) {
        return F.avgPool2d(x, new int[] {2}, null, new int[] {0}, false, true, null);
    }

    static Tensor nearest(Tensor small) {
        return F.convTranspose2d(small, Tensor.ones(1, 1, 2, 2), null, new int[] {2}, new int[] {0}, new int[] {0}, 1,
                new int[] {1});
    }

    static Tensor bilinear(Tensor small) {
        return F.convTranspose2d(small, Planes.tensor(bilinearKernel(2)), null, new int[] {2}, new int[] {1},
                new int[] {0}, 1, new int[] {1});
    }

    public static Map<String, Object> run(long seed, Dataset train, Dataset test, Settings s, IntConsumer onStep) {
        Rng rng = new Rng(seed).fork("upsampling");
        ConvTranspose2d learned = new ConvTranspose2d(1, 1, 4, 2, 1, 0, 1, true, 1, rng.fork("init"));
        float[][] initKernel = Planes.plane(learned.weight().data(), 0, 0);
        SGD opt = new SGD(learned.parameters(), s.lr(), s.momentum(), 0, 0, false, false);
        DataLoader loader = new DataLoader(train, s.batchSize(), true, true, rng.fork("shuffle"));
        List<Integer> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        double lossSum = 0;
        int batches = 0;
        int step = 0;
        while (step < s.steps()) {
            for (DataLoader.Batch b : loader.epoch()) {
                if (step == s.steps()) {
                    break;
                }
                Tensor target = b.images();
                Tensor small = Autograd.noGrad(() -> down(target));
                Tensor loss = F.mseLoss(learned.forward(small), target, Reduction.MEAN);
                learned.zeroGrad();
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
        }

        Map<String, UnaryOperator<Tensor>> methods = new LinkedHashMap<>();
        methods.put("nearest", Upsampling::nearest);
        methods.put("bilinear", Upsampling::bilinear);
        methods.put("learned", learned::forward);
        Map<String, Object> mse = new LinkedHashMap<>();
        for (Map.Entry<String, UnaryOperator<Tensor>> e : methods.entrySet()) {
            mse.put(e.getKey(), testMse(test, e.getValue()));
        }

        // the figure's images: the first test image of each class, then each method's upsampling of it
        int[] picks = firstOfEachClass(test, FIGURE_IMAGES);
        List<Map<String, Object>> images = new ArrayList<>();
        for (int idx : picks) {
            Tensor x = image(test, idx);
            Tensor small = down(x);
            Map<String, Object> im = new LinkedHashMap<>();
            im.put("test_index", idx);
            im.put("label", test.classNames().get(test.label(idx)));
            im.put("original", Planes.plane(x, 0, 0));
            im.put("downsampled", Planes.plane(small, 0, 0));
            Autograd.noGrad(() -> {
                for (Map.Entry<String, UnaryOperator<Tensor>> e : methods.entrySet()) {
                    im.put(e.getKey(), Planes.plane(e.getValue().apply(small), 0, 0));
                }
                return null;
            });
            images.add(im);
        }

        // how much of the kernels' weight reaches each output pixel: all 1 inside, less where the border cuts in
        Tensor ones = Tensor.ones(1, 1, 14, 14);
        Map<String, Object> coverage = new LinkedHashMap<>();
        coverage.put("nearest", Planes.plane(Autograd.noGrad(() -> nearest(ones)), 0, 0));
        coverage.put("bilinear", Planes.plane(Autograd.noGrad(() -> bilinear(ones)), 0, 0));

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dataset_train", train.name());
        config.put("dataset_test", test.name());
        config.put("test_samples", test.size());
        config.put("downsampling", "avg_pool2d, kernel 2, stride 2");
        config.put("learned", "ConvTranspose2d(1, 1, kernel 4, stride 2, padding 1, bias); PyTorch's default init");
        config.put("loss", "mse_loss, mean over pixels");
        config.put("optimizer", "SGD, lr " + s.lr() + ", momentum " + s.momentum());
        config.put("steps", s.steps());
        config.put("batch_size", s.batchSize());
        config.put("lr", s.lr());
        config.put("momentum", s.momentum());
        config.put("log_every_steps", s.logEvery());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", config);
        out.put("bilinear_kernel", bilinearKernel(2));
        out.put("learned_kernel_init", initKernel);
        out.put("learned_kernel", Planes.plane(learned.weight().data(), 0, 0));
        out.put("learned_bias", learned.bias().data().item());
        out.put("steps", steps);
        out.put("train_loss", losses);
        out.put("test_mse", mse);
        out.put("coverage", coverage);
        out.put("images", images);
        return out;
    }

    /** Mean squared error per pixel over the whole test set, in fixed chunks, without a graph. */
    static double testMse(Dataset test, UnaryOperator<Tensor> up) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(test, 500, false, false, null);
            double sum = 0;
            long pixels = 0;
            for (DataLoader.Batch b : loader.epoch()) {
                Tensor x = b.images();
                Tensor d = up.apply(down(x)).sub(x);
                sum += d.mul(d).sum().item();
                pixels += x.numel();
            }
            return sum / pixels;
        });
    }

    /** The index of the first image of each of the first {@code classes} classes. */
    static int[] firstOfEachClass(Dataset d, int classes) {
        int[] idx = new int[classes];
        java.util.Arrays.fill(idx, -1);
        for (int i = 0, found = 0; i < d.size() && found < classes; i++) {
            int l = d.label(i);
            if (l < classes && idx[l] < 0) {
                idx[l] = i;
                found++;
            }
        }
        return idx;
    }

    /** Test image {@code i} as [1, 1, H, W]. */
    static Tensor image(Dataset d, int i) {
        int n = d.sampleSize();
        float[] px = new float[n];
        System.arraycopy(d.images(), i * n, px, 0, n);
        return Tensor.of(px, 1, d.channels(), d.height(), d.width());
    }
}
