package unboxed.convintuition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import unboxed.data.Dataset;
import unboxed.kit.Rounding;
import unboxed.kit.stats.Translation;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * One training run of a sweep point and what is measured on the trained network: its test
 * accuracy and, for the translation points, its accuracy on shifted test images and how its
 * feature maps move with a shift (equivariance) or stay (invariance).
 */
final class Runs {
    private Runs() {
    }

    static Map<String, Object> run(Experiment.Point p, Experiment.Scale s, Training.Data data, long seed,
                                   boolean translation) {
        Rng root = new Rng(seed);
        Arch a = p.arch();
        Dataset train = data.train().subset(p.images());
        Dataset test = data.test();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", p.dataset());
        m.put("network", a.id());
        m.put("family", a.family());
        m.put("width", a.width());
        m.put("train_images", p.images());
        m.put("intervention", p.intervention());
        m.put("params", a.params());
        m.put("flops", a.flops());
        Net net;
        if ("tied".equals(p.intervention())) {
            // the convolutional network this seed starts from, its kernel copied to every position
            Net conv = new Net(new Arch(Arch.Kind.CONV, a.kernel(), a.width(), a.pool()), root.fork("init"));
            net = Net.tiedCopy(conv, root.fork("tied"));
            m.put("equivariance_at_init", equivariance(net, data, s));
        } else {
            net = new Net(a, root.fork("init"));
        }
        if ("permuted".equals(p.intervention())) {
            int[] perm = new Rng(Experiment.PERMUTATION_SEED).permutation(Arch.PIXELS);
            train = permuted(train, perm);
            test = permuted(test, perm);
        }
        Training.Run run = Training.train(net, train, s.steps(), root.fork("shuffle"));
        m.put("test_accuracy", Training.accuracy(net, test));
        m.put("train_loss", run.loss());
        if ("tied".equals(p.intervention())) {
            m.put("equivariance", equivariance(net, data, s));
        }
        if (translation) {
            m.putAll(translation(net, data, s));
        }
        return m;
    }

    /** Every image's pixels reordered by {@code perm}: pixel j of the new image is pixel perm[j] of the old one. */
    static Dataset permuted(Dataset d, int[] perm) {
        int px = d.sampleSize();
        if (perm.length != px) {
            throw new IllegalArgumentException("a permutation of " + perm.length + " pixels for images of " + px);
        }
        float[] in = d.images();
        float[] out = new float[in.length];
        for (int i = 0; i < d.size(); i++) {
            for (int j = 0; j < px; j++) {
                out[i * px + j] = in[i * px + perm[j]];
            }
        }
        return new Dataset(d.name() + " permuted", out, d.labels(), d.channels(), d.height(), d.width(),
                d.numClasses(), d.classNames());
    }

    /** Test accuracy on images shifted by 0 to 8 pixels (mean over four directions), and the maps' equivariance and invariance. */
    static Map<String, Object> translation(Net net, Training.Data data, Experiment.Scale s) {
        Dataset raw = data.testRaw().subset(s.shiftImages());
        int n = Experiment.MAX_SHIFT + 1;
        List<List<Double>> byDirection = new ArrayList<>();
        double[] mean = new double[n];
        for (int[] dir : Experiment.DIRECTIONS) {
            List<Double> accs = new ArrayList<>();
            for (int sh = 0; sh < n; sh++) {
                double acc = sh == 0 && !byDirection.isEmpty() ? byDirection.get(0).get(0)
                        : Training.accuracy(net, data.normalize(Translation.shift(raw, dir[0] * sh, dir[1] * sh, 0f)));
                accs.add(acc);
                mean[sh] += acc / Experiment.DIRECTIONS.length;
            }
            byDirection.add(accs);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shift_accuracy", Rounding.sig4(mean));
        m.put("shift_accuracy_by_direction", byDirection.stream().map(Rounding::sig4).toList());
        if (net.arch.kind() != Arch.Kind.FC) {
            m.put("equivariance", equivariance(net, data, s));
        }
        m.put("invariance", change(net, data, t -> net.pooled(net.maps(flat(t)))));
        return m;
    }

    /**
     * ‖maps(shift x) − shift(maps x)‖ / ‖shift(maps x)‖ for shifts 0 to 8 (mean over four
     * directions), on the first test images: 0 at every shift for a convolution.
     */
    static List<Double> equivariance(Net net, Training.Data data, Experiment.Scale s) {
        Tensor x = images(data);
        float fill = background(data);
        List<Double> out = new ArrayList<>();
        for (int sh = 0; sh <= Experiment.MAX_SHIFT; sh++) {
            double e = 0;
            for (int[] d : Experiment.DIRECTIONS) {
                e += Translation.equivarianceError(t -> net.maps(flat(t)), x, d[0] * sh, d[1] * sh, fill)
                        / Experiment.DIRECTIONS.length;
            }
            out.add(Rounding.sig4(e));
        }
        return out;
    }

    /** ‖g(shift x) − g(x)‖ / ‖g(x)‖ for shifts 0 to 8, mean over four directions. */
    static List<Double> change(Net net, Training.Data data, UnaryOperator<Tensor> g) {
        Tensor x = images(data);
        float fill = background(data);
        List<Double> out = new ArrayList<>();
        for (int sh = 0; sh <= Experiment.MAX_SHIFT; sh++) {
            double c = 0;
            for (int[] d : Experiment.DIRECTIONS) {
                c += Translation.invarianceChange(g, x, d[0] * sh, d[1] * sh, fill) / Experiment.DIRECTIONS.length;
            }
            out.add(Rounding.sig4(c));
        }
        return out;
    }

    /** The first test images, normalised, as [N, 1, 28, 28]. */
    private static Tensor images(Training.Data data) {
        Dataset d = data.test().subset(Experiment.MAP_IMAGES);
        return Tensor.of(d.images(), d.size(), 1, Arch.SIDE, Arch.SIDE);
    }

    /** A black pixel, normalised: what a shift brings in at the border. */
    private static float background(Training.Data data) {
        return (0f - data.mean()[0]) / data.std()[0];
    }

    private static Tensor flat(Tensor images) {
        return images.reshape(images.size(0), Arch.PIXELS);
    }
}
