package unboxed.fluctuations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.autograd.Autograd;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.kit.stats.DepthProbe;
import unboxed.kit.stats.TensorStats;
import unboxed.nn.Linear;
import unboxed.nn.functional.F;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Whether it trains: an MLP of {@code depth} Linear layers on MNIST (784 → width → … → width → 10,
 * φ between them), initialised with one scheme, trained with SGD and momentum. Before the first
 * update, the first batch goes forward and backward once under {@link DepthProbe}s, so each run
 * also records the per-layer statistics at step 0 that the stacks of random inputs predict.
 *
 * <p>A run whose loss becomes non-finite has diverged: from then on its parameters are NaN or
 * infinite and no update can bring them back, so it stops updating and its later accuracies are
 * those of the network it diverged to (measured, not assumed).
 */
record Trainability(int depth, int width, Activation activation, Scheme scheme, int trainImages, int testImages,
                    int epochs, int batch, double lr, double momentum, int evalEvery) {

    /** The MNIST images, normalised with the training set's mean and standard deviation. */
    record Data(Dataset train, Dataset test) {
    }

    static Data load(int trainImages, int testImages) throws java.io.IOException {
        Dataset train = Dataset.mnist(true);
        Dataset test = Dataset.mnist(false);
        float[] mean = train.channelMean();
        float[] std = train.channelStd();
        return new Data(train.subset(trainImages).normalized(mean, std), test.subset(testImages).normalized(mean, std));
    }

    int[] widths() {
        int[] w = new int[depth + 1];
        w[0] = 784;
        for (int l = 1; l < depth; l++) {
            w[l] = width;
        }
        w[depth] = 10;
        return w;
    }

    Map<String, Object> run(long seed, Data data) {
        Rng root = new Rng(seed);
        Rng init = root.fork("init");
        int[] widths = widths();
        List<Linear> layers = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            Linear fc = new Linear(widths[l], widths[l + 1], init);
            scheme.apply(fc, init);
            layers.add(fc);
        }
        List<unboxed.nn.Parameter> params = new ArrayList<>();
        for (Linear fc : layers) {
            params.addAll(fc.parameters());
        }
        SGD opt = new SGD(params, lr, momentum, 0, 0, false, false);
        DataLoader loader = new DataLoader(data.train(), batch, true, true, true, root.fork("shuffle"));
        Map<String, Object> r = new LinkedHashMap<>();
        List<Integer> steps = new ArrayList<>();
        List<Float> accuracy = new ArrayList<>();
        List<Float> loss = new ArrayList<>();
        int step = 0;
        Integer divergedAt = null;
        double window = 0;
        int windowCount = 0;
        steps.add(0);
        accuracy.add((float) accuracy(layers, data.test()));
        loss.add(Float.NaN);
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (DataLoader.Batch b : loader.epoch()) {
                if (divergedAt == null) {
                    DepthProbe pre = step == 0 ? new DepthProbe() : null;
                    Tensor x = b.images();
                    for (int l = 0; l < depth; l++) {
                        Tensor h = layers.get(l).forward(x);
                        if (pre != null) {
                            pre.watch("h" + (l + 1), h);
                        }
                        x = l + 1 < depth ? activation.apply(h) : h;
                    }
                    Tensor lossT = F.crossEntropy(x, b.labels());
                    for (unboxed.nn.Parameter p : params) {
                        unboxed.nn.Parameter.zeroGrad(p.data(), true);
                    }
                    lossT.backward();
                    if (pre != null) {
                        List<TensorStats> f = pre.forward();
                        List<TensorStats> g = pre.backward();
                        List<TensorStats> wg = new ArrayList<>();
                        for (Linear fc : layers) {
                            wg.add(TensorStats.of(fc.weight().grad()));
                        }
                        Map<String, Object> s0 = new LinkedHashMap<>();
                        s0.put("pre_std", DepthProbe.seriesF(f, TensorStats::std));
                        s0.put("grad_std", DepthProbe.seriesF(g, TensorStats::std));
                        s0.put("weight_grad_norm", DepthProbe.seriesF(wg, TensorStats::norm));
                        s0.put("loss", lossT.item());
                        r.put("step0", s0);
                        pre.detach();
                    }
                    float l = lossT.item();
                    if (!Float.isFinite(l)) {
                        divergedAt = step + 1;
                    } else {
                        opt.step();
                        window += l;
                        windowCount++;
                    }
                }
                step++;
                if (step % evalEvery == 0) {
                    steps.add(step);
                    accuracy.add((float) accuracy(layers, data.test()));
                    loss.add(windowCount == 0 ? Float.NaN : (float) (window / windowCount));
                    window = 0;
                    windowCount = 0;
                }
            }
        }
        r.put("steps", steps);
        r.put("test_accuracy", accuracy);
        r.put("train_loss", loss);
        r.put("diverged_at_step", divergedAt);
        r.put("final_test_accuracy", accuracy.get(accuracy.size() - 1));
        return r;
    }

    /**
     * Accuracy on the test images, in chunks, without recording a graph. A row of logits that is
     * not all finite is no prediction and counts as wrong.
     */
    double accuracy(List<Linear> layers, Dataset test) {
        return Autograd.noGrad(() -> {
            DataLoader loader = new DataLoader(test, 500, false, false, true, null);
            long correct = 0;
            for (DataLoader.Batch b : loader.epoch()) {
                Tensor x = b.images();
                for (int l = 0; l < layers.size(); l++) {
                    Tensor h = layers.get(l).forward(x);
                    x = l + 1 < layers.size() ? activation.apply(h) : h;
                }
                float[] logits = x.toArray();
                float[] y = b.labels().toArray();
                int classes = logits.length / y.length;
                for (int i = 0; i < y.length; i++) {
                    int best = -1;
                    float bestV = Float.NEGATIVE_INFINITY;
                    boolean ok = true;
                    for (int c = 0; c < classes; c++) {
                        float v = logits[i * classes + c];
                        ok &= Float.isFinite(v);
                        if (v > bestV) {
                            bestV = v;
                            best = c;
                        }
                    }
                    correct += ok && best == (int) y[i] ? 1 : 0;
                }
            }
            return (double) correct / test.size();
        });
    }
}
